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

static void json_pcts(FILE *f, const char *key, const int64_t *v, int n)
{
	fprintf(f, "\"%s\":{\"count\":%d,\"p50\":%" PRId64 ",\"p90\":%" PRId64 ",\"p99\":%" PRId64
		",\"max\":%" PRId64 "}", key, n, net__percentile(v, n, 50), net__percentile(v, n, 90),
		net__percentile(v, n, 99), n ? v[n - 1] : 0);
}

static void json_stacks(FILE *f, const char *key, const struct net_stack *s, int n, bool storms)
{
	bool first = true;

	fprintf(f, ",\"%s\":[", key);
	for (int i = 0; i < n; i++) {
		if (storms && !net__is_storm(&s[i]))
			continue;
		fprintf(f, "%s{\"function\":", first ? "" : ",");
		output__json_str(f, s[i].func);
		fprintf(f, ",\"stack\":");
		output__json_str(f, s[i].frames);
		fprintf(f, ",\"dir\":\"%s\",\"bytes\":%" PRId64 ",\"messages\":%" PRId64
			",\"avg_bytes\":", s[i].tx ? "tx" : "rx", s[i].bytes, s[i].msgs);
		output__json_num(f, s[i].msgs ? (double)s[i].bytes / s[i].msgs : 0);
		fputc('}', f);
		first = false;
	}
	fputc(']', f);
}

static void emit_json(const struct profile *p, const struct report_opts *o,
		      const struct net_data *d, FILE *f)
{
	fprintf(f, "{\"peers\":[");
	for (int i = 0; i < limit(o, d->nr_peers); i++) {
		const struct peer_row *r = &d->peers[i];

		fprintf(f, "%s{\"proto\":", i ? "," : "");
		output__json_str(f, r->proto);
		fprintf(f, ",\"peer\":");
		output__json_str(f, r->peer);
		fprintf(f, ",\"lport\":%" PRId64 ",\"path\":", r->lport);
		output__json_str(f, r->path);
		fprintf(f, ",\"tx_bytes\":%" PRId64 ",\"rx_bytes\":%" PRId64 ",\"tx_msgs\":%" PRId64
			",\"rx_msgs\":%" PRId64 "}", r->tx, r->rx, r->txm, r->rxm);
	}
	for (int k = 0; k < 2; k++) {
		const struct path_row *rows = k ? d->by_pid : d->paths;
		int n = k ? d->nr_by_pid : d->nr_paths;

		fprintf(f, "],\"%s\":[", k ? "by_pid" : "paths");
		for (int i = 0; i < n; i++) {
			const struct path_row *r = &rows[i];

			fprintf(f, "%s{", i ? "," : "");
			if (k)
				fprintf(f, "\"pid\":%" PRId64 ",", r->pid);
			fprintf(f, "\"path\":");
			output__json_str(f, r->path);
			fprintf(f, ",\"proto\":");
			output__json_str(f, r->proto);
			fprintf(f, ",\"tx_bytes\":%" PRId64 ",\"rx_bytes\":%" PRId64 ",\"tx_msgs\":%" PRId64
				",\"rx_msgs\":%" PRId64 "}", r->tx, r->rx, r->txm, r->rxm);
		}
	}
	fprintf(f, "],\"tcp\":{\"connections\":%d,\"failed\":%d,\"retrans\":%" PRId64 ",",
		d->nr_conns, d->failed, d->retrans);
	json_pcts(f, "connect_ns", d->connect, d->nr_connect);
	fputc(',', f);
	json_pcts(f, "accept_wait_ns", d->accept_wait, d->nr_accept_wait);
	fputc(',', f);
	json_pcts(f, "srtt_us", d->srtt, d->nr_srtt);
	fprintf(f, ",\"top\":[");
	for (int i = 0; i < limit(o, d->nr_conns); i++) {
		const struct conn_row *c = &d->conns[i];

		fprintf(f, "%s{\"peer\":", i ? "," : "");
		output__json_str(f, c->peer);
		fprintf(f, ",\"lport\":%" PRId64 ",\"side\":", c->lport);
		output__json_str(f, c->side);
		fprintf(f, ",\"state\":");
		output__json_str(f, c->state);
		fprintf(f, ",\"path\":");
		output__json_str(f, c->path);
		fprintf(f, ",\"tx_bytes\":%" PRId64 ",\"rx_bytes\":%" PRId64 ",\"lifetime_ns\":%" PRId64
			",\"connect_ns\":%" PRId64 ",\"accept_wait_ns\":%" PRId64 ",\"retrans\":%" PRId64
			",\"srtt_us\":%" PRId64 ",\"errors\":%" PRId64 "}", c->tx, c->rx, c->lifetime,
			c->connect, c->accept_wait, c->retrans, c->srtt, c->errors);
	}
	fprintf(f, "]},\"errors\":[");
	for (int i = 0; i < d->nr_errs; i++) {
		fprintf(f, "%s{\"proto\":", i ? "," : "");
		output__json_str(f, d->errs[i].proto);
		fprintf(f, ",\"call\":");
		output__json_str(f, d->errs[i].call);
		fprintf(f, ",\"error\":");
		output__json_str(f, d->errs[i].error);
		fprintf(f, ",\"count\":%" PRId64 "}", d->errs[i].count);
	}
	fputc(']', f);
	{
		/* storms of both directions in one list, tx first */
		fprintf(f, ",\"storms\":[");
		bool first = true;

		for (int dir = 0; dir < 2; dir++) {
			const struct net_stack *s = dir ? d->rx_stacks : d->tx_stacks;
			int n = dir ? d->nr_rx_stacks : d->nr_tx_stacks;

			for (int i = 0; i < n; i++) {
				if (!net__is_storm(&s[i]))
					continue;
				fprintf(f, "%s{\"function\":", first ? "" : ",");
				output__json_str(f, s[i].func);
				fprintf(f, ",\"stack\":");
				output__json_str(f, s[i].frames);
				fprintf(f, ",\"dir\":\"%s\",\"bytes\":%" PRId64 ",\"messages\":%" PRId64
					",\"avg_bytes\":", dir ? "rx" : "tx", s[i].bytes, s[i].msgs);
				output__json_num(f, s[i].msgs ? (double)s[i].bytes / s[i].msgs : 0);
				fputc('}', f);
				first = false;
			}
		}
		fputc(']', f);
	}
	json_stacks(f, "tx_stacks", d->tx_stacks, limit(o, d->nr_tx_stacks), false);
	json_stacks(f, "rx_stacks", d->rx_stacks, limit(o, d->nr_rx_stacks), false);
	fprintf(f, ",\"size_histograms\":[");
	for (int i = 0; i < d->nr_hists; i++) {
		const struct hist_row *h = &d->hists[i];

		fprintf(f, "%s{\"pid\":%" PRId64 ",\"proto\":", i ? "," : "", h->pid);
		output__json_str(f, h->proto);
		fprintf(f, ",\"dir\":");
		output__json_str(f, h->dir);
		fprintf(f, ",\"log2\":");
		output__json_str(f, buckets_text(h));
		fputc('}', f);
	}
	fprintf(f, "],\"drops\":{\"map_full\":%" PRId64 ",\"stack_errors\":%" PRId64
		",\"lost\":%" PRId64 "}}", (int64_t)d->drop.map_full,
		(int64_t)d->drop.stack_errors, (int64_t)d->drop.lost);
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

int report_net__emit(struct profile *p, const struct report_opts *o, struct report_out *out)
{
	struct net_data d = {};
	int err;

	if (!o->net)
		return 0;
	err = net__compute(p, &d);
	if (err)
		goto free_data;
	if (!d.nr_peers && !d.nr_conns && !d.nr_errs && !d.nr_tx_stacks && !d.nr_rx_stacks)
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
