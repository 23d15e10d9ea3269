// SPDX-License-Identifier: MIT
/*
 * Per-path cost of each served peer (peers.h).  One pass over the samples:
 * each one with a "peer" label adds its columns to (path, peer); then per
 * path the peers are ranked by CPU, shares computed and the verdict taken.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "analysis/attribute.h"
#include "analysis/frames.h"
#include "analysis/paths.h"
#include "analysis/peers.h"

struct cols {
	int samples, cpu, offcpu, runq, alloc, tx, rx, txm, rxm;
};

/* The column of type in unit ("tx" comes in bytes and in messages), -1 if none. */
static int type_unit(const struct profile *p, const char *type, const char *unit)
{
	for (uint32_t i = 0; i < p->nr_types; i++) {
		if (!strcmp(profile__str(p, p->types[i].type), type) &&
		    !strcmp(profile__str(p, p->types[i].unit), unit))
			return i;
	}
	return -1;
}

static int64_t col(const struct profile *p, uint32_t i, int c)
{
	return c >= 0 ? profile__value(p, i, c) : 0;
}

/*
 * The entry named name of an array of structs that begin with char[64]
 * (peers_path.path, peer_cost.peer), appended zeroed when absent.
 */
static void *named_get(void **arr, int *nr, size_t size, const char *name)
{
	char *v = *arr;

	for (int i = 0; i < *nr; i++) {
		if (!strcmp(v + (size_t)i * size, name))
			return v + (size_t)i * size;
	}
	v = realloc(*arr, (*nr + 1) * size);
	if (!v)
		return NULL;
	*arr = v;
	v += (size_t)(*nr)++ * size;
	memset(v, 0, size);
	snprintf(v, 64, "%s", name);
	return v;
}

static struct peers_path *path_get(struct peers_data *d, const char *name)
{
	int nr = d->nr_paths;
	struct peers_path *v = named_get((void **)&d->paths, &d->nr_paths, sizeof(*v), name);

	if (v && d->nr_paths > nr)
		v->flagged = v->wait_top = v->wait_flagged = -1;
	return v;
}

static struct peer_cost *peer_get(struct peers_path *pp, const char *peer)
{
	return named_get((void **)&pp->peers, &pp->nr_peers, sizeof(*pp->peers), peer);
}

static int by_cpu(const void *a, const void *b)
{
	const struct peer_cost *x = a, *y = b;

	if (x->cpu_ns != y->cpu_ns)
		return x->cpu_ns < y->cpu_ns ? 1 : -1;
	if (x->rx_msgs != y->rx_msgs)
		return x->rx_msgs < y->rx_msgs ? 1 : -1;
	return strcmp(x->peer, y->peer);
}

static int by_tagged(const void *a, const void *b)
{
	const struct peers_path *x = a, *y = b;

	if (x->tagged_cpu_ns != y->tagged_cpu_ns)
		return x->tagged_cpu_ns < y->tagged_cpu_ns ? 1 : -1;
	return strcmp(x->path, y->path);
}

/* Which evidence kind a path_how is; -1 for none. */
static int evidence_of(enum path_how how)
{
	switch (how) {
	case BY_LABEL: return EV_SPAN;
	case BY_SYMBOL:
	case BY_ENTRY:
	case BY_THREAD: return EV_SYMBOL;
	case BY_SOCKET: return EV_SOCKET;
	case BY_PORT: return EV_PORT;
	default: return -1;
	}
}

static int add_sample(const struct profile *p, const struct path_rules *r, uint32_t i,
		      const struct cols *c, struct frames *f, struct peers_data *d)
{
	const char *peer = profile__label_str(p, p->samples[i].labelset, "peer");
	const char *serving = profile__label_str(p, p->samples[i].labelset, "serving");
	int64_t cpu = col(p, i, c->cpu);
	struct peers_path *pp;
	struct peer_cost *pc;
	enum path_how how;
	const char *name;
	int id, ev;

	id = paths__path_of(p, r, i, &how, f);
	if (id < 0)
		return id;
	name = path_rules__name(r, id);
	pp = path_get(d, name ? name : "other");
	if (!pp)
		return -ENOMEM;
	pp->cpu_ns += cpu;
	d->cpu_ns += cpu;
	ev = evidence_of(how);
	if (ev >= 0)
		pp->by_evidence[ev] += cpu;
	if (id == PATH_OTHER)
		d->unattributed_cpu_ns += cpu;
	pp->rx_msgs += col(p, i, c->rxm);
	if (serving && *serving && col(p, i, c->tx)) {
		pc = peer_get(pp, serving);
		if (!pc)
			return -ENOMEM;
		pc->served_tx_bytes += col(p, i, c->tx);
	}
	if (!peer || !*peer)
		return 0;
	pc = peer_get(pp, peer);
	if (!pc)
		return -ENOMEM;
	pc->cpu_ns += cpu;
	if (cpu) {
		/* cpu samples are aggregated: the samples column says how many */
		int64_t n = c->samples >= 0 ? col(p, i, c->samples) : 1;

		pc->cpu_samples += n;
		pp->tagged_cpu_ns += cpu;
		pp->tagged_samples += n;
		d->tagged = true;
	}
	pc->offcpu_ns += col(p, i, c->offcpu);
	pc->runq_ns += col(p, i, c->runq);
	pc->alloc_bytes += col(p, i, c->alloc);
	pc->rx_bytes += col(p, i, c->rx);
	pc->tx_bytes += col(p, i, c->tx);
	pc->rx_msgs += col(p, i, c->rxm);
	pc->tx_msgs += col(p, i, c->txm);
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Shares, the max/median ratio and the flagged peer of one path. */
static int judge(struct peers_path *pp)
{
	int64_t *v;
	int n = 0;

	qsort(pp->peers, pp->nr_peers, sizeof(*pp->peers), by_cpu);
	for (int i = 0; i < pp->nr_peers; i++) {
		struct peer_cost *pc = &pp->peers[i];

		pc->cpu_share = pp->tagged_cpu_ns ? 100.0 * pc->cpu_ns / pp->tagged_cpu_ns : 0;
		pc->msg_share = pp->rx_msgs ? 100.0 * pc->rx_msgs / pp->rx_msgs : 0;
	}
	v = malloc((pp->nr_peers + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < pp->nr_peers; i++) {
		if (pp->peers[i].rx_msgs)	/* peers that sent to this path */
			v[n++] = pp->peers[i].cpu_ns;
	}
	qsort(v, n, sizeof(*v), cmp_i64);
	if (n >= 2 && v[n / 2] > 0)
		pp->max_median = (double)v[n - 1] / v[(n - 1) / 2];
	free(v);
	if (pp->tagged_samples < PEERS_MIN_SAMPLES || !pp->nr_peers)
		return 0;
	for (int i = 0; i < pp->nr_peers; i++) {
		const struct peer_cost *pc = &pp->peers[i];

		if (pc->msg_share > 0 && pc->cpu_share >= PEERS_FLAG_DISPROPORTION * pc->msg_share &&
		    pc->cpu_share - pc->msg_share >= PEERS_FLAG_MIN_PP) {
			pp->flagged = i;
			pp->disproportion = true;
			return 0;
		}
	}
	if (n >= 3 && pp->max_median >= PEERS_FLAG_RATIO)
		pp->flagged = 0;
	return 0;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Replies a path waited for, per peer, from the sock collector's "peerwait" records. */
static int add_waits(const struct profile *p, struct peers_data *d)
{
	struct rec_peerwait w;

	for (uint32_t pos = 0; records__next_peerwait(p, &pos, &w);) {
		struct peers_path *pp = path_get(d, w.path && *w.path ? w.path : "other");
		struct peer_cost *pc = pp ? peer_get(pp, w.peer ? w.peer : "unknown") : NULL;

		if (!pc)
			return -ENOMEM;
		pc->wait_ns += w.wait_ns;
		pc->replies += w.replies;
		pp->wait_ns += w.wait_ns;
		pp->replies += w.replies;
	}
	return 0;
}

/*
 * The peer a path waited on most, its wait per reply against the median
 * peer's, and whether that makes it slow.  After judge(): indexes are into
 * the CPU-ranked array.
 */
static int judge_waits(struct peers_path *pp)
{
	double *v;
	int n = 0;

	if (!pp->replies)
		return 0;
	v = malloc(pp->nr_peers * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < pp->nr_peers; i++) {
		struct peer_cost *pc = &pp->peers[i];

		pc->wait_share = 100.0 * pc->wait_ns / pp->wait_ns;
		if (!pc->replies)
			continue;
		v[n++] = (double)pc->wait_ns / pc->replies;
		if (pp->wait_top < 0 || pc->wait_ns > pp->peers[pp->wait_top].wait_ns)
			pp->wait_top = i;
	}
	qsort(v, n, sizeof(*v), cmp_dbl);
	if (n >= 2 && v[(n - 1) / 2] > 0) {
		const struct peer_cost *top = &pp->peers[pp->wait_top];

		pp->wait_max_median = ((double)top->wait_ns / top->replies) / v[(n - 1) / 2];
		if (n >= 3 && pp->wait_max_median >= PEERS_WAIT_RATIO &&
		    top->wait_share >= PEERS_WAIT_MIN_SHARE)
			pp->wait_flagged = pp->wait_top;
	}
	free(v);
	return 0;
}

/* The node's own ids of peers, where a peer probe gave them. */
static void add_ids(const struct profile *p, struct peers_data *d)
{
	struct rec_peerid r;

	for (uint32_t pos = 0; records__next_peerid(p, &pos, &r);) {
		for (int i = 0; r.peer && r.id && i < d->nr_paths; i++) {
			for (int k = 0; k < d->paths[i].nr_peers; k++) {
				struct peer_cost *pc = &d->paths[i].peers[k];

				if (!strcmp(pc->peer, r.peer))
					snprintf(pc->id, sizeof(pc->id), "%s", r.id);
			}
		}
	}
}

int peers__compute(const struct profile *p, const struct path_rules *r, struct peers_data *d)
{
	struct path_rules *own = NULL;
	struct cols c = {
		.samples = type_unit(p, "samples", "count"),
		.cpu = type_unit(p, "cpu", "nanoseconds"),
		.offcpu = type_unit(p, "offcpu", "nanoseconds"),
		.runq = type_unit(p, "runq", "nanoseconds"),
		.alloc = type_unit(p, "alloc", "bytes"),
		.tx = type_unit(p, "tx", "bytes"),
		.rx = type_unit(p, "rx", "bytes"),
		.txm = type_unit(p, "tx", "messages"),
		.rxm = type_unit(p, "rx", "messages"),
	};
	struct frames *f = malloc(sizeof(*f));
	int err = 0, keep = 0;

	memset(d, 0, sizeof(*d));
	if (!f)
		return -ENOMEM;
	if (!r) {
		own = path_rules__for_profile(p);
		if (!own) {
			free(f);
			return -ENOMEM;
		}
		r = own;
	}
	for (uint32_t i = 0; i < p->nr_samples && !err; i++)
		err = add_sample(p, r, i, &c, f, d);
	if (!err)
		err = add_waits(p, d);
	if (!err)
		add_ids(p, d);
	for (int i = 0; i < d->nr_paths && !err; i++) {
		err = judge(&d->paths[i]);
		if (!err)
			err = judge_waits(&d->paths[i]);
	}
	/* keep the paths that served any peer */
	for (int i = 0; i < d->nr_paths; i++) {
		if (d->paths[i].nr_peers)
			d->paths[keep++] = d->paths[i];
		else
			free(d->paths[i].peers);
	}
	d->nr_paths = keep;
	qsort(d->paths, d->nr_paths, sizeof(*d->paths), by_tagged);
	path_rules__free(own);
	free(f);
	if (err)
		peers__free(d);
	return err;
}

void peers__free(struct peers_data *d)
{
	for (int i = 0; i < d->nr_paths; i++)
		free(d->paths[i].peers);
	free(d->paths);
	memset(d, 0, sizeof(*d));
}
