// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Memory growth and allocations of traced processes (bpf/alloc.h has the
 * maps' shapes).
 *
 * Kernel side, cheap (record --alloc):
 * - sys_enter/sys_exit (tp_btf, else raw_tp) for brk, mmap and munmap:
 *   address-space growth by user stack; mappings are remembered in "live"
 *   so that munmap takes them off the in-use bytes of the stack that mapped
 *   them;
 * - user page faults (tp_btf exceptions/page_fault_user, else a software
 *   page-fault perf event per CPU): RSS growth by user stack.
 *
 * Allocator side, precise (record --alloc=malloc): a uprobe on every entry
 * point of the target's allocator and a uretprobe on those that return a
 * pointer; the attach cookie says which function (enum alloc_fn).  The
 * stack is taken at return, where the caller is the leaf: frame-pointer
 * unwinding from inside malloc's prologue would skip it.  Calls made by
 * the allocator itself (realloc -> malloc, operator new -> malloc, realloc
 * -> free) are nested and ignored, so each user call counts once.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "bpf/peerscope.bpf.h"
#include "bpf/alloc.h"
#include "bpf/unwind.bpf.h"

#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef EEXIST
#define EEXIST 17
#endif

#define NR_mmap		9
#define NR_munmap	11
#define NR_brk		12
#define PAGE_SIZE	4096

/* Set by userspace before load. */
const volatile __u32 sample_every = 1;	/* --alloc-sample N */
const volatile bool track_mmap = true;	/* kernel mode: alloc/inuse from brk/mmap */

/*
 * Bumped by userspace whenever the uprobes are re-attached (--alloc-duty):
 * a call whose return was missed while detached must not make the thread
 * look "inside the allocator" forever.
 */
__u32 attach_gen = 0;

/*
 * Set by userspace just before the uprobes are detached, cleared once they
 * are all attached again: destroying a dozen uprobe links takes up to a
 * second here (each waits for an RCU grace period), and counts must not
 * go on for some entry points and not for others meanwhile.
 */
__u32 uprobes_off = 0;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, ALLOC_STACK_ENTRIES);
	__type(key, __u32);
	__uint(value_size, PS_MAX_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__uint(max_entries, ALLOC_COUNT_ENTRIES);
	__type(key, struct alloc_key);
	__type(value, struct alloc_val);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ALLOC_LIVE_ENTRIES);
	__type(key, struct alloc_live_key);
	__type(value, struct alloc_live);
} live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

/* A thread inside an allocator call (uprobe seen, uretprobe not yet). */
struct call_state {
	__u64 size;
	__u64 ptr;		/* realloc: old pointer; posix_memalign: where the result goes */
	__u32 fn;
	__u32 depth;		/* 0: not inside; >1: nested calls */
	__u32 gen;
	__u32 pad;
	__u64 sp;		/* stack pointer at the outer call's entry */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PS_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct call_state);
} calls SEC(".maps");

/* A thread inside brk/mmap/munmap. */
struct sys_state {
	__u64 arg0, arg1;
	__u64 old_brk;
	__u32 nr;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PS_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct sys_state);
} sys_inflight SEC(".maps");

/* 1-in-N sampling counter, per CPU: no atomics on the hot path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sample_ctr SEC(".maps");

static __always_inline void total_add(__u32 which, __u64 v)
{
	__u64 *t = bpf_map_lookup_elem(&totals, &which);

	if (t)
		*t += v;
}

static __always_inline void make_key(void *ctx, struct alloc_key *key, __u64 id)
{
	long sid;

	key->tgid = id >> 32;
	key->tid = (__u32)id;
	key->path = ps_thread_path_of(key->tid);
	ps_thread_tag_get(key->tid, &key->tag);
	bpf_get_current_comm(key->comm, sizeof(key->comm));
	/*
	 * .eh_frame unwinding when the process has tables (--unwind
	 * auto|dwarf): brk and mmap are taken inside libc's wrappers, whose
	 * caller a frame-pointer walk skips.  Frame pointers otherwise.
	 */
	sid = unw_user_stack(key->tgid, 0);	/* the shared store: live blocks keep ids */
	if (sid >= 0) {
		key->user_stack_id = sid;
		return;
	}
	sid = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	if (sid < 0 && sid != -EFAULT)
		ps_stat_inc(PS_STAT_STACK_ERR_USER);
	key->user_stack_id = sid;
}

/* counts[key] += delta, inserting the key when new. */
static __always_inline void count_add(const struct alloc_key *key, __u64 bytes, __u64 objs,
				      __s64 inuse_bytes, __s64 inuse_objs, __u64 faults)
{
	struct alloc_val *v = bpf_map_lookup_elem(&counts, key);
	struct alloc_val zero = {};
	long err;

	if (!v) {
		err = bpf_map_update_elem(&counts, key, &zero, BPF_NOEXIST);
		if (err && err != -EEXIST) {
			ps_stat_inc(PS_STAT_MAP_FULL);
			return;
		}
		v = bpf_map_lookup_elem(&counts, key);
		if (!v)
			return;
	}
	if (bytes)
		__sync_fetch_and_add(&v->alloc_bytes, bytes);
	if (objs)
		__sync_fetch_and_add(&v->alloc_objs, objs);
	if (inuse_bytes)
		__sync_fetch_and_add(&v->inuse_bytes, inuse_bytes);
	if (inuse_objs)
		__sync_fetch_and_add(&v->inuse_objs, inuse_objs);
	if (faults)
		__sync_fetch_and_add(&v->fault_pages, faults);
}

/* An object or mapping is gone: off the in-use total of who made it. */
static __always_inline bool live_release(__u32 tgid, __u64 addr)
{
	struct alloc_live_key lk = { .tgid = tgid, .addr = addr };
	struct alloc_live *l = bpf_map_lookup_elem(&live, &lk);

	if (!l)
		return false;
	count_add(&l->key, 0, 0, -(__s64)l->size, -1, 0);
	bpf_map_delete_elem(&live, &lk);
	return true;
}

/* A new object or mapping at addr, counted under key. */
static __always_inline void live_add(const struct alloc_key *key, __u64 addr, __u64 size)
{
	struct alloc_live_key lk = { .tgid = key->tgid, .addr = addr };
	struct alloc_live l = { .size = size, .ts = bpf_ktime_get_ns(), .key = *key };

	/* the address is reused: its previous owner was freed while we did not look */
	live_release(key->tgid, addr);
	count_add(key, size, 1, size, 1, 0);
	if (bpf_map_update_elem(&live, &lk, &l, BPF_ANY)) {
		/* cannot follow its free: do not let it look leaked */
		count_add(key, 0, 0, -(__s64)size, -1, 0);
		total_add(AT_LIVE_FULL, 1);
	}
}

/* ---- allocator (uprobes) ------------------------------------------------ */

static __always_inline bool sampled(void)
{
	__u32 zero = 0;
	__u64 *c;

	if (sample_every <= 1)
		return true;
	c = bpf_map_lookup_elem(&sample_ctr, &zero);
	if (!c)
		return false;
	return (++*c % sample_every) == 0;
}

static __always_inline void account_alloc(void *ctx, __u64 id, __u64 addr, __u64 size)
{
	struct alloc_key key = {};

	total_add(AT_ALLOCS, 1);
	total_add(AT_ALLOC_BYTES, size);
	if (!sampled())
		return;
	total_add(AT_SAMPLED, 1);
	make_key(ctx, &key, id);
	live_add(&key, addr, size);
}

static __always_inline void account_free(__u32 tgid, __u64 addr)
{
	if (!addr)
		return;
	total_add(AT_FREES, 1);
	if (live_release(tgid, addr))
		total_add(AT_FREES_MATCHED, 1);
}

static __always_inline int alloc_enter__run(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, fn = bpf_get_attach_cookie(ctx);
	struct call_state *st, ns = {};

	if (uprobes_off || !ps_is_target(id >> 32))
		return 0;
	ps_stat_inc(PS_STAT_EVENTS);
	total_add(AT_CALLS, 1);
	st = bpf_map_lookup_elem(&calls, &tid);
	/*
	 * Nested: called from inside the outer call, so deeper in the stack.
	 * A call at the outer call's level or above means its return was
	 * missed (e.g. the entry probe was attached before the return probe).
	 */
	if (st && st->depth && st->gen == attach_gen && PT_REGS_SP(ctx) < st->sp) {
		/* the allocator calling itself: the outer call counts */
		if (fn != AF_FREE)
			st->depth++;
		total_add(AT_NESTED, 1);
		return 0;
	}
	if (fn == AF_FREE) {
		account_free(id >> 32, PT_REGS_PARM1(ctx));
		return 0;
	}
	ns.fn = fn;
	ns.depth = 1;
	ns.sp = PT_REGS_SP(ctx);
	ns.gen = attach_gen;
	switch (fn) {
	case AF_CALLOC:
		ns.size = PT_REGS_PARM1(ctx) * PT_REGS_PARM2(ctx);
		break;
	case AF_REALLOC:
		ns.ptr = PT_REGS_PARM1(ctx);
		ns.size = PT_REGS_PARM2(ctx);
		break;
	case AF_MEMALIGN:
		ns.size = PT_REGS_PARM2(ctx);
		break;
	case AF_POSIX_MEMALIGN:
		ns.ptr = PT_REGS_PARM1(ctx);
		ns.size = PT_REGS_PARM3(ctx);
		break;
	default:
		ns.size = PT_REGS_PARM1(ctx);
		break;
	}
	if (st)
		*st = ns;
	else if (bpf_map_update_elem(&calls, &tid, &ns, BPF_ANY))
		ps_stat_inc(PS_STAT_OTHER_DROP);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(alloc_enter)
{
	return PS_RUN(alloc_enter__run(ctx));
}

static __always_inline int alloc_exit__run(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u64 ret = PT_REGS_RC(ctx), addr = 0;
	struct call_state *st;

	if (uprobes_off || !ps_is_target(id >> 32))
		return 0;
	total_add(AT_RETS, 1);
	st = bpf_map_lookup_elem(&calls, &tid);
	if (!st || !st->depth || st->gen != attach_gen)
		return 0;	/* entered before we attached */
	if (st->depth > 1) {
		st->depth--;
		return 0;
	}
	st->depth = 0;
	switch (st->fn) {
	case AF_REALLOC:
		/* glibc: realloc(p, 0) frees p and returns NULL */
		if (st->ptr && (ret || !st->size))
			account_free(id >> 32, st->ptr);
		addr = ret;
		break;
	case AF_POSIX_MEMALIGN:
		if (ret == 0 && bpf_probe_read_user(&addr, sizeof(addr), (void *)st->ptr))
			addr = 0;
		break;
	default:
		addr = ret;
		break;
	}
	if (addr)
		account_alloc(ctx, id, addr, st->size);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(alloc_exit)
{
	return PS_RUN(alloc_exit__run(ctx));
}

/* Attached to a function of peerscope itself to measure what a hit costs. */
SEC("uprobe")
int alloc_calib(void *ctx)
{
	return 0;
}

/* ---- address space (brk, mmap, munmap) ---------------------------------- */

static __always_inline int sys_enter(struct pt_regs *regs, long nr)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct sys_state s = {};

	if (!track_mmap || (nr != NR_mmap && nr != NR_munmap && nr != NR_brk))
		return 0;
	if (!ps_is_target(id >> 32))
		return 0;
	s.nr = nr;
	s.arg0 = BPF_CORE_READ(regs, di);
	s.arg1 = BPF_CORE_READ(regs, si);
	if (nr == NR_brk) {
		struct task_struct *t = (void *)bpf_get_current_task();

		s.old_brk = BPF_CORE_READ(t, mm, brk);
	}
	if (bpf_map_update_elem(&sys_inflight, &tid, &s, BPF_ANY))
		ps_stat_inc(PS_STAT_OTHER_DROP);
	return 0;
}

static __always_inline int sys_exit(void *ctx, struct pt_regs *regs, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct alloc_key key = {};
	struct sys_state *s;
	long nr;
	__u64 len;

	if (!track_mmap)
		return 0;
	nr = BPF_CORE_READ(regs, orig_ax);
	if (nr != NR_mmap && nr != NR_munmap && nr != NR_brk)
		return 0;
	s = bpf_map_lookup_elem(&sys_inflight, &tid);
	if (!s)
		return 0;
	ps_stat_inc(PS_STAT_EVENTS);
	if (ret < 0 && ret > -4096)
		goto done;	/* failed */
	switch (s->nr) {
	case NR_mmap:
		len = (s->arg1 + PAGE_SIZE - 1) & ~(__u64)(PAGE_SIZE - 1);
		total_add(AT_MMAP_BYTES, len);
		make_key(ctx, &key, id);
		live_add(&key, (__u64)ret, len);
		break;
	case NR_munmap:
		/* whole mappings only: a partial unmap keeps counting them */
		total_add(AT_MUNMAP_BYTES, s->arg1);
		live_release(id >> 32, s->arg0);
		break;
	case NR_brk:
		if ((__u64)ret > s->old_brk && s->old_brk) {
			len = (__u64)ret - s->old_brk;
			total_add(AT_BRK_BYTES, len);
			make_key(ctx, &key, id);
			/* the heap only grows here: trims are in the totals */
			count_add(&key, len, 1, len, 1, 0);
		} else if ((__u64)ret < s->old_brk) {
			total_add(AT_BRK_BYTES, (__u64)ret - s->old_brk);
		}
		break;
	}
done:
	bpf_map_delete_elem(&sys_inflight, &tid);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(alloc_sys_enter_btf, struct pt_regs *regs, long nr)
{
	return PS_RUN(sys_enter(regs, nr));
}

SEC("tp_btf/sys_exit")
int BPF_PROG(alloc_sys_exit_btf, struct pt_regs *regs, long ret)
{
	return PS_RUN(sys_exit(ctx, regs, ret));
}

SEC("raw_tp/sys_enter")
int BPF_PROG(alloc_sys_enter_raw, struct pt_regs *regs, long nr)
{
	return PS_RUN(sys_enter(regs, nr));
}

SEC("raw_tp/sys_exit")
int BPF_PROG(alloc_sys_exit_raw, struct pt_regs *regs, long ret)
{
	return PS_RUN(sys_exit(ctx, regs, ret));
}

/* ---- page faults -------------------------------------------------------- */

static __always_inline int fault(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct alloc_key key = {};

	if (!ps_is_target(id >> 32))
		return 0;
	ps_stat_inc(PS_STAT_EVENTS);
	total_add(AT_FAULTS, 1);
	make_key(ctx, &key, id);
	count_add(&key, 0, 0, 0, 0, 1);
	return 0;
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(alloc_fault_btf, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	return PS_RUN(fault(ctx));
}

/* Fallback: software page-fault event, sample_period 1, on every CPU. */
SEC("perf_event")
int alloc_fault_pe(struct bpf_perf_event_data *ctx)
{
	return PS_RUN(fault(ctx));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
