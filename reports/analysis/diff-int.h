/* SPDX-License-Identifier: MIT */
/* What diff.c and diff-paths.c share; not an interface of the analysis layer. */
#ifndef PEERSCOPE_ANALYSIS_DIFF_INT_H
#define PEERSCOPE_ANALYSIS_DIFF_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/diff.h"

struct profile;
struct flame_tree;
struct path_rules;

/* Latency percentiles need this many operations on both sides to be judged. */
#define DIFF_MIN_OPS 10

/*
 * How values of each side become comparable shares (k) and event counts
 * for the test (q, n: denominators).
 */
struct norm {
	double k[2];		/* share = value * k */
	double q[2];		/* events = value / q */
	double n[2];		/* test denominators: total events, or operations */
	bool rate;
	double min_z, min_delta;
};

void diff_stat_fill(struct diff_stat *st, int64_t v0, int64_t v1, const struct norm *nm);

/* One two-slot tree: base in slot 0, cur in slot 1. */
int diff_tree_build(const struct profile *base, int tb, const struct profile *cur, int tc,
		    bool no_kernel, struct flame_tree **out);
int diff_funcs_compute(const struct flame_tree *t, const struct norm *nm, struct diff_funcs *fs);
void diff_funcs_free(struct diff_funcs *fs);

/*
 * The per-path comparison into r->paths: prof are the recordings labelled
 * with their rules (paths__label_profile), so that shares, parts and
 * verdicts all read the same labels.
 */
int diff_paths_compute(struct diff_result *r, const struct profile *const prof[2],
		       struct path_rules *const rules[2], const int ti[2], const struct norm *nm,
		       const struct diff_opts *o);

#endif /* PEERSCOPE_ANALYSIS_DIFF_INT_H */
