// SPDX-License-Identifier: MIT
/* Top functions by self and total; see analysis/top.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "analysis/flame-tree.h"
#include "analysis/frames.h"
#include "analysis/top.h"

/* A function is (name, kernel): key = name id * 2 + kernel. */
struct top_acc {
	int64_t *self, *total;
	uint32_t *active;	/* frames of this function on the current path */
};

static uint32_t fn_key(const struct flame_node *n)
{
	return n->name * 2 + (n->kind == FLAME_KERNEL);
}

static int acc_visit(const struct flame_tree *t, uint32_t n, void *ctx)
{
	struct top_acc *a = ctx;
	const struct flame_node *node = &t->nodes[n];
	uint32_t k = fn_key(node);

	/* Recursion: only the outermost frame of a function adds to total. */
	if (!a->active[k]++)
		a->total[k] += node->total[0];
	a->self[k] += node->self[0];
	return 0;
}

static void acc_leave(const struct flame_tree *t, uint32_t n, void *ctx)
{
	struct top_acc *a = ctx;

	a->active[fn_key(&t->nodes[n])]--;
}

static int cmp_self(const void *x, const void *y)
{
	const struct top_fn *a = x, *b = y;

	if (a->self != b->self)
		return a->self > b->self ? -1 : 1;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	if (a->kernel != b->kernel)
		return a->kernel ? 1 : -1;
	return strcmp(a->name, b->name);
}

static int cmp_total(const void *x, const void *y)
{
	const struct top_fn *a = x, *b = y;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return cmp_self(x, y);
}

int top__from_tree(const struct flame_tree *t, bool by_total, struct top_result *out)
{
	struct top_acc a = { 0 };
	size_t nk = (size_t)t->nr_names * 2;
	int err = 0;

	memset(out, 0, sizeof(*out));
	a.self = calloc(nk, sizeof(*a.self));
	a.total = calloc(nk, sizeof(*a.total));
	a.active = calloc(nk, sizeof(*a.active));
	if (!a.self || !a.total || !a.active) {
		err = -ENOMEM;
		goto out_free;
	}
	flame_tree__walk(t, acc_visit, acc_leave, &a);
	for (size_t k = 0; k < nk; k++)
		if (a.total[k] > 0)
			out->nr++;
	out->fns = calloc(out->nr ? out->nr : 1, sizeof(*out->fns));
	if (!out->fns) {
		err = -ENOMEM;
		goto out_free;
	}
	out->nr = 0;
	for (size_t k = 0; k < nk; k++) {
		if (a.total[k] <= 0)
			continue;
		out->fns[out->nr++] = (struct top_fn){
			.name = t->names[k / 2], .kernel = k & 1,
			.vm = (k & 1) && frames__is_vm(t->names[k / 2]),
			.self = a.self[k], .total = a.total[k],
		};
	}
	qsort(out->fns, out->nr, sizeof(*out->fns), by_total ? cmp_total : cmp_self);
	out->grand_total = t->nodes[0].total[0];
out_free:
	free(a.self);
	free(a.total);
	free(a.active);
	return err;
}

int top__compute(const struct profile *p, int type_idx, bool by_total, struct top_result *out)
{
	struct flame_tree_opts o = { .type_idx = type_idx };
	struct flame_tree *t;
	int err = 0;

	memset(out, 0, sizeof(*out));
	t = flame_tree__build(p, &o, &err);
	if (!t)
		return err;
	err = top__from_tree(t, by_total, out);
	if (err) {
		flame_tree__free(t);
		return err;
	}
	out->tree = t;
	return 0;
}

void top__free(struct top_result *r)
{
	if (!r)
		return;
	free(r->fns);
	flame_tree__free(r->tree);
	memset(r, 0, sizeof(*r));
}
