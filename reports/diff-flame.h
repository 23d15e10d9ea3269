/* SPDX-License-Identifier: MIT */
/*
 * The differential flame graph of peerscope diff: the two-slot tree of a
 * diff_result drawn by flame-svg.c with per-node deltas (FlameGraph's
 * convention: red grew, blue shrank, shade by |self delta| / max), widths
 * from the new profile, or from the base with negate (so code that
 * vanished is visible); and the three-column folded form "stack base new".
 */
#ifndef PEERSCOPE_DIFF_FLAME_H
#define PEERSCOPE_DIFF_FLAME_H

#include <stdbool.h>
#include <stdio.h>

struct diff_result;

struct diff_flame_opts {
	bool negate;		/* widths from BASE */
	const char *title;	/* NULL: "Differential Flame Graph" */
	const char *subtitle;
	int width;		/* 0 = 1200 */
	double min_share;	/* as flame_svg_opts.min_share */
};

/* 0 or a negative errno. */
int diff_flame__write_svg(FILE *f, const struct diff_result *r, const struct diff_flame_opts *o);
/* "stack base new" lines (raw values), sorted like flame --folded. */
int diff_flame__write_folded(FILE *f, const struct diff_result *r);

#endif /* PEERSCOPE_DIFF_FLAME_H */
