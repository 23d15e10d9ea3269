/* SPDX-License-Identifier: MIT */
/*
 * The one table of names the recording and every report share: off-CPU
 * reasons (the `reason` label), the built-in paths (the `path` label) and
 * the parts wall time is split into.  docs/offcpu.md and docs/rules.md say
 * what each means.
 */
#ifndef PEERSCOPE_NAMES_H
#define PEERSCOPE_NAMES_H

/*
 * Why a thread was off CPU.  The numbering is the BPF programs' (enum
 * ps_reason in bpf/peerscope.h; names.c checks it).  REASON_RUNQ is runnable
 * but waiting for a CPU: a reason on the wire, a part of its own in reports.
 */
enum reason {
	REASON_OTHER = 0, REASON_LOCK, REASON_NET, REASON_TIMER, REASON_IO, REASON_FAULT,
	REASON_RUNQ,
	REASON_NR,
};
/* The blocked reasons (REASON_OTHER .. REASON_FAULT) come first. */
#define REASON_NR_BLOCKED	REASON_RUNQ

extern const char *const reason_names[REASON_NR];
/* Name of reason r; "other" for one out of range. */
const char *reason__name(unsigned int r);
/* The reason a `reason` label names, or -1. */
int reason__parse(const char *name);

/*
 * Built-in paths, numbered as enum ps_path (bpf/peerscope.h).  Work no rule
 * claims is on PATH_OTHER.
 */
enum path_builtin {
	PATH_OTHER = 0, PATH_DHT, PATH_GOSSIP, PATH_BOOTSTRAP,
	PATH_NR_BUILTIN,
};
#define PATH_OTHER_NAME		"other"

extern const char *const path_builtin_names[PATH_NR_BUILTIN];
/* Id of a built-in path name, or -1. */
int path_builtin__id(const char *name);

/*
 * Parts of a thread's wall time: on CPU, run queue, off CPU by blocked
 * reason (in enum reason order), idle (off CPU waiting for work).
 */
enum wall_part {
	WALL_CPU = 0, WALL_RUNQ,
	WALL_OFF,				/* + enum reason, up to REASON_NR_BLOCKED */
	WALL_IDLE = WALL_OFF + REASON_NR_BLOCKED,
	WALL_NR,
};
/* "cpu", "runq", the reason names, "idle": labels and JSON keys. */
extern const char *const wall_part_names[WALL_NR];
/* "on-CPU", "run queue", "lock wait", ...: words for people. */
extern const char *const wall_part_titles[WALL_NR];

/* The wall part of an off-CPU reason. */
static inline enum wall_part wall_part__of_reason(enum reason r)
{
	return r == REASON_RUNQ ? WALL_RUNQ : r < REASON_NR_BLOCKED ? WALL_OFF + r : WALL_OFF;
}

#endif /* PEERSCOPE_NAMES_H */
