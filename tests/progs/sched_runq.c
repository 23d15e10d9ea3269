// SPDX-License-Identifier: MIT
/*
 * Off-CPU test target: N threads ("spinner-I", default 4) that never block,
 * spinning in runq_spin().  With more of them than CPUs they wait in the run
 * queue (preempted), which the offcpu collector reports as runq.
 *
 *   sched_runq [-d SECONDS] [-n THREADS]   (defaults 60, 4)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>

static uint64_t end_ns;
volatile uint64_t sink;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

__attribute__((noinline)) void runq_spin(void)
{
	for (int i = 0; i < 100000; i++)
		sink += i;
}

static void *spinner(void *arg)
{
	char name[16];

	snprintf(name, sizeof(name), "spinner-%ld", (long)arg);
	prctl(PR_SET_NAME, name);
	while (!end_ns || now_ns() < end_ns)
		runq_spin();
	return NULL;
}

int main(int argc, char **argv)
{
	double dur = 60;
	pthread_t t[64];
	int opt, n = 4;

	while ((opt = getopt(argc, argv, "d:n:")) != -1) {
		switch (opt) {
		case 'd': dur = atof(optarg); break;
		case 'n': n = atoi(optarg); break;
		default: return 2;
		}
	}
	if (n < 1 || n > 64)
		return 2;
	end_ns = dur > 0 ? now_ns() + dur * 1e9 : 0;
	for (long i = 0; i < n; i++)
		pthread_create(&t[i], NULL, spinner, (void *)i);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}
