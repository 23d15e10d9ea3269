/* SPDX-License-Identifier: MIT */
/*
 * The network section of `peerscope report --net` (key "net"): traffic per
 * peer and per path, TCP connect latency percentiles, accept-queue wait,
 * retransmits, socket errors, syscall storms (many small sends or receives
 * by one stack) and the stacks that send and receive the most.  It reads
 * the sock collector's samples (tx/rx bytes and messages) and its records
 * (peer, conn, sockerr, sockhist, sockdrop; docs/net.md).
 */
#ifndef PEERSCOPE_NET_REPORT_H
#define PEERSCOPE_NET_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "reports/report.h"

struct profile;

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

/* The section; prints only when o->net is set and the recording has socket data. */
int report_net__emit(struct profile *p, const struct report_opts *o, struct report_out *out);

#endif /* PEERSCOPE_NET_REPORT_H */
