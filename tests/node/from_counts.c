// SPDX-License-Identifier: GPL-2.0
/*
 * from_counts.c - per-sender counters (from_counts.h).
 */
#include <stdio.h>
#include <time.h>

#include "from_counts.h"

void from_add(struct from_counts *fc, uint16_t port, unsigned long n)
{
	pthread_mutex_lock(&fc->lock);
	for (int i = 0; i < FROM_SLOTS; i++) {
		if (!fc->slot[i].port)
			fc->slot[i].port = port;
		if (fc->slot[i].port == port) {
			fc->slot[i].n += n;
			break;
		}
	}
	pthread_mutex_unlock(&fc->lock);
}

void from_format(struct from_counts *fc, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	pthread_mutex_lock(&fc->lock);
	for (int i = 0; i < FROM_SLOTS && fc->slot[i].port && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%u:%lu", off ? "," : "",
				fc->slot[i].port, fc->slot[i].n);
	pthread_mutex_unlock(&fc->lock);
}

uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* this thread's CPU in left-out calls so far, and when the current one began */
static __thread uint64_t left_out_ns, left_out_since;

void from_leave_out_begin(void)
{
	left_out_since = thread_cpu_ns();
}

void from_leave_out_end(void)
{
	left_out_ns += thread_cpu_ns() - left_out_since;
}

uint16_t from_stretch_next(struct from_stretch *s, uint16_t port, uint64_t *ns)
{
	uint64_t now = thread_cpu_ns();
	uint16_t was = s->port;

	*ns = was ? now - s->cpu_ns - (left_out_ns - s->left_out_ns) : 0;
	*s = (struct from_stretch){ port, now, left_out_ns };
	return was;
}
