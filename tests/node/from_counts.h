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

#endif
