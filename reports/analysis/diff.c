// SPDX-License-Identifier: MIT
/*
 * peerscope diff, the analysis: two profiles into one two-slot flame tree,
 * normalised, every function / stack / path compared with a significance
 * test, and the regressions beyond --fail-above collected.  Output is in
 * diff-print.c, the differential flame graph in diff-flame.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/diff.h"
#include "analysis/verdicts.h"
#include "analysis/diff-int.h"
#include "analysis/flame-tree.h"
#include "analysis/frames.h"
#include "analysis/paths.h"
#include "core/profile.h"
#include "core/records.h"
#include "format/recording.h"
#include "core/rules.h"

const enum wall_part diff_part_wall[DP_NR] = {
	[DP_CPU] = WALL_CPU, [DP_RUNQ] = WALL_RUNQ, [DP_LOCK] = WALL_OFF + REASON_LOCK,
	[DP_NET] = WALL_OFF + REASON_NET, [DP_TIMER] = WALL_OFF + REASON_TIMER,
	[DP_IO] = WALL_OFF + REASON_IO, [DP_FAULT] = WALL_OFF + REASON_FAULT,
	[DP_OTHER] = WALL_OFF + REASON_OTHER,
};

void diff__defaults(struct diff_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->min_z = 3;
	o->min_delta = 0.005;
	o->fail_above = 0;
	o->lat_design = 4;
	o->top_n = 20;
}

/* ---- statistics ----------------------------------------------------------- */

double diff__z(double x1, double n1, double x2, double n2, bool rate)
{
	double p1, p2, p, var;

	if (!(n1 > 0) || !(n2 > 0) || (x1 <= 0 && x2 <= 0))
		return 0;
	p1 = x1 / n1;
	p2 = x2 / n2;
	p = (x1 + x2) / (n1 + n2);
	var = rate ? p * (1 / n1 + 1 / n2) : p * (1 - p) * (1 / n1 + 1 / n2);
	if (!(var > 0))
		return 0;
	return (p2 - p1) / sqrt(var);
}

double diff__quantum(const struct profile *p, int type_idx)
{
	const char *type = profile__str(p, p->types[type_idx].type);
	const char *unit = profile__str(p, p->types[type_idx].unit);
	int64_t total = profile__total(p, type_idx), n = 0;
	int s;

	if (!strcmp(unit, "count"))
		return 1;
	if (p->period > 0 && p->period_type.type &&
	    !strcmp(profile__str(p, p->period_type.type), type))
		return p->period;
	s = profile__type_index(p, "samples");
	if (!strcmp(type, "cpu") && s >= 0 && profile__total(p, s) > 0)
		return (double)total / profile__total(p, s);
	/* nothing says how many events: one per pprof sample, a lower bound */
	for (uint32_t i = 0; i < p->nr_samples; i++)
		n += profile__value(p, i, type_idx) > 0;
	return n && total > 0 ? (double)total / n : 1;
}

void diff_stat_fill(struct diff_stat *st, int64_t v0, int64_t v1, const struct norm *nm)
{
	st->v[0] = v0;
	st->v[1] = v1;
	st->share[0] = v0 * nm->k[0];
	st->share[1] = v1 * nm->k[1];
	st->delta = st->share[1] - st->share[0];
	st->rel = st->share[0] > 0 ? st->share[1] / st->share[0] - 1
				   : (st->share[1] > 0 ? INFINITY : 0);
	st->z = diff__z(v0 / nm->q[0], nm->n[0], v1 / nm->q[1], nm->n[1], nm->rate);
	st->significant = fabs(st->z) >= nm->min_z && fabs(st->delta) >= nm->min_delta &&
			  st->delta != 0;
}

static void norm_init(struct norm *nm, const int64_t total[2], const uint64_t ops[2],
		      const double q[2], bool per_op, const struct diff_opts *o)
{
	nm->rate = per_op;
	nm->min_z = o->min_z;
	nm->min_delta = o->min_delta;
	for (int i = 0; i < 2; i++)
		nm->q[i] = q[i] > 0 ? q[i] : 1;
	nm->k[0] = total[0] > 0 ? 1.0 / total[0] : 0;
	if (per_op) {
		nm->k[1] = total[0] > 0 ? (double)ops[0] / ((double)ops[1] * total[0]) : 0;
		nm->n[0] = ops[0];
		nm->n[1] = ops[1];
	} else {
		nm->k[1] = total[1] > 0 ? 1.0 / total[1] : 0;
		nm->n[0] = total[0] / nm->q[0];
		nm->n[1] = total[1] / nm->q[1];
	}
}

/* ---- functions and stacks ------------------------------------------------- */

static inline uint32_t func_key(const struct flame_tree *t, uint32_t node)
{
	return t->nodes[node].name * 2 + (t->nodes[node].kind == FLAME_KERNEL);
}

struct total_walk {
	uint32_t *depth;	/* per key: occurrences on the current stack */
	int64_t (*total)[2];
};

/* A function's total counts its outermost frame only: recursion is not double-counted. */
static int total_visit(const struct flame_tree *t, uint32_t n, void *ctx)
{
	struct total_walk *w = ctx;
	uint32_t key = func_key(t, n);

	if (!w->depth[key]++) {
		w->total[key][0] += t->nodes[n].total[0];
		w->total[key][1] += t->nodes[n].total[1];
	}
	return 0;
}

static void total_leave(const struct flame_tree *t, uint32_t n, void *ctx)
{
	struct total_walk *w = ctx;

	w->depth[func_key(t, n)]--;
}

/* Sort helpers: qsort has no context, so the array being sorted is global. */
static const struct diff_func *sort_funcs;
static bool sort_by_total;

static int cmp_grew(const void *a, const void *b)
{
	const struct diff_func *x = &sort_funcs[*(const uint32_t *)a];
	const struct diff_func *y = &sort_funcs[*(const uint32_t *)b];
	double dx = sort_by_total ? x->total.delta : x->self.delta;
	double dy = sort_by_total ? y->total.delta : y->self.delta;

	if (dx != dy)
		return dx > dy ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

static int cmp_shrank(const void *a, const void *b)
{
	return -cmp_grew(a, b);
}

static int pick(const struct diff_funcs *fs, bool total, bool grew, uint32_t **out,
		uint32_t *nr)
{
	uint32_t *v = malloc((fs->nr ? fs->nr : 1) * sizeof(*v)), n = 0;

	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < fs->nr; i++) {
		const struct diff_stat *st = total ? &fs->v[i].total : &fs->v[i].self;

		if (!st->significant || !(grew ? st->delta > 0 : st->delta < 0))
			continue;
		/* by total, list the callers: a function whose own code explains the change is listed by self */
		if (total && fabs(fs->v[i].self.delta) >= 0.5 * fabs(st->delta))
			continue;
		v[n++] = i;
	}
	sort_funcs = fs->v;
	sort_by_total = total;
	qsort(v, n, sizeof(*v), grew ? cmp_grew : cmp_shrank);
	*out = v;
	*nr = n;
	return 0;
}

void diff_funcs_free(struct diff_funcs *fs)
{
	free(fs->v);
	free(fs->grew);
	free(fs->shrank);
	free(fs->grew_total);
	free(fs->shrank_total);
	memset(fs, 0, sizeof(*fs));
}

int diff_funcs_compute(const struct flame_tree *t, const struct norm *nm,
			 struct diff_funcs *fs)
{
	uint32_t nr_keys = t->nr_names * 2;
	int64_t (*self)[2] = calloc(nr_keys, sizeof(*self));
	int64_t (*total)[2] = calloc(nr_keys, sizeof(*total));
	uint32_t *depth = calloc(nr_keys, sizeof(*depth));
	struct total_walk w = { depth, total };
	int err = -ENOMEM;

	memset(fs, 0, sizeof(*fs));
	fs->v = calloc(nr_keys ? nr_keys : 1, sizeof(*fs->v));
	if (!self || !total || !depth || !fs->v)
		goto out;
	for (uint32_t n = 1; n < t->nr_nodes; n++) {
		uint32_t key = func_key(t, n);

		self[key][0] += t->nodes[n].self[0];
		self[key][1] += t->nodes[n].self[1];
	}
	flame_tree__walk(t, total_visit, total_leave, &w);
	for (uint32_t key = 0; key < nr_keys; key++) {
		struct diff_func *fn = &fs->v[fs->nr];

		if (!total[key][0] && !total[key][1])
			continue;
		fn->name = key / 2;
		fn->kernel = key & 1;
		diff_stat_fill(&fn->self, self[key][0], self[key][1], nm);
		diff_stat_fill(&fn->total, total[key][0], total[key][1], nm);
		if (fn->self.delta && !fn->self.significant)
			fs->hidden++;
		fs->nr++;
	}
	err = pick(fs, false, true, &fs->grew, &fs->nr_grew);
	if (!err)
		err = pick(fs, false, false, &fs->shrank, &fs->nr_shrank);
	if (!err)
		err = pick(fs, true, true, &fs->grew_total, &fs->nr_grew_total);
	if (!err)
		err = pick(fs, true, false, &fs->shrank_total, &fs->nr_shrank_total);
out:
	free(self);
	free(total);
	free(depth);
	if (err)
		diff_funcs_free(fs);
	return err;
}

static int cmp_stack(const void *a, const void *b)
{
	const struct diff_stack *x = a, *y = b;
	bool gx = x->self.delta > 0, gy = y->self.delta > 0;

	if (gx != gy)
		return gx ? -1 : 1;
	if (x->self.delta != y->self.delta)
		return (gx ? x->self.delta > y->self.delta : x->self.delta < y->self.delta) ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

static int stacks_compute(struct diff_result *r, const struct norm *nm)
{
	const struct flame_tree *t = r->tree;
	uint32_t n = 0;

	r->stacks = calloc(t->nr_nodes, sizeof(*r->stacks));
	r->node_delta = calloc(t->nr_nodes, sizeof(*r->node_delta));
	if (!r->stacks || !r->node_delta)
		return -ENOMEM;
	for (uint32_t i = 1; i < t->nr_nodes; i++) {
		const struct flame_node *fn = &t->nodes[i];
		struct diff_stat st;

		if (!fn->self[0] && !fn->self[1])
			continue;
		diff_stat_fill(&st, fn->self[0], fn->self[1], nm);
		r->node_delta[i] = st.delta;
		if (fabs(st.delta) > r->max_node_delta)
			r->max_node_delta = fabs(st.delta);
		if (!st.significant)
			continue;
		r->stacks[n].node = i;
		r->stacks[n].self = st;
		if (st.delta > 0)
			r->nr_stacks_grew++;
		else
			r->nr_stacks_shrank++;
		n++;
	}
	qsort(r->stacks, n, sizeof(*r->stacks), cmp_stack);
	if (r->max_node_delta > 0)
		for (uint32_t i = 1; i < t->nr_nodes; i++)
			r->node_delta[i] /= r->max_node_delta;
	return 0;
}

const char *diff__stack_name(const struct flame_tree *t, uint32_t node, char *buf, size_t len)
{
	uint32_t chain[512], nr = 0;
	size_t off = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (uint32_t n = node; n && nr < 512; n = t->nodes[n].parent)
		chain[nr++] = n;
	while (nr-- && off + 1 < len) {
		uint8_t kind = t->nodes[chain[nr]].kind;
		int w = snprintf(buf + off, len - off, "%s%s%s", off ? ";" : "",
				 flame_tree__name(t, chain[nr]),
				 kind == FLAME_KERNEL ? "_[k]" : kind == FLAME_INLINE ? "_[i]" : "");

		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (off >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	return buf;
}

const char *diff__func_name(const struct diff_result *r, const struct diff_func *fn, char *buf,
			    size_t len)
{
	snprintf(buf, len, "%s%s", r->tree->names[fn->name], fn->kernel ? "_[k]" : "");
	return buf;
}

/* ---- loading: labels, path filter, operations ------------------------------ */

/*
 * Side i as compared: the profile given when it is labelled (at load,
 * paths__label_profile), else a labelled copy in *own.
 */
static int labelled(const struct profile *orig, const struct path_rules *rules,
		    const struct profile **use, struct profile **own)
{
	int err;

	*use = orig;
	if (!rules || paths__is_labelled(orig))
		return 0;
	if (!(*own = profile__clone(orig)))
		return -ENOMEM;
	err = paths__label_profile(*own, rules);
	*use = *own;
	return err < 0 ? err : 0;
}

/* Side i cut to one path's samples, in *own. */
static int filter_path(const struct profile **use, struct profile **own, const char *path)
{
	struct profile *np = profile__filter(*use, paths__sample_on, (void *)path);

	if (!np)
		return -ENOMEM;
	profile__free(*own);
	*use = *own = np;
	return 0;
}

/* ---- the tree -------------------------------------------------------------- */

int diff_tree_build(const struct profile *base, int tb, const struct profile *cur, int tc,
		      bool no_kernel, struct flame_tree **out)
{
	struct flame_tree_opts ob = { .type_idx = tb, .no_kernel = no_kernel };
	struct flame_tree_opts oc = { .type_idx = tc, .no_kernel = no_kernel };
	struct flame_tree *t = flame_tree__new();
	int err;

	if (!t)
		return -ENOMEM;
	err = flame_tree__add_profile(t, base, &ob, 0);
	if (!err)
		err = flame_tree__add_profile(t, cur, &oc, 1);
	if (!err)
		err = flame_tree__finish(t);
	if (err) {
		flame_tree__free(t);
		return err;
	}
	*out = t;
	return 0;
}

/* ---- failures ------------------------------------------------------------------ */

static int fail_add(struct diff_result *r, const char *what, double base, double cur,
		    double rel, double z, bool latency)
{
	struct diff_failure *nf = realloc(r->fails, (r->nr_fails + 1) * sizeof(*nf));

	if (!nf)
		return -ENOMEM;
	r->fails = nf;
	nf += r->nr_fails++;
	snprintf(nf->what, sizeof(nf->what), "%s", what);
	nf->base = base;
	nf->cur = cur;
	nf->rel = rel;
	nf->z = z;
	nf->latency = latency;
	return 0;
}

static int failures_collect(struct diff_result *r, const struct diff_opts *o)
{
	double t = o->fail_above;
	char what[256], name[128];
	int err = 0;

	if (!(t > 0))
		return 0;
	for (uint32_t i = 0; i < r->funcs.nr_grew && !err; i++) {
		const struct diff_func *fn = &r->funcs.v[r->funcs.grew[i]];

		/*
		 * Time the hypervisor takes ("[vm]" frames) moves with the
		 * host's load, not with the code: two clean recordings of one
		 * node differed by +37 % in pvm_irq_enable.  Listed, never a
		 * failure.
		 */
		if (!(fn->self.rel > t) || (fn->kernel && frames__is_vm(r->tree->names[fn->name])))
			continue;
		snprintf(what, sizeof(what), "function %s: self share of %s",
			 diff__func_name(r, fn, name, sizeof(name)), r->type);
		err = fail_add(r, what, fn->self.share[0], fn->self.share[1], fn->self.rel,
			       fn->self.z, false);
	}
	for (uint32_t i = 0; i < r->nr_paths && !err; i++) {
		struct diff_path *dp = &r->paths[i];
		const struct diff_latency *l = &dp->lat;

		if (dp->share.significant && dp->share.delta > 0 && dp->share.rel > t) {
			dp->regressed = true;
			snprintf(what, sizeof(what), "path %s: share of %s", dp->name, r->type);
			err = fail_add(r, what, dp->share.share[0], dp->share.share[1],
				       dp->share.rel, dp->share.z, false);
		}
		if (!err && l->regressed && l->rel95 > t && l->z95 >= o->min_z) {
			dp->regressed = true;
			snprintf(what, sizeof(what), "path %s: p95 latency", dp->name);
			err = fail_add(r, what, l->p95[0], l->p95[1], l->rel95, l->z95, true);
		}
		if (!err && l->regressed && l->rel99 > t && l->z99 >= o->min_z) {
			dp->regressed = true;
			snprintf(what, sizeof(what), "path %s: p99 latency", dp->name);
			err = fail_add(r, what, l->p99[0], l->p99[1], l->rel99, l->z99, true);
		}
	}
	return err;
}

/* ---- entry point ------------------------------------------------------------------ */

static uint64_t ops_of(const struct profile *p, const char *path)
{
	struct rec_hist_sum *h = malloc(sizeof(*h));
	uint64_t n = h && !records__hist_sum(p, path, h) ? h->count : 0;

	free(h);
	return n;
}

int diff__compute(const struct profile *base, const struct profile *cur,
		  const struct diff_opts *o, struct diff_result *r)
{
	/* the recordings as given, what is compared (labelled), copies made for it */
	const struct profile *orig[2] = { base, cur }, *prof[2];
	struct profile *own[2] = { NULL, NULL };
	struct path_rules *rules[2] = { NULL, NULL };
	int64_t full_total[2];
	uint64_t all_ops[2];
	double q[2];
	struct norm nm_full, nm;
	const char *type;
	int ti[2], err;

	memset(r, 0, sizeof(*r));
	r->opts = *o;
	ti[0] = recording__pick_type(base, o->type);
	if (ti[0] < 0)
		return ti[0] == -ENODATA ? -ENODATA : -ENOENT;
	type = profile__str(base, base->types[ti[0]].type);
	{
		char full[128];

		snprintf(full, sizeof(full), "%s/%s", type,
			 profile__str(base, base->types[ti[0]].unit));
		ti[1] = profile__type_index(cur, full);
	}
	if (ti[1] < 0)
		return -ENOENT;
	snprintf(r->type, sizeof(r->type), "%s", type);
	snprintf(r->unit, sizeof(r->unit), "%s", profile__str(base, base->types[ti[0]].unit));

	/* every sample has its path before anything is compared or filtered */
	for (int i = 0; i < 2; i++) {
		rules[i] = path_rules__for_profile(orig[i]);
		err = labelled(orig[i], rules[i], &prof[i], &own[i]);
		if (err)
			goto out;
		full_total[i] = profile__total(prof[i], ti[i]);
		all_ops[i] = ops_of(prof[i], NULL);
		q[i] = diff__quantum(prof[i], ti[i]);
		r->quantum[i] = q[i];
		r->duration_s[i] = prof[i]->duration_nanos / 1e9;
	}
	if (full_total[0] <= 0 || full_total[1] <= 0) {
		err = -ENODATA;
		goto out;
	}
	norm_init(&nm_full, full_total, all_ops, q, o->per_op && all_ops[0] && all_ops[1], o);
	if (rules[0] && rules[1]) {
		err = diff_paths_compute(r, prof, rules, ti, &nm_full, o);
		if (err)
			goto out;
	}

	if (o->path) {
		for (int i = 0; i < 2; i++) {
			err = filter_path(&prof[i], &own[i], o->path);
			if (err)
				goto out;
		}
	}
	for (int i = 0; i < 2; i++) {
		r->total[i] = profile__total(prof[i], ti[i]);
		r->ops[i] = ops_of(prof[i], o->path);
	}
	if (r->total[0] <= 0 || r->total[1] <= 0) {
		err = -ENODATA;
		goto out;
	}
	r->norm = o->per_op && r->ops[0] && r->ops[1] ? DIFF_NORM_OPS : DIFF_NORM_TOTAL;
	r->per_op_refused = o->per_op && r->norm != DIFF_NORM_OPS;
	norm_init(&nm, r->total, r->ops, q, r->norm == DIFF_NORM_OPS, o);
	r->k[0] = nm.k[0];
	r->k[1] = nm.k[1];

	err = diff_tree_build(prof[0], ti[0], prof[1], ti[1], o->no_kernel, &r->tree);
	if (!err)
		err = diff_funcs_compute(r->tree, &nm, &r->funcs);
	if (!err)
		err = stacks_compute(r, &nm);
	if (!err)
		err = failures_collect(r, o);
out:
	for (int i = 0; i < 2; i++) {
		path_rules__free(rules[i]);
		profile__free(own[i]);
	}
	if (err)
		diff__free(r);
	return err;
}

void diff__free(struct diff_result *r)
{
	flame_tree__free(r->tree);
	free(r->node_delta);
	diff_funcs_free(&r->funcs);
	free(r->stacks);
	free(r->paths);
	free(r->fails);
	memset(r, 0, sizeof(*r));
}
