// SPDX-License-Identifier: MIT
/*
 * /metrics from the sock collector beyond the per-path traffic: TCP
 * retransmits and failed connection attempts (by errno name) per path, and
 * with --metrics-peers K the costliest peers.  A peer address is a label value
 * only there, and bounded: each window's K costliest peers (by on-CPU +
 * off-CPU time while a thread served them, then messages) get a series of
 * their own, kept from then on so counters never go down; every other
 * peer's figures go to peer="other"; past METRICS_PEERS_MAX series new
 * peers fold into "other" too.  A window with fewer than PEERS_MIN_SAMPLES
 * cpu samples while serving peers ranks them by messages instead: a
 * handful of samples (each 1/F s) cannot tell peers apart, and ranking on
 * them would export whichever peer one stray sample fell on -- the same
 * threshold below which `report --peers` declines to judge.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/records.h"
#include "analysis/peers.h"
#include "reports/metrics.h"
#include "reports/metrics-int.h"

static int find_error(const struct metrics_path *mp, const char *name)
{
	for (int i = 0; i < mp->nr_connect_errors; i++) {
		if (!strcmp(mp->connect_errors[i].name, name))
			return i;
	}
	return -1;
}

/* The count of errno name on mp: its own until the last slot, which is "other". */
static struct metrics_count *error_slot(struct metrics_path *mp, const char *name)
{
	struct metrics_count *c = mp->connect_errors;
	int i = find_error(mp, name && *name ? name : "other");

	if (i < 0 && mp->nr_connect_errors >= METRICS_MAX_ERRORS - 1)
		i = find_error(mp, name = "other");
	if (i < 0) {
		i = mp->nr_connect_errors++;
		snprintf(c[i].name, sizeof(c[i].name), "%s", name && *name ? name : "other");
	}
	return &c[i];
}

static int add_event(const struct rec_sockevent *r, void *ctx)
{
	struct metrics_path *mp = metrics__path(ctx, r->path && *r->path ? r->path : "other");

	if (!mp)
		return 0;
	if (!strcmp(r->event, "retransmit"))
		mp->retransmits += r->count;
	else if (!strcmp(r->event, "connect_error"))
		error_slot(mp, r->error)->n += r->count;
	return 0;
}

static struct metrics_peer *peer_slot(struct metrics_state *m, const char *name, bool add)
{
	for (int i = 0; i < m->nr_peers; i++) {
		if (!strcmp(m->peers[i].name, name))
			return &m->peers[i];
	}
	if (!add || m->nr_peers == METRICS_PEERS_MAX)
		return &m->peers[0];	/* "other" */
	memset(&m->peers[m->nr_peers], 0, sizeof(m->peers[0]));
	snprintf(m->peers[m->nr_peers].name, sizeof(m->peers[0].name), "%s", name);
	return &m->peers[m->nr_peers++];
}

static int by_messages(const void *a, const void *b)
{
	const struct metrics_peer *pa = a, *pb = b;
	int64_t ma = pa->tx_msgs + pa->rx_msgs, mb = pb->tx_msgs + pb->rx_msgs;

	if (ma != mb)
		return ma < mb ? 1 : -1;
	if (pa->tx_bytes + pa->rx_bytes != pb->tx_bytes + pb->rx_bytes)
		return pa->tx_bytes + pa->rx_bytes < pb->tx_bytes + pb->rx_bytes ? 1 : -1;
	return strcmp(pa->name, pb->name);
}

static int by_cost(const void *a, const void *b)
{
	const struct metrics_peer *pa = a, *pb = b;
	double ca = pa->cpu_s + pa->offcpu_s, cb = pb->cpu_s + pb->offcpu_s;

	return ca < cb ? 1 : ca > cb ? -1 : by_messages(a, b);
}

/* This window's peers, summed over paths, costliest first. */
static int window_peers(const struct profile *p, struct metrics_peer **out)
{
	struct peers_data d = {};
	struct metrics_peer *w = NULL;
	int64_t samples = 0;
	int nr = 0;

	*out = NULL;
	if (peers__compute(p, NULL, &d))
		return -1;
	for (int i = 0; i < d.nr_paths; i++) {
		for (int k = 0; k < d.paths[i].nr_peers; k++) {
			const struct peer_cost *pc = &d.paths[i].peers[k];
			int j;

			for (j = 0; j < nr && strcmp(w[j].name, pc->peer); j++)
				;
			if (j == nr) {
				void *nw = realloc(w, (nr + 1) * sizeof(*w));

				if (!nw)
					goto out;
				w = nw;
				memset(&w[nr], 0, sizeof(*w));
				snprintf(w[nr++].name, sizeof(w->name), "%s", pc->peer);
			}
			samples += pc->cpu_samples;
			w[j].cpu_s += pc->cpu_ns / 1e9;
			w[j].offcpu_s += pc->offcpu_ns / 1e9;
			w[j].tx_bytes += pc->tx_bytes;
			w[j].rx_bytes += pc->rx_bytes;
			w[j].tx_msgs += pc->tx_msgs;
			w[j].rx_msgs += pc->rx_msgs;
		}
	}
	if (nr)
		qsort(w, nr, sizeof(*w), samples < PEERS_MIN_SAMPLES ? by_messages : by_cost);
out:
	peers__free(&d);
	*out = w;
	return nr;
}

static void add_peers(struct metrics_state *m, const struct profile *p)
{
	struct metrics_peer *w;
	int nr;

	if (!m->peers) {
		m->peers = calloc(METRICS_PEERS_MAX, sizeof(*m->peers));
		if (!m->peers)
			return;
		snprintf(m->peers[0].name, sizeof(m->peers[0].name), "other");
		m->nr_peers = 1;
	}
	nr = window_peers(p, &w);
	for (int i = 0; i < nr; i++) {
		struct metrics_peer *s = peer_slot(m, w[i].name, i < m->peers_k &&
						   strcmp(w[i].name, "other"));

		s->cpu_s += w[i].cpu_s;
		s->offcpu_s += w[i].offcpu_s;
		s->tx_bytes += w[i].tx_bytes;
		s->rx_bytes += w[i].rx_bytes;
		s->tx_msgs += w[i].tx_msgs;
		s->rx_msgs += w[i].rx_msgs;
	}
	free(w);
}

void metrics__add_net(struct metrics_state *m, const struct profile *p)
{
	records__foreach_sockevent(p, add_event, m);
	if (m->peers_k > 0)
		add_peers(m, p);
}

void metrics__free(struct metrics_state *m)
{
	free(m->peers);
	m->peers = NULL;
	m->nr_peers = 0;
}

/* One family of seconds with a sample per exported peer. */
static void peer_seconds(const struct expo *e, const struct metrics_state *m, const char *name,
			 const char *help, size_t off)
{
	char pv[140], l[160];

	metrics__family(e, name, "counter", help);
	for (int i = 0; i < m->nr_peers; i++) {
		snprintf(l, sizeof(l), "peer=\"%s\"",
			 metrics__label_value(m->peers[i].name, pv, sizeof(pv)));
		metrics__sample(e, name, l, *(const double *)((const char *)&m->peers[i] + off));
	}
}

static void render_peers(const struct expo *e, const struct metrics_state *m)
{
	static const struct { const char *name, *help; size_t tx, rx; } traffic[] = {
		{ "peerscope_peer_bytes_total", "Socket payload bytes with each exported peer, by direction.",
		  offsetof(struct metrics_peer, tx_bytes), offsetof(struct metrics_peer, rx_bytes) },
		{ "peerscope_peer_messages_total", "Socket messages with each exported peer, by direction.",
		  offsetof(struct metrics_peer, tx_msgs), offsetof(struct metrics_peer, rx_msgs) },
	};
	char pv[140], l[200];

	peer_seconds(e, m, "peerscope_peer_cpu_seconds_total",
		     "On-CPU time while a thread served each exported peer (--metrics-peers).",
		     offsetof(struct metrics_peer, cpu_s));
	peer_seconds(e, m, "peerscope_peer_offcpu_seconds_total",
		     "Off-CPU time inside work while serving each exported peer.",
		     offsetof(struct metrics_peer, offcpu_s));
	for (size_t t = 0; t < sizeof(traffic) / sizeof(traffic[0]); t++) {
		metrics__family(e, traffic[t].name, "counter", traffic[t].help);
		for (int i = 0; i < m->nr_peers; i++) {
			const char *mp = (const char *)&m->peers[i];

			metrics__label_value(m->peers[i].name, pv, sizeof(pv));
			snprintf(l, sizeof(l), "peer=\"%s\",direction=\"tx\"", pv);
			metrics__sample(e, traffic[t].name, l, *(const int64_t *)(mp + traffic[t].tx));
			snprintf(l, sizeof(l), "peer=\"%s\",direction=\"rx\"", pv);
			metrics__sample(e, traffic[t].name, l, *(const int64_t *)(mp + traffic[t].rx));
		}
	}
}

void metrics__render_net(const struct expo *e, const struct metrics_state *m)
{
	char pv[80], l[160];

	metrics__family(e, "peerscope_tcp_retransmits_total", "counter",
			"TCP segments retransmitted on the targets' connections, by path.");
	for (const struct metrics_path *mp = m->paths; mp < m->paths + m->nr_paths; mp++) {
		snprintf(l, sizeof(l), "path=\"%s\"", metrics__label_value(mp->name, pv, sizeof(pv)));
		metrics__sample(e, "peerscope_tcp_retransmits_total", l, mp->retransmits);
	}
	metrics__family(e, "peerscope_connect_errors_total", "counter",
			"Connection attempts of the targets that failed, by path and errno name.");
	for (const struct metrics_path *mp = m->paths; mp < m->paths + m->nr_paths; mp++) {
		metrics__label_value(mp->name, pv, sizeof(pv));
		for (int i = 0; i < mp->nr_connect_errors; i++) {
			snprintf(l, sizeof(l), "path=\"%s\",error=\"%s\"", pv,
				 mp->connect_errors[i].name);
			metrics__sample(e, "peerscope_connect_errors_total", l,
					mp->connect_errors[i].n);
		}
	}
	if (m->peers_k > 0 && m->peers)
		render_peers(e, m);
}
