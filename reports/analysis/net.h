/* SPDX-License-Identifier: MIT */
/*
 * The network analysis behind `peerscope report --net`: traffic per peer
 * and per path, TCP connect latency, accept-queue wait, retransmits,
 * socket errors, syscall-size histograms and the stacks that send and
 * receive the most.  It reads the sock collector's samples (tx/rx bytes
 * and messages) and its records (peer, conn, sockerr, sockhist, sockdrop,
 * sockevent; docs/net.md), whose paths it places again with the report's
 * rules (net-place.h).
 */
#ifndef PEERSCOPE_ANALYSIS_NET_H
#define PEERSCOPE_ANALYSIS_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/records.h"

struct profile;
struct path_rules;

/* A stack is a storm when it made >= this many calls ... */
#define NET_STORM_MIN_CALLS 100
/* ... averaging fewer bytes per call than this. */
#define NET_STORM_MAX_AVG 64

/* One stack's traffic in one direction. */
struct net_stack {
	uint32_t stack;		/* stack id in the profile */
	bool tx;
	int64_t bytes, msgs;
	char func[128];		/* first frame outside libc (the caller), or the leaf */
	char frames[256];	/* "leaf < caller < ..." up to a few frames */
};

/*
 * Per-stack traffic of p for direction tx (true) or rx, sorted by bytes
 * descending.  *out is malloc'ed (free it); returns the count or -errno.
 */
int net__stacks(const struct profile *p, bool tx, struct net_stack **out);
/* True when s is a syscall storm (thresholds above). */
bool net__is_storm(const struct net_stack *s);

/* Nearest-rank percentile q (0..100) of n sorted values; 0 when n == 0. */
int64_t net__percentile(const int64_t *sorted, int n, double q);

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

/* Retransmits or failed connects (event) of one path, by errno name (error). */
struct event_row {
	const char *path, *event, *error;
	int64_t count;
};

/* A syscall size histogram: "lowest bytes:calls,..." */
struct hist_row {
	int64_t pid;
	const char *proto, *dir;
	char *buckets;
};

/* Everything the network section shows, computed from the recording. */
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
	struct event_row *events;	/* by path, event, error */
	int nr_events;
	struct rec_sockdrop drop;
};

/*
 * Fills d from p (zeroed first by the caller), the records' paths placed
 * again with rules (NULL: as stored); 0 or a negative errno.
 */
int net__compute(const struct profile *p, const struct path_rules *rules, struct net_data *d);
void net__free(struct net_data *d);

#endif /* PEERSCOPE_ANALYSIS_NET_H */
