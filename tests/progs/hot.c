// SPDX-License-Identifier: MIT
/*
 * A target with known hot functions, for profiler tests: hot_a() takes
 * A % (default 70) of the main thread's CPU and hot_b() the rest.
 *
 * Which one runs is decided by the thread's CPU time: hot_a in the first
 * A % of every 1.050212 ms of it, hot_b in the rest.  A sampler at 99 Hz
 * (period 10.101 ms = 9.618 cycles) then steps the phase by 0.618 of the
 * cycle -- the golden ratio -- a low-discrepancy sequence: even the short
 * run of samples between two preemptions covers the cycle evenly, so the
 * measured shares converge like 1/n rather than the 1/sqrt(n) of random
 * slices and tests can use tight bounds with a few hundred samples.  (A
 * 1 ms cycle stepped by 0.101: a busy host cut the sweep into short runs
 * at a few phases, and perf and peerscope, sampling at once, differed by
 * 13 points.)  CPU time, not wall time, so that preemption by other work
 * does not skew the split.  Built with frame pointers.
 *
 *   hot [-d SECONDS] [-a PERCENT] [-l SECONDS]
 *     -d  run this long, then exit (default 60; 0 = until killed)
 *     -a  hot_a's share of the main thread, percent (default 70)
 *     -l  after SECONDS, the main thread starts a second thread that spins
 *         in hot_late()
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#define CYCLE_NS	1050212ULL	/* hot_a + hot_b: 10.101 ms / 9.618 */
#define CHUNK		2000		/* ~3 us of work between clock reads */

volatile uint64_t sink;
static uint64_t deadline_ns;	/* CLOCK_MONOTONIC, 0 = never */
static uint64_t a_ns;		/* hot_a's part of each cycle */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Thread CPU time is a real syscall.  Made inline, so that a sample taken
 * inside it has its user IP in hot_a/hot_b themselves: through libc's
 * clock_gettime (no frame pointer) the unwinder would skip the caller.
 */
static inline __attribute__((always_inline)) uint64_t cpu_ns(void)
{
	struct timespec ts;
#ifdef __x86_64__
	long ret;

	asm volatile("syscall" : "=a"(ret)
		     : "a"(SYS_clock_gettime), "D"(CLOCK_THREAD_CPUTIME_ID), "S"(&ts)
		     : "rcx", "r11", "memory");
	(void)ret;
#else
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
#endif
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int expired(void)
{
	return deadline_ns && now_ns() >= deadline_ns;
}

static inline void work(void)
{
	for (int i = 0; i < CHUNK; i++)
		sink += i;
}

/* Each hot function spins in its own body so that it is the leaf frame. */
__attribute__((noinline)) void hot_a(void)
{
	while (cpu_ns() % CYCLE_NS < a_ns)
		work();
}

__attribute__((noinline)) void hot_b(void)
{
	while (cpu_ns() % CYCLE_NS >= a_ns)
		work();
}

__attribute__((noinline)) void hot_late(void)
{
	for (int i = 0; i < 1000; i++)
		work();
}

static void *late_thread(void *arg)
{
	while (!expired())
		hot_late();
	return NULL;
}

int main(int argc, char **argv)
{
	double duration = 60, share = 70, late_after = -1;
	uint64_t start_ns = now_ns();
	int late_started = 0;
	pthread_t late;
	int opt;

	while ((opt = getopt(argc, argv, "d:a:l:")) != -1) {
		switch (opt) {
		case 'd': duration = atof(optarg); break;
		case 'a': share = atof(optarg); break;
		case 'l': late_after = atof(optarg); break;
		default:
			fprintf(stderr, "usage: hot [-d SECONDS] [-a PERCENT] [-l SECONDS]\n");
			return 2;
		}
	}
	if (share < 0 || share > 100)
		share = 70;
	a_ns = CYCLE_NS * share / 100;
	if (duration > 0)
		deadline_ns = start_ns + (uint64_t)(duration * 1e9);

	while (!expired()) {
		hot_a();
		hot_b();
		/* the main thread starts it, so no helper thread exists before */
		if (late_after >= 0 && !late_started && now_ns() >= start_ns + (uint64_t)(late_after * 1e9))
			late_started = !pthread_create(&late, NULL, late_thread, NULL);
	}
	if (late_started)
		pthread_join(late, NULL);
	return 0;
}
