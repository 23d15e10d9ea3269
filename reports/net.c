// SPDX-License-Identifier: MIT
/*
 * `peerscope report --net`: see net.h.  Everything is computed first
 * (analysis/net.c), then printed in the chosen format.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/net.h"
#include "reports/output.h"
#include "core/profile.h"
#include "reports/report.h"

/* A histogram's buckets, "?" when it had none. */
static const char *buckets_text(const struct hist_row *h)
{
	return h->buckets && *h->buckets ? h->buckets : "?";
}

static int limit(const struct report_opts *o, int n)
{
	return o->top_n > 0 && o->top_n < n ? o->top_n : n;
}

/* ---- JSON --------------------------------------------------------------- */

static void json_pcts(struct json_writer *w, const char *key, const int64_t *v, int n)
{
	json__key(w, key);
	json__begin(w, '{');
	json__key(w, "count"); json__int(w, n);
	json__key(w, "p50"); json__int(w, net__percentile(v, n, 50));
	json__key(w, "p90"); json__int(w, net__percentile(v, n, 90));
	json__key(w, "p99"); json__int(w, net__percentile(v, n, 99));
	json__key(w, "max"); json__int(w, n ? v[n - 1] : 0);
	json__end(w, '}');
}

static void json_stack(struct json_writer *w, const struct net_stack *s)
{
	json__begin(w, '{');
	json__key(w, "function"); json__str(w, s->func);
	json__key(w, "stack"); json__str(w, s->frames);
	json__key(w, "dir"); json__str(w, s->tx ? "tx" : "rx");
	json__key(w, "bytes"); json__int(w, s->bytes);
	json__key(w, "messages"); json__int(w, s->msgs);
	json__key(w, "avg_bytes"); json__num(w, s->msgs ? (double)s->bytes / s->msgs : 0);
	json__end(w, '}');
}

static void json_stacks(struct json_writer *w, const char *key, const struct net_stack *s,
			int n)
{
	json__key(w, key);
	json__begin(w, '[');
	for (int i = 0; i < n; i++)
		json_stack(w, &s[i]);
	json__end(w, ']');
}

/* Storms of both directions in one list, tx first. */
static void json_storms(struct json_writer *w, const struct net_data *d)
{
	json__key(w, "storms");
	json__begin(w, '[');
	for (int dir = 0; dir < 2; dir++) {
		const struct net_stack *s = dir ? d->rx_stacks : d->tx_stacks;
		int n = dir ? d->nr_rx_stacks : d->nr_tx_stacks;

		for (int i = 0; i < n; i++) {
			if (net__is_storm(&s[i]))
				json_stack(w, &s[i]);
		}
	}
	json__end(w, ']');
}

/* The JSON schema of each row kind, in the order the keys are printed. */
static const struct json_field peer_fields[] = {
	JSON_FIELD(struct peer_row, proto, "proto"),
	JSON_FIELD(struct peer_row, peer, "peer"),
	JSON_FIELD(struct peer_row, lport, "lport"),
	JSON_FIELD(struct peer_row, path, "path"),
	JSON_FIELD(struct peer_row, tx, "tx_bytes"),
	JSON_FIELD(struct peer_row, rx, "rx_bytes"),
	JSON_FIELD(struct peer_row, txm, "tx_msgs"),
	JSON_FIELD(struct peer_row, rxm, "rx_msgs"),
};

/* by_pid rows print "pid" first, then the same fields as paths rows */
static const struct json_field path_fields[] = {
	JSON_FIELD(struct path_row, pid, "pid"),
	JSON_FIELD(struct path_row, path, "path"),
	JSON_FIELD(struct path_row, proto, "proto"),
	JSON_FIELD(struct path_row, tx, "tx_bytes"),
	JSON_FIELD(struct path_row, rx, "rx_bytes"),
	JSON_FIELD(struct path_row, txm, "tx_msgs"),
	JSON_FIELD(struct path_row, rxm, "rx_msgs"),
};

/* "tcp": the counts before its percentiles and top connections */
static const struct json_field tcp_fields[] = {
	JSON_FIELD(struct net_data, nr_conns, "connections"),
	JSON_FIELD(struct net_data, failed, "failed"),
	JSON_FIELD(struct net_data, retrans, "retrans"),
};

static const struct json_field event_fields[] = {
	JSON_FIELD(struct event_row, path, "path"),
	JSON_FIELD(struct event_row, event, "event"),
	JSON_FIELD(struct event_row, error, "error"),
	JSON_FIELD(struct event_row, count, "count"),
};

static const struct json_field err_fields[] = {
	JSON_FIELD(struct err_row, proto, "proto"),
	JSON_FIELD(struct err_row, call, "call"),
	JSON_FIELD(struct err_row, error, "error"),
	JSON_FIELD(struct err_row, count, "count"),
};

/* a size histogram's keys before its buckets */
static const struct json_field hist_fields[] = {
	JSON_FIELD(struct hist_row, pid, "pid"),
	JSON_FIELD(struct hist_row, proto, "proto"),
	JSON_FIELD(struct hist_row, dir, "dir"),
};

static const struct json_field drop_fields[] = {
	JSON_FIELD(struct rec_sockdrop, map_full, "map_full"),
	JSON_FIELD(struct rec_sockdrop, stack_errors, "stack_errors"),
	JSON_FIELD(struct rec_sockdrop, lost, "lost"),
};

static const struct json_field conn_fields[] = {
	JSON_FIELD(struct conn_row, peer, "peer"),
	JSON_FIELD(struct conn_row, lport, "lport"),
	JSON_FIELD(struct conn_row, side, "side"),
	JSON_FIELD(struct conn_row, state, "state"),
	JSON_FIELD(struct conn_row, path, "path"),
	JSON_FIELD(struct conn_row, tx, "tx_bytes"),
	JSON_FIELD(struct conn_row, rx, "rx_bytes"),
	JSON_FIELD(struct conn_row, lifetime, "lifetime_ns"),
	JSON_FIELD(struct conn_row, connect, "connect_ns"),
	JSON_FIELD(struct conn_row, accept_wait, "accept_wait_ns"),
	JSON_FIELD(struct conn_row, retrans, "retrans"),
	JSON_FIELD(struct conn_row, srtt, "srtt_us"),
	JSON_FIELD(struct conn_row, errors, "errors"),
};

static void json_peers_paths(struct json_writer *w, const struct report_opts *o,
			     const struct net_data *d)
{
	JSON_ROWS(w, "peers", peer_fields, 0, d->peers, limit(o, d->nr_peers));
	JSON_ROWS(w, "paths", path_fields, 1, d->paths, d->nr_paths);	/* no "pid" */
	JSON_ROWS(w, "by_pid", path_fields, 0, d->by_pid, d->nr_by_pid);
}

static void json_tcp(struct json_writer *w, const struct report_opts *o, const struct net_data *d)
{
	json__key(w, "tcp");
	json__begin(w, '{');
	json__fields(w, tcp_fields, JSON_NR_FIELDS(tcp_fields), d);
	json_pcts(w, "connect_ns", d->connect, d->nr_connect);
	json_pcts(w, "accept_wait_ns", d->accept_wait, d->nr_accept_wait);
	json_pcts(w, "srtt_us", d->srtt, d->nr_srtt);
	JSON_ROWS(w, "top", conn_fields, 0, d->conns, limit(o, d->nr_conns));
	json__end(w, '}');
}

static void emit_json(const struct profile *p, const struct report_opts *o,
		      const struct net_data *d, FILE *f)
{
	struct json_writer w;

	json__init(&w, f, JSON_COMPACT);
	json__begin(&w, '{');
	json_peers_paths(&w, o, d);
	json_tcp(&w, o, d);
	if (d->nr_events)	/* recordings before sockevent records have no key */
		JSON_ROWS(&w, "events", event_fields, 0, d->events, d->nr_events);
	JSON_ROWS(&w, "errors", err_fields, 0, d->errs, d->nr_errs);
	json_storms(&w, d);
	json_stacks(&w, "tx_stacks", d->tx_stacks, limit(o, d->nr_tx_stacks));
	json_stacks(&w, "rx_stacks", d->rx_stacks, limit(o, d->nr_rx_stacks));
	json__key(&w, "size_histograms");
	json__begin(&w, '[');
	for (int i = 0; i < d->nr_hists; i++) {
		const struct hist_row *h = &d->hists[i];

		json__begin(&w, '{');
		json__fields(&w, hist_fields, JSON_NR_FIELDS(hist_fields), h);
		json__key(&w, "log2"); json__str(&w, buckets_text(h));
		json__end(&w, '}');
	}
	json__end(&w, ']');
	json__key(&w, "drops");
	json__begin(&w, '{');
	json__fields(&w, drop_fields, JSON_NR_FIELDS(drop_fields), &d->drop);
	json__end(&w, '}');
	json__end(&w, '}');
}

/* ---- text (Markdown gets the same text in a code block) ----------------- */

static void text_stacks(FILE *f, const char *title, const struct net_stack *s, int n)
{
	char b[OUTPUT_NUM_LEN], c[OUTPUT_NUM_LEN];

	if (!n)
		return;
	fprintf(f, "\n%s\n", title);
	fprintf(f, "  %10s %10s %8s  %s\n", "bytes", "messages", "avg", "stack (leaf first)");
	for (int i = 0; i < n; i++)
		fprintf(f, "  %10s %10s %8.1f  %.70s\n", output__fmt_bytes(s[i].bytes, b, sizeof(b)),
			output__fmt_count(s[i].msgs, c, sizeof(c)),
			s[i].msgs ? (double)s[i].bytes / s[i].msgs : 0.0, s[i].frames);
}

static void emit_text(const struct profile *p, const struct report_opts *o,
		      const struct net_data *d, FILE *f)
{
	char a[OUTPUT_NUM_LEN], b[OUTPUT_NUM_LEN], c[OUTPUT_NUM_LEN], e[OUTPUT_NUM_LEN];
	int nstorm = 0;

	if (d->nr_paths) {
		fprintf(f, "Traffic by path\n  %-12s %-5s %12s %12s %12s %12s\n", "path", "proto",
			"tx", "rx", "tx msgs", "rx msgs");
		for (int i = 0; i < d->nr_paths; i++) {
			const struct path_row *r = &d->paths[i];

			fprintf(f, "  %-12.12s %-5s %12s %12s %12s %12s\n", r->path, r->proto,
				output__fmt_bytes(r->tx, a, sizeof(a)),
				output__fmt_bytes(r->rx, b, sizeof(b)),
				output__fmt_count(r->txm, c, sizeof(c)),
				output__fmt_count(r->rxm, e, sizeof(e)));
		}
	}
	if (d->nr_peers) {
		fprintf(f, "\nTop peers by traffic\n  %-5s %-28s %6s %-10s %11s %11s %9s %9s\n",
			"proto", "peer", "lport", "path", "tx", "rx", "tx msgs", "rx msgs");
		for (int i = 0; i < limit(o, d->nr_peers); i++) {
			const struct peer_row *r = &d->peers[i];

			fprintf(f, "  %-5s %-28.28s %6" PRId64 " %-10.10s %11s %11s %9s %9s\n", r->proto,
				r->peer, r->lport, r->path, output__fmt_bytes(r->tx, a, sizeof(a)),
				output__fmt_bytes(r->rx, b, sizeof(b)),
				output__fmt_count(r->txm, c, sizeof(c)),
				output__fmt_count(r->rxm, e, sizeof(e)));
		}
	}
	if (d->nr_conns) {
		fprintf(f, "\nTCP connections: %d (%d failed), %" PRId64 " retransmits\n",
			d->nr_conns, d->failed, d->retrans);
		if (d->nr_connect)
			fprintf(f, "  connect latency (SYN_SENT->ESTABLISHED, %d): p50 %s  p90 %s  p99 %s  max %s\n",
				d->nr_connect,
				output__fmt_ns(net__percentile(d->connect, d->nr_connect, 50), a, sizeof(a)),
				output__fmt_ns(net__percentile(d->connect, d->nr_connect, 90), b, sizeof(b)),
				output__fmt_ns(net__percentile(d->connect, d->nr_connect, 99), c, sizeof(c)),
				output__fmt_ns(d->connect[d->nr_connect - 1], e, sizeof(e)));
		if (d->nr_accept_wait)
			fprintf(f, "  accept-queue wait (ESTABLISHED->accept, %d): p50 %s  p90 %s  p99 %s  max %s\n",
				d->nr_accept_wait,
				output__fmt_ns(net__percentile(d->accept_wait, d->nr_accept_wait, 50), a, sizeof(a)),
				output__fmt_ns(net__percentile(d->accept_wait, d->nr_accept_wait, 90), b, sizeof(b)),
				output__fmt_ns(net__percentile(d->accept_wait, d->nr_accept_wait, 99), c, sizeof(c)),
				output__fmt_ns(d->accept_wait[d->nr_accept_wait - 1], e, sizeof(e)));
		if (d->nr_srtt)
			fprintf(f, "  smoothed RTT at close (%d): p50 %" PRId64 " us  p99 %" PRId64 " us  max %" PRId64 " us\n",
				d->nr_srtt, net__percentile(d->srtt, d->nr_srtt, 50),
				net__percentile(d->srtt, d->nr_srtt, 99), d->srtt[d->nr_srtt - 1]);
		fprintf(f, "  %-24s %6s %-7s %-6s %10s %10s %10s %10s %4s\n", "peer", "lport", "side",
			"state", "tx", "rx", "lifetime", "connect", "retr");
		for (int i = 0; i < limit(o, d->nr_conns); i++) {
			const struct conn_row *r = &d->conns[i];
			char l[OUTPUT_NUM_LEN];

			fprintf(f, "  %-24.24s %6" PRId64 " %-7.7s %-6.6s %10s %10s %10s %10s %4" PRId64 "\n",
				r->peer, r->lport, r->side, r->state,
				output__fmt_bytes(r->tx, a, sizeof(a)), output__fmt_bytes(r->rx, b, sizeof(b)),
				output__fmt_ns(r->lifetime, l, sizeof(l)),
				r->connect ? output__fmt_ns(r->connect, c, sizeof(c)) : "-", r->retrans);
		}
	}
	if (d->nr_events) {
		fprintf(f, "\nTCP retransmits and failed connects by path\n  %-12s %-14s %-14s %10s\n",
			"path", "event", "error", "count");
		for (int i = 0; i < d->nr_events; i++)
			fprintf(f, "  %-12.12s %-14s %-14s %10s\n", d->events[i].path,
				d->events[i].event, d->events[i].error,
				output__fmt_count(d->events[i].count, a, sizeof(a)));
	}
	if (d->nr_errs) {
		fprintf(f, "\nSocket errors\n  %-5s %-10s %-14s %10s\n", "proto", "call", "error", "count");
		for (int i = 0; i < d->nr_errs; i++)
			fprintf(f, "  %-5s %-10s %-14s %10s\n", d->errs[i].proto, d->errs[i].call,
				d->errs[i].error, output__fmt_count(d->errs[i].count, a, sizeof(a)));
	}
	for (int dir = 0; dir < 2; dir++) {
		const struct net_stack *s = dir ? d->rx_stacks : d->tx_stacks;
		int n = dir ? d->nr_rx_stacks : d->nr_tx_stacks;

		for (int i = 0; i < n; i++) {
			if (!net__is_storm(&s[i]))
				continue;
			if (!nstorm++)
				fprintf(f, "\nSyscall storms (>= %d calls averaging < %d bytes)\n  %-2s %-24s %10s %8s  %s\n",
					NET_STORM_MIN_CALLS, NET_STORM_MAX_AVG, "", "function", "calls",
					"avg", "stack (leaf first)");
			fprintf(f, "  %-2s %-24.24s %10s %8.1f  %.50s\n", dir ? "rx" : "tx", s[i].func,
				output__fmt_count(s[i].msgs, a, sizeof(a)),
				(double)s[i].bytes / s[i].msgs, s[i].frames);
		}
	}
	text_stacks(f, "Sending stacks", d->tx_stacks, limit(o, d->nr_tx_stacks));
	text_stacks(f, "Receiving stacks", d->rx_stacks, limit(o, d->nr_rx_stacks));
	if (d->nr_hists) {
		fprintf(f, "\nSyscall sizes (log2 buckets, lower bound in bytes: calls)\n");
		for (int i = 0; i < d->nr_hists; i++)
			fprintf(f, "  pid %-7" PRId64 " %s %s: %.70s\n", d->hists[i].pid,
				d->hists[i].proto, d->hists[i].dir, buckets_text(&d->hists[i]));
	}
	if (d->drop.map_full || d->drop.lost)
		fprintf(f, "\nwarning: the sock collector dropped data (map full %" PRId64 ", lost %" PRId64
			"): totals are low\n", (int64_t)d->drop.map_full, (int64_t)d->drop.lost);
}

int report_net__emit(const struct profile *p, const struct report_opts *o,
		     struct report_out *out)
{
	struct net_data d = {};
	int err;

	if (!o->net)
		return 0;
	err = net__compute(p, o->path_rules, &d);
	if (err)
		goto free_data;
	if (!d.nr_peers && !d.nr_conns && !d.nr_errs && !d.nr_events && !d.nr_tx_stacks &&
	    !d.nr_rx_stacks)
		goto free_data;	/* no socket data: nothing to show */

	report_out__section(out, "net", "Network");
	if (out->format == REPORT_JSON) {
		emit_json(p, o, &d, out->f);
	} else {
		if (out->format == REPORT_MD)
			fprintf(out->f, "```\n");
		emit_text(p, o, &d, out->f);
		if (out->format == REPORT_MD)
			fprintf(out->f, "```\n");
		fputc('\n', out->f);
	}
free_data:
	net__free(&d);
	return err;
}
