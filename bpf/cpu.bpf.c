// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * On-CPU sampling.  Attached to a software cpu-clock perf event on every
 * online CPU in frequency mode; each sample of a traced process bumps a
 * counter keyed by thread, user stack id, kernel stack id and path.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf/peerscope.bpf.h"
#include "bpf/cpu.h"
#include "bpf/unwind.bpf.h"

/* vmlinux.h has no errno values */
#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef EEXIST
#define EEXIST 17
#endif

/* --no-kernel: set by userspace before load. */
const volatile bool kernel_stacks = true;

/*
 * Two sets of (stacks, counts, unwinder store): samples go to the set
 * "active_set" names while userspace drains and empties the other one
 * (collectors/cpu.c flips it every second), so long recordings of many
 * distinct stacks neither fill the maps nor lose the samples counted
 * during a drain.  The unwinder stores of set 0 and 1 are this object's
 * own unw_stacks and unw_stacks_b (bpf/unwind.bpf.h), not the shared one.
 * Sizes are defaults: collectors/cpu.c resizes them before load.
 */
struct cpu_stacks {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, CPU_STACK_ENTRIES);
	__type(key, __u32);
	__uint(value_size, PS_MAX_STACK_DEPTH * sizeof(__u64));
};

struct cpu_counts {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__uint(max_entries, CPU_COUNT_ENTRIES);
	__type(key, struct cpu_key);
	__type(value, __u64);
};

struct cpu_stacks stacks SEC(".maps");
struct cpu_counts counts SEC(".maps");
struct cpu_stacks stacks_b SEC(".maps");
struct cpu_counts counts_b SEC(".maps");

/* 0: stacks/counts, 1: stacks_b/counts_b; written by userspace */
volatile __u32 active_set;

/* Samples whose stack collided in a stack map bucket (struct cpu_overflow). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CPU_OVERFLOW_BYTES);
} overflow SEC(".maps");

/*
 * -EFAULT means "no stack of that kind" (a user-mode sample has no kernel
 * part, a kernel thread no user part): not an error.  -EEXIST (another
 * stack holds the bucket) sends the sample down the overflow path.
 * Anything else (-ENOMEM) loses the stack.
 */
static __always_inline __s32 get_stack(void *ctx, void *stackmap, __u64 flags, __u32 err_stat)
{
	long id = bpf_get_stackid(ctx, stackmap, flags);

	if (id < 0 && id != -EFAULT && id != -EEXIST)
		ps_stat_inc(err_stat);
	return id;
}

/*
 * The kernel stack, kept with the user one in this set's unwinder store
 * (allocated per stack, emptied at each drain); the set's stack map only
 * when the store cannot take it (unwinder off, this CPU's scratch busy,
 * store full), so that map is sized for those few (collectors/cpu.c).
 * -EFAULT from the store is a sample in user code: no kernel stack, and
 * no second walk to find that out.
 */
static __always_inline __s32 kernel_stack(void *ctx, void *stackmap, __u32 set)
{
	long id = unw_kernel_stack(ctx, set);

	if (id >= 0 || id == -EFAULT)
		return id;
	return get_stack(ctx, stackmap, 0, PS_STAT_STACK_ERR_KERN);
}

/*
 * A stack collided: the sample goes to userspace with its frames inline
 * rather than losing its stack.  Collisions are a few percent of new
 * stacks, so the ring carries little; a full ring loses the stack, counted
 * as a stack error as before.
 */
static __always_inline int count_overflow(void *ctx, struct cpu_key *key, bool user_unwound)
{
	struct cpu_overflow *o;
	long n;

	o = bpf_ringbuf_reserve(&overflow, sizeof(*o), 0);
	if (!o) {
		ps_stat_inc(key->user_stack_id == -EEXIST ? PS_STAT_STACK_ERR_USER
							  : PS_STAT_STACK_ERR_KERN);
		return 0;
	}
	o->key = *key;
	o->user_bytes = 0;
	if (!user_unwound) {
		o->key.user_stack_id = -1;
		n = bpf_get_stack(ctx, o->user_ips, sizeof(o->user_ips), BPF_F_USER_STACK);
		o->user_bytes = n > 0 ? n : 0;
	}
	o->key.kern_stack_id = -1;
	n = kernel_stacks ? bpf_get_stack(ctx, o->kern_ips, sizeof(o->kern_ips), 0) : 0;
	o->kern_bytes = n > 0 ? n : 0;
	/* read at each flush, never waited on: no wake-up to pay for */
	bpf_ringbuf_submit(o, BPF_RB_NO_WAKEUP);
	return 0;
}

static __always_inline int count_sample(void *ctx, void *stackmap, void *countmap,
					__u32 set, __u64 id, __u32 tgid)
{
	struct cpu_key key = {};
	__u64 one = 1, *cnt;
	bool user_unwound;
	long err;

	key.tgid = tgid;
	key.tid = (__u32)id;
	key.path = ps_thread_path_of(key.tid);
	ps_thread_tag_get(key.tid, &key.tag);
	ps_peer_cost_add(key.tag.peer, 1);	/* CPU spent serving a peer keeps it named */
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	/*
	 * .eh_frame unwinding when tables are loaded for tgid (--unwind), else
	 * (or when the stack could not be stored) frame pointers
	 */
	key.user_stack_id = unw_user_stack(tgid, set);
	user_unwound = key.user_stack_id >= 0;
	if (!user_unwound)
		key.user_stack_id = get_stack(ctx, stackmap, BPF_F_USER_STACK, PS_STAT_STACK_ERR_USER);
	key.kern_stack_id = kernel_stacks ? kernel_stack(ctx, stackmap, set) : -1;
	if (key.user_stack_id == -EEXIST || key.kern_stack_id == -EEXIST)
		return count_overflow(ctx, &key, user_unwound);

	cnt = bpf_map_lookup_elem(countmap, &key);
	if (cnt) {
		__sync_fetch_and_add(cnt, 1);
		return 0;
	}
	err = bpf_map_update_elem(countmap, &key, &one, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* another CPU inserted the same key between lookup and update */
		cnt = bpf_map_lookup_elem(countmap, &key);
		if (cnt)
			__sync_fetch_and_add(cnt, 1);
	} else if (err) {
		ps_stat_inc(PS_STAT_MAP_FULL);
	}
	return 0;
}

static __always_inline int cpu_sample__run(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;

	if (!tgid || !ps_is_target(tgid))
		return 0;
	ps_stat_inc(PS_STAT_EVENTS);
	if (active_set)
		return count_sample(ctx, &stacks_b, &counts_b, 1, id, tgid);
	return count_sample(ctx, &stacks, &counts, 0, id, tgid);
}

SEC("perf_event")
int cpu_sample(struct bpf_perf_event_data *ctx)
{
	return PS_RUN(cpu_sample__run(ctx));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
