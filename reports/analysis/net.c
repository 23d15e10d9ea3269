// SPDX-License-Identifier: MIT
/* The network analysis (net.h): records and socket samples into sorted rows. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/records.h"
#include "analysis/frames.h"
#include "analysis/net.h"
#include "analysis/net-place.h"

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

static int cmp_event(const void *a, const void *b)
{
	const struct event_row *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (!c)
		c = strcmp(x->event, y->event);
	return c ? c : strcmp(x->error, y->error);
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
		frames__describe(p, v[j].stack, FRAMES_DESCRIBE_NET, v[j].func, sizeof(v[j].func),
				 v[j].frames, sizeof(v[j].frames));
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

static int add_peer(const struct rec_peer *r, const struct net_place *np, struct net_data *d)
{
	struct peer_row row = {
		.proto = str(r->proto), .peer = str(r->peer),
		.path = str(net_place__path(np, r->pid, r->path, r->path_by, r->proto, r->lport,
					    r->rport)),
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

static int add_conn(const struct rec_conn *r, const struct net_place *np, struct net_data *d)
{
	struct conn_row c = {
		.peer = str(r->peer), .side = str(r->side), .state = str(r->state),
		.path = str(net_place__path(np, r->pid, r->path, r->path_by, r->proto, r->lport,
					    r->rport)),
		.lport = r->lport,
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

static int add_event(const struct rec_sockevent *r, const struct net_place *np,
		     struct net_data *d)
{
	const char *path = net_place__path(np, r->pid, r->path, r->path_by, r->proto,
					   r->lport, r->rport);
	struct event_row e = {
		/* a record without a path: the collector's "other" */
		.path = path && *path ? path : "other",
		.event = str(r->event), .error = r->error && *r->error ? r->error : "-",
		.count = r->count,
	};
	for (int i = 0; i < d->nr_events; i++) {
		struct event_row *o = &d->events[i];

		if (!strcmp(o->path, e.path) && !strcmp(o->event, e.event) &&
		    !strcmp(o->error, e.error)) {
			o->count += e.count;
			return 0;
		}
	}
	if (grow(&d->events, d->nr_events, sizeof(e)))
		return -ENOMEM;
	d->events[d->nr_events++] = e;
	return 0;
}

void net__free(struct net_data *d)
{
	free(d->events);
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

int net__compute(const struct profile *p, const struct path_rules *rules, struct net_data *d)
{
	struct rec_peer peer;
	struct rec_conn conn;
	struct rec_sockerr se;
	struct rec_sockevent ev;
	struct rec_sockhist *sh = malloc(sizeof(*sh));
	struct net_place np;
	uint32_t pos;
	int err = net_place__init(&np, p, rules);

	if (!err && !sh)
		err = -ENOMEM;
	for (pos = 0; !err && records__next_peer(p, &pos, &peer);)
		err = add_peer(&peer, &np, d);
	for (pos = 0; !err && records__next_conn(p, &pos, &conn);)
		err = add_conn(&conn, &np, d);
	for (pos = 0; !err && records__next_sockevent(p, &pos, &ev);)
		err = add_event(&ev, &np, d);
	for (pos = 0; !err && records__next_sockerr(p, &pos, &se);)
		err = add_err(&se, d);
	for (pos = 0; !err && records__next_sockhist(p, &pos, sh);)
		err = add_hist(sh, d);
	/* the last sockdrop record counts */
	for (pos = 0; records__next_sockdrop(p, &pos, &d->drop);)
		;
	net_place__free(&np);
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
	if (d->nr_events)
		qsort(d->events, d->nr_events, sizeof(*d->events), cmp_event);
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
