// SPDX-License-Identifier: MIT
/*
 * `peerscope report --net`: see net.h.  Everything is computed first into
 * small arrays, then printed in the chosen format.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/net.h"
#include "reports/output.h"
#include "core/profile.h"
#include "core/records.h"
#include "reports/report.h"
#include "analysis/frames.h"

struct peer_row {
	const char *proto, *peer, *path;
	int64_t lport, tx, rx, txm, rxm;
};

struct path_row {
	const char *path, *proto;
	int64_t tx, rx, txm, rxm;
	int64_t pid;		/* by_pid rows only */
};

struct err_row {
	const char *proto, *call, *error;
	int64_t count;
};

struct conn_row {
	const char *peer, *side, *state, *path;
	int64_t lport, tx, rx, lifetime, connect, accept_wait, retrans, srtt, errors;
};

struct net_data {
	struct peer_row *peers;
	int nr_peers;
	struct path_row *paths, *by_pid;
	int nr_paths, nr_by_pid;
	struct err_row *errs;
	int nr_errs;
	struct conn_row *conns;
	int nr_conns, failed;
	int64_t *connect, *accept_wait, *srtt;
	int nr_connect, nr_accept_wait, nr_srtt;
	int64_t retrans;
	struct net_stack *tx_stacks, *rx_stacks;
	int nr_tx_stacks, nr_rx_stacks;
	struct hist_row *hists;
	int nr_hists;
	struct rec_sockdrop drop;
};

/* A syscall size histogram: "lowest bytes:calls,..." */
struct hist_row {
	int64_t pid;
	const char *proto, *dir;
	char *buckets;
};

/* A record's string, "?" when absent or empty. */
static const char *str(const char *v)
{
	return v && *v ? v : "?";
}

/* Grows *v (of elem bytes) to hold n + 1 elements; 0 or -ENOMEM. */
static int grow(void *vp, int n, size_t elem)
{
	void **v = vp;
	void *nv;

	if (n & (n - 1) && n > 8)
		return 0;	/* capacity doubles at powers of two */
	nv = realloc(*v, (size_t)(n < 8 ? 16 : 2 * n) * elem);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_peer(const void *a, const void *b)
{
	const struct peer_row *x = a, *y = b;
	int64_t sx = x->tx + x->rx, sy = y->tx + y->rx;

	return sx > sy ? -1 : sx < sy ? 1 : strcmp(x->peer, y->peer);
}

static int cmp_path(const void *a, const void *b)
{
	const struct path_row *x = a, *y = b;
	int c = x->pid < y->pid ? -1 : x->pid > y->pid;

	if (!c)
		c = strcmp(x->path, y->path);

	return c ? c : strcmp(x->proto, y->proto);
}

static int cmp_err(const void *a, const void *b)
{
	const struct err_row *x = a, *y = b;

	return x->count > y->count ? -1 : x->count < y->count;
}

static int cmp_conn(const void *a, const void *b)
{
	const struct conn_row *x = a, *y = b;
	int64_t sx = x->tx + x->rx, sy = y->tx + y->rx;

	return sx > sy ? -1 : sx < sy;
}

static int cmp_stack(const void *a, const void *b)
{
	const struct net_stack *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->msgs > y->msgs ? -1 : x->msgs < y->msgs;
}

int64_t net__percentile(const int64_t *sorted, int n, double q)
{
	int rank;

	if (n <= 0)
		return 0;
	rank = (int)(q / 100.0 * n + 0.999999);	/* nearest rank, 1-based */
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

bool net__is_storm(const struct net_stack *s)
{
	return s->msgs >= NET_STORM_MIN_CALLS && s->bytes < s->msgs * (int64_t)NET_STORM_MAX_AVG;
}

static void describe_stack(const struct profile *p, struct net_stack *s)
{
	const struct pf_stack *st = &p->stacks[s->stack];
	size_t off = 0;
	int shown = 0;
	char buf[256];

	s->func[0] = s->frames[0] = '\0';
	for (uint32_t i = 0; i < st->nr && shown < 5; i++) {
		uint32_t loc = st->locs[i];

		for (uint32_t l = 0; l < profile__frame_count(p, loc) && shown < 5; l++) {
			profile__frame_name(p, loc, l, buf, sizeof(buf));
			if (!s->func[0] && !frames__is_library(p, loc, buf))
				snprintf(s->func, sizeof(s->func), "%.127s", buf);
			if (off < sizeof(s->frames))
				off += snprintf(s->frames + off, sizeof(s->frames) - off, "%s%s",
						shown ? " < " : "", buf);
			shown++;
		}
	}
	if (!s->func[0]) {
		if (st->nr)
			profile__frame_name(p, st->locs[0], 0, s->func, sizeof(s->func));
		else
			snprintf(s->func, sizeof(s->func), "[no stack]");
	}
	if (!s->frames[0])
		snprintf(s->frames, sizeof(s->frames), "[no stack]");
}

int net__stacks(const struct profile *p, bool tx, struct net_stack **out)
{
	int tb = profile__type_index(p, tx ? "tx" : "rx");
	int tm = -1, n = 0;
	struct net_stack *v = NULL;

	*out = NULL;
	if (tb < 0)
		return 0;
	/* "tx" finds the first tx column; the messages one is the other */
	for (uint32_t i = 0; i < p->nr_types; i++) {
		const char *t = profile__str(p, p->types[i].type);
		const char *u = profile__str(p, p->types[i].unit);

		if (!strcmp(t, tx ? "tx" : "rx") && !strcmp(u, "bytes"))
			tb = i;
		if (!strcmp(t, tx ? "tx" : "rx") && !strcmp(u, "messages"))
			tm = i;
	}
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		int64_t b = profile__value(p, i, tb), m = tm >= 0 ? profile__value(p, i, tm) : 0;
		uint32_t stack = p->samples[i].stack;
		int j;

		if (!b && !m)
			continue;
		for (j = 0; j < n && v[j].stack != stack; j++)
			;
		if (j == n) {
			if (grow(&v, n, sizeof(*v))) {
				free(v);
				return -ENOMEM;
			}
			memset(&v[n], 0, sizeof(v[n]));
			v[n].stack = stack;
			v[n].tx = tx;
			n++;
		}
		v[j].bytes += b;
		v[j].msgs += m;
	}
	for (int j = 0; j < n; j++)
		describe_stack(p, &v[j]);
	if (n)
		qsort(v, n, sizeof(*v), cmp_stack);
	*out = v;
	return n;
}

/* Adds a peer's totals to the (path, proto[, pid]) row of *rows. */
static int add_path(struct path_row **rows, int *nr, const struct peer_row *row, int64_t pid)
{
	for (int i = 0; i < *nr; i++) {
		struct path_row *o = &(*rows)[i];

		if (!strcmp(o->path, row->path) && !strcmp(o->proto, row->proto) && o->pid == pid) {
			o->tx += row->tx, o->rx += row->rx, o->txm += row->txm, o->rxm += row->rxm;
			return 0;
		}
	}
	if (grow(rows, *nr, sizeof(**rows)))
		return -ENOMEM;
	(*rows)[(*nr)++] = (struct path_row){ row->path, row->proto, row->tx, row->rx,
					      row->txm, row->rxm, pid };
	return 0;
}

static int add_peer(const struct rec_peer *r, struct net_data *d)
{
	struct peer_row row = {
		.proto = str(r->proto), .peer = str(r->peer), .path = str(r->path),
		.lport = r->lport, .tx = r->tx_bytes, .rx = r->rx_bytes,
		.txm = r->tx_msgs, .rxm = r->rx_msgs,
	};
	int i;

	for (i = 0; i < d->nr_peers; i++) {
		struct peer_row *o = &d->peers[i];

		if (!strcmp(o->proto, row.proto) && !strcmp(o->peer, row.peer) &&
		    !strcmp(o->path, row.path) && o->lport == row.lport) {
			o->tx += row.tx, o->rx += row.rx, o->txm += row.txm, o->rxm += row.rxm;
			goto path;
		}
	}
	if (grow(&d->peers, d->nr_peers, sizeof(row)))
		return -ENOMEM;
	d->peers[d->nr_peers++] = row;
path:
	if (add_path(&d->by_pid, &d->nr_by_pid, &row, r->pid))
		return -ENOMEM;
	return add_path(&d->paths, &d->nr_paths, &row, 0);
}

static int push(int64_t **v, int *n, int64_t x)
{
	if (grow(v, *n, sizeof(**v)))
		return -ENOMEM;
	(*v)[(*n)++] = x;
	return 0;
}

static int add_conn(const struct rec_conn *r, struct net_data *d)
{
	struct conn_row c = {
		.peer = str(r->peer), .side = str(r->side), .state = str(r->state),
		.path = str(r->path), .lport = r->lport,
		.tx = r->tx_bytes, .rx = r->rx_bytes,
		.lifetime = r->lifetime_ns, .connect = r->connect_ns,
		.accept_wait = r->accept_wait_ns, .retrans = r->retrans,
		.srtt = r->srtt_us, .errors = r->errors,
	};

	if (grow(&d->conns, d->nr_conns, sizeof(c)))
		return -ENOMEM;
	d->conns[d->nr_conns++] = c;
	d->retrans += c.retrans;
	if (!strcmp(c.state, "failed"))
		d->failed++;
	if (c.connect > 0 && push(&d->connect, &d->nr_connect, c.connect))
		return -ENOMEM;
	if (c.accept_wait > 0 && push(&d->accept_wait, &d->nr_accept_wait, c.accept_wait))
		return -ENOMEM;
	if (c.srtt > 0 && push(&d->srtt, &d->nr_srtt, c.srtt))
		return -ENOMEM;
	return 0;
}

static int add_err(const struct rec_sockerr *r, struct net_data *d)
{
	struct err_row e = { str(r->proto), str(r->call), str(r->error), r->count };

	for (int i = 0; i < d->nr_errs; i++) {
		struct err_row *o = &d->errs[i];

		if (!strcmp(o->proto, e.proto) && !strcmp(o->call, e.call) &&
		    !strcmp(o->error, e.error)) {
			o->count += e.count;
			return 0;
		}
	}
	if (grow(&d->errs, d->nr_errs, sizeof(e)))
		return -ENOMEM;
	d->errs[d->nr_errs++] = e;
	return 0;
}

static void net_data__free(struct net_data *d)
{
	free(d->peers);
	free(d->paths);
	free(d->by_pid);
	free(d->errs);
	free(d->conns);
	free(d->connect);
	free(d->accept_wait);
	free(d->srtt);
	free(d->tx_stacks);
	free(d->rx_stacks);
	for (int i = 0; i < d->nr_hists; i++)
		free(d->hists[i].buckets);
	free(d->hists);
}

static int add_hist(const struct rec_sockhist *r, struct net_data *d)
{
	size_t len = (size_t)r->buckets.nr * 42 + 1;
	char *b = malloc(len);

	if (!b || grow(&d->hists, d->nr_hists, sizeof(*d->hists))) {
		free(b);
		return -ENOMEM;
	}
	d->hists[d->nr_hists++] = (struct hist_row){ r->pid, str(r->proto), str(r->dir),
						     rec_buckets__format(&r->buckets, b, len) };
	return 0;
}

static int net_data__collect(const struct profile *p, struct net_data *d)
{
	struct rec_peer peer;
	struct rec_conn conn;
	struct rec_sockerr se;
	struct rec_sockhist *sh = malloc(sizeof(*sh));
	uint32_t pos;
	int err = sh ? 0 : -ENOMEM;

	for (pos = 0; !err && records__next_peer(p, &pos, &peer);)
		err = add_peer(&peer, d);
	for (pos = 0; !err && records__next_conn(p, &pos, &conn);)
		err = add_conn(&conn, d);
	for (pos = 0; !err && records__next_sockerr(p, &pos, &se);)
		err = add_err(&se, d);
	for (pos = 0; !err && records__next_sockhist(p, &pos, sh);)
		err = add_hist(sh, d);
	/* the last sockdrop record counts */
	for (pos = 0; records__next_sockdrop(p, &pos, &d->drop);)
		;
	free(sh);
	if (err)
		return err;
	d->nr_tx_stacks = net__stacks(p, true, &d->tx_stacks);
	if (d->nr_tx_stacks < 0)
		return d->nr_tx_stacks;
	d->nr_rx_stacks = net__stacks(p, false, &d->rx_stacks);
	if (d->nr_rx_stacks < 0)
		return d->nr_rx_stacks;
	if (d->nr_peers)
		qsort(d->peers, d->nr_peers, sizeof(*d->peers), cmp_peer);
	if (d->nr_paths)
		qsort(d->paths, d->nr_paths, sizeof(*d->paths), cmp_path);
	if (d->nr_by_pid)
		qsort(d->by_pid, d->nr_by_pid, sizeof(*d->by_pid), cmp_path);
	if (d->nr_errs)
		qsort(d->errs, d->nr_errs, sizeof(*d->errs), cmp_err);
	if (d->nr_conns)
		qsort(d->conns, d->nr_conns, sizeof(*d->conns), cmp_conn);
	if (d->nr_connect)
		qsort(d->connect, d->nr_connect, sizeof(int64_t), cmp_i64);
	if (d->nr_accept_wait)
		qsort(d->accept_wait, d->nr_accept_wait, sizeof(int64_t), cmp_i64);
	if (d->nr_srtt)
		qsort(d->srtt, d->nr_srtt, sizeof(int64_t), cmp_i64);
	return 0;
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
		output__json_str(f, str(h->buckets));
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
				d->hists[i].proto, d->hists[i].dir, str(d->hists[i].buckets));
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
	err = net_data__collect(p, &d);
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
	net_data__free(&d);
	return err;
}
