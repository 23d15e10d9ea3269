/* SPDX-License-Identifier: GPL-2.0 */
/*
 * from_counts.h - per-sender counters of a node (by the sender's port): the
 * known answers of the per-peer injections (docs/testnet.md), given to the
 * driver in `stats` as "PORT:N,PORT:N".
 */
#ifndef P2PNODE_FROM_COUNTS_H
#define P2PNODE_FROM_COUNTS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define FROM_SLOTS 64

struct from_counts {
	struct { uint16_t port; unsigned long n; } slot[FROM_SLOTS];
	pthread_mutex_t lock;
};

#define FROM_COUNTS_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

/* Adds n to port's counter (senders past FROM_SLOTS are not counted). */
void from_add(struct from_counts *fc, uint16_t port, unsigned long n);
void from_format(struct from_counts *fc, char *buf, size_t len);
/* CPU time of the calling thread, ns: what handling one sender's message cost. */
uint64_t thread_cpu_ns(void);

/*
 * A stretch of one thread's CPU that counts for one sender: from the moment
 * the thread starts on that sender's message to the moment it starts on
 * another's (or on none), as a profiler that tags a thread by the peer it
 * serves charges it.
 */
struct from_stretch {
	uint16_t port;		/* the sender, 0 for none */
	uint64_t cpu_ns;	/* the thread's CPU when it began */
	uint64_t left_out_ns;	/* the thread's from_leave_out total then */
};

/*
 * Ends s (returns its sender, or 0, and its CPU in *ns, less what was left
 * out meanwhile) and starts one for port.
 */
uint16_t from_stretch_next(struct from_stretch *s, uint16_t port, uint64_t *ns);

/*
 * Calls whose CPU no stretch counts: socket calls, queue waits and probe
 * hits.  With peerscope attached most of their CPU is its own tracepoint
 * and uprobe programs, which this thread's clock counts and no CPU sample
 * can see; the tests leave the same calls out of peerscope's side
 * (docs/peers.md).  Between from_leave_out_begin() and _end() on one thread.
 */
void from_leave_out_begin(void);
void from_leave_out_end(void);

#endif
