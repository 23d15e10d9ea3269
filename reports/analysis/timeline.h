/* SPDX-License-Identifier: MIT */
/*
 * "Where the time goes", per thread: each thread's wall time split into
 * on-CPU, run queue and off-CPU by wait reason (lock, net, timer, io, fault,
 * other), or idle when the blocked stack is only waiting for work (a worker
 * on its condition variable, an event loop in epoll_wait: the recording's
 * idle rules and the built-in list), with the top stacks of each part.
 * Read from the cpu, offcpu and runq columns and the `reason` label
 * (docs/offcpu.md).  Stacks print with frames__stack_str(...,
 * FRAMES_STR_USER_OR_KERNEL, ...).
 */
#ifndef PEERSCOPE_ANALYSIS_TIMELINE_H
#define PEERSCOPE_ANALYSIS_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/names.h"

struct profile;

/* Parts of a thread's timeline: the wall parts (core/names.h, wall_part_names). */
enum tl_part {
	TL_CPU = WALL_CPU,
	TL_RUNQ = WALL_RUNQ,
	TL_OTHER = WALL_OFF + REASON_OTHER, TL_LOCK = WALL_OFF + REASON_LOCK,
	TL_NET = WALL_OFF + REASON_NET, TL_TIMER = WALL_OFF + REASON_TIMER,
	TL_IO = WALL_OFF + REASON_IO, TL_FAULT = WALL_OFF + REASON_FAULT,
	TL_IDLE = WALL_IDLE,	/* off-CPU waiting for work (idle rules, docs/rules.md) */
	TL_NR = WALL_NR,
};

#define TIMELINE_TOP 3

struct tl_top {
	uint32_t stack;		/* stack id in the profile, 0 = none */
	int64_t ns;
};

struct tl_thread {
	int64_t pid, tid;	/* 0 when the recording has no such label */
	char thread[32];
	int64_t ns[TL_NR];
	int64_t wall;		/* sum of ns[] */
	struct tl_top top[TL_NR][TIMELINE_TOP];	/* largest first */
};

struct timeline {
	struct tl_thread *threads;	/* by wall, largest first */
	uint32_t nr;
	bool has_cpu, has_offcpu;
};

struct path_rules;

/*
 * 0 or a negative errno; an empty timeline when p has no time columns.
 * rules: whose idle lines say which off-CPU stacks are idle (NULL: the
 * recording's own rules, else the built-in list).
 */
int timeline__compute(const struct profile *p, const struct path_rules *rules,
		      struct timeline *out);
void timeline__free(struct timeline *t);

#endif /* PEERSCOPE_ANALYSIS_TIMELINE_H */
