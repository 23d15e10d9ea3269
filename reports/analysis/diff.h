/* SPDX-License-Identifier: MIT */
/*
 * Differential analysis of two profiles (`peerscope diff BASE NEW`,
 * docs/diff.md): which functions, stacks and paths changed their share of
 * a sample type, whether the change is larger than the noise of the
 * sampling, and whether any of it regressed beyond a CI threshold.
 *
 * Both profiles go into one flame tree (flame-tree.h, slot 0 = base, slot
 * 1 = new); functions and stacks are read off the tree.  Values are
 * normalised before they are compared, by the profile's total (a node that
 * did twice the work in the same proportions did not regress) or by the
 * operation count of the span histograms (--per-op).  Every change is a
 * "share" delta in units of the BASE total (per operation with --per-op):
 * +0.05 means the function now costs 5 % of what the whole baseline cost.
 *
 * Significance: sample values are turned into event counts (see
 * diff__quantum) and compared with a two-proportion z-test (by total) or a
 * Poisson rate z-test (per operation).  Latency percentiles are compared
 * with a two-proportion z-test on the fraction of operations slower than
 * the baseline's percentile.
 */
#ifndef PEERSCOPE_ANALYSIS_DIFF_H
#define PEERSCOPE_ANALYSIS_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/names.h"

struct profile;
struct flame_tree;

enum diff_norm {
	DIFF_NORM_TOTAL = 0,	/* share of each profile's total */
	DIFF_NORM_OPS,		/* per operation (span hist counts) */
};

struct diff_opts {
	const char *type;	/* sample type name, NULL = base's default */
	const char *path;	/* only this path's samples, NULL = all */
	bool per_op;		/* normalise by operation counts when both have them */
	bool no_kernel;		/* leave kernel frames out */
	double min_z;		/* |z| below: noise (default 3) */
	double min_delta;	/* |share delta| below: too small (default 0.005) */
	double fail_above;	/* relative regression that fails (0.10); <= 0: off */
	/*
	 * Variance inflation of the latency test (default 4: z halved): the
	 * operations of one recording are not independent samples, they queue
	 * behind the same bursts of CPU contention (docs/diff.md).
	 */
	double lat_design;
	int top_n;		/* rows per list (default 20) */
};

void diff__defaults(struct diff_opts *o);

/* One compared quantity (a function's self or total, a stack, a path). */
struct diff_stat {
	int64_t v[2];		/* raw values: base, new */
	double share[2];	/* normalised, in units of the base total */
	double delta;		/* share[1] - share[0] */
	double rel;		/* share[1] / share[0] - 1; INFINITY when share[0] == 0 */
	double z;		/* signed test statistic; > 0 grew */
	bool significant;	/* |z| >= min_z and |delta| >= min_delta */
};

struct diff_func {
	uint32_t name;		/* name id in the tree */
	bool kernel;
	struct diff_stat self, total;
};

struct diff_stack {
	uint32_t node;		/* leaf node in the tree: the stack is its path */
	struct diff_stat self;
};

/* Sorted lists of significant changes: growth first by delta, then shrinkage. */
struct diff_funcs {
	struct diff_func *v;	/* every function of the tree */
	uint32_t nr;
	uint32_t *grew, *shrank;	/* indexes into v, sorted, significant only */
	uint32_t nr_grew, nr_shrank;
	/* ranked by total, callers only: those whose self change is under half of it */
	uint32_t *grew_total, *shrank_total;
	uint32_t nr_grew_total, nr_shrank_total;
	uint32_t hidden;	/* changed, but inside the noise */
};

struct diff_latency {
	bool known;			/* both sides have span histograms */
	uint64_t count[2], errors[2];
	uint64_t p50[2], p95[2], p99[2];
	double rel95, rel99;		/* new / base - 1 */
	double z95, z99;		/* exceedance test, > 0: more slow operations,
					   already divided by sqrt(lat_design) */
	bool regressed;			/* over fail_above and significant */
};

/*
 * Parts of a path's wall time, normalised (load, or ns per operation), in
 * the order diff shows them; each is a wall part of core/names.h.
 */
enum diff_part {
	DP_CPU = 0, DP_RUNQ, DP_LOCK, DP_NET, DP_TIMER, DP_IO, DP_FAULT, DP_OTHER, DP_NR,
};
extern const enum wall_part diff_part_wall[DP_NR];

static inline const char *diff__part_name(int k)
{
	return wall_part_names[diff_part_wall[k]];
}

struct diff_path {
	char name[32];
	bool present[2];		/* the path has samples or spans in base / new */
	struct diff_stat share;		/* the path's share of the chosen type */
	struct diff_latency lat;
	double part[2][DP_NR];		/* threads (load) or ns per op with --per-op */
	double busy[2];
	bool per_op;			/* part/busy are ns per operation */
	const char *verdict[2];		/* verdict kind names ("cpu", "lock", ...) */
	char culprit[2][512];
	char text[512];			/* the new verdict's text */
	int changed_part;		/* biggest growth of busy time, -1 = none */
	double changed_by;
	char top_name[128];		/* the path's top self growth, "" = none */
	struct diff_stat top_self, top_total;
	bool regressed;			/* share or latency over fail_above */
};

struct diff_failure {
	char what[256];			/* "function dht_distance_slow self share" */
	double base, cur, rel, z;
	bool latency;			/* values are ns */
};

struct diff_result {
	char type[32], unit[32];
	enum diff_norm norm;
	bool per_op_refused;		/* --per-op asked but spans missing */
	int64_t total[2];		/* of the chosen type */
	uint64_t ops[2];		/* span operations (hist counts) */
	double quantum[2];		/* value of one event (see diff__quantum) */
	double k[2];			/* share = value * k[side] */
	double duration_s[2];
	struct flame_tree *tree;	/* slot 0 base, slot 1 new */
	double *node_delta;		/* per tree node, -1..1: self delta / max |delta| */
	double max_node_delta;		/* the max, in shares */
	struct diff_funcs funcs;
	struct diff_stack *stacks;	/* stacks that changed significantly, sorted */
	uint32_t nr_stacks_grew, nr_stacks_shrank;	/* grew first, then shrank */
	struct diff_path *paths;
	uint32_t nr_paths;
	struct diff_failure *fails;
	uint32_t nr_fails;
	struct diff_opts opts;
};

/*
 * Compare base and cur, each labelled with its own recorded rules (else the
 * default set) by paths__label_profile at load; a profile that was not is
 * labelled here, on a copy.  o->path filters copies; the profiles given are
 * not changed.  Returns 0, -ENOENT when the sample type is in neither (or
 * only one) profile, -ENODATA when either has no samples of it, or another
 * negative errno.  The result is freed with diff__free.
 */
int diff__compute(const struct profile *base, const struct profile *cur,
		  const struct diff_opts *o, struct diff_result *res);
void diff__free(struct diff_result *res);

/*
 * Value of one event of column type_idx, to turn values into counts for the
 * significance test: 1 for "count" units; the sampling period when the
 * profile's period type is this column; for cpu with a samples column,
 * cpu total / samples total; otherwise (off-CPU time, bytes) the mean value
 * per pprof sample, which under-counts events and so errs towards "noise".
 */
double diff__quantum(const struct profile *p, int type_idx);

/*
 * z of the change from x1 events out of n1 to x2 out of n2 (two-proportion
 * test with pooled variance), or, with rate set, of the rate x/n where n is
 * an exposure (operations): Poisson rate test with pooled rate.  0 when
 * there is nothing to compare.
 */
double diff__z(double x1, double n1, double x2, double n2, bool rate);

/*
 * "frame;frame;..." of the stack ending at node (root first, kernel frames
 * "_[k]", inlined "_[i]"), cut at len - 1.
 */
const char *diff__stack_name(const struct flame_tree *t, uint32_t node, char *buf, size_t len);
/* A function's display name ("_[k]" appended for kernel). */
const char *diff__func_name(const struct diff_result *r, const struct diff_func *fn, char *buf,
			    size_t len);

#endif /* PEERSCOPE_ANALYSIS_DIFF_H */
