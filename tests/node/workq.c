// SPDX-License-Identifier: GPL-2.0
/* workq.c - blocking FIFO; the condvar waits on CLOCK_MONOTONIC deadlines. */
#include <time.h>

#include "workq.h"

void workq_init(struct workq *q)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cond, &ca);
	pthread_condattr_destroy(&ca);
	q->head = q->tail = NULL;
	q->closed = false;
}

void workq_push(struct workq *q, struct wq_item *it)
{
	it->next = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

struct wq_item *workq_pop(struct workq *q, uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = deadline_ns / 1000000000ULL,
		.tv_nsec = deadline_ns % 1000000000ULL,
	};
	struct wq_item *it = NULL;

	pthread_mutex_lock(&q->lock);
	while (!q->head && !q->closed) {
		if (!deadline_ns)
			pthread_cond_wait(&q->cond, &q->lock);
		else if (pthread_cond_timedwait(&q->cond, &q->lock, &ts))
			break;	/* timed out: the caller has timers to run */
	}
	if (q->head) {
		it = q->head;
		q->head = it->next;
		if (!q->head)
			q->tail = NULL;
	}
	pthread_mutex_unlock(&q->lock);
	return it;
}

void workq_close(struct workq *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}
