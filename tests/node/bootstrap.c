// SPDX-License-Identifier: GPL-2.0
/*
 * bootstrap.c - joining the network, and answering others who join.
 *
 * Joining (bootstrap thread): dial the seed over TCP and exchange hellos,
 * run the DHT self-lookup to fill the buckets, dial D random known peers
 * for the gossip mesh, report "ready".  Answering (p2p-loop): read an
 * inbound hello, admit or refuse the peer in the ack.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/sdt.h>

#include "node.h"

#define BOOTSTRAP_SLOW_NS	(250 * 1000000ULL)	/* --inject bootstrap-slow */
#define SEED_RETRY_NS		(10 * 1000000000ULL)
#define SELF_LOOKUP_WAIT_S	10
#define SELF_LOOKUP_TRIES	5	/* lost replies can starve one attempt */

struct pending_ack {
	struct peer *p;		/* holds a reference */
	bool accept;
};

/* ---- answering (p2p-loop) --------------------------------------------- */

NOINLINE void bootstrap_send_hello_ack(void *arg)
{
	struct pending_ack *a = arg;
	uint8_t hb[HELLO_LEN], fr[FRAME_HDR + HELLO_LEN];
	struct hello h;
	int fd = peer_fd(a->p), len;

	conn_make_hello(&h, a->accept ? HELLO_ACCEPT : 0);
	hello_encode(&h, hb);
	len = frame_put(fr, sizeof(fr), FR_HELLO_ACK, hb, HELLO_LEN);
	/* 32 bytes into an idle socket: a non-blocking send takes it whole. */
	if (send(fd, fr, len, MSG_NOSIGNAL | MSG_DONTWAIT) != len || !a->accept)
		gossip_peer_reject(a->p);
	else
		gossip_peer_activate(a->p);
	peer_put(a->p);
	free(a);
}

NOINLINE void bootstrap_on_readable(struct peer *p)
{
	struct frame_buf *fb = peer_inbuf(p);
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	const uint8_t *payload;
	struct pending_ack *a;
	struct contact c;
	struct hello h;
	uint8_t buf[512], type;
	uint32_t plen;
	ssize_t n;
	int r;

	n = read(peer_fd(p), buf, sizeof(buf));
	if (n == 0 || (n < 0 && errno != EAGAIN)) {
		gossip_on_hangup(p);
		return;
	}
	if (n < 0 || frame_feed(fb, buf, n))
		return;
	r = frame_next(fb, &type, &payload, &plen);
	if (r == 0)
		return;
	if (r < 0 || type != FR_HELLO || hello_decode(&h, payload, plen)) {
		gossip_peer_reject(p);
		return;
	}
	getpeername(peer_fd(p), (struct sockaddr *)&sa, &salen);
	gossip_peer_identify(p, &h, sa.sin_addr.s_addr);
	/* A hello names the peer's DHT port too: worth a routing-table entry. */
	c = (struct contact){ .ip = sa.sin_addr.s_addr, .udp_port = h.udp_port,
			      .tcp_port = h.tcp_port };
	memcpy(c.id, h.id, ID_LEN);
	rt_insert(&node.rt, &c);
	a = malloc(sizeof(*a));
	if (!a) {
		gossip_peer_reject(p);
		return;
	}
	peer_get(p);
	a->p = p;
	/* Joiners are always admitted, so the network stays connected through them. */
	a->accept = (h.flags & HELLO_BOOT) || gossip_mesh_count() < MESH_D_HI;
	if (node.cfg.inject & INJ_BOOTSTRAP_SLOW)
		loop_after(BOOTSTRAP_SLOW_NS, bootstrap_send_hello_ack, a);
	else
		bootstrap_send_hello_ack(a);
}

/* ---- joining (bootstrap thread) --------------------------------------- */

NOINLINE int bootstrap_dial_seed(void)
{
	uint64_t give_up = now_mono_ns() + SEED_RETRY_NS;
	struct contact c;
	struct hello ack;
	int fd;

	for (;;) {
		fd = conn_dial(node.cfg.boot_ip, node.cfg.boot_port, HELLO_BOOT, &ack, 5000);
		if (fd >= 0)
			break;
		if (node_stopping() || now_mono_ns() > give_up)
			return -1;
		usleep(100000);	/* the seed may still be starting */
	}
	c = (struct contact){ .ip = node.cfg.boot_ip, .udp_port = ack.udp_port,
			      .tcp_port = ack.tcp_port };
	memcpy(c.id, ack.id, ID_LEN);
	rt_insert(&node.rt, &c);
	if (!gossip_adopt(fd, &ack, node.cfg.boot_ip))
		return -1;
	return 0;
}

NOINLINE int bootstrap_self_lookup(void)
{
	struct dht_waiter w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
	struct timespec dl;
	int ok;

	dht_request(DHT_OP_SELF, (uint64_t)1 << 63 | (uint64_t)node.cfg.index, node.id, NULL, 0, &w);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += SELF_LOOKUP_WAIT_S;
	pthread_mutex_lock(&w.lock);
	while (!w.done)
		if (pthread_cond_timedwait(&w.cond, &w.lock, &dl))
			break;
	ok = w.done && w.ok;
	/* The worker may still signal w after a timeout: it lives on this stack, so wait. */
	while (!w.done)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	return ok ? 0 : -1;
}

NOINLINE void bootstrap_dial_mesh(const struct contact *c)
{
	struct hello ack;
	int fd = conn_dial(c->ip, c->tcp_port, 0, &ack, 2000);

	if (fd < 0)
		return;
	if (ack.flags & HELLO_ACCEPT)
		gossip_adopt(fd, &ack, c->ip);
	else
		close(fd);
}

/* Random peers, not the closest: closest-only meshes cluster and partition. */
NOINLINE void bootstrap_build_mesh(void)
{
	static struct contact cs[ID_BITS * DHT_K];
	int n = rt_all(&node.rt, cs, ID_BITS * DHT_K);

	for (int i = n - 1; i > 0; i--) {
		int k = rng_next() % (i + 1);
		struct contact t = cs[i];

		cs[i] = cs[k];
		cs[k] = t;
	}
	for (int i = 0; i < n && gossip_mesh_count() < node.cfg.mesh_d && !node_stopping(); i++)
		if (!gossip_connected(cs[i].id))
			bootstrap_dial_mesh(&cs[i]);
}

NOINLINE void bootstrap_run(void)
{
	uint64_t t0 = now_mono_ns();
	int err = 0;

	DTRACE_PROBE(p2pnode, bootstrap_start);
	if (node.cfg.has_boot) {
		if (bootstrap_dial_seed()) {
			ctl_emit("err bootstrap: cannot reach the seed");
			err = 1;
		} else {
			int tries = 0;

			while (bootstrap_self_lookup() && ++tries < SELF_LOOKUP_TRIES && !node_stopping())
				;
			if (tries == SELF_LOOKUP_TRIES) {
				ctl_emit("err bootstrap: self-lookup found nobody in %d tries", tries);
				err = 1;
			}
		}
		if (!err)
			bootstrap_build_mesh();
	}
	node.bootstrap_ns = now_mono_ns() - t0;
	DTRACE_PROBE1(p2pnode, bootstrap_done, node.bootstrap_ns);
	if (err) {
		STAT_ADD(errors, 1);
		ctl_emit("fail %llu", (unsigned long long)node.bootstrap_ns);
		return;
	}
	__atomic_store_n(&node.ready, 1, __ATOMIC_RELEASE);
	ctl_emit("ready %llu %d %d", (unsigned long long)node.bootstrap_ns,
		 rt_size(&node.rt), gossip_mesh_count());
}

NOINLINE void *bootstrap_main(void *arg)
{
	pthread_setname_np(pthread_self(), "bootstrap");
	bootstrap_run();
	if (!node_stopping())
		gossip_start_mesh_keeper();
	return NULL;
}

void bootstrap_start_thread(void)
{
	pthread_t t;

	if (!pthread_create(&t, NULL, bootstrap_main, NULL))
		pthread_detach(t);
}
