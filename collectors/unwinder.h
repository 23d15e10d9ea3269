/* SPDX-License-Identifier: MIT */
/*
 * Userspace half of the in-kernel .eh_frame unwinder (bpf/unwind.bpf.h):
 * builds each target file's table once (core/unwind-table), copies the rows
 * into the mmap-ed "unw_rows" array, describes each target's executable
 * mappings in "unw_procs", and reads unwound stacks back out of
 * "unw_stacks".  Used by the cpu collector; any BPF object that includes
 * unwind.bpf.h can use it.  (Named unwinder.h: bpf/unwind.h is the ABI.)
 */
#ifndef PEERSCOPE_UNWINDER_H
#define PEERSCOPE_UNWINDER_H

#include <stdbool.h>
#include <stdint.h>

#include "collector.h"

struct bpf_object;
struct profile;
struct unwinder;

/*
 * Before load: finds the unwinder maps in obj.  mode is UNWIND_AUTO (tables
 * where a target has .eh_frame, frame pointers elsewhere), UNWIND_DWARF
 * (every target through the unwinder) or UNWIND_FP (no unwinder: the maps
 * are shrunk and NULL returned).  NULL also when obj has no unwinder maps
 * or memory ran out.  Set the object's unw_enabled to (result != NULL).
 */
struct unwinder *unwinder__new(struct bpf_object *obj, enum unwind_mode mode);
void unwinder__free(struct unwinder *u);

/* After load: tables for every target's executable mappings.  0 or -errno. */
int unwinder__add_target(struct unwinder *u, const struct target *t);
/* While recording: picks up libraries loaded since (rate-limited inside). */
void unwinder__poll(struct unwinder *u);

/* True for a user_stack_id that the unwinder stored (not a stackmap id). */
bool unwinder__owns_stack(int32_t stack_id);
/* Frames of such a stack into ips (PS_MAX_STACK_DEPTH); the depth, 0 if gone. */
int unwinder__read_stack(struct unwinder *u, int32_t stack_id, uint64_t *ips);

/* Walk counters (stacks, root reached, frames by table / by frame pointer). */
struct unwinder_stats {
	uint64_t stacks, root, truncated, frames_table, frames_fp, read_err, store_err;
	uint64_t files, rows, procs;	/* tables loaded */
};
void unwinder__stats(struct unwinder *u, struct unwinder_stats *st);
/* The same as an "unwind" side record of p (docs/format.md), and -v output. */
int unwinder__record(struct unwinder *u, struct profile *p);

#endif /* PEERSCOPE_UNWINDER_H */
