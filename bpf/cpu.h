/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * On-CPU sampling: the key of the "counts" map shared by bpf/cpu.bpf.c and
 * collectors/cpu.c.  One entry per distinct (thread, stacks, path); the value
 * is a __u64 sample count.  Everything is aggregated in the kernel: there is
 * no per-sample trip to userspace.
 */
#ifndef PEERSCOPE_CPU_H
#define PEERSCOPE_CPU_H

#include "bpf/peerscope.h"

/* Default map sizes; userspace may change them before load. */
#define CPU_STACK_ENTRIES	16384
#define CPU_COUNT_ENTRIES	65536
/*
 * The overflow ring: samples whose stack collided with another in a stack
 * map bucket (-EEXIST) travel with their frames inline.  Drained at every
 * flush (1 s), so it holds about a second of collisions.
 */
#define CPU_OVERFLOW_BYTES	(512 << 10)

struct cpu_key {
	__u32 tgid;
	__u32 tid;
	__s32 user_stack_id;	/* < 0: no user stack (kernel thread or error) */
	__s32 kern_stack_id;	/* < 0: none (--no-kernel, user mode, or error) */
	__u32 path;		/* enum ps_path or a user path id */
	struct ps_thread_tag tag;	/* serving peer and its socket's path */
	char comm[PS_TASK_COMM_LEN];
};

/*
 * One sample from the overflow ring.  key.user_stack_id is an unwinder
 * stack id when the unwinder stored the user stack, else -1 and the frames
 * are in user_ips; key.kern_stack_id is always -1 (frames in kern_ips).
 */
struct cpu_overflow {
	struct cpu_key key;
	__u32 user_bytes;	/* bytes of user_ips filled */
	__u32 kern_bytes;
	__u64 user_ips[PS_MAX_STACK_DEPTH];
	__u64 kern_ips[PS_MAX_STACK_DEPTH];
};

#endif /* PEERSCOPE_CPU_H */
