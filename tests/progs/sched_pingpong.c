// SPDX-License-Identifier: MIT
/*
 * Scheduler stress: two threads ("ping", "pong") bounce one byte through
 * two pipes as fast as they can, so every round trip is two blocks, two
 * wakeups and (on any CPU count) about four context switches.  Prints the
 * round trips per second at exit, for bench/sched-events.sh.
 *
 *   sched_pingpong [-d SECONDS]   (default 5)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>

static int ab[2], ba[2];
static volatile int stop;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *pong(void *arg)
{
	char c;

	prctl(PR_SET_NAME, "pong");
	while (read(ab[0], &c, 1) == 1 && c)
		if (write(ba[1], &c, 1) != 1)
			break;
	return NULL;
}

int main(int argc, char **argv)
{
	double dur = 5, t0, t;
	uint64_t n = 0;
	pthread_t th;
	char c = 1;
	int opt;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd')
			return 2;
		dur = atof(optarg);
	}
	if (pipe(ab) || pipe(ba))
		return 1;
	prctl(PR_SET_NAME, "ping");
	pthread_create(&th, NULL, pong, NULL);
	t0 = now_s();
	do {
		for (int i = 0; i < 1000; i++, n++) {
			if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
				return 1;
		}
		t = now_s();
	} while (t - t0 < dur);
	c = 0;
	if (write(ab[1], &c, 1) != 1)
		return 1;
	pthread_join(th, NULL);
	printf("%.0f round trips/s\n", n / (t - t0));
	return 0;
}
