/* SPDX-License-Identifier: MIT */
/*
 * The processes being recorded: parsing -p, validating pids, and what /proc
 * says about them while they live (alive?, comm, threads).
 */
#ifndef PEERSCOPE_TARGET_H
#define PEERSCOPE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * At most this many processes: the size of the BPF "ps_targets" map
 * (PS_MAX_TARGETS; target.c checks that the two agree).
 */
#define TARGET_MAX_PIDS	64

/* The processes being recorded. */
struct target {
	uint32_t *pids;
	int nr_pids;
};

/*
 * Parse "PID[,PID...]" and append to t (duplicates dropped).  -EINVAL on a
 * malformed list (bad points at the offending item), -E2BIG past max.
 */
int target__parse(struct target *t, const char *list, int max, const char **bad);
/* Append one pid (no-op if present); -E2BIG past max. */
int target__add(struct target *t, uint32_t pid, int max);
void target__free(struct target *t);

/*
 * Check that pid exists and is a process.  A thread id is replaced by its
 * thread group id (*tgid).  -ESRCH when there is no such pid.
 */
int target__validate(uint32_t pid, uint32_t *tgid);

/* True while the process runs (zombies and gone pids are not alive). */
bool target__alive(uint32_t pid);
/* What record notes about a target at attach and again at stop. */
struct target_state {
	bool alive;
	uint64_t children_cpu_ns;	/* CPU time of its reaped children (cutime + cstime) */
	char exe[256];			/* /proc/PID/exe: changes on exec */
};
/* s filled from /proc; -ESRCH (s->alive false) when the process is gone. */
int target__state(uint32_t pid, struct target_state *s);

/* /proc/PID/exe into buf ("" when unreadable): 0 or -errno (gone, no access). */
int target__exe(uint32_t pid, char *buf, size_t len);

/* How many of t's processes are alive. */
int target__nr_alive(const struct target *t);

/* Process name (comm) into buf; -errno when the process is gone. */
int target__comm(uint32_t pid, char *buf, size_t len);

/* Thread ids of pid (malloc'ed array in *tids); count or -errno. */
int target__threads(uint32_t pid, uint32_t **tids);

#endif /* PEERSCOPE_TARGET_H */
