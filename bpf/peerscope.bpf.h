/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF-side helpers shared by every *.bpf.c: the shared maps (their fds are
 * created once by `record` and reused by every object before load, see
 * collectors/shared-maps.c), target filtering, the stats array and the
 * per-thread path lookup.  Include after vmlinux.h and bpf_helpers.h.
 */
#ifndef PEERSCOPE_BPF_COMMON_H
#define PEERSCOPE_BPF_COMMON_H

#include "bpf/peerscope.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PS_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u32);
} ps_targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PS_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct ps_thread_path);
} ps_thread_path SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* only threads that read sockets */
	__uint(max_entries, PS_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct ps_tag_state);
} ps_thread_tag SEC(".maps");

/* the peer table (bpf/peerscope.h): written by the sock programs, read by userspace */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * PS_MAX_PEERS);	/* room for entries a race left stale */
	__type(key, struct sock_addr);
	__type(value, __u32);
} ps_peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PS_MAX_PEERS);
	__type(key, __u32);
	__type(value, struct ps_peer);
} ps_peer_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PS_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void ps_stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		*v += 1;
}

/*
 * Every program times itself: PS_RUN(expr) evaluates the program's body
 * and adds its run time and one run to the per-CPU stats.  This is what the
 * kernel's BPF statistics measure (two clock reads around each run), but
 * switching those on and off flips a static key patched into every BPF
 * call site of the kernel: 11-14 ms of each record's CPU on this VM, and a
 * cost to every other BPF program on the machine while we ran.
 */
static __always_inline void ps_run_add(__u64 t0)
{
	__u32 ns_key = PS_STAT_RUN_NS;
	__u64 *ns = bpf_map_lookup_elem(&stats, &ns_key);

	if (ns)
		*ns += bpf_ktime_get_ns() - t0;
	ps_stat_inc(PS_STAT_RUNS);
}

#define PS_RUN(body) ({							\
	__u64 __ps_t0 = bpf_ktime_get_ns();				\
	int __ps_ret = (body);						\
									\
	ps_run_add(__ps_t0);						\
	__ps_ret;							\
})

/*
 * Wake-up flags for a record going into ring buffer rb of size bytes.
 * Userspace sleeps on the ring's epoll between polls that come at least
 * once a second; the default (wake it whenever it has caught up) would
 * cost it a wake-up per record at a steady trickle.  Woken only once the
 * ring is a quarter full, it still drains a burst long before overflow.
 */
static __always_inline __u64 ps_rb_wakeup(void *rb, __u64 size)
{
	return bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) >= size / 4 ? BPF_RB_FORCE_WAKEUP
								    : BPF_RB_NO_WAKEUP;
}

/* True when the thread group tgid is traced. */
static __always_inline bool ps_is_target(__u32 tgid)
{
	return bpf_map_lookup_elem(&ps_targets, &tgid) != NULL;
}

/* The path the thread tid is in now (PS_PATH_OTHER outside spans). */
static __always_inline __u32 ps_thread_path_of(__u32 tid)
{
	struct ps_thread_path *tp = bpf_map_lookup_elem(&ps_thread_path, &tid);

	return tp ? tp->path : PS_PATH_OTHER;
}

/* The peer thread tid is serving and its socket's path; zeroes when none. */
static __always_inline void ps_thread_tag_get(__u32 tid, struct ps_thread_tag *out)
{
	struct ps_tag_state *t = bpf_map_lookup_elem(&ps_thread_tag, &tid);

	if (t)
		*out = t->tag;
}

/* The slot of a named peer id, NULL once another peer took the slot. */
static __always_inline struct ps_peer *ps_peer_slot_of(__u32 id)
{
	__u32 slot = PS_PEER_SLOT(id);
	struct ps_peer *p;

	if (id <= PS_PEER_OTHER)
		return NULL;
	p = bpf_map_lookup_elem(&ps_peer_slots, &slot);
	return p && p->id == id ? p : NULL;
}

/* Adds n to the cost of the peer id (space-saving counter), if still named. */
static __always_inline void ps_peer_cost_add(__u32 id, __u64 n)
{
	struct ps_peer *p = ps_peer_slot_of(id);

	if (p)
		__sync_fetch_and_add(&p->cost, n);
}

#endif /* PEERSCOPE_BPF_COMMON_H */
