/* SPDX-License-Identifier: MIT */
/*
 * Output of `peerscope diff` (docs/diff.md): the comparison of
 * analysis/diff.h as text, Markdown or JSON (diff-print.c), and the
 * differential flame graph (diff-flame.h).
 */
#ifndef PEERSCOPE_DIFF_H
#define PEERSCOPE_DIFF_H

#include <stdio.h>

#include "analysis/diff.h"
#include "reports/report.h"

struct diff_files {
	const char *base, *cur;		/* as given */
	const char *base_fmt, *cur_fmt;	/* "pprof", "folded" */
};

/*
 * The comparison as text, Markdown or JSON (schema "peerscope.diff/1",
 * docs/diff.md), in report's formats.
 */
int diff__print(FILE *f, const struct diff_result *r, const struct diff_files *files,
		enum report_format fmt);

#endif /* PEERSCOPE_DIFF_H */
