/* SPDX-License-Identifier: MIT */
/*
 * Top functions: for each function, self (samples whose innermost frame it
 * is, like `perf report --no-children`) and total (samples with it anywhere
 * on the stack, counted once per sample even when it recurses).  Kernel
 * functions are kept apart from user functions of the same name; an inlined
 * function counts as the function it is.
 */
#ifndef PEERSCOPE_ANALYSIS_TOP_H
#define PEERSCOPE_ANALYSIS_TOP_H

#include <stdbool.h>
#include <stdint.h>

struct profile;
struct flame_tree;

struct top_fn {
	const char *name;	/* owned by the result */
	bool kernel;
	bool vm;		/* a kernel frame of virtualisation (frames__is_vm): "[vm]" */
	int64_t self, total;
};

struct top_result {
	struct top_fn *fns;	/* sorted: see top__compute */
	uint32_t nr;
	int64_t grand_total;	/* all samples of the column */
	struct flame_tree *tree;	/* owns the names */
};

/*
 * Functions of column type_idx of p, sorted by self (by_total: by total)
 * descending, then by the other value, then by name.  0 or negative errno.
 */
int top__compute(const struct profile *p, int type_idx, bool by_total, struct top_result *out);
/* The same from a finished tree's slot 0 (the tree stays the caller's). */
int top__from_tree(const struct flame_tree *t, bool by_total, struct top_result *out);
void top__free(struct top_result *r);

#endif /* PEERSCOPE_ANALYSIS_TOP_H */
