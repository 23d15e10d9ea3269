// SPDX-License-Identifier: GPL-2.0
/*
 * dht.c - Kademlia over UDP: serving FIND_NODE/FIND_VALUE/STORE/PING and
 * running iterative lookups (alpha parallel queries, per-query timeouts).
 *
 * The event loop only reads datagrams and queues them; every piece of DHT
 * state belongs to the dht-worker thread, so none of it needs a lock.  The
 * routing table is the exception: bootstrap and the mesh keeper read it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/sdt.h>

#include "node.h"
#include "from_counts.h"
#include "workq.h"

#define ALPHA		3
#define SHORTLIST	(3 * DHT_K)
#define MAX_LOOKUPS	256
#define MAX_RPCS	1024
#define STORE_SLOTS	4096
#define DHT_LOSS_PCT	30	/* share of replies --inject dht-loss drops */

enum cand_state { C_NEW, C_INFLIGHT, C_DONE, C_FAILED };

struct cand {
	struct contact c;
	uint8_t dist[ID_LEN];
	uint8_t state;
};

struct lookup {
	bool used;
	enum dht_op op;
	uint64_t id;
	uint8_t target[ID_LEN];
	uint64_t start_ns;
	struct cand c[SHORTLIST];	/* nearest first */
	int n, inflight, rpcs;
	bool found;
	uint16_t vlen;
	uint8_t value[DHT_VALUE_MAX];	/* PUT: to store; GET: what was found */
	struct dht_waiter *waiter;
};

struct rpc {
	bool used;
	uint64_t txn;
	int lookup, cand;
	uint64_t deadline;
	uint64_t sent;		/* when the query went out (slow-peer's known answer) */
	uint16_t port;		/* the queried node's udp port */
};

struct dht_job {
	struct wq_item link;
	bool is_request;
	/* a datagram from the loop */
	struct sockaddr_in from;
	uint16_t len;
	uint8_t buf[DHT_MSG_MAX];
	/* or a lookup asked for by the control channel or bootstrap */
	enum dht_op op;
	uint64_t lid;
	uint8_t target[ID_LEN];
	uint16_t vlen;
	uint8_t value[DHT_VALUE_MAX];
	struct dht_waiter *w;
};

struct stored {
	bool used;
	uint8_t key[ID_LEN];
	uint16_t vlen;
	uint8_t value[DHT_VALUE_MAX];
};

struct dgram {
	struct sockaddr_in to;
	uint16_t len;
	uint8_t buf[DHT_MSG_MAX];
};

static struct workq dht_q;
static pthread_t dht_thread;
static struct lookup lookups[MAX_LOOKUPS];
static struct rpc rpcs[MAX_RPCS];
static int rpcs_used;
static struct stored store[STORE_SLOTS];

static const char *const op_names[] = { "find", "get", "put", "self" };

/* ---- sending ---------------------------------------------------------- */

NOINLINE void dht_send_now(void *arg)
{
	struct dgram *d = arg;
	ssize_t n;

	from_leave_out_begin();
	n = sendto(node.udp_fd, d->buf, d->len, 0, (struct sockaddr *)&d->to, sizeof(d->to));
	from_leave_out_end();

	if (n == d->len) {
		STAT_ADD(dht_tx_msgs, 1);
		STAT_ADD(dht_tx_bytes, n);
	} else {
		STAT_ADD(errors, 1);
	}
	free(d);
}

NOINLINE void dht_send(struct dht_msg *m, uint32_t ip, uint16_t port, bool reply)
{
	struct dgram *d;
	int len;

	memcpy(m->sender, node.id, ID_LEN);
	m->udp_port = node.cfg.udp_port;
	m->tcp_port = node.cfg.tcp_port;
	if (reply && (node.cfg.inject & INJ_DHT_LOSS) && rng_unit() * 100 < DHT_LOSS_PCT) {
		STAT_ADD(dht_dropped, 1);
		return;
	}
	if (netem_drop()) {
		STAT_ADD(dht_dropped, 1);
		return;
	}
	d = malloc(sizeof(*d));
	if (!d)
		return;
	len = dht_msg_encode(m, d->buf, sizeof(d->buf));
	if (len < 0) {
		STAT_ADD(errors, 1);
		free(d);
		return;
	}
	d->len = len;
	d->to = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
				      .sin_addr.s_addr = ip };
	/* slow-peer: replies leave SLOW_PEER_MS late (a timer: the worker goes on) */
	if (reply && (node.cfg.inject & INJ_SLOW_PEER)) {
		loop_after(SLOW_PEER_MS * 1000000ULL + netem_delay_ns(), dht_send_now, d);
		return;
	}
	/* abusive-peer: the copies are served in full; their replies match no rpc */
	for (int k = 1; !reply && (node.cfg.inject & INJ_ABUSIVE_PEER) && k < ABUSE_FACTOR; k++) {
		struct dgram *copy = malloc(sizeof(*copy));

		if (!copy)
			break;
		*copy = *d;
		dht_send_now(copy);
	}
	if (node.cfg.latency_ms || node.cfg.jitter_ms)
		loop_after(netem_delay_ns(), dht_send_now, d);
	else
		dht_send_now(d);
}

/* ---- local value store ------------------------------------------------ */

NOINLINE struct stored *dht_store_slot(const uint8_t *key, bool create)
{
	uint32_t h = fnv1a(key, ID_LEN) % STORE_SLOTS;

	for (int i = 0; i < STORE_SLOTS; i++) {
		struct stored *s = &store[(h + i) % STORE_SLOTS];

		if (s->used && !memcmp(s->key, key, ID_LEN))
			return s;
		if (!s->used)
			return create ? s : NULL;
	}
	return NULL;	/* full: a test network never gets here */
}

/* ---- serving other nodes ---------------------------------------------- */

/*
 * Per sender port: DHT requests served, every DHT datagram handled
 * (requests and replies), the CPU spent on them (cpu_from: the p2p-loop's
 * and the dht worker's stretches, from_stretch; loop_cpu_from: the
 * p2p-loop's part), and the time our requests waited for each peer's
 * replies -- the known answers of abusive-peer and slow-peer.
 */
static struct from_counts req_from = FROM_COUNTS_INIT;
static struct from_counts dgram_from = FROM_COUNTS_INIT;
static struct from_counts cpu_from = FROM_COUNTS_INIT;
static struct from_counts loop_cpu_from = FROM_COUNTS_INIT;
static struct from_counts wait_from = FROM_COUNTS_INIT;

/* Ends the thread's stretch for one sender (adds it to cpu_from and part) and starts port's. */
static void dht_stretch(struct from_stretch *s, struct from_counts *part, uint16_t port)
{
	uint64_t ns;
	uint16_t was = from_stretch_next(s, port, &ns);

	if (!was)
		return;
	from_add(&cpu_from, was, ns);
	if (part)
		from_add(part, was, ns);
}

void dht_requests_from(char *buf, size_t len)
{
	from_format(&req_from, buf, len);
}

void dht_datagrams_from(char *buf, size_t len)
{
	from_format(&dgram_from, buf, len);
}

void dht_cpu_from(char *buf, size_t len)
{
	from_format(&cpu_from, buf, len);
}

void dht_loop_cpu_from(char *buf, size_t len)
{
	from_format(&loop_cpu_from, buf, len);
}

void dht_wait_from(char *buf, size_t len)
{
	from_format(&wait_from, buf, len);
}

NOINLINE void dht_serve(const struct dht_msg *req, const struct sockaddr_in *from)
{
	struct dht_msg r = { .txn = req->txn };
	struct stored *s;

	from_add(&req_from, ntohs(from->sin_port), 1);
	switch (req->type) {
	case DHT_PING:
		r.type = DHT_PONG;
		break;
	case DHT_FIND_VALUE:
		s = dht_store_slot(req->target, false);
		if (s) {
			r.type = DHT_VALUE;
			r.vlen = s->vlen;
			memcpy(r.value, s->value, s->vlen);
			break;
		}
		/* no value here: answer with the closest nodes instead */
		__attribute__((fallthrough));
	case DHT_FIND_NODE:
		r.type = DHT_NODES;
		r.ncontacts = rt_closest(&node.rt, req->target, r.contacts, DHT_K);
		break;
	case DHT_STORE:
		s = dht_store_slot(req->target, true);
		if (s) {
			s->used = true;
			memcpy(s->key, req->target, ID_LEN);
			s->vlen = req->vlen;
			memcpy(s->value, req->value, req->vlen);
		}
		r.type = DHT_STORE_ACK;
		break;
	default:
		return;
	}
	dht_send(&r, from->sin_addr.s_addr, ntohs(from->sin_port), true);
}

/* ---- iterative lookups ------------------------------------------------ */

NOINLINE void dht_lookup_finish(struct lookup *l, bool ok)
{
	uint64_t ns = now_mono_ns() - l->start_ns;

	/* A GET may end with queries still out: their replies must find no rpc. */
	for (int r = 0; r < MAX_RPCS && l->inflight; r++) {
		if (rpcs[r].used && &lookups[rpcs[r].lookup] == l) {
			rpcs[r].used = false;
			rpcs_used--;
			l->inflight--;
		}
	}
	/* A PUT is a FIND_NODE for the key, then STORE at the k closest that answered. */
	if (l->op == DHT_OP_PUT) {
		int stored = 0;

		for (int i = 0; i < l->n && stored < DHT_K; i++) {
			struct dht_msg m = { .type = DHT_STORE, .txn = rng_next(), .vlen = l->vlen };

			if (l->c[i].state != C_DONE)
				continue;
			memcpy(m.target, l->target, ID_LEN);
			memcpy(m.value, l->value, l->vlen);
			dht_send(&m, l->c[i].c.ip, l->c[i].c.udp_port, false);
			stored++;
		}
		ok = stored > 0;
	}
	DTRACE_PROBE2(p2pnode, dht_lookup_done, l->id, (int)ok);
	if (l->waiter) {
		pthread_mutex_lock(&l->waiter->lock);
		l->waiter->done = 1;
		l->waiter->ok = ok;
		pthread_cond_signal(&l->waiter->cond);
		pthread_mutex_unlock(&l->waiter->lock);
	}
	if (l->op != DHT_OP_SELF)
		ctl_emit("lookup %llu %s %d %llu %d", (unsigned long long)l->id,
			 op_names[l->op], ok, (unsigned long long)ns, l->rpcs);
	l->used = false;
}

/* Add contacts to the shortlist, keeping it sorted by distance to the target. */
NOINLINE void dht_lookup_merge(struct lookup *l, const struct contact *cs, int n)
{
	for (int k = 0; k < n; k++) {
		uint8_t d[ID_LEN];
		int i, pos;

		if (!memcmp(cs[k].id, node.id, ID_LEN))
			continue;
		for (i = 0; i < l->n; i++)
			if (!memcmp(l->c[i].c.id, cs[k].id, ID_LEN))
				break;
		if (i < l->n)
			continue;
		dht_distance(cs[k].id, l->target, d);
		for (pos = l->n; pos > 0 && memcmp(l->c[pos - 1].dist, d, ID_LEN) > 0; pos--)
			;
		if (pos >= SHORTLIST)
			continue;
		if (l->n == SHORTLIST) {
			if (l->c[SHORTLIST - 1].state == C_INFLIGHT)
				continue;	/* never drop a candidate an rpc points at */
			l->n--;
		}
		memmove(&l->c[pos + 1], &l->c[pos], (l->n - pos) * sizeof(l->c[0]));
		l->c[pos].c = cs[k];
		memcpy(l->c[pos].dist, d, ID_LEN);
		l->c[pos].state = C_NEW;
		l->n++;
		/* rpcs refer to candidates by index: shift those that moved */
		for (int r = 0; r < MAX_RPCS; r++)
			if (rpcs[r].used && &lookups[rpcs[r].lookup] == l && rpcs[r].cand >= pos)
				rpcs[r].cand++;
	}
}

NOINLINE void dht_query(struct lookup *l, int ci)
{
	struct dht_msg m = { .txn = rng_next() };
	int r;

	for (r = 0; r < MAX_RPCS && rpcs[r].used; r++)
		;
	if (r == MAX_RPCS) {
		l->c[ci].state = C_FAILED;
		return;
	}
	rpcs[r] = (struct rpc){ true, m.txn, (int)(l - lookups), ci,
				now_mono_ns() + node.cfg.rpc_timeout_ms * 1000000ULL, now_mono_ns(),
				l->c[ci].c.udp_port };
	rpcs_used++;
	m.type = l->op == DHT_OP_GET ? DHT_FIND_VALUE : DHT_FIND_NODE;
	memcpy(m.target, l->target, ID_LEN);
	l->c[ci].state = C_INFLIGHT;
	l->inflight++;
	l->rpcs++;
	dht_send(&m, l->c[ci].c.ip, l->c[ci].c.udp_port, false);
}

/*
 * Keep alpha queries in flight among the k closest live candidates; the
 * lookup is over when none of those is left unasked and none is pending.
 */
NOINLINE void dht_lookup_step(struct lookup *l)
{
	int considered = 0;
	bool ok = false;

	if (l->op == DHT_OP_GET && l->found) {
		dht_lookup_finish(l, true);
		return;
	}
	for (int i = 0; i < l->n && considered < DHT_K; i++) {
		if (l->c[i].state == C_FAILED)
			continue;
		considered++;
		if (l->c[i].state == C_NEW && l->inflight < ALPHA)
			dht_query(l, i);
	}
	if (l->inflight)
		return;
	for (int i = 0; i < l->n; i++) {
		if (l->c[i].state != C_DONE)
			continue;
		if (l->op == DHT_OP_FIND)
			ok = !memcmp(l->c[i].c.id, l->target, ID_LEN);
		else
			ok = l->op != DHT_OP_GET;
		break;
	}
	dht_lookup_finish(l, ok);
}

NOINLINE void dht_lookup_begin(struct dht_job *j)
{
	struct contact seeds[DHT_K];
	struct lookup *l = NULL;
	struct stored *s;
	int n;

	for (int i = 0; i < MAX_LOOKUPS; i++) {
		if (!lookups[i].used) {
			l = &lookups[i];
			break;
		}
	}
	DTRACE_PROBE1(p2pnode, dht_lookup_start, j->lid);
	if (!l) {
		STAT_ADD(errors, 1);
		DTRACE_PROBE2(p2pnode, dht_lookup_done, j->lid, 0);
		ctl_emit("lookup %llu %s 0 0 0", (unsigned long long)j->lid, op_names[j->op]);
		return;
	}
	memset(l, 0, sizeof(*l));
	l->used = true;
	l->op = j->op;
	l->id = j->lid;
	l->start_ns = now_mono_ns();
	l->waiter = j->w;
	memcpy(l->target, j->target, ID_LEN);
	l->vlen = j->vlen;
	memcpy(l->value, j->value, j->vlen);
	if (l->op == DHT_OP_GET && (s = dht_store_slot(l->target, false))) {
		l->found = true;
		dht_lookup_finish(l, true);
		return;
	}
	n = rt_closest(&node.rt, l->target, seeds, DHT_K);
	dht_lookup_merge(l, seeds, n);
	dht_lookup_step(l);
}

NOINLINE void dht_on_reply(const struct dht_msg *m)
{
	struct lookup *l;
	struct rpc *rp = NULL;

	for (int r = 0; r < MAX_RPCS; r++) {
		if (rpcs[r].used && rpcs[r].txn == m->txn) {
			rp = &rpcs[r];
			break;
		}
	}
	if (!rp)
		return;		/* late reply after its timeout, or a STORE ack */
	from_add(&wait_from, rp->port, now_mono_ns() - rp->sent);
	l = &lookups[rp->lookup];
	rp->used = false;
	rpcs_used--;
	l->c[rp->cand].state = C_DONE;
	l->inflight--;
	if (m->type == DHT_VALUE && l->op == DHT_OP_GET) {
		l->found = true;
		l->vlen = m->vlen;
		memcpy(l->value, m->value, m->vlen);
	} else if (m->type == DHT_NODES) {
		dht_lookup_merge(l, m->contacts, m->ncontacts);
	}
	dht_lookup_step(l);
}

NOINLINE void dht_expire_rpcs(void)
{
	uint64_t now = now_mono_ns();

	if (!rpcs_used)
		return;
	for (int r = 0; r < MAX_RPCS; r++) {
		struct lookup *l;

		if (!rpcs[r].used || rpcs[r].deadline > now)
			continue;
		l = &lookups[rpcs[r].lookup];
		rpcs[r].used = false;
		rpcs_used--;
		STAT_ADD(dht_timeouts, 1);
		l->c[rpcs[r].cand].state = C_FAILED;
		l->inflight--;
		rt_fail(&node.rt, l->c[rpcs[r].cand].c.id);
		dht_lookup_step(l);
	}
}

NOINLINE uint64_t dht_next_deadline(void)
{
	uint64_t d = 0;

	if (!rpcs_used)
		return 0;
	for (int r = 0; r < MAX_RPCS; r++)
		if (rpcs[r].used && (!d || rpcs[r].deadline < d))
			d = rpcs[r].deadline;
	return d;
}

NOINLINE void dht_handle_datagram(struct dht_job *j)
{
	struct dht_msg m;
	struct contact c;

	if (dht_msg_decode(&m, j->buf, j->len)) {
		STAT_ADD(errors, 1);
		return;
	}
	from_add(&dgram_from, ntohs(j->from.sin_port), 1);
	/* the peer this worker now serves: its address and the first 8 bytes of its id */
	from_leave_out_begin();
	DTRACE_PROBE2(p2pnode, dht_serving, &j->from, id_prefix(m.sender));
	from_leave_out_end();
	/* Every message is evidence its sender is alive: refresh it in the table. */
	memcpy(c.id, m.sender, ID_LEN);
	c.ip = j->from.sin_addr.s_addr;
	c.udp_port = m.udp_port;
	c.tcp_port = m.tcp_port;
	rt_insert(&node.rt, &c);
	switch (m.type) {
	case DHT_PONG:
	case DHT_NODES:
	case DHT_VALUE:
	case DHT_STORE_ACK:
		dht_on_reply(&m);
		break;
	default:
		dht_serve(&m, &j->from);
	}
}

/*
 * The worker's CPU counts for a datagram's sender from the start of its
 * handling to the start of the next item (cpu_from), bookkeeping between
 * items included: its dht_serving probe tags the thread until the next one.
 * Its sends, the probe hit and the wait for the next item are left out
 * (from_leave_out_begin in from_counts.h says why).
 */
NOINLINE void *dht_worker_main(void *arg)
{
	struct from_stretch serving = { 0 };

	pthread_setname_np(pthread_self(), "dht-worker");
	while (!node_stopping()) {
		uint64_t deadline = dht_next_deadline();
		struct wq_item *it;

		from_leave_out_begin();
		it = workq_pop(&dht_q, deadline);
		from_leave_out_end();
		if (it) {
			struct dht_job *j = (struct dht_job *)it;

			if (j->is_request) {
				/* our own lookup: no peer's work */
				dht_stretch(&serving, NULL, 0);
				DTRACE_PROBE2(p2pnode, dht_serving, NULL, 0);
				dht_lookup_begin(j);
			} else {
				dht_stretch(&serving, NULL, ntohs(j->from.sin_port));
				dht_handle_datagram(j);
			}
			free(j);
		}
		dht_expire_rpcs();
	}
	dht_stretch(&serving, NULL, 0);
	return NULL;
}

/* ---- called from other threads ---------------------------------------- */

/*
 * p2p-loop: drain the socket, hand each datagram to the worker.  The loop's
 * CPU from one datagram's read to the next read counts for the first
 * datagram's sender (cpu_from and loop_cpu_from): as a profiler that tags a
 * thread by its last read sees it.  The reads themselves count for nobody:
 * the tag changes inside them, and with peerscope's sock collector attached
 * most of a read's CPU is its tracepoint programs, which the thread's clock
 * counts and no CPU sample can see (docs/peers.md).  The hand-off to the
 * worker (a futex wake) is left out for the same reason.
 */
NOINLINE void dht_on_readable(void)
{
	struct from_stretch serving = { 0 };

	for (;;) {
		struct dht_job *j = malloc(sizeof(*j));
		socklen_t alen = sizeof(j->from);
		ssize_t n;

		if (!j)
			break;
		dht_stretch(&serving, &loop_cpu_from, 0);
		n = recvfrom(node.udp_fd, j->buf, sizeof(j->buf), MSG_DONTWAIT,
			     (struct sockaddr *)&j->from, &alen);
		if (n <= 0) {
			free(j);
			break;
		}
		dht_stretch(&serving, &loop_cpu_from, ntohs(j->from.sin_port));
		STAT_ADD(dht_rx_msgs, 1);
		STAT_ADD(dht_rx_bytes, n);
		j->is_request = false;
		j->len = n;
		from_leave_out_begin();
		workq_push(&dht_q, &j->link);
		from_leave_out_end();
	}
}

void dht_request(enum dht_op op, uint64_t lookup_id, const uint8_t *target,
		 const void *value, uint16_t vlen, struct dht_waiter *w)
{
	struct dht_job *j = calloc(1, sizeof(*j));

	if (!j)
		return;
	j->is_request = true;
	j->op = op;
	j->lid = lookup_id;
	memcpy(j->target, target, ID_LEN);
	j->vlen = vlen > DHT_VALUE_MAX ? DHT_VALUE_MAX : vlen;
	if (value)
		memcpy(j->value, value, j->vlen);
	j->w = w;
	workq_push(&dht_q, &j->link);
}

int dht_init(void)
{
	workq_init(&dht_q);
	if (node.cfg.inject & INJ_DHT_CPU)
		dht_distance_expensive = true;
	return pthread_create(&dht_thread, NULL, dht_worker_main, NULL) ? -1 : 0;
}

void dht_shutdown(void)
{
	workq_close(&dht_q);
	pthread_join(dht_thread, NULL);
}
