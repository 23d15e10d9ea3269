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

#include "reports/report.h"
#include "analysis/net.h"

struct profile;

/* The section; prints only when o->net is set and the recording has socket data. */
int report_net__emit(const struct profile *p, const struct report_opts *o,
		     struct report_out *out);

#endif /* PEERSCOPE_NET_REPORT_H */
