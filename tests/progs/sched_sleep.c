// SPDX-License-Identifier: MIT
/*
 * Off-CPU test target: one thread ("sleeper") that alternates BUSY ms of
 * spinning in sleep_spin() with SLEEP ms in nanosleep() from sleep_nap(),
 * so its off-CPU time is SLEEP/(BUSY+SLEEP) of its wall time, reason timer.
 * With -a its naps alternate between nanosleep() and poll() with no fds
 * from sleep_poll(): two waits with different kernel stacks.
 *
 *   sched_sleep [-d SECONDS] [-b BUSY_MS] [-s SLEEP_MS] [-a]   (defaults 60, 5, 5)
 */
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>

static double busy_ms = 5, sleep_ms = 5;
static bool alternate;
volatile uint64_t sink;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

__attribute__((noinline)) void sleep_spin(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		for (int i = 0; i < 1000; i++)
			sink += i;
}

__attribute__((noinline)) void sleep_nap(uint64_t ns)
{
	struct timespec ts = { ns / 1000000000ULL, ns % 1000000000ULL };

	nanosleep(&ts, NULL);
}

__attribute__((noinline)) void sleep_poll(uint64_t ns)
{
	poll(NULL, 0, ns / 1000000);
}

static void *sleeper(void *arg)
{
	uint64_t end = *(uint64_t *)arg;

	prctl(PR_SET_NAME, "sleeper");
	for (unsigned n = 0; !end || now_ns() < end; n++) {
		sleep_spin(busy_ms * 1e6);
		if (alternate && n % 2)
			sleep_poll(sleep_ms * 1e6);
		else
			sleep_nap(sleep_ms * 1e6);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	double dur = 60;
	uint64_t end;
	pthread_t t;
	int opt;

	while ((opt = getopt(argc, argv, "d:b:s:a")) != -1) {
		switch (opt) {
		case 'd': dur = atof(optarg); break;
		case 'b': busy_ms = atof(optarg); break;
		case 's': sleep_ms = atof(optarg); break;
		case 'a': alternate = true; break;
		default: return 2;
		}
	}
	end = dur > 0 ? now_ns() + dur * 1e9 : 0;
	pthread_create(&t, NULL, sleeper, &end);
	pthread_join(t, NULL);
	return 0;
}
