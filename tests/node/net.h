/* SPDX-License-Identifier: GPL-2.0 */
/*
 * net.h - p2pnet, the driver that runs a network of p2pnode processes,
 * drives traffic through their control pipes and reports what it measured.
 */
#ifndef P2P_NET_H
#define P2P_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define NET_MAX_NODES	500

struct netcfg {
	int nodes;
	double duration;		/* seconds; 0 = until a signal */
	double dht_rate, gossip_rate;	/* per second, network-wide */
	unsigned inject;
	char inject_str[256];
	int on_node;			/* -1 = every node */
	const char *pids_file, *json_file, *ready_file;
	const char *start_gate;		/* bootstrap waits until this file exists */
	const char *control_file;	/* --control: run-time commands (inject) */
	const char *node_bin;
	uint32_t latency_ms, jitter_ms;
	double loss_pct;
	bool netns;
	bool tc_netem;			/* netns mode found sch_netem: emulate there */
	int base_port;
	uint32_t msg_size;
	int rpc_timeout_ms;
	unsigned seed;
};

/* Counters a node reports in its "stats" line, in this order. */
#define NODE_STATS(X) \
	X(dht_tx_msgs) X(dht_tx_bytes) X(dht_rx_msgs) X(dht_rx_bytes) X(dht_dropped) \
	X(dht_timeouts) X(gossip_tx_msgs) X(gossip_tx_bytes) X(gossip_tx_writes) \
	X(gossip_rx_msgs) X(gossip_rx_bytes) X(gossip_rx_reads) X(gossip_dups) \
	X(gossip_invalid) X(gossip_delivered) X(gossip_published) X(errors) X(rt_size) X(mesh)
#define X_ENUM(n) ST_##n,
enum { NODE_STATS(X_ENUM) ST_COUNT };
#undef X_ENUM
extern const char *const stat_names[ST_COUNT];

/* What /proc says a node used (proc_sample); totals are sums of these. */
struct proc_usage {
	uint64_t cpu_ms;		/* utime + stime, all threads */
	uint64_t runq_ns;		/* run-queue wait of its own threads, hogs left out */
	uint64_t vcsw, ivcsw;		/* context switches of its live threads */
};

struct nodeproc {
	int index;
	pid_t pid;
	int in_fd, out_fd;		/* its stdin (we write), its stdout (we read) */
	char lbuf[16384];
	size_t llen;
	char idhex[41];
	char addr[16];
	bool hello, ready, failed, exited, stats_in;
	uint64_t bootstrap_ns;
	uint64_t stats[ST_COUNT];
	char req_from[1024];		/* "PORT:N,...": DHT requests it served, per sender */
	char dgram_from[1024];		/* the same for every DHT datagram it handled */
	char dht_cpu_from[1024];	/* CPU ns handling each sender's DHT datagrams */
	char dht_loop_cpu_from[1024];	/* the p2p-loop thread's part of it */
	char dht_wait_from[1024];	/* ns its queries waited for each peer's replies */
	char gossip_frames_from[1024];	/* gossip frames handled, per remote TCP port */
	char gossip_cpu_from[1024];	/* CPU ns handling them */
	struct proc_usage usage;
	int status;
};

struct op {
	int node;
	char kind;		/* 'f'ind, 'g'et, 'p'ut */
	bool done, ok;
	uint64_t latency_ns;
	uint8_t key[20];
};

struct msgrec {
	uint64_t id;
	bool published;
	int deliveries;
	uint64_t max_lat_ns;
};

struct results {
	struct op *ops;
	size_t nops, capops;
	struct msgrec *msgs;
	size_t nmsgs, capmsgs;
	int32_t *msg_index;		/* open addressing over msgs, -1 = empty */
	size_t index_cap;
	double *dlv_ms;			/* every delivery's publish-to-deliver latency */
	int *dlv_node;			/* ... and the node that delivered it */
	size_t ndlv, capdlv;
	double ready_ms;
	double ran_s;
	struct inject_change {		/* --control: injections switched while running */
		double at_s;		/* seconds into the traffic */
		int on_node;		/* -1 = every node */
		char inject[64];	/* names, or "none" */
	} changes[16];
	int nchanges;
	char *errors[32];
	int nerrors;
	int suppressed_errors;
};

extern struct netcfg cfg;
extern struct nodeproc *nodes;
extern struct results res;

/* net_proc.c */
int proc_spawn(struct nodeproc *np, char *const argv[], pid_t *pgid);
void proc_sample(struct nodeproc *np);
void proc_kill_all(pid_t pgid, int sig);
int proc_reap(bool block);
const char *proc_describe(int status, char *buf, size_t len);

/* net_netns.c */
int netns_setup(int n);
void netns_teardown(void);
const char *netns_name(int i);
void netns_addr(int i, char *buf, size_t len);

/* net_report.c */
void res_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct msgrec *res_msg(uint64_t id);
void res_add_delivery(int node, double ms);
void report_text(void);
int report_json(const char *path);

#endif
