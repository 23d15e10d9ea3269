// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Scheduler collector: where a traced thread's time goes when it is not on a
 * CPU.  At switch-out the thread's stacks and a wait reason are stored per
 * thread; the wakeup (sched_waking, in the waker's context) stamps the time
 * and the waker; at switch-in the blocked part (switch-out -> wakeup) and the
 * run-queue part (wakeup or preemption -> switch-in) are added to in-kernel
 * aggregates.  Userspace reads the aggregates once, at the end.
 *
 * Two variants of every program (tp_btf preferred, raw_tp fallback); the
 * collector keeps one with bpf_program__set_autoload(), like libbpf-tools'
 * offcputime and runqlat.  Both read tasks through BPF_CORE_READ, so the
 * handlers are shared.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "bpf/peerscope.bpf.h"
#include "bpf/offcpu.h"
#include "bpf/unwind.bpf.h"
#include "bpf/site-memo.bpf.h"

#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef PF_EXITING
#define PF_EXITING 0x00000004
#endif
#ifndef EEXIST
#define EEXIST 17
#endif

#define S_IFMT		00170000
#define S_IFSOCK	0140000
#define S_IFREG		0100000
#define S_IFBLK		0060000
#define MAX_THREAD_SIZE	(32 * 1024)	/* 16 KiB on x86-64, 32 KiB with KASAN */

/* Set by userspace before load. */
const volatile bool kernel_stacks = true;
const volatile __u64 min_block_ns = 1000;

/* Sizes are defaults: collectors/offcpu.c resizes them before load. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, OFFCPU_STACK_ENTRIES);
	__type(key, __u32);
	__uint(value_size, PS_MAX_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__uint(max_entries, OFFCPU_SPAN_ENTRIES);
	__type(key, struct offcpu_key);
	__type(value, struct offcpu_val);
} spans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__uint(max_entries, OFFCPU_WAKER_ENTRIES);
	__type(key, struct offcpu_waker_key);
	__type(value, struct offcpu_val);
} wakers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__uint(max_entries, PS_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct offcpu_hist);
} runqlat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__uint(max_entries, PS_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct offcpu_state);
} state SEC(".maps");

/* A zeroed template: values too big for comfort on the 512-byte stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct offcpu_hist);
} zero_hist SEC(".maps");


/* Older kernels name the field "state" (libbpf-tools' core_fixes.bpf.h). */
struct task_struct___o {
	volatile long int state;
} __attribute__((preserve_access_index));

static __always_inline long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___o *)t, state);
}

/*
 * Kernel stacks taken here start with the tracing machinery's frames (the
 * BPF program, bpf_trace_runN), which userspace cuts off anyway.  A stack
 * map bucket belongs to the first stack that hashes there, and a stack
 * that collides with it gets -EEXIST every time it recurs: Syncthing's
 * file and socket wakeups lost their kernel stacks at 0.3 % of events
 * that way.  Skipping one or two of those frames hashes the same stack to
 * another bucket, so a collision costs a second walk, not the stack.
 */
#define KSTACK_TRACING_FRAMES	2

static __always_inline __s32 get_stack(void *ctx, __u64 flags, __u32 err_stat)
{
	long id = bpf_get_stackid(ctx, &stacks, flags);

	if (!(flags & BPF_F_USER_STACK)) {
		for (__u64 skip = 1; id == -EEXIST && skip <= KSTACK_TRACING_FRAMES; skip++)
			id = bpf_get_stackid(ctx, &stacks, flags | skip);
	}
	/* -EFAULT: no stack of that kind (kernel thread, user-mode sample) */
	if (id < 0 && id != -EFAULT)
		ps_stat_inc(err_stat);
	return id;
}

/*
 * The current thread's user stack: the blocked thread in sched_switch (it
 * is still current), the waker in sched_waking.  Both stand in a syscall
 * (futex, epoll_wait, recv...) most of the time, so the user registers are
 * inside a libc wrapper without a frame pointer, whose caller a
 * frame-pointer walk skips: the .eh_frame unwinder goes first when the
 * process has tables (--unwind auto|dwarf), frame pointers otherwise.
 */
static __always_inline __s32 user_stack(void *ctx, __u32 tgid)
{
	long id = unw_user_stack(tgid, 0);	/* the shared store */

	if (id >= 0)
		return id;
	return get_stack(ctx, BPF_F_USER_STACK, PS_STAT_STACK_ERR_USER);
}

/* The current thread's kernel stack: the shared store, the stack map when it cannot. */
static __always_inline __s32 kernel_stack(void *ctx)
{
	long id = unw_kernel_stack(ctx, 0);	/* the shared store */

	if (id >= 0)
		return id;
	return get_stack(ctx, 0, PS_STAT_STACK_ERR_KERN);
}

/*
 * The current thread's stacks (the user one only when user is set), taken
 * again from site k when it is keyed (bpf/site-memo.bpf.h).
 */
static __always_inline void site_stacks(void *ctx, const struct ps_site_key *k, bool keyed,
					__u32 tgid, bool user, __s32 *uid, __s32 *kid)
{
	struct ps_site *s = NULL;

	if (keyed && site_reuse(k, &s, uid, kid))
		return;
	if (!keyed)
		memo_walk_unkeyed();
	*uid = user ? user_stack(ctx, tgid) : -1;
	*kid = kernel_stacks ? kernel_stack(ctx) : -1;
	if (!keyed || (user && *uid < 0) || (kernel_stacks && *kid < 0))
		return;	/* nothing to remember, or a failed walk */
	/*
	 * A stack the store could not take (its first allocation in
	 * sched_switch can fail) went to the stack map: another id for the
	 * same stack, which a check walk would take for a varying site.
	 */
	if (unw_enabled && ((user && !(*uid & UNW_STACK_ID_FLAG)) ||
			    (kernel_stacks && !(*kid & UNW_STACK_ID_FLAG))))
		return;
	site_remember(k, s, *uid, *kid);
}

static __always_inline void val_add(void *map, const void *key, __u64 ns)
{
	struct offcpu_val *v = bpf_map_lookup_elem(map, key);
	struct offcpu_val one = { ns, 1 };
	long err;

	if (v) {
		__sync_fetch_and_add(&v->total_ns, ns);
		__sync_fetch_and_add(&v->count, 1);
		return;
	}
	err = bpf_map_update_elem(map, key, &one, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* another CPU inserted the key between lookup and update */
		v = bpf_map_lookup_elem(map, key);
		if (v) {
			__sync_fetch_and_add(&v->total_ns, ns);
			__sync_fetch_and_add(&v->count, 1);
		}
	} else if (err) {
		ps_stat_inc(PS_STAT_MAP_FULL);
	}
}

static __always_inline void hist_add(__u32 tid, __u32 tgid, const char *comm, __u64 ns)
{
	struct offcpu_hist *h = bpf_map_lookup_elem(&runqlat, &tid);
	__u32 zero = 0, slot;

	if (!h) {
		h = bpf_map_lookup_elem(&zero_hist, &zero);
		if (!h)
			return;
		h->tgid = tgid;
		__builtin_memcpy(h->comm, comm, PS_TASK_COMM_LEN);
		/* -EEXIST (another CPU was first) is fine: look it up again */
		bpf_map_update_elem(&runqlat, &tid, h, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&runqlat, &tid);
		if (!h) {
			ps_stat_inc(PS_STAT_MAP_FULL);
			return;
		}
	}
	slot = hist_log2_bucket(ns);
	if (slot >= OFFCPU_HIST_SLOTS)
		slot = OFFCPU_HIST_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->total_ns, ns);
}

/* What kind of file fd of the current task is. */
enum fd_kind { FD_OTHER = 0, FD_SOCK, FD_FILE, FD_TIMERFD };

static __always_inline enum fd_kind fd_kind(struct task_struct *t, __u64 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds, *f;
	const unsigned char *name;
	char buf[10] = {};
	__u16 mode;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return FD_OTHER;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return FD_OTHER;
	mode = BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT;
	if (mode == S_IFSOCK)
		return FD_SOCK;
	if (mode == S_IFREG || mode == S_IFBLK)
		return FD_FILE;
	/* anonymous inodes are named after what made them: "[timerfd]" */
	name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	if (name && !bpf_probe_read_kernel(buf, sizeof(buf), name) &&
	    buf[0] == '[' && buf[1] == 't' && buf[2] == 'i' && buf[3] == 'm' && buf[4] == 'e' &&
	    buf[5] == 'r' && buf[6] == 'f' && buf[7] == 'd' && buf[8] == ']')
		return FD_TIMERFD;
	return FD_OTHER;
}

static __always_inline __u32 fd_reason(struct task_struct *t, __u64 fd)
{
	switch (fd_kind(t, fd)) {
	case FD_SOCK:
		return PS_REASON_NET;
	case FD_TIMERFD:
		return PS_REASON_TIMER;
	case FD_FILE:
		return PS_REASON_IO;
	default:
		return PS_REASON_OTHER;
	}
}

/*
 * Why the current task (about to block) waits: the rules of docs/offcpu.md.
 * Syscall numbers are x86-64's; other architectures get fault/io/other only.
 */
static __always_inline __u32 block_reason(struct task_struct *t)
{
	struct pt_regs *regs;
	long nr, ax;
	__u64 a0, a1;

	if (BPF_CORE_READ(t, flags) & PF_KTHREAD)
		return BPF_CORE_READ_BITFIELD_PROBED(t, in_iowait) ? PS_REASON_IO : PS_REASON_OTHER;
	/* t is current (sched_switch runs before the switch): the BTF task works in raw_tp too */
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (!regs)
		return PS_REASON_OTHER;
#ifdef __TARGET_ARCH_x86
	nr = BPF_CORE_READ(regs, orig_ax);
	ax = BPF_CORE_READ(regs, ax);
	a0 = BPF_CORE_READ(regs, di);
	a1 = BPF_CORE_READ(regs, si);
	/*
	 * Inside a syscall, entry code left -ENOSYS in ax; an exception
	 * (page fault) stores its error code in orig_ax and leaves the
	 * user's ax.  A user task blocking outside a syscall is in a fault.
	 */
	if (nr < 0 || ax != -ENOSYS)
		return PS_REASON_FAULT;
#else
	nr = -1;
	a0 = a1 = 0;
#endif
	if (BPF_CORE_READ_BITFIELD_PROBED(t, in_iowait))
		return PS_REASON_IO;	/* io_schedule(): block I/O, page cache */

	switch (nr) {
	case 202:	/* futex */
	case 449:	/* futex_waitv */
	case 455:	/* futex_wait */
	case 72:	/* fcntl (F_SETLKW) */
	case 73:	/* flock */
		return PS_REASON_LOCK;
	case 42:	/* connect */
	case 43:	/* accept */
	case 288:	/* accept4 */
	case 44:	/* sendto */
	case 45:	/* recvfrom */
	case 46:	/* sendmsg */
	case 47:	/* recvmsg */
	case 299:	/* recvmmsg */
	case 307:	/* sendmmsg */
	case 232:	/* epoll_wait */
	case 281:	/* epoll_pwait */
	case 441:	/* epoll_pwait2 */
		return PS_REASON_NET;
	case 7:		/* poll(fds, nfds, timeout) */
	case 271:	/* ppoll */
		return a1 ? PS_REASON_NET : PS_REASON_TIMER;	/* no fds: a sleep */
	case 23:	/* select(nfds, ...) */
	case 270:	/* pselect6 */
		return a0 ? PS_REASON_NET : PS_REASON_TIMER;
	case 35:	/* nanosleep */
	case 230:	/* clock_nanosleep */
		return PS_REASON_TIMER;
	case 0:		/* read */
	case 1:		/* write */
	case 17:	/* pread64 */
	case 18:	/* pwrite64 */
	case 19:	/* readv */
	case 20:	/* writev */
	case 295:	/* preadv */
	case 296:	/* pwritev */
	case 327:	/* preadv2 */
	case 328:	/* pwritev2 */
		return fd_reason(t, a0);
	case 26:	/* msync */
	case 74:	/* fsync */
	case 75:	/* fdatasync */
	case 162:	/* sync */
	case 277:	/* sync_file_range */
	case 306:	/* syncfs */
	case 208:	/* io_getevents */
		return PS_REASON_IO;
	default:
		return PS_REASON_OTHER;
	}
}

/*
 * Worker-pool hand-off (docs/peers.md): a thread serving a peer, by what it
 * read itself, that wakes a blocked thread of its process passes the tag on.
 */
static __always_inline void tag_hand_off(__u32 waker, __u32 wakee)
{
	struct ps_tag_state *t = bpf_map_lookup_elem(&ps_thread_tag, &waker);
	struct ps_tag_state in;

	if (!t || t->inherited || t->tag.peer == PS_PEER_NONE)
		return;
	in = *t;
	in.inherited = 1;
	bpf_map_update_elem(&ps_thread_tag, &wakee, &in, BPF_ANY);
}

/*
 * A thread that blocks is done with the work an inherited tag was for:
 * drop it (true), and its wait is not that peer's.
 */
static __always_inline bool tag_drop_inherited(__u32 tid)
{
	struct ps_tag_state *t = bpf_map_lookup_elem(&ps_thread_tag, &tid);

	if (!t || !t->inherited)
		return false;
	*t = (struct ps_tag_state){};	/* zeroed in place: no free and re-allocate per block */
	return true;
}

static __always_inline void switch_out(void *ctx, struct task_struct *prev, bool preempt,
				       __u32 tgid, __u64 now)
{
	__u32 tid = BPF_CORE_READ(prev, pid);
	struct offcpu_state *st, init = {};
	struct ps_site_key site = {};
	bool keyed;

	/*
	 * An exiting thread: sched_process_exit (handle_exit) dropped its
	 * entries, and its last switch, into death, would add one back for
	 * good.  Under thread churn (10,000 threads a second) that filled
	 * "state" in seconds once it was sized to the target's threads.
	 */
	if (BPF_CORE_READ(prev, flags) & PF_EXITING)
		return;
	st = bpf_map_lookup_elem(&state, &tid);
	if (!st) {
		bpf_map_update_elem(&state, &tid, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&state, &tid);
		if (!st) {
			ps_stat_inc(PS_STAT_MAP_FULL);
			return;
		}
	}
	/* a preempted task (or one that yields) is still runnable */
	if (preempt || task_state(prev) == 0) {
		st->kind = OFFCPU_PREEMPTED;
		st->reason = PS_REASON_RUNQ;
	} else {
		st->kind = OFFCPU_BLOCKED;
		st->reason = block_reason(prev);
	}
	st->out_ns = now;
	st->wake_ns = 0;
	st->tgid = tgid;
	st->path = ps_thread_path_of(tid);
	st->tag = (struct ps_thread_tag){};
	if (st->kind != OFFCPU_BLOCKED || !tag_drop_inherited(tid))
		ps_thread_tag_get(tid, &st->tag);
	bpf_get_current_comm(st->comm, sizeof(st->comm));	/* current is still prev */
	/*
	 * Blocks have sites, and so do most preemptions: they come as a
	 * system call returns (a wakeup the call made asked for one), where
	 * the stacks are the call's with the kernel's exit path on top.  A
	 * preemption anywhere else (user mode, a fault, inside a call) has
	 * no registers that say where it stopped: it is walked.
	 */
	if (st->kind == OFFCPU_BLOCKED)
		keyed = site_key_of(&site, tid, SITE_BLOCKED, SITE_IN_CALL);
	else
		keyed = site_key_of(&site, tid, SITE_PREEMPTED, SITE_RETURNED);
	if (keyed)
		site.reason = st->reason;
	site_stacks(ctx, &site, keyed, tgid, true, &st->user_stack_id, &st->kern_stack_id);
	st->waker_tid = 0;
	st->waker_tgid = 0;
	st->waker_user_stack_id = -1;
	st->waker_kern_stack_id = -1;
	st->waker_ctx = WAKER_TASK;
	st->waker_comm[0] = '\0';
}

static __always_inline void key_of(struct offcpu_key *k, const struct offcpu_state *st,
				   __u32 tid, __u32 reason)
{
	k->tgid = st->tgid;
	k->tid = tid;
	k->user_stack_id = st->user_stack_id;
	k->kern_stack_id = st->kern_stack_id;
	k->reason = reason;
	k->path = st->path;
	k->tag = st->tag;
	__builtin_memcpy(k->comm, st->comm, PS_TASK_COMM_LEN);
}

static __always_inline void switch_in(struct task_struct *next, __u64 now)
{
	__u32 tid = BPF_CORE_READ(next, pid);
	struct offcpu_state *st = bpf_map_lookup_elem(&state, &tid);
	struct offcpu_waker_key wk = {};
	__u64 off = 0, runq = 0;

	if (!st || st->kind == OFFCPU_NONE || now < st->out_ns)
		return;
	if (st->kind == OFFCPU_BLOCKED) {
		if (st->wake_ns >= st->out_ns && st->wake_ns <= now) {
			off = st->wake_ns - st->out_ns;
			runq = now - st->wake_ns;
		} else {
			off = now - st->out_ns;	/* the wakeup was missed */
		}
	} else {
		runq = now - st->out_ns;
	}

	if (off && off >= min_block_ns) {
		key_of(&wk.blocked, st, tid, st->reason);
		val_add(&spans, &wk.blocked, off);
		if (st->wake_ns && (st->waker_tid || st->waker_kern_stack_id >= 0)) {
			wk.waker_tgid = st->waker_tgid;
			wk.waker_tid = st->waker_tid;
			wk.waker_user_stack_id = st->waker_user_stack_id;
			wk.waker_kern_stack_id = st->waker_kern_stack_id;
			wk.waker_ctx = st->waker_ctx;
			__builtin_memcpy(wk.waker_comm, st->waker_comm, PS_TASK_COMM_LEN);
			val_add(&wakers, &wk, off);
		}
	}
	if (runq) {
		if (st->kind != OFFCPU_NEW) {
			key_of(&wk.blocked, st, tid, PS_REASON_RUNQ);
			val_add(&spans, &wk.blocked, runq);
		}
		hist_add(tid, st->tgid, st->comm, runq);
	}
	st->kind = OFFCPU_NONE;
}

static __always_inline int handle_switch(void *ctx, bool preempt, struct task_struct *prev,
					 struct task_struct *next)
{
	__u32 prev_tgid = BPF_CORE_READ(prev, tgid);
	__u32 next_tgid = BPF_CORE_READ(next, tgid);
	bool out = prev_tgid && ps_is_target(prev_tgid);
	bool in = next_tgid && ps_is_target(next_tgid);
	__u64 now;

	if (!out && !in)
		return 0;
	now = bpf_ktime_get_ns();
	if (out) {
		ps_stat_inc(PS_STAT_EVENTS);
		switch_out(ctx, prev, preempt, prev_tgid, now);
	}
	if (in) {
		ps_stat_inc(PS_STAT_EVENTS);
		switch_in(next, now);
	}
	return 0;
}

/*
 * Interrupt context, without reading the preempt count (its per-CPU symbol
 * is not in kallsyms without CONFIG_KALLSYMS_ALL).  x86-64 runs an interrupt
 * that arrived in kernel mode on a per-CPU IRQ stack, so our own stack
 * frame lies outside the current task's stack; one that arrived in user
 * mode runs on the task stack, but then the task's entry registers are the
 * interrupt's, whose orig_ax is -1 (a syscall's is its number, a fault's
 * its error code).
 */
static __always_inline __u32 waker_ctx(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 base = (__u64)BPF_CORE_READ(t, stack);
	__u64 here = 0, sp = 0;
	void *slot = &here;

	/* copied through a helper: the verifier forbids arithmetic on fp */
	bpf_probe_read_kernel(&sp, sizeof(sp), &slot);
	if (sp - base >= MAX_THREAD_SIZE)
		return WAKER_IRQ_STACK;
#ifdef __TARGET_ARCH_x86
	if (!(BPF_CORE_READ(t, flags) & PF_KTHREAD)) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

		if (regs && (long)BPF_CORE_READ(regs, orig_ax) == -1)
			return WAKER_HARDIRQ;
	}
#endif
	return WAKER_TASK;
}

/* sched_waking runs in the waker's context (sched_wakeup may not: wake lists). */
static __always_inline int handle_waking(void *ctx, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct ps_site_key site = {};
	__u32 tid, wtgid;
	struct offcpu_state *st;
	bool keyed;
	__u64 id;

	if (!tgid || !ps_is_target(tgid))
		return 0;
	tid = BPF_CORE_READ(p, pid);
	st = bpf_map_lookup_elem(&state, &tid);
	if (!st || st->kind != OFFCPU_BLOCKED || st->wake_ns)
		return 0;
	ps_stat_inc(PS_STAT_EVENTS);
	st->wake_ns = bpf_ktime_get_ns();
	st->waker_ctx = waker_ctx();
	if (st->waker_ctx == WAKER_HARDIRQ) {
		__s32 no_user;

		/*
		 * A timer or device interrupt: whoever it interrupted is no
		 * waker.  Its kernel stack ends where user mode was entered,
		 * so it depends on the interrupt, not on the code it stopped:
		 * the site is the wakee's (a thread's timed wait ends by the
		 * same hrtimer path each time), with the usual checks.
		 */
		site.tid = tid;
		site.kind = SITE_WAKER + WAKER_HARDIRQ;
		site.nr = -1;
		site.arg1 = (__u64)st->reason << 32 | tid;
		site_stacks(ctx, &site, memo_refresh != 0, 0, false, &no_user,
			    &st->waker_kern_stack_id);
		st->waker_tgid = 0;
		st->waker_tid = 0;
		st->waker_user_stack_id = -1;
		__builtin_memcpy(st->waker_comm, "[irq]", 6);
		return 0;
	}
	id = bpf_get_current_pid_tgid();
	wtgid = id >> 32;
	st->waker_tgid = wtgid;
	st->waker_tid = (__u32)id;
	bpf_get_current_comm(st->waker_comm, sizeof(st->waker_comm));
	/*
	 * The waker's site also names whom it wakes and why that one waits:
	 * an interrupt taken in kernel mode runs on the IRQ stack with the
	 * interrupted syscall's registers, so the same registers can wake a
	 * socket reader (loopback delivery) or a sleeper (a timer).
	 */
	keyed = site_key_of(&site, (__u32)id, SITE_WAKER + st->waker_ctx, SITE_IN_CALL);
	site.arg1 = (__u64)st->reason << 32 | tid;
	/* user stacks only of traced wakers: others' addresses cannot be symbolized */
	site_stacks(ctx, &site, keyed, wtgid, wtgid && ps_is_target(wtgid),
		    &st->waker_user_stack_id, &st->waker_kern_stack_id);
	if (wtgid == tgid)
		tag_hand_off((__u32)id, tid);
	return 0;
}

/*
 * sched_wakeup: the enqueue.  It only matters when sched_waking came too
 * early to see the block: a waker that races with the sleeper's
 * __schedule() fires sched_waking after the sleeper left the run queue but
 * before its sched_switch tracepoint ran.  The span then gets its wakeup
 * time here, without a waker (this context may be the sleeper's CPU).
 */
static __always_inline int handle_wakeup(struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct offcpu_state *st;
	__u32 tid;

	if (!tgid || !ps_is_target(tgid))
		return 0;
	tid = BPF_CORE_READ(p, pid);
	st = bpf_map_lookup_elem(&state, &tid);
	if (st && st->kind == OFFCPU_BLOCKED && !st->wake_ns)
		st->wake_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int handle_wakeup_new(struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct offcpu_state init = {};
	__u32 tid;

	if (!tgid || !ps_is_target(tgid))
		return 0;
	ps_stat_inc(PS_STAT_EVENTS);
	tid = BPF_CORE_READ(p, pid);
	init.kind = OFFCPU_NEW;
	init.out_ns = bpf_ktime_get_ns();
	init.tgid = tgid;
	init.user_stack_id = -1;
	init.kern_stack_id = -1;
	BPF_CORE_READ_STR_INTO(&init.comm, p, comm);
	if (bpf_map_update_elem(&state, &tid, &init, BPF_ANY))
		ps_stat_inc(PS_STAT_MAP_FULL);
	return 0;
}

/*
 * An exiting thread's run-queue histogram joins its process's sum of exited
 * threads; kept as it is when the sum cannot be made (map full).
 */
static __always_inline void hist_fold_exited(__u32 tid, __u32 tgid)
{
	struct offcpu_hist *h = bpf_map_lookup_elem(&runqlat, &tid), *sum;
	__u32 key = tgid | OFFCPU_EXITED_KEY, zero = 0;

	if (!h)
		return;
	sum = bpf_map_lookup_elem(&runqlat, &key);
	if (!sum) {
		struct offcpu_hist *z = bpf_map_lookup_elem(&zero_hist, &zero);

		if (!z)
			return;
		z->tgid = tgid;
		__builtin_memcpy(z->comm, h->comm, PS_TASK_COMM_LEN);
		bpf_map_update_elem(&runqlat, &key, z, BPF_NOEXIST);
		sum = bpf_map_lookup_elem(&runqlat, &key);
		if (!sum)
			return;
	}
	for (int i = 0; i < OFFCPU_HIST_SLOTS; i++)
		if (h->slots[i])
			__sync_fetch_and_add(&sum->slots[i], h->slots[i]);
	__sync_fetch_and_add(&sum->total_ns, h->total_ns);
	__sync_fetch_and_add(&sum->exited, 1);
	bpf_map_delete_elem(&runqlat, &tid);
}

static __always_inline int handle_exit(struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	__u32 tid;

	if (!tgid || !ps_is_target(tgid))
		return 0;
	tid = BPF_CORE_READ(p, pid);
	hist_fold_exited(tid, tgid);
	bpf_map_delete_elem(&state, &tid);
	bpf_map_delete_elem(&ps_thread_tag, &tid);	/* kept zeroed, not deleted, while it lives */
	return 0;
}

/* tp_btf variants (preferred: typed arguments, no tracefs) */
SEC("tp_btf/sched_switch")
int BPF_PROG(offcpu_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return PS_RUN(handle_switch(ctx, preempt, prev, next));
}

SEC("tp_btf/sched_waking")
int BPF_PROG(offcpu_waking_btf, struct task_struct *p)
{
	return PS_RUN(handle_waking(ctx, p));
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(offcpu_wakeup_btf, struct task_struct *p)
{
	return PS_RUN(handle_wakeup(p));
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(offcpu_wakeup_new_btf, struct task_struct *p)
{
	return PS_RUN(handle_wakeup_new(p));
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(offcpu_exit_btf, struct task_struct *p)
{
	return PS_RUN(handle_exit(p));
}

/* raw_tp fallbacks: same arguments, read as untyped u64s */
SEC("raw_tp/sched_switch")
int BPF_PROG(offcpu_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return PS_RUN(handle_switch(ctx, preempt, prev, next));
}

SEC("raw_tp/sched_waking")
int BPF_PROG(offcpu_waking_raw, struct task_struct *p)
{
	return PS_RUN(handle_waking(ctx, p));
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(offcpu_wakeup_raw, struct task_struct *p)
{
	return PS_RUN(handle_wakeup(p));
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(offcpu_wakeup_new_raw, struct task_struct *p)
{
	return PS_RUN(handle_wakeup_new(p));
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(offcpu_exit_raw, struct task_struct *p)
{
	return PS_RUN(handle_exit(p));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
