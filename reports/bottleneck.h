/* SPDX-License-Identifier: MIT */
/*
 * The paths section of peerscope report: per path decomposition, verdict
 * and SLAs, rendered.  The verdict rules (analysis/verdicts.h) and the SLA
 * checks (analysis/sla.h) are analyses; this header brings them along for
 * the section's callers.
 */
#ifndef PEERSCOPE_BOTTLENECK_H
#define PEERSCOPE_BOTTLENECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/sla.h"
#include "analysis/verdicts.h"
#include "reports/report.h"

/* ---- the report section ------------------------------------------------ */

struct profile;
struct path_rules;

struct bottleneck_opts {
	enum report_format format;	/* text, Markdown or JSON (report.h) */
	/* NULL: the rules recorded in the profile, else the "default" set */
	const struct path_rules *rules;
	/* --sla specs; the profile's own "sla" records are checked too */
	const char *const *slas;
	int nr_slas;
	int width;		/* text columns; 0 = 100 */
	const struct bottleneck_limits *limits;	/* NULL = defaults */
	bool in_report;		/* a section of peerscope report: no heading of its own */
};

/*
 * The paths section of `peerscope report` (docs/report-paths.md): per path
 * operations, latency, where the wall time goes with top stacks, network,
 * slowest operations, the verdict and the SLAs.  Returns the number of SLAs
 * that failed (the caller exits 3 when > 0), or a negative errno (a bad
 * --sla is reported on stderr and gives -EINVAL).
 */
int bottleneck__report(FILE *f, const struct profile *p, const struct bottleneck_opts *o);

/*
 * The section of `peerscope report` (reports/report.h contract, key
 * "paths"): options --rules and --sla from report_opts.
 */
struct report_opts;
struct report_out;
int report_paths__emit(const struct profile *p, const struct report_opts *o,
		       struct report_out *out);

#endif /* PEERSCOPE_BOTTLENECK_H */
