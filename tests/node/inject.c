// SPDX-License-Identifier: GPL-2.0
/*
 * inject.c - names of the injectable bottlenecks, and the one that is a
 * thread of its own (cpu-starve).  The others live on the path they slow
 * down: dht_distance_slow, gossip_validate, bootstrap_send_hello_ack,
 * dht_send, gossip_copy_churn, gossip_write_small.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "node.h"

static const struct { const char *name; unsigned bit; } injections[] = {
	{ "dht-cpu", INJ_DHT_CPU },
	{ "gossip-lock", INJ_GOSSIP_LOCK },
	{ "bootstrap-slow", INJ_BOOTSTRAP_SLOW },
	{ "dht-loss", INJ_DHT_LOSS },
	{ "alloc-churn", INJ_ALLOC_CHURN },
	{ "small-writes", INJ_SMALL_WRITES },
	{ "cpu-starve", INJ_CPU_STARVE },
};

const char *inject_names(void)
{
	return "dht-cpu, gossip-lock, bootstrap-slow, dht-loss, alloc-churn, small-writes, cpu-starve";
}

/* 0, or -1 with the offending name copied to bad. */
int inject_parse(const char *list, unsigned *bits, char *bad, size_t badlen)
{
	char buf[256], *save = NULL, *tok;

	*bits = 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(injections) / sizeof(injections[0]); i++)
			if (!strcmp(tok, injections[i].name))
				break;
		if (i == sizeof(injections) / sizeof(injections[0])) {
			snprintf(bad, badlen, "%s", tok);
			return -1;
		}
		*bits |= injections[i].bit;
	}
	return 0;
}

#ifndef INJECT_NO_HOGS
/* A thread that only wants the CPU: every other thread now waits in the run queue. */
__attribute__((noinline)) static void *inject_cpu_hog(void *arg)
{
	volatile uint64_t x = (uintptr_t)arg;
	char name[16];

	snprintf(name, sizeof(name), "cpu-hog-%d", (int)(intptr_t)arg);
	pthread_setname_np(pthread_self(), name);
	while (!node_stopping())
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return NULL;
}

/* One hog per online CPU. */
void inject_start_hogs(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	for (long i = 0; i < (ncpu > 0 ? ncpu : 2); i++) {
		pthread_t t;

		if (!pthread_create(&t, NULL, inject_cpu_hog, (void *)(intptr_t)i))
			pthread_detach(t);
	}
}
#endif
