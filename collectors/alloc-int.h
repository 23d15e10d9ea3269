/* SPDX-License-Identifier: MIT */
/*
 * The alloc collector's private state, shared by its files: alloc.c (load,
 * attach, duty cycle, drain), alloc-calibrate.c (what a probe hit costs)
 * and alloc-leaks.c (in-use snapshots and leak suspects).  Not for other code.
 */
#ifndef PEERSCOPE_ALLOC_INT_H
#define PEERSCOPE_ALLOC_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "bpf/alloc.h"
#include "collectors/alloc-discover.h"
#include "collectors/record-opts.h"
#include "core/hashmap.h"
#include "core/target.h"

struct alloc;
struct bpf_link;
struct unwinder;


#define SNAP_NS		500000000ULL	/* in-use snapshot period */
#define MAX_SNAPS	1024		/* then halve the resolution */
#define DUTY_PERIOD_NS	1000000000ULL	/* --alloc-duty cycle, at least */
#define POLL_NS		100000000ULL	/* alloc's timer wakes record every 100 ms */
/*
 * A process the agent picks up right after its exec may not have mapped
 * its C library yet (the dynamic loader is still at work): its allocator
 * is looked for again at every poll, for this long, before saying none.
 */
#define LATE_NS		5000000000ULL
#define ALLOC_LATE_MAX	64		/* processes waiting for their allocator */
#define CALIB_CALLS	2000		/* unprobed loop */
#define CALIB_PROBED_CALLS 300
#define CALIB_DEFAULT_NS 4400		/* the team figure, when we cannot measure */

/* Leak suspects: steady growth over enough snapshots. */
#define LEAK_MIN_POINTS	3
#define LEAK_MIN_R2	0.8
#define LEAK_MIN_BYTES	1024

struct series {
	struct alloc_key key;
	uint32_t first;		/* global snapshot index of y[0] */
	uint32_t n;
	double *y;		/* in-use bytes (unscaled) */
};

struct growth {
	uint32_t pid;
	uint64_t t_ns;		/* since attach */
	uint64_t rss, vm;	/* bytes, /proc/PID/statm */
	int64_t inuse;		/* sum over the pid's stacks (unscaled) */
};

struct alloc_priv {
	struct alloc *skel;
	struct unwinder *unw;		/* shared (sm->unw); NULL: frame pointers only */
	enum alloc_mode mode;
	unsigned sample;
	double duty;
	bool fault_btf;
	bool sys_btf;

	struct bpf_link *sys_links[2];
	struct bpf_link *fault_link;
	struct bpf_link **pe_links;
	int nr_pe;

	/* malloc mode */
	struct alloc_target *targets;
	int nr_targets;
	struct bpf_link **ulinks;	/* per target, 2 per probe */
	bool attached;
	uint64_t t_attach, t_switch;	/* CLOCK_MONOTONIC ns */
	uint64_t on_ns;			/* time the uprobes were attached */
	uint64_t detach_ns;		/* time spent detaching them (probes still trap) */
	uint64_t duty_period;
	unsigned toggles;
	double alloc_ns, free_ns;	/* measured probe costs per call */
	char calib_on[16];		/* "libc", "self", "default" */

	/* snapshots */
	uint64_t t_snap, snap_ns;
	int timer_fd;			/* wakes record every POLL_NS (timerfd) */
	uint64_t *snap_t;		/* global snapshot times since attach */
	uint32_t nr_snaps;
	struct hashmap *series_idx;	/* alloc_key -> 1-based index */
	struct series *series;
	uint32_t nr_series, cap_series;
	struct growth *growth;
	uint32_t nr_growth, cap_growth;
	uint32_t pids[PS_MAX_TARGETS];	/* the targets, for their RSS */
	int nr_pids;
	struct {
		uint32_t pid;
		uint64_t since;		/* CLOCK_MONOTONIC ns of the first look */
	} late[ALLOC_LATE_MAX];		/* new targets whose allocator is not mapped yet */
	int nr_late;
	struct alloc_window *window;	/* agent: what the last drain read */
	struct alloc_window *next;	/* agent: what this drain read, until the reset */
};

struct leak {
	const struct series *s;
	double slope, r2, conf;
	uint32_t n;
};

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The agent's windows (alloc-window.c): each drain remembers each key's
 * allocated bytes, objects and faults as it reads them (and reports what
 * came after the last drain's); the reset makes those the next drain's
 * bases and forgets idle keys.
 */
struct alloc_window;
int alloc__window_take(struct alloc_priv *ap, const struct alloc_key *k, struct alloc_val *v);
int alloc__window_reset(struct alloc_priv *ap);
void alloc__window_free(struct alloc_priv *ap);

/* Times one probe hit on the target's allocator (or ours): ap->alloc_ns, free_ns. */
void alloc__calibrate(struct alloc_priv *ap);

/* In-use bytes per stack (and, with rss, each target's RSS) at now. */
int alloc__snapshot(struct alloc_priv *ap, uint64_t now, bool rss);
/* Drop the leak series of the keys for which keep(key, ctx) is false. */
int alloc__series_keep(struct alloc_priv *ap, bool (*keep)(const struct alloc_key *, void *),
		       void *ctx);
/* Stacks whose in-use bytes grew steadily; count or negative errno. */
int alloc__find_leaks(const struct alloc_priv *ap, struct leak **out);
const struct leak *alloc__leak_of(const struct leak *leaks, int n, const struct alloc_key *k);
const char *alloc__confidence_word(double c);

#endif /* PEERSCOPE_ALLOC_INT_H */
