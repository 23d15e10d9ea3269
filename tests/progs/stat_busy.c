// SPDX-License-Identifier: MIT
/*
 * `peerscope stat` test target: THREADS threads ("busy") spin for SECONDS
 * of wall time each, so task-clock ~ THREADS x SECONDS when each has a
 * CPU.  With -l, the first thread is started only after LATE ms, to test
 * that stat -p picks up threads created after it started.
 *
 * At exit it prints "cpu_ns=N": its own CPU time (CLOCK_PROCESS_CPUTIME_ID),
 * what task-clock must agree with however busy the machine is.
 *
 *   stat_busy [-t THREADS] [-d SECONDS] [-l LATE_MS]   (defaults 1, 1.0, 0)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>

static double seconds = 1.0;
volatile uint64_t sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void spin(double until)
{
	while (now() < until)
		for (int i = 0; i < 1000; i++)
			sink += i;
}

static void *busy(void *arg)
{
	prctl(PR_SET_NAME, "busy");
	spin(now() + seconds);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 1, late_ms = 0, opt;
	pthread_t tid[64];

	while ((opt = getopt(argc, argv, "t:d:l:")) != -1) {
		switch (opt) {
		case 't': threads = atoi(optarg); break;
		case 'd': seconds = atof(optarg); break;
		case 'l': late_ms = atoi(optarg); break;
		default: return 2;
		}
	}
	if (threads < 1 || threads > 64)
		return 2;
	if (late_ms)
		usleep(late_ms * 1000);
	for (int i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, busy, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	{
		struct timespec ts;

		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		printf("cpu_ns=%lld\n", ts.tv_sec * 1000000000LL + ts.tv_nsec);
	}
	return 0;
}
