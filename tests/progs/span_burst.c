// SPDX-License-Identifier: MIT
/*
 * Span test target: one thread ("burst") runs short operations back to
 * back, each between the USDT probes span_burst:op_start and op_done (id in
 * argument 0, ok in argument 1), and naps between them.  An operation lasts
 * a few microseconds, far less than attaching a probe takes, so a profiler
 * that attaches op_start before op_done sees starts whose done it missed.
 *
 *   span_burst [-d SECONDS] [-g GAP_US]   (defaults 60, 200)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/sdt.h>

volatile uint64_t sink;

__attribute__((noinline)) void burst_op(uint64_t id)
{
	DTRACE_PROBE1(span_burst, op_start, id);
	for (int i = 0; i < 200; i++)
		sink += i * id;
	DTRACE_PROBE2(span_burst, op_done, id, 1);
}

int main(int argc, char **argv)
{
	double secs = 60, gap_us = 200;
	struct timespec gap, end;
	uint64_t id = 0;
	int c;

	while ((c = getopt(argc, argv, "d:g:")) != -1) {
		if (c == 'd')
			secs = atof(optarg);
		else if (c == 'g')
			gap_us = atof(optarg);
		else
			return 2;
	}
	prctl(PR_SET_NAME, "burst");
	gap.tv_sec = 0;
	gap.tv_nsec = (long)(gap_us * 1000);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)secs;
	for (;;) {
		struct timespec now;

		burst_op(++id);
		nanosleep(&gap, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
	}
	return 0;
}
