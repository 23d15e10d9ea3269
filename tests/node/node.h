/* SPDX-License-Identifier: GPL-2.0 */
/*
 * node.h - the p2pnode process: configuration, shared state and the
 * interfaces between its parts.
 *
 * Threads:  p2p-loop    epoll: sockets, control channel, timers (main thread)
 *           dht-worker  all DHT protocol state: requests, lookups, timeouts
 *           gossip-N    validation, de-duplication, delivery, forwarding
 *           bootstrap   joins the network, then exits
 *           gossip-mesh keeps the mesh at D peers
 *           cpu-hog-N   only with --inject cpu-starve
 * Function names carry the path they serve (dht_, gossip_, bootstrap_) so a
 * profiler can attribute samples by symbol.
 */
#ifndef P2P_NODE_H
#define P2P_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <pthread.h>

#include "dht_table.h"
#include "frame.h"

#define NOINLINE __attribute__((noinline))

#define DEFAULT_BASE_PORT	4000
#define TCP_PORT_OFFSET		1000	/* gossip tcp = base + 1000 + index */
#define MESH_D_DEFAULT		6
#define MESH_D_HI		12
#define GOSSIP_WORKERS		3

enum inject_bit {
	INJ_DHT_CPU		= 1 << 0,
	INJ_GOSSIP_LOCK		= 1 << 1,
	INJ_BOOTSTRAP_SLOW	= 1 << 2,
	INJ_DHT_LOSS		= 1 << 3,
	INJ_ALLOC_CHURN		= 1 << 4,
	INJ_SMALL_WRITES	= 1 << 5,
	INJ_CPU_STARVE		= 1 << 6,
	INJ_ABUSIVE_PEER	= 1 << 7,
	INJ_EXPENSIVE_PEER	= 1 << 8,
	INJ_SLOW_PEER		= 1 << 9,
};

/* abusive-peer: every DHT request is sent this many times */
#define ABUSE_FACTOR		10
/* expensive-peer: its gossip frames ask this many times the validation work */
#define EXPENSIVE_FACTOR	10
/* slow-peer: it answers DHT requests this late (under the 250 ms rpc timeout) */
#define SLOW_PEER_MS		50

/*
 * Per-sender counters as "PORT:N,PORT:N" (ctl stats): dht.c's requests
 * served, datagrams handled, CPU ns spent handling them, and ns our
 * requests waited for each peer's replies; gossip.c's frames handled and CPU
 * ns spent handling them (by the connection's remote TCP port).
 */
#define REQ_FROM_TEXT 1024
void dht_requests_from(char *buf, size_t len);
void dht_datagrams_from(char *buf, size_t len);
void dht_cpu_from(char *buf, size_t len);
void dht_loop_cpu_from(char *buf, size_t len);
void dht_wait_from(char *buf, size_t len);
void gossip_frames_from(char *buf, size_t len);
void gossip_cpu_from(char *buf, size_t len);

/* inject.c: shared with the driver, which validates --inject the same way. */
int inject_parse(const char *list, unsigned *bits, char *bad, size_t badlen);
const char *inject_names(void);
void inject_start_hogs(void);

struct node_cfg {
	int index;
	uint32_t bind_ip;		/* network order */
	uint16_t udp_port, tcp_port;
	bool has_boot;
	bool hold;			/* --hold: bootstrap waits for "join" */
	uint32_t boot_ip;
	uint16_t boot_port;		/* the seed's gossip tcp port */
	uint32_t latency_ms, jitter_ms;
	double loss_pct;
	unsigned inject;		/* the control command "inject" may change it */
	int mesh_d;
	int workers;
	uint32_t rpc_timeout_ms;
	uint32_t msg_size;
	uint64_t seed;
	uint8_t gossip_work;		/* validation work units asked of receivers (0: none) */
};

struct node_stats {
	uint64_t dht_tx_msgs, dht_tx_bytes, dht_rx_msgs, dht_rx_bytes;
	uint64_t dht_dropped, dht_timeouts;
	uint64_t gossip_tx_msgs, gossip_tx_bytes, gossip_tx_writes;
	uint64_t gossip_rx_msgs, gossip_rx_bytes, gossip_rx_reads;
	uint64_t gossip_dups, gossip_invalid, gossip_delivered, gossip_published;
	uint64_t errors;
};

#define STAT_ADD(f, v) __atomic_fetch_add(&node.stats.f, (uint64_t)(v), __ATOMIC_RELAXED)
#define STAT_GET(f) __atomic_load_n(&node.stats.f, __ATOMIC_RELAXED)

struct node {
	struct node_cfg cfg;
	uint8_t id[ID_LEN];
	struct rtable rt;
	struct node_stats stats;
	int stopping;
	int udp_fd, listen_fd;
	uint64_t bootstrap_ns;
	int ready;
};

extern struct node node;

/* The first 8 bytes of a node id as a number (USDT peer ids: 16 hex digits of HEX40). */
static inline uint64_t id_prefix(const uint8_t *id)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | id[i];
	return v;
}

uint64_t now_mono_ns(void);
uint64_t now_real_ns(void);
uint64_t rng_next(void);		/* per-thread xorshift, seeded from cfg.seed */
double rng_unit(void);
void node_stop(void);
bool node_stopping(void);
struct contact node_self_contact(void);

/* ctl.c: the line protocol on stdin/stdout (see docs/testnet.md). */
void ctl_emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ctl_run(void);

/* netem.c: node-level network emulation. */
bool netem_drop(void);
uint64_t netem_delay_ns(void);

/* dht.c */
enum dht_op { DHT_OP_FIND, DHT_OP_GET, DHT_OP_PUT, DHT_OP_SELF };
struct dht_waiter;
int dht_init(void);
void dht_on_readable(void);
void dht_request(enum dht_op op, uint64_t lookup_id, const uint8_t *target,
		 const void *value, uint16_t vlen, struct dht_waiter *w);
void dht_shutdown(void);
/* How a synchronous caller (bootstrap) learns that its lookup finished. */
struct dht_waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done, ok;
};

/* gossip.c */
struct peer;
int gossip_init(void);
void gossip_on_accept(void);
void gossip_on_readable(struct peer *p);
void gossip_on_writable(struct peer *p);
void gossip_on_hangup(struct peer *p);
void gossip_reap(void);
void gossip_request_publish(uint32_t size);
struct peer *gossip_adopt(int fd, const struct hello *h, uint32_t ip);
struct peer *gossip_new_inbound(int fd);
void gossip_peer_activate(struct peer *p);
void gossip_peer_reject(struct peer *p);
void gossip_peer_identify(struct peer *p, const struct hello *h, uint32_t ip);
bool gossip_connected(const uint8_t *id);
int gossip_mesh_count(void);
void gossip_start_mesh_keeper(void);
void gossip_shutdown(void);
/* What bootstrap needs from a half-open inbound connection. */
int peer_fd(struct peer *p);
struct frame_buf *peer_inbuf(struct peer *p);
void peer_get(struct peer *p);
void peer_put(struct peer *p);

/* bootstrap.c */
void bootstrap_start_thread(void);
void bootstrap_on_readable(struct peer *p);

/* conn.c: blocking dial + hello exchange, shared by bootstrap and the mesh keeper. */
int conn_dial(uint32_t ip, uint16_t port, uint8_t flags, struct hello *ack, int timeout_ms);
void conn_make_hello(struct hello *h, uint8_t flags);
int conn_tune(int fd);

/* loop.c */
enum src_kind { SRC_UDP, SRC_LISTEN, SRC_TIMER, SRC_SIGNAL, SRC_HANDSHAKE, SRC_PEER };
struct loop_src {
	enum src_kind kind;
	struct peer *peer;
};
int loop_init(void);
int loop_add(int fd, uint32_t events, struct loop_src *src);
int loop_mod(int fd, uint32_t events, struct loop_src *src);
void loop_after(uint64_t delay_ns, void (*cb)(void *), void *arg);
int loop_run(void);

#endif
