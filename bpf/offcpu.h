/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Scheduler collector: keys and values shared by bpf/offcpu.bpf.c and
 * collectors/offcpu.c.  Everything is aggregated in the kernel:
 *   "spans"   (thread, stacks, reason, path)            -> blocked or run-queue time
 *   "wakers"  (blocked thread + stacks, reason, path,
 *              waker thread + stacks)                     -> blocked time it ended
 *   "runqlat" tid                                         -> log2 histogram of run-queue delays
 *   "state"   tid -> where the thread is now (switched out when, why, woken by whom);
 *             per-thread scratch, deleted at sched_process_exit.
 * docs/offcpu.md says what each number means and how the reason is decided.
 */
#ifndef PEERSCOPE_OFFCPU_H
#define PEERSCOPE_OFFCPU_H

#include "bpf/peerscope.h"
#include "bpf/hist.h"

/* Default map sizes; userspace may change them before load. */
#define OFFCPU_STACK_ENTRIES	16384
#define OFFCPU_SPAN_ENTRIES	32768
#define OFFCPU_WAKER_ENTRIES	32768
#define OFFCPU_HIST_SLOTS	41	/* bpf/hist.h log2 buckets of ns, up to 2^40 */

/* A thread's timeline leaves the CPU in one of these ways. */
enum offcpu_kind {
	OFFCPU_NONE = 0,	/* on CPU, or its span was already counted */
	OFFCPU_BLOCKED,		/* went to sleep: off-CPU until woken, then run queue */
	OFFCPU_PREEMPTED,	/* still runnable: all of it is run-queue delay */
	OFFCPU_NEW,		/* created and woken, never ran yet */
};

/*
 * Key of "spans".  reason PS_REASON_RUNQ holds run-queue delay (after a
 * wakeup or a preemption) of that stack; any other reason holds blocked
 * time, switch-out to wakeup.
 */
struct offcpu_key {
	__u32 tgid;
	__u32 tid;
	__s32 user_stack_id;	/* < 0: none */
	__s32 kern_stack_id;	/* < 0: none (--no-kernel or error) */
	__u32 reason;		/* enum ps_reason */
	__u32 path;		/* span path at switch-out */
	struct ps_thread_tag tag;	/* serving peer at switch-out */
	char comm[PS_TASK_COMM_LEN];
};

struct offcpu_val {
	__u64 total_ns;
	__u64 count;		/* spans summed in total_ns */
};

/*
 * Where the wakeup ran.  On x86-64 soft and hard interrupts that arrive in
 * kernel mode share the per-CPU IRQ stack, so WAKER_IRQ_STACK is settled in
 * userspace: a kernel stack through an interrupt entry ("asm_*") is a hard
 * interrupt, otherwise softirq work done by the current task on the way out
 * of local_bh_enable() (e.g. loopback delivery by the sender).
 */
enum offcpu_waker_ctx {
	WAKER_TASK = 0,		/* the current task woke it (syscall, kernel thread) */
	WAKER_IRQ_STACK,	/* on the IRQ stack: hard irq or softirq */
	WAKER_HARDIRQ,		/* an interrupt that arrived in user mode */
};

/* Key of "wakers": one blocked stack -> one waker (thread and stack). */
struct offcpu_waker_key {
	struct offcpu_key blocked;	/* reason is never RUNQ here */
	__u32 waker_tgid;	/* 0 for WAKER_HARDIRQ */
	__u32 waker_tid;
	__s32 waker_user_stack_id;	/* only for traced wakers */
	__s32 waker_kern_stack_id;
	__u32 waker_ctx;	/* enum offcpu_waker_ctx */
	char waker_comm[PS_TASK_COMM_LEN];	/* "[irq]" for WAKER_HARDIRQ */
};

/* Per-thread scratch, map "state". */
struct offcpu_state {
	__u32 tgid;
	__u32 path;		/* span path at switch-out */
	struct ps_thread_tag tag;	/* serving peer at switch-out */
	__u64 out_ns;		/* switch-out (or wakeup_new) time */
	__u64 wake_ns;		/* wakeup time, 0 = not woken yet */
	__u32 kind;		/* enum offcpu_kind */
	__u32 reason;		/* enum ps_reason decided at switch-out */
	__s32 user_stack_id;
	__s32 kern_stack_id;
	__u32 waker_tgid;
	__u32 waker_tid;
	__s32 waker_user_stack_id;
	__s32 waker_kern_stack_id;
	__u32 waker_ctx;
	char waker_comm[PS_TASK_COMM_LEN];
	char comm[PS_TASK_COMM_LEN];
};

/* Value of "runqlat", key tid. */
/*
 * runqlat key of the sum of a process's exited threads: a thread's entry is
 * folded into it when the thread exits, so that threads created and
 * destroyed at 10 k/s cannot fill the map (tids are below 2^22).
 */
#define OFFCPU_EXITED_KEY	0x80000000u

struct offcpu_hist {
	__u32 tgid;
	char comm[PS_TASK_COMM_LEN];
	__u32 exited;		/* threads folded into an OFFCPU_EXITED_KEY entry */
	__u64 total_ns;
	__u64 slots[OFFCPU_HIST_SLOTS];
};

#endif /* PEERSCOPE_OFFCPU_H */
