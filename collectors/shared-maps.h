/* SPDX-License-Identifier: MIT */
/*
 * The maps every BPF object of a recording shares (collectors/shared-maps.c):
 * the target set, the per-thread path and the unwinder's tables.
 */
#ifndef PEERSCOPE_SHARED_MAPS_H
#define PEERSCOPE_SHARED_MAPS_H

#include <stdint.h>

#include "collectors/record-opts.h"

struct bpf_object;
struct target;       /* core/target.h */
struct unwinder;     /* collectors/unwinder.h */

/* Maps shared by every BPF object; created once, reused before load. */
struct shared_maps {
	int targets_fd;         /* "ps_targets" */
	int thread_path_fd;     /* "ps_thread_path" */
	int thread_tag_fd;      /* "ps_thread_tag": serving peer per thread */
	int peers_fd;           /* "ps_peers": address -> peer id */
	int peer_slots_fd;      /* "ps_peer_slots": the space-saving peer table */
	int peer_ctl_fd;        /* "ps_peer_ctl": its bookkeeping (insertions, evictions) */
	struct unwinder *unw;   /* the unw_* maps and tables; NULL: frame pointers only */
	uint32_t thread_slots;  /* entries of every per-thread map (shared_maps__thread_slots) */
};

/*
 * Entries for a map keyed by thread, given the targets' threads now: four
 * times as many (for those they start) plus 2048, as a power of two, at
 * most PS_MAX_THREADS.  Each entry of a hash map's bucket array is
 * allocated and written at creation even without preallocation: at 65536
 * for a node of 20 threads, five such maps were 5 MB of memory touched and
 * ~8 ms of every record's start-up on this VM.
 */
uint32_t shared_maps__thread_slots(uint64_t nr_threads);

/*
 * Shared maps: create once per recording; 0 or negative errno.  With
 * unwind auto|dwarf the unwinder's maps are created too (a failure there
 * only warns: stacks then come from frame pointers), its table space sized
 * to targets' tables when targets is given (NULL: targets that come later,
 * the largest size).
 */
int shared_maps__create(struct shared_maps *sm, enum unwind_mode unwind,
			const struct target *targets);
void shared_maps__destroy(struct shared_maps *sm);
int shared_maps__add_target(const struct shared_maps *sm, uint32_t tgid);
/*
 * Point obj's "ps_targets"/"ps_thread_path" at the shared fds; call before
 * load.  The unwinder's maps are separate: unwinder__reuse(sm->unw, obj).
 */
int shared_maps__reuse(const struct shared_maps *sm, struct bpf_object *obj);

#endif /* PEERSCOPE_SHARED_MAPS_H */
