/* SPDX-License-Identifier: MIT */
/*
 * Emptying the unwinder's shared store of user stacks (unw_stacks, used by
 * offcpu, sock and alloc) while recording, for the agent: the store holds
 * UNW_STACK_ENTRIES stacks for the whole recording, and a node that runs
 * for days (JIT code moves, peers come and go) fills it, after which every
 * new stack falls back to a frame-pointer walk.  Between windows, once the
 * store is more than half full, the agent asks each collector that shares
 * it which ids its maps still refer to (open waits, live allocations) and
 * deletes the rest.
 */
#ifndef PEERSCOPE_UNWINDER_TRIM_H
#define PEERSCOPE_UNWINDER_TRIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct unwinder;

/* A set of store ids, filled by unw_keep__add(), then sorted by the trim. */
struct unw_keep {
	uint32_t *ids;
	size_t n, cap;
	int err;	/* -ENOMEM once an add failed: then nothing is trimmed */
};

/*
 * Keeps stack_id in the struct unw_keep ctx when it is an id of the shared
 * store (others are ignored); void * so that it is a scan callback as is.
 */
void unw_keep__add(void *ctx, int32_t stack_id);
void unw_keep__free(struct unw_keep *k);

struct unw_trim {
	uint32_t held;		/* entries at the last look */
	uint32_t capacity;
	uint32_t kept;		/* of held, referred to (k), at the last trim */
	uint32_t deleted;
	/* the walk counter at the last look: each walk stores one stack at most */
	uint64_t walks;
	bool looked;
	/*
	 * The ids the count found when it said "crowded", for the trim that
	 * follows: a stack stored after the count is new, so never deleted.
	 */
	uint32_t *ids;
	size_t nr_ids;
};

/*
 * Whether the store is worth trimming now: more than half full.  Counting
 * its entries reads every key, one syscall each (15 ms for 8192 here), so
 * t, kept from one call to the next, skips the count while the walks since
 * the last one cannot have filled half of it.  t->held and
 * t->capacity are the last count's.  When it returns true, t keeps the ids
 * counted until unwinder__trim(), which must follow.
 */
bool unwinder__store_crowded(struct unwinder *u, struct unw_trim *t);

/*
 * Deletes every stack counted by the last unwinder__store_crowded() that
 * k does not hold, and frees the count's ids.  A stack walked again
 * between the collectors' scans and this deletion may go too: its event
 * keeps its counts without user frames (the site memo walks again).
 * 0 or -errno; nothing is deleted when k->err is set.
 */
int unwinder__trim(struct unwinder *u, struct unw_keep *k, struct unw_trim *t);

#endif /* PEERSCOPE_UNWINDER_TRIM_H */
