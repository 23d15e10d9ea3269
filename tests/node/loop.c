// SPDX-License-Identifier: GPL-2.0
/*
 * loop.c - the p2p-loop thread: one epoll set for every socket, the control
 * channel, signals and a timer heap.
 *
 * Timers are how emulated latency works: a delayed send is a callback due
 * later.  Any thread may add a timer; the heap lock also covers re-arming
 * the timerfd so that the earliest deadline is never missed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "node.h"

struct timer {
	uint64_t due;
	uint64_t seq;		/* FIFO among equal deadlines */
	void (*cb)(void *);
	void *arg;
};

static int epfd = -1, tfd = -1, sfd = -1;
static struct loop_src timer_src = { SRC_TIMER, NULL }, signal_src = { SRC_SIGNAL, NULL };

static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct timer *heap;
static size_t heap_n, heap_cap;
static uint64_t heap_seq;

static bool timer_less(const struct timer *a, const struct timer *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void heap_swap(size_t i, size_t j)
{
	struct timer t = heap[i];

	heap[i] = heap[j];
	heap[j] = t;
}

static void arm_locked(void)
{
	struct itimerspec its = { 0 };

	if (heap_n) {
		/* A zero it_value disarms, so a due-now timer fires at 1 ns. */
		uint64_t due = heap[0].due ? heap[0].due : 1;

		its.it_value.tv_sec = due / 1000000000ULL;
		its.it_value.tv_nsec = due % 1000000000ULL;
	}
	timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

void loop_after(uint64_t delay_ns, void (*cb)(void *), void *arg)
{
	size_t i;

	pthread_mutex_lock(&heap_lock);
	if (heap_n == heap_cap) {
		size_t cap = heap_cap ? 2 * heap_cap : 256;
		struct timer *h = realloc(heap, cap * sizeof(*h));

		if (!h) {
			pthread_mutex_unlock(&heap_lock);
			cb(arg);	/* no memory for a timer: run it late rather than lose it */
			return;
		}
		heap = h;
		heap_cap = cap;
	}
	i = heap_n++;
	heap[i] = (struct timer){ now_mono_ns() + delay_ns, heap_seq++, cb, arg };
	while (i && timer_less(&heap[i], &heap[(i - 1) / 2])) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	if (i == 0)
		arm_locked();
	pthread_mutex_unlock(&heap_lock);
}

static bool heap_pop_due(uint64_t now, struct timer *out)
{
	size_t i = 0;

	if (!heap_n || heap[0].due > now)
		return false;
	*out = heap[0];
	heap[0] = heap[--heap_n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < heap_n && timer_less(&heap[l], &heap[m]))
			m = l;
		if (r < heap_n && timer_less(&heap[r], &heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(i, m);
		i = m;
	}
	return true;
}

static void loop_run_timers(void)
{
	uint64_t ticks, now = now_mono_ns();
	struct timer t;

	if (read(tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	for (;;) {
		pthread_mutex_lock(&heap_lock);
		if (!heap_pop_due(now, &t)) {
			arm_locked();
			pthread_mutex_unlock(&heap_lock);
			return;
		}
		pthread_mutex_unlock(&heap_lock);
		t.cb(t.arg);	/* outside the lock: callbacks may add timers */
	}
}

int loop_add(int fd, uint32_t events, struct loop_src *src)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int loop_mod(int fd, uint32_t events, struct loop_src *src)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

int loop_init(void)
{
	sigset_t ss;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	/* The signal mask is inherited by every thread started after this. */
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	sfd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
	if (epfd < 0 || tfd < 0 || sfd < 0)
		return -1;
	if (loop_add(tfd, EPOLLIN, &timer_src) || loop_add(sfd, EPOLLIN, &signal_src))
		return -1;
	return 0;
}

static void loop_dispatch(struct loop_src *src, uint32_t ev)
{
	struct signalfd_siginfo si;

	switch (src->kind) {
	case SRC_UDP:
		dht_on_readable();
		break;
	case SRC_LISTEN:
		gossip_on_accept();
		break;
	case SRC_TIMER:
		loop_run_timers();
		break;
	case SRC_SIGNAL:
		if (read(sfd, &si, sizeof(si)) > 0)
			node_stop();
		break;
	case SRC_HANDSHAKE:
		if (ev & EPOLLIN)
			bootstrap_on_readable(src->peer);
		else if (ev & (EPOLLHUP | EPOLLERR))
			gossip_on_hangup(src->peer);
		break;
	case SRC_PEER:
		if (ev & EPOLLIN)
			gossip_on_readable(src->peer);
		if (ev & EPOLLOUT)
			gossip_on_writable(src->peer);
		if (ev & (EPOLLHUP | EPOLLERR))
			gossip_on_hangup(src->peer);
		break;
	}
}

int loop_run(void)
{
	struct epoll_event evs[64];

	while (!node_stopping()) {
		int n = epoll_wait(epfd, evs, 64, 200);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "p2pnode: epoll_wait: %s\n", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++)
			loop_dispatch(evs[i].data.ptr, evs[i].events);
		/* Peers closed in this batch are freed only now: later events may name them. */
		gossip_reap();
	}
	return 0;
}
