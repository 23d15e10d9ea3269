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
#include "analysis/flame-tree.h"
#include "analysis/paths.h"
#include "core/profile.h"
#include "core/records.h"
#include "format/recording.h"
#include "core/rules.h"

const char *const diff_part_names[DP_NR] = {
	"cpu", "runq", "lock", "net", "timer", "io", "fault", "other",
};

/* Latency percentiles need this many operations on both sides to be judged. */
#define DIFF_MIN_OPS 10

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

static void stat_fill(struct diff_stat *st, int64_t v0, int64_t v1, const struct norm *nm)
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

static void funcs_free(struct diff_funcs *fs)
{
	free(fs->v);
	free(fs->grew);
	free(fs->shrank);
	free(fs->grew_total);
	free(fs->shrank_total);
	memset(fs, 0, sizeof(*fs));
}

static int funcs_compute(const struct flame_tree *t, const struct norm *nm,
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
		stat_fill(&fn->self, self[key][0], self[key][1], nm);
		stat_fill(&fn->total, total[key][0], total[key][1], nm);
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
		funcs_free(fs);
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
		stat_fill(&st, fn->self[0], fn->self[1], nm);
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

static bool keep_path(const struct profile *p, uint32_t sample, void *ctx)
{
	const char *v = profile__label_str(p, p->samples[sample].labelset, "path");

	return !strcmp(v && *v ? v : "other", ctx);
}

static int filter_path(struct profile *p, const char *path)
{
	struct profile *np = profile__filter(p, keep_path, (void *)path);

	if (!np)
		return -ENOMEM;
	profile__swap(p, np);
	profile__free(np);
	return 0;
}

struct hist {
	uint64_t count, errors, max_ns, in_buckets;
	uint64_t *buckets;	/* REC_LL_BUCKETS */
};

/* Sums the "hist" records of one path (NULL: every path). */
static int hist_read(const struct profile *p, const char *path, struct hist *h)
{
	struct rec_hist *r = malloc(sizeof(*r));

	memset(h, 0, sizeof(*h));
	h->buckets = calloc(REC_LL_BUCKETS, sizeof(*h->buckets));
	if (!h->buckets || !r) {
		free(r);
		return -ENOMEM;
	}
	for (uint32_t pos = 0; records__next_hist(p, &pos, r);) {
		if (path && (!r->path || strcmp(r->path, path)))
			continue;
		h->count += r->count;
		h->errors += r->errors;
		if (r->max_ns > h->max_ns)
			h->max_ns = r->max_ns;
		h->in_buckets += rec_buckets__to_ll(&r->buckets, h->buckets);
	}
	free(r);
	return 0;
}

/* Bucket holding quantile q (the one paths__hist_quantile reports). */
static uint32_t hist_bucket(const struct hist *h, double q)
{
	uint64_t want = (uint64_t)(q * h->in_buckets + 0.999999), cum = 0;

	if (want < 1)
		want = 1;
	for (uint32_t b = 0; b < REC_LL_BUCKETS; b++) {
		cum += h->buckets[b];
		if (cum >= want)
			return b;
	}
	return REC_LL_BUCKETS - 1;
}

static uint64_t hist_above(const struct hist *h, uint32_t bucket)
{
	uint64_t n = 0;

	for (uint32_t b = bucket + 1; b < REC_LL_BUCKETS; b++)
		n += h->buckets[b];
	return n;
}

static uint64_t hist_q(const struct hist *h, double q)
{
	return paths__hist_quantile(h->buckets, REC_LL_BUCKETS, h->in_buckets, q, h->max_ns);
}

/*
 * Percentile q regressed when it moved up and significantly more operations
 * are slower than the baseline's percentile than the baseline had.
 */
static void latency_compare(const struct hist h[2], struct diff_latency *l,
			    const struct diff_opts *o)
{
	double thr = o->fail_above > 0 ? o->fail_above : 0;
	double inflate = sqrt(o->lat_design >= 1 ? o->lat_design : 1);
	uint32_t b;

	l->known = h[0].in_buckets && h[1].in_buckets;
	for (int i = 0; i < 2; i++) {
		l->count[i] = h[i].count;
		l->errors[i] = h[i].errors;
		l->p50[i] = hist_q(&h[i], 0.50);
		l->p95[i] = hist_q(&h[i], 0.95);
		l->p99[i] = hist_q(&h[i], 0.99);
	}
	if (!l->known)
		return;
	l->rel95 = l->p95[0] ? (double)l->p95[1] / l->p95[0] - 1 : 0;
	l->rel99 = l->p99[0] ? (double)l->p99[1] / l->p99[0] - 1 : 0;
	b = hist_bucket(&h[0], 0.95);
	l->z95 = diff__z(hist_above(&h[0], b), h[0].in_buckets, hist_above(&h[1], b),
			 h[1].in_buckets, false) / inflate;
	b = hist_bucket(&h[0], 0.99);
	l->z99 = diff__z(hist_above(&h[0], b), h[0].in_buckets, hist_above(&h[1], b),
			 h[1].in_buckets, false) / inflate;
	if (h[0].in_buckets < DIFF_MIN_OPS || h[1].in_buckets < DIFF_MIN_OPS)
		return;
	l->regressed = (l->rel95 > thr && l->z95 >= o->min_z) ||
		       (l->rel99 > thr && l->z99 >= o->min_z);
}

/* ---- the tree -------------------------------------------------------------- */

static int tree_build(const struct profile *base, int tb, const struct profile *cur, int tc,
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

/* ---- paths ------------------------------------------------------------------- */

static int64_t path_value(const struct profile *p, int type_idx, const char *path)
{
	int64_t sum = 0;

	for (uint32_t i = 0; i < p->nr_samples; i++)
		if (keep_path(p, i, (void *)path))
			sum += profile__value(p, i, type_idx);
	return sum;
}

static bool has_path_labels(const struct profile *p)
{
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		const char *v = profile__label_str(p, p->samples[i].labelset, "path");

		if (v && *v && strcmp(v, "other"))
			return true;
	}
	return records__count(p, REC_KIND_hist) > 0;
}


/* The path's biggest self growth, comparing only its samples. */
static int path_top(struct profile *const prof[2], const int ti[2], struct diff_path *dp,
		    const struct norm *nm, const struct diff_opts *o)
{
	struct profile *f[2] = { NULL, NULL };
	struct flame_tree *t = NULL;
	struct diff_funcs fs = { 0 };
	int err = -ENOMEM;

	for (int i = 0; i < 2; i++)
		if (!(f[i] = profile__filter(prof[i], keep_path, dp->name)))
			goto out;
	err = tree_build(f[0], ti[0], f[1], ti[1], o->no_kernel, &t);
	if (err)
		goto out;
	err = funcs_compute(t, nm, &fs);
	if (err)
		goto out;
	if (fs.nr_grew) {
		const struct diff_func *fn = &fs.v[fs.grew[0]];

		snprintf(dp->top_name, sizeof(dp->top_name), "%s%s", t->names[fn->name],
			 fn->kernel ? "_[k]" : "");
		dp->top_self = fn->self;
		dp->top_total = fn->total;
	}
out:
	funcs_free(&fs);
	flame_tree__free(t);
	profile__free(f[0]);
	profile__free(f[1]);
	return err;
}

static void parts_of(const struct path_stats *ps, double div, double *part, double *busy)
{
	static const int off[DP_NR] = {
		[DP_LOCK] = PR_LOCK, [DP_NET] = PR_NET, [DP_TIMER] = PR_TIMER,
		[DP_IO] = PR_IO, [DP_FAULT] = PR_FAULT, [DP_OTHER] = PR_OTHER,
	};

	if (!ps) {
		memset(part, 0, DP_NR * sizeof(*part));
		*busy = 0;
		return;
	}
	part[DP_CPU] = (ps->cpu_user_ns + ps->cpu_kernel_ns) / div;
	part[DP_RUNQ] = ps->runq_ns / div;
	for (int i = DP_LOCK; i < DP_NR; i++)
		part[i] = ps->off_ns[off[i]] / div;
	*busy = ps->busy_ns / div;
}

struct path_ctx {
	struct profile *prof[2];
	int ti[2];
	struct path_report rep[2];
	struct verdict *verdicts[2];
	const struct norm *nm;
	const struct diff_opts *o;
};

static int path_add(struct diff_result *r, struct path_ctx *c, const char *name)
{
	struct diff_path *dp;
	struct path_stats *ps[2];
	struct hist h[2] = { 0 };
	int err;

	for (uint32_t i = 0; i < r->nr_paths; i++)
		if (!strcmp(r->paths[i].name, name))
			return 0;
	if (c->o->path && strcmp(c->o->path, name))
		return 0;
	dp = &r->paths[r->nr_paths];
	memset(dp, 0, sizeof(*dp));
	snprintf(dp->name, sizeof(dp->name), "%s", name);
	dp->changed_part = -1;
	for (int i = 0; i < 2; i++) {
		err = hist_read(c->prof[i], name, &h[i]);
		if (err)
			goto out;
	}
	latency_compare(h, &dp->lat, c->o);
	stat_fill(&dp->share, path_value(c->prof[0], c->ti[0], name),
		  path_value(c->prof[1], c->ti[1], name), c->nm);
	dp->per_op = c->o->per_op && h[0].count && h[1].count;
	for (int i = 0; i < 2; i++) {
		double div;

		ps[i] = paths__find(&c->rep[i], name);
		if (ps[i]) {
			const struct verdict *v = &c->verdicts[i][ps[i] - c->rep[i].paths];

			dp->verdict[i] = verdict_kind_names[v->kind];
			snprintf(dp->culprit[i], sizeof(dp->culprit[i]), "%s", v->culprit);
			if (i == 1)
				snprintf(dp->text, sizeof(dp->text), "%s", v->text);
		}
		div = dp->per_op ? (double)h[i].count : (double)c->rep[i].duration_ns;
		parts_of(ps[i], div > 0 ? div : 1, dp->part[i], &dp->busy[i]);
		dp->present[i] = dp->share.v[i] || h[i].count || dp->busy[i] > 0;
	}
	if (!dp->present[0] && !dp->present[1])
		goto out;
	/* what changed in between: the part of the wall time that grew most */
	for (int k = 0; k < DP_NR; k++) {
		double d = dp->part[1][k] - dp->part[0][k];
		/* 5 % of the busy time, and at least 0.01 threads or 1 us per operation */
		double floor = fmax(0.05 * fmax(dp->busy[0], dp->busy[1]), dp->per_op ? 1000 : 0.01);

		if (d > floor && d > dp->changed_by) {
			dp->changed_part = k;
			dp->changed_by = d;
		}
	}
	if (dp->share.v[0] || dp->share.v[1]) {
		err = path_top(c->prof, c->ti, dp, c->nm, c->o);
		if (err)
			goto out;
	}
	r->nr_paths++;
out:
	free(h[0].buckets);
	free(h[1].buckets);
	return err;
}

/*
 * prof: labelled by the rules; orig: as read.  The decomposition runs on
 * orig: it tells a span's label from a symbol rule's (idle waits only count
 * inside a span), which labelling first would blur.
 */
static int paths_compute(struct diff_result *r, struct profile *const prof[2],
			 const struct profile *const orig[2], struct path_rules *const rules[2],
			 const int ti[2], const struct norm *nm, const struct diff_opts *o)
{
	struct path_ctx c = { .nm = nm, .o = o };
	uint32_t cap;
	int err = 0;

	for (int i = 0; i < 2; i++) {
		c.prof[i] = prof[i];
		c.ti[i] = ti[i];
	}
	if (!has_path_labels(prof[0]) || !has_path_labels(prof[1]))
		return 0;
	for (int i = 0; i < 2; i++) {
		err = paths__analyze(orig[i], rules[i], &c.rep[i]);
		if (err)
			goto out;
		c.verdicts[i] = calloc(c.rep[i].nr_paths ? c.rep[i].nr_paths : 1,
				       sizeof(*c.verdicts[i]));
		if (!c.verdicts[i]) {
			err = -ENOMEM;
			goto out;
		}
		bottleneck__judge(&c.rep[i], NULL, c.verdicts[i]);
	}
	cap = c.rep[0].nr_paths + c.rep[1].nr_paths;
	r->paths = calloc(cap ? cap : 1, sizeof(*r->paths));
	if (!r->paths) {
		err = -ENOMEM;
		goto out;
	}
	/* rules order, "other" last */
	for (int i = 0; i < 2 && !err; i++)
		for (uint32_t j = 0; j < c.rep[i].nr_paths && !err; j++)
			if (strcmp(c.rep[i].paths[j].name, "other"))
				err = path_add(r, &c, c.rep[i].paths[j].name);
	if (!err)
		err = path_add(r, &c, "other");
out:
	for (int i = 0; i < 2; i++) {
		if (c.rep[i].paths)
			paths__free(&c.rep[i]);
		free(c.verdicts[i]);
	}
	return err;
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

		if (!(fn->self.rel > t))
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
	struct hist h;
	uint64_t n;

	if (hist_read(p, path, &h))
		return 0;
	n = h.count;
	free(h.buckets);
	return n;
}

int diff__compute(const struct profile *base, const struct profile *cur,
		  const struct diff_opts *o, struct diff_result *r)
{
	/* the recordings as given (paths are analysed on them), and labelled copies */
	const struct profile *orig[2] = { base, cur };
	struct profile *prof[2] = { NULL, NULL };
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

	/* every sample gets its path before anything is compared or filtered */
	for (int i = 0; i < 2; i++) {
		rules[i] = path_rules__for_profile(orig[i]);
		if (!(prof[i] = profile__clone(orig[i]))) {
			err = -ENOMEM;
			goto out;
		}
		if (rules[i]) {
			err = paths__label_profile(prof[i], rules[i]);
			if (err < 0)
				goto out;
		}
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
		err = paths_compute(r, prof, orig, rules, ti, &nm_full, o);
		if (err)
			goto out;
	}

	if (o->path) {
		for (int i = 0; i < 2; i++) {
			err = filter_path(prof[i], o->path);
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

	err = tree_build(prof[0], ti[0], prof[1], ti[1], o->no_kernel, &r->tree);
	if (!err)
		err = funcs_compute(r->tree, &nm, &r->funcs);
	if (!err)
		err = stacks_compute(r, &nm);
	if (!err)
		err = failures_collect(r, o);
out:
	for (int i = 0; i < 2; i++) {
		path_rules__free(rules[i]);
		profile__free(prof[i]);
	}
	if (err)
		diff__free(r);
	return err;
}

void diff__free(struct diff_result *r)
{
	flame_tree__free(r->tree);
	free(r->node_delta);
	funcs_free(&r->funcs);
	free(r->stacks);
	free(r->paths);
	free(r->fails);
	memset(r, 0, sizeof(*r));
}
