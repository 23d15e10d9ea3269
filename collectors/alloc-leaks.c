// SPDX-License-Identifier: MIT
/*
 * The alloc collector: in-use bytes per stack snapshotted while recording,
 * and the stacks whose in-use bytes grew steadily (leak suspects).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collectors/alloc-discover.h"
#include "bpf/alloc.h"
#include "alloc.skel.h"
#include "collectors/collector.h"
#include "collectors/features.h"
#include "collectors/record-opts.h"
#include "collectors/peers.h"
#include "collectors/shared-maps.h"
#include "core/hashmap.h"
#include "core/log.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/target.h"
#include "collectors/unwinder.h"
#include "collectors/alloc-int.h"

static struct series *series_of(struct alloc_priv *ap, const struct alloc_key *key)
{
	uint32_t id;
	int r;

	r = hashmap__find_or_insert(ap->series_idx, key, sizeof(*key), ap->nr_series + 1, &id);
	if (r < 0)
		return NULL;
	if (r == 1) {
		if (ap->nr_series == ap->cap_series) {
			uint32_t cap = ap->cap_series ? ap->cap_series * 2 : 256;
			struct series *v = realloc(ap->series, cap * sizeof(*v));

			if (!v)
				return NULL;	/* the id stays unused: harmless */
			ap->series = v;
			ap->cap_series = cap;
		}
		ap->series[ap->nr_series] = (struct series){ .key = *key, .first = ap->nr_snaps };
		ap->series[ap->nr_series].y = calloc(MAX_SNAPS, sizeof(double));
		if (!ap->series[ap->nr_series].y)
			return NULL;
		ap->nr_series++;
	}
	if (id > ap->nr_series)
		return NULL;
	return &ap->series[id - 1];
}

/* Keeps every other snapshot: long recordings stay bounded. */
static void halve_snapshots(struct alloc_priv *ap)
{
	for (uint32_t k = 0; k < ap->nr_snaps / 2; k++)
		ap->snap_t[k] = ap->snap_t[2 * k];
	for (uint32_t i = 0; i < ap->nr_series; i++) {
		struct series *s = &ap->series[i];
		uint32_t first = (s->first + 1) / 2, n = 0;

		for (uint32_t g = first; 2 * g < s->first + s->n; g++)
			s->y[n++] = s->y[2 * g - s->first];
		s->first = first;
		s->n = n;
	}
	ap->nr_snaps /= 2;
	ap->snap_ns *= 2;
}

static void read_statm(uint32_t pid, uint64_t *rss, uint64_t *vm)
{
	unsigned long long size = 0, res = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/statm", pid);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%llu %llu", &size, &res) != 2)
			size = res = 0;
		fclose(f);
	}
	*rss = res * (uint64_t)sysconf(_SC_PAGESIZE);
	*vm = size * (uint64_t)sysconf(_SC_PAGESIZE);
}

static int add_growth(struct alloc_priv *ap, uint32_t pid, uint64_t t, int64_t inuse)
{
	struct growth *g;

	if (ap->nr_growth == ap->cap_growth) {
		uint32_t cap = ap->cap_growth ? ap->cap_growth * 2 : 64;
		struct growth *v = realloc(ap->growth, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ap->growth = v;
		ap->cap_growth = cap;
	}
	g = &ap->growth[ap->nr_growth++];
	g->pid = pid;
	g->t_ns = t;
	g->inuse = inuse;
	read_statm(pid, &g->rss, &g->vm);
	return 0;
}

/* In-use bytes of every stack and RSS of every target, now. */
int alloc__snapshot(struct alloc_priv *ap, uint64_t now, bool rss)
{
	int fd = bpf_map__fd(ap->skel->maps.counts);
	struct alloc_key key, next, *prev = NULL;
	int64_t inuse[PS_MAX_TARGETS] = {};
	uint32_t pids[PS_MAX_TARGETS];
	int nr_pids = 0;

	if (ap->nr_snaps == MAX_SNAPS)
		halve_snapshots(ap);
	if (!ap->snap_t) {
		ap->snap_t = calloc(MAX_SNAPS, sizeof(*ap->snap_t));
		if (!ap->snap_t)
			return -ENOMEM;
	}
	ap->snap_t[ap->nr_snaps] = now - ap->t_attach;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct alloc_val v;
		struct series *s;
		int i;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		for (i = 0; i < nr_pids && pids[i] != key.tgid; i++)
			;
		if (i == nr_pids && nr_pids < PS_MAX_TARGETS)
			pids[nr_pids++] = key.tgid;
		if (i < PS_MAX_TARGETS)
			inuse[i] += v.inuse_bytes;
		/* stacks that never held memory cannot leak: no series */
		if (v.inuse_bytes <= 0 && !hashmap__find(ap->series_idx, &key, sizeof(key)))
			continue;
		s = series_of(ap, &key);
		if (!s)
			return -ENOMEM;
		/* a series that appeared late starts here; missing points in between are 0 */
		while (s->first + s->n < ap->nr_snaps)
			s->y[s->n++] = 0;
		s->y[s->n++] = v.inuse_bytes;
	}
	for (int i = 0; rss && i < ap->nr_pids; i++) {
		int k;

		for (k = 0; k < nr_pids && pids[k] != ap->pids[i]; k++)
			;
		add_growth(ap, ap->pids[i], now - ap->t_attach, k < nr_pids ? inuse[k] : 0);
	}
	ap->nr_snaps++;
	return 0;
}

int alloc__series_keep(struct alloc_priv *ap, bool (*keep)(const struct alloc_key *, void *),
		       void *ctx)
{
	struct hashmap *idx;
	uint32_t n = 0, id;

	/* the new index first, so that on ENOMEM nothing has changed */
	idx = hashmap__new(NULL, NULL);
	if (!idx)
		return -ENOMEM;
	for (uint32_t i = 0; i < ap->nr_series; i++) {
		const struct alloc_key *k = &ap->series[i].key;

		if (keep(k, ctx) && hashmap__find_or_insert(idx, k, sizeof(*k), ++n, &id) < 0) {
			hashmap__free(idx);
			return -ENOMEM;
		}
	}
	n = 0;
	for (uint32_t i = 0; i < ap->nr_series; i++) {
		if (keep(&ap->series[i].key, ctx))
			ap->series[n++] = ap->series[i];
		else
			free(ap->series[i].y);
	}
	hashmap__free(ap->series_idx);
	ap->series_idx = idx;
	ap->nr_series = n;
	return 0;
}

/* Least squares of the series against snapshot times; false if too short. */
static bool fit(const struct alloc_priv *ap, const struct series *s, double *slope, double *r2)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, n = s->n, cov, vx, vy;

	if (s->n < LEAK_MIN_POINTS)
		return false;
	for (uint32_t i = 0; i < s->n; i++) {
		double x = ap->snap_t[s->first + i] / 1e9, y = s->y[i];

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		syy += y * y;
	}
	cov = sxy - sx * sy / n;
	vx = sxx - sx * sx / n;
	vy = syy - sy * sy / n;
	if (vx <= 0)
		return false;
	*slope = cov / vx;
	*r2 = vy > 0 ? cov * cov / (vx * vy) : 0;
	return true;
}

/*
 * Confidence in a leak: how straight the growth is (R^2) times how much
 * evidence there is (10 snapshots and more count fully).
 */
static double leak_confidence(double r2, uint32_t n)
{
	double ev = (n - 2) / 8.0;

	return r2 * (ev > 1 ? 1 : ev);
}

const char *alloc__confidence_word(double c)
{
	return c >= 0.7 ? "high" : c >= 0.4 ? "medium" : "low";
}

/* Series whose in-use bytes grew steadily; *out sorted by final bytes. */
int alloc__find_leaks(const struct alloc_priv *ap, struct leak **out)
{
	struct leak *v = NULL;
	int n = 0;

	for (uint32_t i = 0; i < ap->nr_series; i++) {
		const struct series *s = &ap->series[i];
		double slope, r2, last;

		if (!fit(ap, s, &slope, &r2))
			continue;
		last = s->y[s->n - 1];
		if (slope <= 0 || r2 < LEAK_MIN_R2 || last < LEAK_MIN_BYTES || last <= s->y[0])
			continue;
		if (!(n & (n - 1)) || n < 8) {
			struct leak *nv = realloc(v, (n < 8 ? 8 : 2 * n) * sizeof(*nv));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = (struct leak){ .s = s, .slope = slope, .r2 = r2, .n = s->n,
					.conf = leak_confidence(r2, s->n) };
	}
	*out = v;
	return n;
}

const struct leak *alloc__leak_of(const struct leak *leaks, int n, const struct alloc_key *k)
{
	for (int i = 0; i < n; i++) {
		if (!memcmp(&leaks[i].s->key, k, sizeof(*k)))
			return &leaks[i];
	}
	return NULL;
}
