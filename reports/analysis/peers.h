/* SPDX-License-Identifier: MIT */
/*
 * Which peer costs what (`peerscope report --peers`, docs/peers.md): per
 * path, the peers the node served, with the on-CPU, off-CPU and allocation
 * cost recorded while a thread served each one (the "peer" label of cpu,
 * offcpu and alloc samples) and the bytes and messages exchanged with it
 * (the sock collector's samples); and a verdict when one peer costs out of
 * proportion to the others or to its share of the path's messages.
 */
#ifndef PEERSCOPE_ANALYSIS_PEERS_H
#define PEERSCOPE_ANALYSIS_PEERS_H

#include <stdbool.h>
#include <stdint.h>

struct profile;
struct path_rules;

/* A peer is flagged when its CPU is at least this many times the median peer's ... */
#define PEERS_FLAG_RATIO	3.0
/* ... or its share of the path's CPU is this many times its share of the messages ... */
#define PEERS_FLAG_DISPROPORTION 2.0
/* ... and at least this much more, in percentage points (small shares stay quiet). */
#define PEERS_FLAG_MIN_PP	20.0
/* Paths with fewer tagged CPU samples than this get no verdict: too few to say. */
#define PEERS_MIN_SAMPLES	20

/* A peer whose replies take this many times the median peer's (mean per reply) ... */
#define PEERS_WAIT_RATIO	3.0
/* ... and this share of the path's waiting, in percent, is flagged as slow. */
#define PEERS_WAIT_MIN_SHARE	20.0

struct peer_cost {
	char peer[64];			/* first: peers.c looks entries up by it */
	char id[24];			/* the node's own id of it ("peerid" records), "" if none */
	int64_t cpu_ns, cpu_samples, offcpu_ns, runq_ns, alloc_bytes;
	int64_t rx_bytes, tx_bytes, rx_msgs, tx_msgs;
	int64_t served_tx_bytes;	/* what we sent (to anyone) while serving it */
	int64_t wait_ns, replies;	/* our requests' wait for its replies ("peerwait") */
	double cpu_share, msg_share;	/* of the path's peer-attributed CPU, of its rx messages */
	double wait_share;		/* of the path's waiting for replies */
};

/* How a path's CPU was attributed to it (docs/rules.md, attribution order). */
enum peers_evidence { EV_SPAN, EV_SYMBOL, EV_SOCKET, EV_PORT, EV_NR };

struct peers_path {
	char path[64];			/* first: peers.c looks entries up by it */
	struct peer_cost *peers;	/* by CPU, descending */
	int nr_peers;
	int64_t cpu_ns;			/* the path's whole CPU, tagged or not */
	int64_t tagged_cpu_ns;		/* of which recorded while serving a peer */
	int64_t tagged_samples;
	int64_t rx_msgs;		/* messages the path received, from any peer */
	int64_t by_evidence[EV_NR];	/* its CPU by the evidence that placed it */
	double max_median;		/* top peer's CPU / the median peer's (0: < 2 peers) */
	int flagged;			/* index of the flagged peer, -1 none */
	bool disproportion;		/* flagged for cost vs messages (else vs the median) */
	int64_t wait_ns, replies;	/* waiting for replies, all peers */
	int wait_top;			/* index of the peer we waited on most, -1 none */
	double wait_max_median;		/* its wait per reply / the median peer's (0: < 2 peers) */
	int wait_flagged;		/* index of the peer flagged as slow, -1 none */
};

struct peers_data {
	struct peers_path *paths;	/* paths with at least one peer, by tagged CPU */
	int nr_paths;
	bool tagged;			/* the recording has any serving-peer label */
	int64_t cpu_ns;			/* all CPU of the recording */
	int64_t unattributed_cpu_ns;	/* of which no evidence placed in a path ("other") */
};

/* Compute from p with rules r (NULL: the recording's).  0 or -errno. */
int peers__compute(const struct profile *p, const struct path_rules *r, struct peers_data *d);
void peers__free(struct peers_data *d);

#endif /* PEERSCOPE_ANALYSIS_PEERS_H */
