// SPDX-License-Identifier: MIT
/*
 * A target that handles itself roughly, for record's robustness tests
 * (docs/limits.md, "Rough handling of the target").  Built with frame
 * pointers; every mode spins in a function of its own, so a test knows
 * which names the recording must hold.
 *
 *   rough fork SECONDS MS       forks a child every MS ms of the parent's
 *                               CPU (parent_work); each child spins MS ms of
 *                               its CPU in child_work and exits; the parent
 *                               reaps it.  Prints "children N".
 *   rough exec SECONDS PROG ARG...
 *                               spins SECONDS in before_exec, then execs PROG
 *   rough threads SECONDS RATE  creates and joins RATE threads a second,
 *                               each spinning ~20 us in thread_body; the main
 *                               thread spins in churn_main between them.
 *                               Prints "threads N".
 *   rough exit MS               spins MS ms (wall) in about_to_exit, exits 0
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

volatile uint64_t sink;

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Spins until clk has advanced by ns. */
static __attribute__((noinline)) void spin(clockid_t clk, uint64_t ns)
{
	uint64_t end = clock_ns(clk) + ns;

	while (clock_ns(clk) < end)
		for (int i = 0; i < 500; i++)
			sink += i;
}

static __attribute__((noinline)) void parent_work(uint64_t ns)
{
	spin(CLOCK_PROCESS_CPUTIME_ID, ns);
}

static __attribute__((noinline)) void child_work(uint64_t ns)
{
	spin(CLOCK_PROCESS_CPUTIME_ID, ns);
}

static __attribute__((noinline)) void before_exec(uint64_t ns)
{
	spin(CLOCK_MONOTONIC, ns);
}

static __attribute__((noinline)) void about_to_exit(uint64_t ns)
{
	spin(CLOCK_MONOTONIC, ns);
}

static __attribute__((noinline)) void churn_main(uint64_t ns)
{
	spin(CLOCK_MONOTONIC, ns);
}

static __attribute__((noinline)) void *thread_body(void *arg)
{
	spin(CLOCK_THREAD_CPUTIME_ID, 20000);
	return arg;
}

static int do_fork(double secs, double ms)
{
	uint64_t end = clock_ns(CLOCK_MONOTONIC) + secs * 1e9, ns = ms * 1e6;
	long children = 0;

	while (clock_ns(CLOCK_MONOTONIC) < end) {
		pid_t pid;

		parent_work(ns);
		pid = fork();
		if (pid == 0) {
			child_work(ns);
			_exit(0);
		}
		if (pid > 0 && waitpid(pid, NULL, 0) == pid)
			children++;
	}
	printf("children %ld\n", children);
	return 0;
}

static int do_threads(double secs, double rate)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC), end = start + secs * 1e9;
	uint64_t step = 1e9 / rate, now;
	long threads = 0;

	while ((now = clock_ns(CLOCK_MONOTONIC)) < end) {
		uint64_t due = start + threads * step;
		pthread_t t;

		if (now < due) {
			churn_main(due - now);
			continue;
		}
		if (pthread_create(&t, NULL, thread_body, NULL) == 0) {
			pthread_join(t, NULL);
			threads++;
		}
	}
	printf("threads %ld\n", threads);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "fork"))
		return do_fork(atof(argv[2]), atof(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "threads"))
		return do_threads(atof(argv[2]), atof(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "exec")) {
		before_exec(atof(argv[2]) * 1e9);
		execv(argv[3], argv + 3);
		perror("rough: exec");
		return 1;
	}
	if (argc == 3 && !strcmp(argv[1], "exit")) {
		about_to_exit(atof(argv[2]) * 1e6);
		return 0;
	}
	fprintf(stderr, "usage: rough fork|exec|threads|exit ... (see the source)\n");
	return 2;
}
