// SPDX-License-Identifier: MIT
/*
 * `peerscope report --peers` (peers.h): renders analysis/peers.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/profile.h"
#include "analysis/peers.h"
#include "reports/peers.h"

/* The verdict of one path into buf; "" when no peer is flagged. */
static const char *verdict(const struct peers_path *pp, char *buf, size_t len)
{
	const struct peer_cost *pc;

	buf[0] = '\0';
	if (pp->flagged < 0)
		return buf;
	pc = &pp->peers[pp->flagged];
	if (pp->disproportion)
		snprintf(buf, len, "peer %s sends %.0f %% of %s messages and costs %.0f %% of %s CPU",
			 pc->peer, pc->msg_share, pp->path, pc->cpu_share, pp->path);
	else
		snprintf(buf, len, "peer %s costs %.1fx the median peer: %.0f %% of %s CPU for %.0f %% of its messages",
			 pc->peer, pp->max_median, pc->cpu_share, pp->path, pc->msg_share);
	return buf;
}

/* The waiting verdict of one path into buf; "" when no peer is flagged as slow. */
static const char *wait_verdict(const struct peers_path *pp, char *buf, size_t len)
{
	const struct peer_cost *pc;
	char a[32];

	buf[0] = '\0';
	if (pp->wait_flagged < 0)
		return buf;
	pc = &pp->peers[pp->wait_flagged];
	snprintf(buf, len, "peer %s is slow to answer: our %s requests waited %s per reply for it, %.1fx the median peer; %.0f %% of %s waiting",
		 pc->peer, pp->path, output__fmt_ns((double)pc->wait_ns / pc->replies, a, sizeof(a)),
		 pp->wait_max_median, pc->wait_share, pp->path);
	return buf;
}

/*
 * The node's own id where it gave one (12 hex digits and the port: a node
 * reaches us from more than one socket), the address otherwise.
 */
static const char *peer_name(const struct peer_cost *pc, char *buf, size_t len)
{
	const char *port = strrchr(pc->peer, ':');

	if (!pc->id[0])
		return pc->peer;
	snprintf(buf, len, "%.12s%s", pc->id, port ? port : "");
	return buf;
}

static const char *const evidence_names[EV_NR] = {
	[EV_SPAN] = "spans", [EV_SYMBOL] = "symbols", [EV_SOCKET] = "sockets", [EV_PORT] = "ports",
};

static double pct(int64_t part, int64_t whole)
{
	return whole ? 100.0 * part / whole : 0.0;
}

static void emit_text_path(const struct peers_path *pp, int top, bool md, FILE *f)
{
	char a[32], b[32], c[32], d[32], e[32], n[40], v[384];

	fprintf(f, "%s%s  CPU %s, %.0f %% of it while serving a peer; %s messages in\n",
		md ? "### " : "", pp->path, output__fmt_ns(pp->cpu_ns, a, sizeof(a)),
		pp->cpu_ns ? 100.0 * pp->tagged_cpu_ns / pp->cpu_ns : 0.0,
		output__fmt_count(pp->rx_msgs, b, sizeof(b)));
	if (md)
		fprintf(f, "\n```\n");
	fprintf(f, "  CPU placed in %s by:", pp->path);
	for (int k = 0; k < EV_NR; k++)
		fprintf(f, " %s %.0f %%%s", evidence_names[k], pct(pp->by_evidence[k], pp->cpu_ns),
			k + 1 < EV_NR ? "," : "\n");
	fprintf(f, "  %-21s %10s %6s %9s %6s %9s %9s %9s %10s %9s %10s %6s\n", "peer", "CPU",
		"share", "msgs in", "share", "bytes in", "bytes out", "CPU/msg", "off-CPU",
		"tx served", "waited", "share");
	for (int i = 0; i < pp->nr_peers && (!top || i < top); i++) {
		const struct peer_cost *pc = &pp->peers[i];

		fprintf(f, "  %-21.21s %10s %5.1f%% %9s %5.1f%% %9s %9s %9s %10s",
			peer_name(pc, n, sizeof(n)),
			output__fmt_ns(pc->cpu_ns, a, sizeof(a)), pc->cpu_share,
			output__fmt_count(pc->rx_msgs, b, sizeof(b)), pc->msg_share,
			output__fmt_bytes(pc->rx_bytes, c, sizeof(c)),
			output__fmt_bytes(pc->tx_bytes, d, sizeof(d)),
			pc->rx_msgs ? output__fmt_ns((double)pc->cpu_ns / pc->rx_msgs, e, sizeof(e)) : "-",
			output__fmt_ns(pc->offcpu_ns, v, sizeof(v)));
		fprintf(f, " %9s %10s %5.1f%%\n", output__fmt_bytes(pc->served_tx_bytes, a, sizeof(a)),
			output__fmt_ns(pc->wait_ns, b, sizeof(b)), pc->wait_share);
	}
	if (top && pp->nr_peers > top)
		fprintf(f, "  ... %d more peers (--top 0 shows all)\n", pp->nr_peers - top);
	if (pp->flagged >= 0)
		fprintf(f, "  verdict: %s\n", verdict(pp, v, sizeof(v)));
	else if (pp->tagged_samples < PEERS_MIN_SAMPLES)
		fprintf(f, "  verdict: too few samples while serving peers to judge (%lld; want %d)\n",
			(long long)pp->tagged_samples, PEERS_MIN_SAMPLES);
	else
		fprintf(f, "  verdict: no peer stands out (top peer %.1fx the median peer; flagged at %.0fx)\n",
			pp->max_median, PEERS_FLAG_RATIO);
	if (pp->wait_flagged >= 0)
		fprintf(f, "  waiting: %s\n", wait_verdict(pp, v, sizeof(v)));
	else if (pp->replies)
		fprintf(f, "  waiting: %s for %s replies; no peer is slow (top peer %.1fx the median peer per reply; flagged at %.0fx)\n",
			output__fmt_ns(pp->wait_ns, a, sizeof(a)), output__fmt_count(pp->replies, b, sizeof(b)),
			pp->wait_max_median, PEERS_WAIT_RATIO);
	if (md)
		fprintf(f, "```\n");
	fputc('\n', f);
}

/* A peer's keys after its address and id: its traffic, then what it costs us. */
static const struct json_field peer_traffic_fields[] = {
	JSON_FIELD(struct peer_cost, cpu_ns, "cpu_ns"),
	JSON_FIXED(struct peer_cost, cpu_share, "cpu_share", 2),
	JSON_FIELD(struct peer_cost, rx_msgs, "rx_msgs"),
	JSON_FIXED(struct peer_cost, msg_share, "msg_share", 2),
	JSON_FIELD(struct peer_cost, rx_bytes, "rx_bytes"),
	JSON_FIELD(struct peer_cost, tx_bytes, "tx_bytes"),
	JSON_FIELD(struct peer_cost, tx_msgs, "tx_msgs"),
};

/* after "cpu_per_msg_ns" */
static const struct json_field peer_cost_fields[] = {
	JSON_FIELD(struct peer_cost, offcpu_ns, "offcpu_ns"),
	JSON_FIELD(struct peer_cost, runq_ns, "runq_ns"),
	JSON_FIELD(struct peer_cost, alloc_bytes, "alloc_bytes"),
	JSON_FIELD(struct peer_cost, served_tx_bytes, "served_tx_bytes"),
	JSON_FIELD(struct peer_cost, wait_ns, "wait_ns"),
	JSON_FIELD(struct peer_cost, replies, "replies"),
	JSON_FIXED(struct peer_cost, wait_share, "wait_share", 2),
};

static void emit_json_peer(struct json_writer *w, const struct peer_cost *pc)
{
	json__begin(w, '{');
	json__key(w, "peer"); json__str(w, pc->peer);
	json__key(w, "peer_id");
	json__str_or_null(w, pc->id[0] ? pc->id : NULL);
	json__fields(w, peer_traffic_fields, JSON_NR_FIELDS(peer_traffic_fields), pc);
	json__key(w, "cpu_per_msg_ns");
	json__int(w, pc->rx_msgs ? pc->cpu_ns / pc->rx_msgs : 0);
	json__fields(w, peer_cost_fields, JSON_NR_FIELDS(peer_cost_fields), pc);
	json__end(w, '}');
}

static void json_peer_or_null(struct json_writer *w, const struct peers_path *pp, int i)
{
	json__str_or_null(w, i >= 0 ? pp->peers[i].peer : NULL);
}

/* The JSON schema of the peers section, in the order the keys are printed. */
static const struct json_field data_fields[] = {
	JSON_FIELD(struct peers_data, cpu_ns, "cpu_ns"),
	JSON_FIELD(struct peers_data, unattributed_cpu_ns, "unattributed_cpu_ns"),
};

static const struct json_field path_fields[] = {
	JSON_FIELD(struct peers_path, path, "path"),
	JSON_FIELD(struct peers_path, cpu_ns, "cpu_ns"),
	JSON_FIELD(struct peers_path, tagged_cpu_ns, "tagged_cpu_ns"),
	JSON_FIELD(struct peers_path, rx_msgs, "rx_msgs"),
};

/* after the path's verdict: waiting on peers' replies */
static const struct json_field wait_fields[] = {
	JSON_FIELD(struct peers_path, wait_ns, "wait_ns"),
	JSON_FIELD(struct peers_path, replies, "replies"),
};

static void emit_json(const struct peers_data *d, int top, struct json_writer *w)
{
	char v[384];

	json__begin(w, '{');
	json__fields(w, data_fields, JSON_NR_FIELDS(data_fields), d);
	json__key(w, "paths");
	json__begin(w, '[');
	for (int i = 0; i < d->nr_paths; i++) {
		const struct peers_path *pp = &d->paths[i];

		json__begin(w, '{');
		json__fields(w, path_fields, JSON_NR_FIELDS(path_fields), pp);
		json__key(w, "evidence_cpu_ns");
		json__begin(w, '{');
		for (int k = 0; k < EV_NR; k++) {
			json__key(w, evidence_names[k]);
			json__int(w, pp->by_evidence[k]);
		}
		json__end(w, '}');
		json__key(w, "max_median"); json__fixed(w, pp->max_median, 2);
		json__key(w, "flagged");
		json_peer_or_null(w, pp, pp->flagged);
		json__key(w, "verdict");
		json__str_or_null(w, pp->flagged >= 0 ? verdict(pp, v, sizeof(v)) : NULL);
		json__fields(w, wait_fields, JSON_NR_FIELDS(wait_fields), pp);
		json__key(w, "wait_max_median"); json__fixed(w, pp->wait_max_median, 2);
		json__key(w, "wait_top");
		json_peer_or_null(w, pp, pp->wait_top);
		json__key(w, "wait_flagged");
		json_peer_or_null(w, pp, pp->wait_flagged);
		json__key(w, "wait_verdict");
		json__str_or_null(w, pp->wait_flagged >= 0 ? wait_verdict(pp, v, sizeof(v)) : NULL);
		json__key(w, "peers");
		json__begin(w, '[');
		for (int k = 0; k < pp->nr_peers && (!top || k < top); k++)
			emit_json_peer(w, &pp->peers[k]);
		json__end(w, ']');
		json__end(w, '}');
	}
	json__end(w, ']');
	json__end(w, '}');
}

int report_peers__emit(const struct profile *p, const struct report_opts *o, struct report_out *out)
{
	struct peers_data d;
	int err;

	if (!o->peers)
		return 0;
	err = peers__compute(p, o->path_rules, &d);
	if (err)
		return err;
	report_out__section(out, "peers", "Peers: which peer costs what");
	if (out->format == REPORT_JSON) {
		struct json_writer w;

		json__init(&w, out->f, JSON_COMPACT);
		emit_json(&d, o->top_n, &w);
	} else if (!d.tagged) {
		fprintf(out->f, "no event was recorded while serving a peer (record with the sock collector, without --no-peers)\n\n");
	} else {
		char a[32], b[32];

		fprintf(out->f, "%s of %s CPU in no path (%.0f %%): no span, symbol, thread name or socket placed it\n\n",
			output__fmt_ns(d.unattributed_cpu_ns, a, sizeof(a)),
			output__fmt_ns(d.cpu_ns, b, sizeof(b)), pct(d.unattributed_cpu_ns, d.cpu_ns));
		for (int i = 0; i < d.nr_paths; i++)
			emit_text_path(&d.paths[i], o->top_n, out->format == REPORT_MD, out->f);
	}
	peers__free(&d);
	return 0;
}
