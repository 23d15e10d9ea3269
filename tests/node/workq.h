/* SPDX-License-Identifier: GPL-2.0 */
/* workq.h - a mutex+condvar FIFO handing work from the event loop to workers. */
#ifndef P2P_WORKQ_H
#define P2P_WORKQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct wq_item {
	struct wq_item *next;
};

struct workq {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct wq_item *head, *tail;
	bool closed;
};

void workq_init(struct workq *q);
void workq_push(struct workq *q, struct wq_item *it);
/* Waits until an item, deadline (CLOCK_MONOTONIC ns; 0 = none) or close. */
struct wq_item *workq_pop(struct workq *q, uint64_t deadline_ns);
void workq_close(struct workq *q);

#endif
