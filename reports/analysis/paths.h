/* SPDX-License-Identifier: MIT */
/*
 * The per-path decomposition of a profile (docs/report-paths.md).
 *
 * Every sample is attributed to one path (attribute.h): its `path` label
 * when a span set it, else the symbol rules over its stack, else its
 * thread's name, the socket it served, the port rules, else "other"; the
 * labels written at load (paths__label_profile) say which.  Per path the
 * wall time is split into on-CPU user / kernel, run queue, and off-CPU by
 * reason, each with its top stacks and the function responsible; waits
 * that only mean "waiting for work" (an event loop in epoll_wait, a worker
 * on an empty queue) are counted apart as idle unless a span says the
 * thread was inside an operation.  Span latency histograms ("hist"
 * records) give operation counts and percentiles.
 */
#ifndef PEERSCOPE_ANALYSIS_PATHS_H
#define PEERSCOPE_ANALYSIS_PATHS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/names.h"
#include "core/units.h"

struct profile;
struct path_rules;

/* Off-CPU reasons of a blocked thread, the `reason` label (core/names.h,
 * docs/conventions.md). */
enum path_reason {
	PR_OTHER = REASON_OTHER, PR_LOCK = REASON_LOCK, PR_NET = REASON_NET,
	PR_TIMER = REASON_TIMER, PR_IO = REASON_IO, PR_FAULT = REASON_FAULT,
	PR_NR = REASON_NR_BLOCKED,
};

/* The parts of a path's time (the wall parts) and traffic that get top stacks. */
enum path_part {
	PART_CPU = WALL_CPU,
	PART_RUNQ = WALL_RUNQ,
	PART_OFF = WALL_OFF,		/* + enum path_reason */
	PART_IDLE = WALL_IDLE,
	PART_TX = WALL_NR,		/* tx/messages (or bytes) by stack */
	PART_ALLOC,			/* alloc/bytes */
	PART_NR,
};

#define PATHS_TOP 3

struct path_top {
	uint32_t stack;			/* stack id in the profile, 0 = none */
	int64_t value;
};

struct path_part_stats {
	int64_t total;
	struct path_top top[PATHS_TOP];	/* largest first */
	/* the function responsible: see paths.c culprit() */
	char culprit[512];
	int64_t culprit_value;
	char waker[512];		/* the waker's function, when recorded */
	int64_t waker_value;
};

struct path_latency {
	uint64_t count, errors, unmatched;
	uint64_t sum_ns, max_ns;
	uint64_t p50_ns, p90_ns, p95_ns, p99_ns;
};

struct path_stats {
	char name[32];
	uint32_t id;			/* path id in the rules */
	bool has_spans;			/* the rules time this path */
	int64_t cpu_user_ns, cpu_kernel_ns;
	int64_t runq_ns;
	int64_t off_ns[PR_NR];		/* inside work: counted in busy */
	int64_t idle_ns;		/* waiting for work: not counted */
	int64_t idle_cpu_ns;		/* ... of it on-CPU (frames__is_idle_on_cpu): not in cpu_* */
	int64_t busy_ns;		/* cpu + runq + off: the wall time that matters */
	int64_t span_ns;		/* busy time labelled by a span */
	int64_t tx_bytes, rx_bytes, tx_msgs, rx_msgs;
	int64_t alloc_bytes, alloc_objects;
	int64_t alloc_cpu_ns;		/* on-CPU inside the allocator */
	uint32_t peers;
	uint64_t samples;
	struct path_part_stats part[PART_NR];
	struct path_latency lat;
	bool has_lat;
};

struct path_report {
	struct path_stats *paths;	/* rules order: other last */
	uint32_t nr_paths;
	int64_t duration_ns;
	int64_t total_busy_ns;
	bool has_cpu, has_offcpu, has_runq, has_sock, has_alloc;
	const char *rules_name;
	char rules_why[160];
};

/*
 * Gives every sample its path, once, after loading and before any analysis
 * reads the profile: the `path` label (set where the rules, not a span,
 * place the sample) and the `path_by` label saying which evidence did
 * (attribute.h, docs/format.md), through profile__relabel(); samples that
 * then share a stack and labels are merged.  A second pass gives traffic
 * that no evidence placed its socket's path (socket-paths.h, path_by
 * "socket").  report, flame and diff call it at load with the rules their
 * analyses use.  A sample already labelled is left as it is, so a second
 * call changes nothing.  Returns the number of samples relabelled (one
 * that both passes changed counts twice) or a negative errno.
 */
int paths__label_profile(struct profile *p, const struct path_rules *r);

/* Every sample carries its path_by label (paths__label_profile has run). */
bool paths__is_labelled(const struct profile *p);

/*
 * profile__filter() predicate: the sample's `path` label is the path named
 * by ctx (a const char *; no label counts as "other").
 */
bool paths__sample_on(const struct profile *p, uint32_t sample, void *ctx);

/* Decompose p by rules; 0 or negative errno. */
int paths__analyze(const struct profile *p, const struct path_rules *r, struct path_report *out);
void paths__free(struct path_report *rep);
struct path_stats *paths__find(struct path_report *rep, const char *name);

/* One of a path's slowest operations ("slowop" records). */
struct path_slowop {
	uint64_t id;
	bool has_id;
	const char *ok;			/* "yes", "no" or NULL; the profile's string */
	int64_t start_ns;
	uint64_t latency_ns;
};

/* The slowest operations of path, slowest first; returns how many (<= max). */
int paths__slowest(const struct profile *p, const char *path, struct path_slowop *out, int max);

/* True when p has anything the paths section shows (span histograms, rules, a span's path labels). */
bool paths__has_data(const struct profile *p);

/* Percentile q (0..1) of a log-linear bucket list "b:n,b:n" (see bpf/span.h). */
uint64_t paths__hist_quantile(const uint64_t *buckets, uint32_t nr, uint64_t count, double q,
			      uint64_t max_ns);

/* "1.2 ms", "340 us", "2.1 s" into buf: the paths section's style (no minutes). */
static inline const char *paths__fmt_ns(double ns, char *buf, size_t len)
{
	return units__ns(ns, UNITS_NS_SECONDS, buf, len);
}

#endif /* PEERSCOPE_ANALYSIS_PATHS_H */
