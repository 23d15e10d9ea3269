// SPDX-License-Identifier: MIT
/*
 * many_stacks N SECONDS [THREADS]: spends its CPU time in N distinct user
 * call paths (a base-10 tree of DEPTH levels: N <= 10^DEPTH).  Each level
 * calls the next through one of ten call sites in descend(), so every
 * path is a distinct sequence of return addresses.  Leaves are picked at
 * random and spun in for a few microseconds, so samples taken ~1 ms apart
 * land on different paths: the recording sees about
 * N * (1 - exp(-samples / N)) distinct stacks.  Prints "paths N" at start.
 * With SLEEP_US, each leaf sleeps that long instead: N distinct off-CPU
 * stacks, one wait per leaf.
 *
 *   many_stacks N SECONDS [THREADS [SLEEP_US]]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;
static unsigned long nr_paths;
static int depth;
static double seconds;
static long sleep_us;

static __attribute__((noinline)) void leaf(void)
{
	if (sleep_us) {
		struct timespec ts = { sleep_us / 1000000, sleep_us % 1000000 * 1000 };

		nanosleep(&ts, NULL);
		return;
	}
	for (int i = 0; i < 2000; i++)
		sink += i;
}

static void descend(int level, unsigned long path);

/* ten functions, so a frame names both the level's digit and its caller */
#define STEP(d)								\
	static __attribute__((noinline)) void step##d(int level, unsigned long path) \
	{								\
		descend(level - 1, path / 10);				\
		sink++;	/* not a tail call: the frame stays */		\
	}
STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7) STEP(8) STEP(9)

static __attribute__((noinline)) void descend(int level, unsigned long path)
{
	if (level == 0) {
		leaf();
		return;
	}
	switch (path % 10) {
	case 0: step0(level, path); break;
	case 1: step1(level, path); break;
	case 2: step2(level, path); break;
	case 3: step3(level, path); break;
	case 4: step4(level, path); break;
	case 5: step5(level, path); break;
	case 6: step6(level, path); break;
	case 7: step7(level, path); break;
	case 8: step8(level, path); break;
	default: step9(level, path); break;
	}
	sink++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
	uint64_t x = 88172645463325252ull + (uintptr_t)arg;
	double end = now() + seconds;

	while (now() < end) {
		for (int i = 0; i < 64; i++) {
			x ^= x << 13;	/* xorshift64: cheap, no libc lock */
			x ^= x >> 7;
			x ^= x << 17;
			descend(depth, x % nr_paths);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 3 ? atoi(argv[3]) : 1;
	pthread_t tid[16];

	if (argc < 3 || (nr_paths = strtoul(argv[1], NULL, 10)) == 0 || threads < 1 ||
	    threads > 16) {
		fprintf(stderr, "usage: many_stacks N SECONDS [THREADS<=16 [SLEEP_US]]\n");
		return 2;
	}
	seconds = atof(argv[2]);
	sleep_us = argc > 4 ? atol(argv[4]) : 0;
	for (unsigned long n = 1; n < nr_paths; n *= 10)
		depth++;
	printf("paths %lu depth %d\n", nr_paths, depth);
	fflush(stdout);
	for (int i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, worker, (void *)(uintptr_t)i);
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	return 0;
}
