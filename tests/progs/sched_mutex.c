// SPDX-License-Identifier: MIT
/*
 * Off-CPU test target: two threads ("locker-0", "locker-1") contend on one
 * mutex.  Each takes it in mutex_take(), spins HOLD ms inside
 * mutex_holder_work() and releases it from there through mutex_give(), then
 * spins GAP ms unlocked.  The waiter blocks on the futex (reason lock) and
 * is woken by the holder, whose stack holds mutex_holder_work.  The
 * noinline wrappers keep every named function in frame-pointer stacks
 * (libc's lock code has no frame of its own and would hide its caller).
 *
 *   sched_mutex [-d SECONDS] [-h HOLD_MS] [-g GAP_MS]   (defaults 60, 2, 0.2)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double hold_ms = 2, gap_ms = 0.2;
static uint64_t end_ns;
volatile uint64_t sink;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

__attribute__((noinline)) void mutex_spin(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		for (int i = 0; i < 100; i++)
			sink += i;
}

__attribute__((noinline)) void mutex_take(void)
{
	pthread_mutex_lock(&lock);
	__asm__ volatile("" ::: "memory");	/* no tail call */
}

__attribute__((noinline)) void mutex_give(void)
{
	pthread_mutex_unlock(&lock);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void mutex_holder_work(void)
{
	mutex_spin(hold_ms * 1e6);
	mutex_give();
	__asm__ volatile("" ::: "memory");
}

static void *locker(void *arg)
{
	char name[16];

	snprintf(name, sizeof(name), "locker-%ld", (long)arg);
	prctl(PR_SET_NAME, name);
	while (!end_ns || now_ns() < end_ns) {
		mutex_take();
		mutex_holder_work();
		mutex_spin(gap_ms * 1e6);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	double dur = 60;
	pthread_t t[2];
	int opt;

	while ((opt = getopt(argc, argv, "d:h:g:")) != -1) {
		switch (opt) {
		case 'd': dur = atof(optarg); break;
		case 'h': hold_ms = atof(optarg); break;
		case 'g': gap_ms = atof(optarg); break;
		default: return 2;
		}
	}
	end_ns = dur > 0 ? now_ns() + dur * 1e9 : 0;
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, locker, (void *)i);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return 0;
}
