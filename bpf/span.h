/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Spans: the ABI shared by bpf/span.bpf.c and collectors/span.c.
 *
 * A span is an operation of one path: a function's entry .. return
 * (uprobe/uretprobe) or a USDT start .. done pair matched by an id argument.
 * While a thread is inside a span, ps_thread_path[tid] says so and every
 * other collector labels that thread's events with the path.  Operation
 * counts and latency histograms are kept per path in the kernel; only
 * operations slower than a per-path threshold (the current N-th slowest,
 * maintained by userspace) reach userspace through a ring buffer.
 *
 * Histogram: log-linear, in ns (bpf/hist.h).
 */
#ifndef PEERSCOPE_SPAN_H
#define PEERSCOPE_SPAN_H

#include "bpf/peerscope.h"
#include "bpf/hist.h"

#define SPAN_HIST_BUCKETS	HIST_LL_BUCKETS		/* up to 2^43 ns (~2.4 h) */
#define SPAN_STACK_DEPTH	8			/* nested spans per thread */
#define SPAN_OPS_ENTRIES	16384			/* operations in flight */
#define SPAN_THREAD_ENTRIES	8192
#define SPAN_RB_SIZE		(256 * 1024)

/* Cookie of every span attachment: what the probe means. */
#define SPAN_COOKIE(path, id_arg, ok_arg, flags)				\
	((__u64)(path) | ((__u64)((id_arg) & 0xff) << 8) |			\
	 ((__u64)((ok_arg) & 0xff) << 16) | ((__u64)(flags) << 24))
/* Peer probes (rules "peer" lines): path, the address argument, the id argument. */
#define PEER_COOKIE(path, addr_arg, id_arg)					\
	((__u64)(path) | (__u64)(addr_arg) << 8 | (__u64)(id_arg) << 16)
#define PEER_COOKIE_PATH(c)	((__u32)(c) & 0xff)
#define PEER_COOKIE_ADDR_ARG(c)	((__u32)((c) >> 8) & 0xff)
#define PEER_COOKIE_ID_ARG(c)	((__u32)((c) >> 16) & 0xff)	/* 0xff = none */

#define SPAN_COOKIE_PATH(c)	((__u32)(c) & 0xff)
#define SPAN_COOKIE_ID_ARG(c)	((__u32)((c) >> 8) & 0xff)	/* 0xff = none */
#define SPAN_COOKIE_OK_ARG(c)	((__u32)((c) >> 16) & 0xff)	/* 0xff = none */
#define SPAN_COOKIE_FLAGS(c)	((__u32)((c) >> 24) & 0xff)
#define SPAN_ARG_NONE		0xff

#define SPAN_F_NOTHREAD		0x1	/* latency only: leave ps_thread_path alone */
#define SPAN_F_MULTI		0x2	/* several done per start: keep the op */

/* Per path, in the "hists" array map (index = path id). */
struct span_hist {
	__u64 count;		/* completed operations */
	__u64 errors;		/* done with ok == 0 */
	__u64 sum_ns;
	__u64 max_ns;
	__u64 unmatched;	/* done without a start seen (started before recording) */
	__u64 buckets[SPAN_HIST_BUCKETS];
};

/* Ring buffer "slowops": one completed operation slower than the threshold. */
struct span_slowop {
	__u32 path;
	__u32 ok;		/* 1 ok, 0 failed, 2 unknown */
	__u32 tgid;
	__u32 tid;
	__u64 id;		/* operation id (0 for uprobe spans) */
	__u64 start_ns;		/* bpf_ktime_get_ns() at start */
	__u64 latency_ns;
};

/* Map "ops": USDT operations in flight, keyed by path + id (+ tgid). */
struct span_op_key {
	__u32 path;
	__u32 tgid;		/* 0 for SPAN_F_MULTI: start and done in different processes */
	__u64 id;
};

struct span_op {
	__u64 start_ns;
	__u32 tgid;
	__u32 tid;
};

/* Map "threads": the spans a thread is inside, innermost last. */
struct span_frame {
	__u32 path;
	__u32 flags;
	__u64 id;
	__u64 start_ns;
};

struct span_thread {
	__u32 n;		/* frames in use (depth may exceed it: see overflow) */
	__u32 overflow;		/* nested deeper than SPAN_STACK_DEPTH */
	struct span_frame f[SPAN_STACK_DEPTH];
};

#endif /* PEERSCOPE_SPAN_H */
