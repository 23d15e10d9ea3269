// SPDX-License-Identifier: GPL-2.0
/*
 * inject.c - names of the injectable bottlenecks, and the one that is a
 * set of threads of its own (cpu-starve).  The others live on the path they slow
 * down: dht_distance_slow, gossip_validate, bootstrap_send_hello_ack,
 * dht_send, gossip_copy_churn, gossip_write_small, gossip_validate_work.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "node.h"

static const struct { const char *name; unsigned bit; } injections[] = {
	{ "dht-cpu", INJ_DHT_CPU },
	{ "gossip-lock", INJ_GOSSIP_LOCK },
	{ "bootstrap-slow", INJ_BOOTSTRAP_SLOW },
	{ "dht-loss", INJ_DHT_LOSS },
	{ "alloc-churn", INJ_ALLOC_CHURN },
	{ "small-writes", INJ_SMALL_WRITES },
	{ "cpu-starve", INJ_CPU_STARVE },
	{ "abusive-peer", INJ_ABUSIVE_PEER },
	{ "expensive-peer", INJ_EXPENSIVE_PEER },
	{ "slow-peer", INJ_SLOW_PEER },
};

const char *inject_names(void)
{
	return "dht-cpu, gossip-lock, bootstrap-slow, dht-loss, alloc-churn, small-writes, cpu-starve, "
	       "abusive-peer, expensive-peer, slow-peer";
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

/*
 * cpu-starve's hogs spin only once the network is up: a seed starved from
 * its first second could not answer the others' bootstrap within their
 * 10 s (seen once in a CI run: "node 3: bootstrap: cannot reach the
 * seed").  p2pnet says "starve" when every node is ready; a node run by
 * hand starts starving HOG_WAIT_MAX_MS after start.
 */
#define HOG_WAIT_MAX_MS		10000
static int hogs_go;

void inject_hogs_go(void)
{
	__atomic_store_n(&hogs_go, 1, __ATOMIC_RELAXED);
}

#ifndef INJECT_NO_HOGS
/*
 * cpu-starve.  One busy thread per CPU at the node's own priority hardly
 * starves anyone on a fair scheduler: a thread that wakes after a sleep
 * preempts the hog within about one slice, so a node that mostly sleeps
 * waits for a CPU about as long as it runs, and less on a quiet host.  So
 * the hogs are several per CPU, each pinned to its CPU (no CPU is ever
 * free), at nice 0, and the node's own threads run at HOG_VICTIM_NICE:
 * like a node on a host whose other work outranks it.  Renicing the node
 * down rather than the hogs up needs no privilege and starves only this
 * node, not the other processes on the host.
 */
#define HOGS_PER_CPU		2
#define HOG_VICTIM_NICE		10

struct hog {
	int index, cpu;		/* cpu -1: not pinned */
};

/* A thread that only wants the CPU: every other thread now waits in the run queue. */
__attribute__((noinline)) static void *inject_cpu_hog(void *arg)
{
	struct hog *h = arg;
	volatile uint64_t x = h->index;
	char name[16];

	snprintf(name, sizeof(name), "cpu-hog-%d", h->index);
	pthread_setname_np(pthread_self(), name);
	if (h->cpu >= 0) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(h->cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);	/* unpinned if it fails */
	}
	for (int ms = 0; ms < HOG_WAIT_MAX_MS && !__atomic_load_n(&hogs_go, __ATOMIC_RELAXED) &&
			 !node_stopping(); ms += 10)
		usleep(10000);
	while (!node_stopping())
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return NULL;
}

/*
 * HOGS_PER_CPU hogs per CPU this process may run on, then the calling
 * thread drops to HOG_VICTIM_NICE: call it before the node starts its
 * other threads, which inherit the nice value (Linux keeps it per thread).
 */
void inject_start_hogs(void)
{
	static struct hog hogs[HOGS_PER_CPU * CPU_SETSIZE];
	int cpus[CPU_SETSIZE], ncpu = 0, n = 0;
	cpu_set_t allowed;

	if (!sched_getaffinity(0, sizeof(allowed), &allowed)) {
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &allowed))
				cpus[ncpu++] = c;
	}
	if (!ncpu) {
		long online = sysconf(_SC_NPROCESSORS_ONLN);

		ncpu = online > 0 ? (online < CPU_SETSIZE ? online : CPU_SETSIZE) : 2;
		for (int c = 0; c < ncpu; c++)
			cpus[c] = -1;
	}
	for (int r = 0; r < HOGS_PER_CPU; r++) {
		for (int c = 0; c < ncpu; c++) {
			pthread_t t;

			hogs[n] = (struct hog){ .index = n, .cpu = cpus[c] };
			if (!pthread_create(&t, NULL, inject_cpu_hog, &hogs[n]))
				pthread_detach(t);
			n++;
		}
	}
	/* which = PRIO_PROCESS, who = 0: on Linux, the calling thread only */
	setpriority(PRIO_PROCESS, 0, HOG_VICTIM_NICE);
}
#endif
