// SPDX-License-Identifier: GPL-2.0
/*
 * gossip.c - GossipSub-like flooding over a TCP mesh of D peers.
 *
 * The loop reads frames and queues them; gossip-N workers validate,
 * de-duplicate with the seen-cache, deliver and forward to every mesh peer
 * but the sender.  Any thread may write to a peer: the peer's write lock
 * serialises frames, and what the socket cannot take now waits in the
 * peer's out buffer for EPOLLOUT.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/sdt.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "from_counts.h"
#include "node.h"
#include "seen_cache.h"
#include "workq.h"

#define MAX_PEERS		256
#define SEEN_CAPACITY		8192
#define SMALL_WRITE_BYTES	4	/* --inject small-writes: bytes per write() */
#define CHURN_ROUNDS		64	/* --inject alloc-churn: copies per message */
#define CHURN_CHUNK		8
#define LOCK_BUSY_NS		300000	/* --inject gossip-lock: held this long ... */
#define LOCK_SLEEP_NS		1700000	/* ... plus this long asleep */
#define MAX_HOPS		64

struct peer {
	int fd;
	int refs;
	bool dead, mesh;
	uint16_t index;
	uint16_t rport;		/* the connection's remote TCP port (per-sender counts) */
	struct sockaddr_in ra;	/* the connection's remote end (USDT gossip_serving) */
	struct contact c;
	struct loop_src src;
	pthread_mutex_t wlock;
	uint8_t *out;
	size_t olen, ocap;
	bool want_out;
	struct frame_buf in;		/* p2p-loop only */
	struct peer *grave_next;	/* p2p-loop only */
};

struct gossip_job {
	struct wq_item link;
	bool publish;
	uint32_t size;
	struct peer *from;	/* holds a reference */
	uint32_t len;
	uint8_t data[];
};

struct gossip_tx {
	struct peer *p;		/* holds a reference */
	uint32_t len;
	uint8_t buf[];
};

static pthread_mutex_t peers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct peer *peers[MAX_PEERS];
static struct peer *graveyard;

static struct workq gossip_q;
static pthread_t *workers;
static pthread_t mesh_thread;
static bool mesh_started;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static struct seen_cache seen;
/* The global lock --inject gossip-lock holds across validation. */
static pthread_mutex_t validate_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t pub_seq;
/* per sender (remote TCP port): frames handled, CPU ns handling them */
static struct from_counts frames_from = FROM_COUNTS_INIT;
static struct from_counts cpu_from = FROM_COUNTS_INIT;

void gossip_frames_from(char *buf, size_t len)
{
	from_format(&frames_from, buf, len);
}

void gossip_cpu_from(char *buf, size_t len)
{
	from_format(&cpu_from, buf, len);
}

/* ---- peer lifetime ---------------------------------------------------- */

void peer_get(struct peer *p)
{
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
}

void peer_put(struct peer *p)
{
	if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL))
		return;
	frame_buf_free(&p->in);
	free(p->out);
	pthread_mutex_destroy(&p->wlock);
	free(p);
}

int peer_fd(struct peer *p) { return p->fd; }
struct frame_buf *peer_inbuf(struct peer *p) { return &p->in; }

static struct peer *peer_new(int fd, enum src_kind kind)
{
	struct peer *p = calloc(1, sizeof(*p));
	int slot = -1;

	if (!p)
		return NULL;
	p->fd = fd;
	p->refs = 1;		/* the table's reference */
	{
		struct sockaddr_in sa;
		socklen_t alen = sizeof(sa);

		if (!getpeername(fd, (struct sockaddr *)&sa, &alen) && sa.sin_family == AF_INET) {
			p->rport = ntohs(sa.sin_port);
			p->ra = sa;
		}
	}
	p->src = (struct loop_src){ kind, p };
	pthread_mutex_init(&p->wlock, NULL);
	pthread_mutex_lock(&peers_lock);
	for (int i = 0; i < MAX_PEERS; i++) {
		if (!peers[i]) {
			peers[i] = p;
			slot = i;
			break;
		}
	}
	pthread_mutex_unlock(&peers_lock);
	if (slot < 0) {
		peer_put(p);
		return NULL;
	}
	return p;
}

/* p2p-loop only.  The table's reference goes to the graveyard until the batch ends. */
NOINLINE void gossip_close(struct peer *p)
{
	if (p->dead)
		return;
	pthread_mutex_lock(&p->wlock);
	p->dead = true;
	close(p->fd);	/* under the lock: no writer may see a reused fd */
	pthread_mutex_unlock(&p->wlock);
	pthread_mutex_lock(&peers_lock);
	for (int i = 0; i < MAX_PEERS; i++)
		if (peers[i] == p)
			peers[i] = NULL;
	pthread_mutex_unlock(&peers_lock);
	p->grave_next = graveyard;
	graveyard = p;
}

void gossip_reap(void)
{
	while (graveyard) {
		struct peer *p = graveyard;

		graveyard = p->grave_next;
		peer_put(p);
	}
}

void gossip_on_hangup(struct peer *p) { gossip_close(p); }
void gossip_peer_reject(struct peer *p) { gossip_close(p); }

struct peer *gossip_new_inbound(int fd)
{
	struct peer *p = peer_new(fd, SRC_HANDSHAKE);

	if (!p) {
		close(fd);
		return NULL;
	}
	if (loop_add(fd, EPOLLIN, &p->src))
		gossip_close(p);
	return p;
}

NOINLINE void gossip_on_accept(void)
{
	for (;;) {
		int fd = accept4(node.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		conn_tune(fd);
		gossip_new_inbound(fd);
	}
}

/* A dialled connection whose hello was accepted joins the loop as a mesh peer. */
struct peer *gossip_adopt(int fd, const struct hello *h, uint32_t ip)
{
	struct peer *p;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	p = peer_new(fd, SRC_PEER);
	if (!p) {
		close(fd);
		return NULL;
	}
	memcpy(p->c.id, h->id, ID_LEN);
	p->c.ip = ip;
	p->c.udp_port = h->udp_port;
	p->c.tcp_port = h->tcp_port;
	p->index = h->index;
	p->mesh = true;
	if (loop_add(fd, EPOLLIN, &p->src)) {
		/* Not in the loop, so gossip_close (loop-only) is not ours to call. */
		pthread_mutex_lock(&peers_lock);
		for (int i = 0; i < MAX_PEERS; i++)
			if (peers[i] == p)
				peers[i] = NULL;
		pthread_mutex_unlock(&peers_lock);
		close(fd);
		peer_put(p);
		return NULL;
	}
	return p;
}

/* p2p-loop: an inbound peer finished its hello and we admitted it. */
void gossip_peer_activate(struct peer *p)
{
	p->mesh = true;
	p->src.kind = SRC_PEER;
	loop_mod(p->fd, EPOLLIN, &p->src);
}

void gossip_peer_identify(struct peer *p, const struct hello *h, uint32_t ip)
{
	pthread_mutex_lock(&peers_lock);
	memcpy(p->c.id, h->id, ID_LEN);
	p->c.ip = ip;
	p->c.udp_port = h->udp_port;
	p->c.tcp_port = h->tcp_port;
	p->index = h->index;
	pthread_mutex_unlock(&peers_lock);
}

bool gossip_connected(const uint8_t *id)
{
	bool found = false;

	pthread_mutex_lock(&peers_lock);
	for (int i = 0; i < MAX_PEERS && !found; i++)
		found = peers[i] && !peers[i]->dead && !memcmp(peers[i]->c.id, id, ID_LEN);
	pthread_mutex_unlock(&peers_lock);
	return found;
}

int gossip_mesh_count(void)
{
	int n = 0;

	pthread_mutex_lock(&peers_lock);
	for (int i = 0; i < MAX_PEERS; i++)
		n += peers[i] && peers[i]->mesh && !peers[i]->dead;
	pthread_mutex_unlock(&peers_lock);
	return n;
}

NOINLINE int gossip_mesh_snapshot(struct peer **out, int max)
{
	int n = 0;

	pthread_mutex_lock(&peers_lock);
	for (int i = 0; i < MAX_PEERS && n < max; i++) {
		if (peers[i] && peers[i]->mesh && !peers[i]->dead) {
			peer_get(peers[i]);
			out[n++] = peers[i];
		}
	}
	pthread_mutex_unlock(&peers_lock);
	return n;
}

/* ---- writing ---------------------------------------------------------- */

/* --inject small-writes: the same bytes, a few per syscall. */
NOINLINE ssize_t gossip_write_small(int fd, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t chunk = len - done < SMALL_WRITE_BYTES ? len - done : SMALL_WRITE_BYTES;
		ssize_t n = send(fd, buf + done, chunk, MSG_NOSIGNAL | MSG_DONTWAIT);

		STAT_ADD(gossip_tx_writes, 1);
		if (n <= 0)
			return done ? (ssize_t)done : n;
		done += n;
	}
	return done;
}

/* Called with p->wlock held. */
NOINLINE void gossip_flush_locked(struct peer *p)
{
	while (p->olen && !p->dead) {
		ssize_t n;

		if (node.cfg.inject & INJ_SMALL_WRITES) {
			n = gossip_write_small(p->fd, p->out, p->olen);
		} else {
			n = send(p->fd, p->out, p->olen, MSG_NOSIGNAL | MSG_DONTWAIT);
			STAT_ADD(gossip_tx_writes, 1);
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			p->olen = 0;	/* broken: the loop sees the hangup and closes it */
			STAT_ADD(errors, 1);
			break;
		}
		memmove(p->out, p->out + n, p->olen - n);
		p->olen -= n;
	}
	if (p->dead)
		return;
	if (p->olen && !p->want_out) {
		p->want_out = true;
		loop_mod(p->fd, EPOLLIN | EPOLLOUT, &p->src);
	} else if (!p->olen && p->want_out) {
		p->want_out = false;
		loop_mod(p->fd, EPOLLIN, &p->src);
	}
}

NOINLINE void gossip_write_frame(struct peer *p, const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&p->wlock);
	if (p->dead) {
		pthread_mutex_unlock(&p->wlock);
		return;
	}
	if (p->olen + len > p->ocap) {
		size_t cap = p->ocap ? p->ocap : 4096;
		uint8_t *o;

		while (cap < p->olen + len)
			cap *= 2;
		o = realloc(p->out, cap);
		if (!o) {
			pthread_mutex_unlock(&p->wlock);
			STAT_ADD(errors, 1);
			return;
		}
		p->out = o;
		p->ocap = cap;
	}
	memcpy(p->out + p->olen, buf, len);
	p->olen += len;
	STAT_ADD(gossip_tx_msgs, 1);
	STAT_ADD(gossip_tx_bytes, len);
	gossip_flush_locked(p);
	pthread_mutex_unlock(&p->wlock);
}

NOINLINE void gossip_send_now(void *arg)
{
	struct gossip_tx *tx = arg;

	gossip_write_frame(tx->p, tx->buf, tx->len);
	peer_put(tx->p);
	free(tx);
}

NOINLINE void gossip_send(struct peer *p, const uint8_t *buf, size_t len)
{
	struct gossip_tx *tx;

	if (!node.cfg.latency_ms && !node.cfg.jitter_ms) {
		gossip_write_frame(p, buf, len);
		return;
	}
	tx = malloc(sizeof(*tx) + len);
	if (!tx)
		return;
	peer_get(p);
	tx->p = p;
	tx->len = len;
	memcpy(tx->buf, buf, len);
	loop_after(netem_delay_ns(), gossip_send_now, tx);
}

void gossip_on_writable(struct peer *p)
{
	pthread_mutex_lock(&p->wlock);
	gossip_flush_locked(p);
	pthread_mutex_unlock(&p->wlock);
}

/* ---- reading (p2p-loop) ----------------------------------------------- */

static NOINLINE void gossip_read_frames(struct peer *p);

/* p2p-loop: what reading and queueing p's frames cost counts for p (cpu_from). */
NOINLINE void gossip_on_readable(struct peer *p)
{
	uint64_t t0 = thread_cpu_ns();
	uint16_t port = p->rport;

	gossip_read_frames(p);
	from_add(&cpu_from, port, thread_cpu_ns() - t0);
}

static NOINLINE void gossip_read_frames(struct peer *p)
{
	uint8_t buf[65536];
	const uint8_t *payload;
	uint32_t plen;
	uint8_t type;
	int r;

	if (p->dead)
		return;
	for (;;) {
		ssize_t n = read(p->fd, buf, sizeof(buf));

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			gossip_close(p);
			return;
		}
		if (n < 0)
			break;
		STAT_ADD(gossip_rx_reads, 1);
		STAT_ADD(gossip_rx_bytes, n);
		if (frame_feed(&p->in, buf, n)) {
			gossip_close(p);
			return;
		}
	}
	while ((r = frame_next(&p->in, &type, &payload, &plen)) == 1) {
		struct gossip_job *j;

		if (type != FR_GOSSIP)
			continue;
		STAT_ADD(gossip_rx_msgs, 1);
		j = malloc(sizeof(*j) + plen);
		if (!j)
			continue;
		j->publish = false;
		peer_get(p);
		j->from = p;
		j->len = plen;
		memcpy(j->data, payload, plen);
		workq_push(&gossip_q, &j->link);
	}
	if (r < 0) {
		STAT_ADD(errors, 1);
		gossip_close(p);
	}
}

/* ---- the gossip path proper (gossip-N workers) ------------------------- */

struct churn_chunk {
	struct churn_chunk *next;
	uint8_t b[CHURN_CHUNK];
};

/* --inject alloc-churn: copy a message through a list of tiny heap chunks, many times. */
NOINLINE void gossip_copy_churn(const uint8_t *src, size_t len, uint8_t *dst)
{
	for (int round = 0; round < CHURN_ROUNDS; round++) {
		struct churn_chunk *head = NULL, **tail = &head, *c;
		size_t off;

		for (off = 0; off < len; off += CHURN_CHUNK) {
			c = malloc(sizeof(*c));
			if (!c)
				break;
			c->next = NULL;
			memcpy(c->b, src + off, len - off < CHURN_CHUNK ? len - off : CHURN_CHUNK);
			*tail = c;
			tail = &c->next;
		}
		for (off = 0; head; off += CHURN_CHUNK) {
			c = head;
			head = c->next;
			memcpy(dst + off, c->b, len - off < CHURN_CHUNK ? len - off : CHURN_CHUNK);
			free(c);
		}
	}
}

/*
 * expensive-peer: a frame asks its receiver for m->work units of checking
 * (a proof the sender attaches, say), VALIDATE_UNIT_ROUNDS hashes of the
 * payload each.  Honest nodes ask for node.cfg.gossip_work units (p2pnet
 * gives every node 1 when the network has an expensive peer, else 0), the
 * expensive peer for EXPENSIVE_FACTOR times that.
 */
#define VALIDATE_UNIT_ROUNDS	1024

static volatile uint32_t validate_sink;	/* keeps the work from being optimised away */

NOINLINE bool gossip_validate_work(const struct gossip_msg *m)
{
	uint32_t h = m->csum;

	for (uint32_t i = 0; i < (uint32_t)m->work * VALIDATE_UNIT_ROUNDS; i++)
		h = h * 31 + fnv1a(m->data, m->len);
	validate_sink = h;
	return true;	/* the work is the point: every proof passes */
}

/* The work units this node asks of the receivers of its frames. */
static uint8_t gossip_work_asked(void)
{
	unsigned w = node.cfg.gossip_work;

	if (node.cfg.inject & INJ_EXPENSIVE_PEER)
		w = (w ? w : 1) * EXPENSIVE_FACTOR;
	return w > 255 ? 255 : (uint8_t)w;
}

NOINLINE bool gossip_validate_body(const struct gossip_msg *m)
{
	if (m->work && !gossip_validate_work(m))
		return false;
	return m->hops < MAX_HOPS && m->id && fnv1a(m->data, m->len) == m->csum;
}

/* Burn CPU while holding the lock, so the holder is on-CPU for part of it. */
NOINLINE void gossip_validate_busy(uint64_t ns)
{
	uint64_t end = now_mono_ns() + ns;

	while (now_mono_ns() < end)
		;
}

/*
 * Every copy is validated before it may touch the seen-cache: marking an id
 * seen before checking it would let one forged frame suppress the real one.
 */
NOINLINE bool gossip_validate(const struct gossip_msg *m)
{
	bool ok;

	if (!(node.cfg.inject & INJ_GOSSIP_LOCK))
		return gossip_validate_body(m);
	pthread_mutex_lock(&validate_lock);
	ok = gossip_validate_body(m);
	gossip_validate_busy(LOCK_BUSY_NS);
	{
		struct timespec ts = { 0, LOCK_SLEEP_NS };

		nanosleep(&ts, NULL);
	}
	pthread_mutex_unlock(&validate_lock);
	return ok;
}

NOINLINE bool gossip_seen(uint64_t id)
{
	bool dup;

	pthread_mutex_lock(&seen_lock);
	dup = seen_check_add(&seen, id);
	pthread_mutex_unlock(&seen_lock);
	return dup;
}

NOINLINE void gossip_deliver(const struct gossip_msg *m)
{
	DTRACE_PROBE1(p2pnode, gossip_deliver, m->id);
	STAT_ADD(gossip_delivered, 1);
	ctl_emit("dlv %llu %llu %llu %llu %u %u", (unsigned long long)m->id,
		 (unsigned long long)m->pub_mono, (unsigned long long)now_mono_ns(),
		 (unsigned long long)now_real_ns(), m->hops, m->origin);
}

NOINLINE void gossip_forward(const struct gossip_msg *m, struct peer *from)
{
	struct peer *mesh[MAX_PEERS];
	uint8_t *frame, *copy = NULL;
	int len, n;

	frame = malloc(FRAME_HDR + GOSSIP_HDR_LEN + m->len);
	if (!frame)
		return;
	len = gossip_msg_encode(m, frame + FRAME_HDR, GOSSIP_HDR_LEN + m->len);
	len = len < 0 ? -1 : frame_put(frame, FRAME_HDR + len, FR_GOSSIP, frame + FRAME_HDR, len);
	if (len < 0) {
		free(frame);
		return;
	}
	if (node.cfg.inject & INJ_ALLOC_CHURN)
		copy = malloc(len);
	n = gossip_mesh_snapshot(mesh, MAX_PEERS);
	for (int i = 0; i < n; i++) {
		if (mesh[i] != from) {
			if (copy) {
				/* a private copy per peer, made the expensive way */
				gossip_copy_churn(frame, len, copy);
				gossip_send(mesh[i], copy, len);
			} else {
				gossip_send(mesh[i], frame, len);
			}
		}
		peer_put(mesh[i]);
	}
	free(copy);
	free(frame);
}

NOINLINE void gossip_handle_frame(struct gossip_job *j)
{
	struct gossip_msg *m = malloc(sizeof(*m));

	if (!m)
		return;
	if (node.cfg.inject & INJ_ALLOC_CHURN) {
		uint8_t *copy = malloc(j->len);

		if (copy) {
			gossip_copy_churn(j->data, j->len, copy);
			memcpy(j->data, copy, j->len);
			free(copy);
		}
	}
	if (gossip_msg_decode(m, j->data, j->len) || !gossip_validate(m)) {
		STAT_ADD(gossip_invalid, 1);
		free(m);
		return;
	}
	if (gossip_seen(m->id)) {
		STAT_ADD(gossip_dups, 1);
		free(m);
		return;
	}
	m->hops++;
	m->work = gossip_work_asked();
	gossip_deliver(m);
	gossip_forward(m, j->from);
	free(m);
}

NOINLINE void gossip_publish(uint32_t size)
{
	struct gossip_msg *m = malloc(sizeof(*m));

	if (!m)
		return;
	m->id = (uint64_t)(node.cfg.index + 1) << 40 | __atomic_add_fetch(&pub_seq, 1, __ATOMIC_RELAXED);
	m->origin = node.cfg.index;
	m->hops = 0;
	m->work = gossip_work_asked();
	m->len = size > GOSSIP_PAYLOAD_MAX ? GOSSIP_PAYLOAD_MAX : size;
	for (uint32_t i = 0; i < m->len; i++)
		m->data[i] = (uint8_t)rng_next();
	m->csum = fnv1a(m->data, m->len);
	m->pub_mono = now_mono_ns();
	DTRACE_PROBE1(p2pnode, gossip_publish, m->id);
	STAT_ADD(gossip_published, 1);
	gossip_seen(m->id);
	ctl_emit("pub %llu %llu %llu", (unsigned long long)m->id,
		 (unsigned long long)m->pub_mono, (unsigned long long)now_real_ns());
	gossip_forward(m, NULL);
	free(m);
}

NOINLINE void *gossip_worker_main(void *arg)
{
	char name[16];
	struct wq_item *it;

	snprintf(name, sizeof(name), "gossip-%d", (int)(intptr_t)arg);
	pthread_setname_np(pthread_self(), name);
	while ((it = workq_pop(&gossip_q, 0))) {
		struct gossip_job *j = (struct gossip_job *)it;

		if (j->publish) {
			gossip_publish(j->size);
		} else {
			uint64_t t0 = thread_cpu_ns();

			/* the peer this worker now serves: the connection and the peer's id */
			DTRACE_PROBE2(p2pnode, gossip_serving, &j->from->ra, id_prefix(j->from->c.id));
			gossip_handle_frame(j);
			from_add(&cpu_from, j->from->rport, thread_cpu_ns() - t0);
			from_add(&frames_from, j->from->rport, 1);
			peer_put(j->from);
		}
		free(j);
	}
	return NULL;
}

void gossip_request_publish(uint32_t size)
{
	struct gossip_job *j = calloc(1, sizeof(*j));

	if (!j)
		return;
	j->publish = true;
	j->size = size;
	workq_push(&gossip_q, &j->link);
}

/* ---- the mesh keeper (gossip-mesh) ------------------------------------- */

/* Dial random known peers until the mesh has D members again. */
NOINLINE void gossip_mesh_fill(void)
{
	static struct contact cs[ID_BITS * DHT_K];
	int n;

	if (gossip_mesh_count() >= node.cfg.mesh_d)
		return;
	n = rt_all(&node.rt, cs, ID_BITS * DHT_K);
	for (int i = n - 1; i > 0; i--) {
		int k = rng_next() % (i + 1);
		struct contact t = cs[i];

		cs[i] = cs[k];
		cs[k] = t;
	}
	for (int i = 0; i < n && gossip_mesh_count() < node.cfg.mesh_d && !node_stopping(); i++) {
		struct hello ack;
		int fd;

		if (gossip_connected(cs[i].id))
			continue;
		fd = conn_dial(cs[i].ip, cs[i].tcp_port, 0, &ack, 2000);
		if (fd < 0)
			continue;
		if (ack.flags & HELLO_ACCEPT)
			gossip_adopt(fd, &ack, cs[i].ip);
		else
			close(fd);
	}
}

NOINLINE void *gossip_mesh_main(void *arg)
{
	pthread_setname_np(pthread_self(), "gossip-mesh");
	while (!node_stopping()) {
		struct timespec ts = { 0, 100000000 };

		for (int i = 0; i < 10 && !node_stopping(); i++)
			nanosleep(&ts, NULL);
		gossip_mesh_fill();
	}
	return NULL;
}

void gossip_start_mesh_keeper(void)
{
	mesh_started = !pthread_create(&mesh_thread, NULL, gossip_mesh_main, NULL);
}

int gossip_init(void)
{
	workq_init(&gossip_q);
	if (seen_init(&seen, SEEN_CAPACITY))
		return -1;
	workers = calloc(node.cfg.workers, sizeof(*workers));
	if (!workers)
		return -1;
	for (int i = 0; i < node.cfg.workers; i++)
		if (pthread_create(&workers[i], NULL, gossip_worker_main, (void *)(intptr_t)i))
			return -1;
	return 0;
}

void gossip_shutdown(void)
{
	workq_close(&gossip_q);
	for (int i = 0; i < node.cfg.workers; i++)
		pthread_join(workers[i], NULL);
	if (mesh_started)
		pthread_join(mesh_thread, NULL);
}
