// SPDX-License-Identifier: MIT
/*
 * peerscope diff, per path: span latency percentiles compared with a test
 * on the share of operations slower than the baseline's percentile, each
 * path's share and wall-time parts, its verdicts on both sides, and the
 * function that grew most on it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "analysis/diff-int.h"
#include "analysis/flame-tree.h"
#include "analysis/paths.h"
#include "analysis/verdicts.h"

/* Bucket holding quantile q (the one paths__hist_quantile reports). */
static uint32_t hist_bucket(const struct rec_hist_sum *h, double q)
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

static uint64_t hist_above(const struct rec_hist_sum *h, uint32_t bucket)
{
	uint64_t n = 0;

	for (uint32_t b = bucket + 1; b < REC_LL_BUCKETS; b++)
		n += h->buckets[b];
	return n;
}

static uint64_t hist_q(const struct rec_hist_sum *h, double q)
{
	return paths__hist_quantile(h->buckets, REC_LL_BUCKETS, h->in_buckets, q, h->max_ns);
}

/*
 * Percentile q regressed when it moved up and significantly more operations
 * are slower than the baseline's percentile than the baseline had.
 */
static void latency_compare(const struct rec_hist_sum h[2], struct diff_latency *l,
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

/* ---- paths ------------------------------------------------------------------- */

static int64_t path_value(const struct profile *p, int type_idx, const char *path)
{
	int64_t sum = 0;

	for (uint32_t i = 0; i < p->nr_samples; i++)
		if (paths__sample_on(p, i, (void *)path))
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
static int path_top(const struct profile *const prof[2], const int ti[2], struct diff_path *dp,
		    const struct norm *nm, const struct diff_opts *o)
{
	struct profile *f[2] = { NULL, NULL };
	struct flame_tree *t = NULL;
	struct diff_funcs fs = { 0 };
	int err = -ENOMEM;

	for (int i = 0; i < 2; i++)
		if (!(f[i] = profile__filter(prof[i], paths__sample_on, dp->name)))
			goto out;
	err = diff_tree_build(f[0], ti[0], f[1], ti[1], o->no_kernel, &t);
	if (err)
		goto out;
	err = diff_funcs_compute(t, nm, &fs);
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
	diff_funcs_free(&fs);
	flame_tree__free(t);
	profile__free(f[0]);
	profile__free(f[1]);
	return err;
}

static void parts_of(const struct path_stats *ps, double div, double *part, double *busy)
{
	if (!ps) {
		memset(part, 0, DP_NR * sizeof(*part));
		*busy = 0;
		return;
	}
	part[DP_CPU] = (ps->cpu_user_ns + ps->cpu_kernel_ns) / div;
	part[DP_RUNQ] = ps->runq_ns / div;
	for (int i = DP_LOCK; i < DP_NR; i++)
		part[i] = ps->off_ns[diff_part_wall[i] - WALL_OFF] / div;
	*busy = ps->busy_ns / div;
}

struct path_ctx {
	const struct profile *prof[2];
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
	struct rec_hist_sum *h;
	int err;

	for (uint32_t i = 0; i < r->nr_paths; i++)
		if (!strcmp(r->paths[i].name, name))
			return 0;
	if (c->o->path && strcmp(c->o->path, name))
		return 0;
	h = malloc(2 * sizeof(*h));	/* two dense histograms: not on the stack */
	if (!h)
		return -ENOMEM;
	dp = &r->paths[r->nr_paths];
	memset(dp, 0, sizeof(*dp));
	snprintf(dp->name, sizeof(dp->name), "%s", name);
	dp->changed_part = -1;
	for (int i = 0; i < 2; i++) {
		err = records__hist_sum(c->prof[i], name, &h[i]);
		if (err)
			goto out;
	}
	latency_compare(h, &dp->lat, c->o);
	diff_stat_fill(&dp->share, path_value(c->prof[0], c->ti[0], name),
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
	free(h);
	return err;
}

int diff_paths_compute(struct diff_result *r, const struct profile *const prof[2],
		       struct path_rules *const rules[2], const int ti[2], const struct norm *nm,
		       const struct diff_opts *o)
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
		err = paths__analyze(prof[i], rules[i], &c.rep[i]);
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

