/* SPDX-License-Identifier: MIT */
/*
 * Userspace half of the in-kernel .eh_frame unwinder (bpf/unwind.bpf.h).
 * One unwinder per recording, created with the shared maps
 * (shared_maps__create) and used by every collector whose BPF object
 * includes unwind.bpf.h (cpu, offcpu, sock, alloc): it creates the
 * unw_rows / unw_procs / unw_stacks / unw_stats maps once and hands them to
 * each object before load, builds each target file's table once
 * (core/unwind-table), copies the rows into the mmap-ed "unw_rows" array,
 * describes each target's executable mappings in "unw_procs", and reads
 * unwound stacks back out of "unw_stacks".  (Named unwinder.h: bpf/unwind.h
 * is the ABI.)
 */
#ifndef PEERSCOPE_UNWINDER_H
#define PEERSCOPE_UNWINDER_H

#include <stdbool.h>
#include <stdint.h>

#include "collectors/record-opts.h"

struct bpf_object;
struct profile;
struct target;
struct unwinder;

/*
 * Once per recording: creates the unwinder maps.  mode is UNWIND_AUTO
 * (tables where a target has .eh_frame, frame pointers elsewhere),
 * UNWIND_DWARF (every target through the unwinder) or UNWIND_FP (no
 * unwinder: NULL with errno 0).  With targets, their tables are built
 * first and "unw_rows" is sized to them (twice their rows, at least 1 MiB);
 * without, it gets the largest size (UNW_MAX_ROWS).  NULL with errno set
 * when the maps could not be created; the recording then uses frame
 * pointers.
 */
struct unwinder *unwinder__create(enum unwind_mode mode, const struct target *targets);
void unwinder__free(struct unwinder *u);

/*
 * Before obj loads: points its unwinder maps at u's (or, with u NULL,
 * shrinks them to one entry: unused).  With own_stores, obj's stores of
 * unwound stacks (unw_stacks, unw_stacks_b) stay its own, for a collector
 * that drains and empties them while recording (read them with
 * unwinder__read_store); else it shares u's and never uses unw_stacks_b.
 * 1 when obj will unwind through u (set its unw_enabled rodata to that), 0
 * when it will not (u NULL, or obj has no unwinder maps), or -errno.
 */
int unwinder__reuse(struct unwinder *u, struct bpf_object *obj, bool own_stores);

/*
 * Before attaching: tables for every target's executable mappings.  Every
 * collector using u calls it; pids already loaded are skipped.  0 or -errno.
 */
int unwinder__add_target(struct unwinder *u, const struct target *t);
/* While recording: picks up libraries loaded since (rate-limited inside). */
void unwinder__poll(struct unwinder *u);

/* True for a user_stack_id that the unwinder stored (not a stackmap id). */
bool unwinder__owns_stack(int32_t stack_id);
/* Frames of such a stack into ips (PS_MAX_STACK_DEPTH); the depth, 0 if gone. */
int unwinder__read_stack(struct unwinder *u, int32_t stack_id, uint64_t *ips);
/* The same from an object's own store (unw_stacks or unw_stacks_b, by fd). */
int unwinder__read_store(int store_fd, int32_t stack_id, uint64_t *ips);
/* True for an id unw_stacks_b holds rather than unw_stacks. */
bool unwinder__in_set_b(int32_t stack_id);
/* The shared store's fd (collectors/unwinder-trim.c), -1 without u. */
int unwinder__store_fd(struct unwinder *u);

/* Walk counters (stacks, root reached, frames by table / by frame pointer). */
struct unwinder_stats {
	uint64_t stacks, root, truncated, frames_table, frames_fp, read_err, store_err, busy;
	uint64_t no_tables;	/* stacks of processes without tables: frame pointers */
	uint64_t kernel;	/* kernel stacks stored (offcpu, cpu) */
	uint64_t kernel_spill;	/* ... kept in the stack map instead, same frames */
	uint64_t files, rows, procs;	/* tables loaded */
};
void unwinder__stats(struct unwinder *u, struct unwinder_stats *st);
/*
 * The same as an "unwind" side record of p (docs/format.md), and -v output.
 * collectors__finish() adds it once, after every drain (every program has
 * stopped counting by then), if a collector attached through u.
 */
int unwinder__record(struct unwinder *u, struct profile *p);

#endif /* PEERSCOPE_UNWINDER_H */
