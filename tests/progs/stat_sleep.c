// SPDX-License-Identifier: MIT
/*
 * `peerscope stat` test target: ITERS times, sleep SLEEP_US microseconds,
 * so the thread is switched out ITERS times (context-switches ~ ITERS).
 *
 *   stat_sleep [-n ITERS] [-s SLEEP_US] [-w WAIT_MS]   (defaults 200, 1000, 0)
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long iters = 200, sleep_us = 1000, wait_ms = 0;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:w:")) != -1) {
		switch (opt) {
		case 'n': iters = atol(optarg); break;
		case 's': sleep_us = atol(optarg); break;
		case 'w': wait_ms = atol(optarg); break;
		default: return 2;
		}
	}
	if (wait_ms)
		usleep(wait_ms * 1000);
	for (long i = 0; i < iters; i++) {
		struct timespec ts = { sleep_us / 1000000, (sleep_us % 1000000) * 1000 };

		nanosleep(&ts, NULL);
	}
	return 0;
}
