/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Memory: the ABI shared by bpf/alloc.bpf.c and collectors/alloc.c.
 *
 * Everything is aggregated in the kernel in "counts", keyed by (thread,
 * user stack, path).  Two sources fill it, depending on the mode:
 *
 *  - kernel (record --alloc): brk/mmap/munmap syscalls (address-space
 *    growth, in the alloc and inuse columns) and user page faults (RSS
 *    growth, in fault_pages);
 *  - malloc (record --alloc=malloc): uprobes on the target's allocator;
 *    alloc and inuse then count heap objects, faults are still counted.
 *
 * "live" remembers each outstanding object (malloc mode) or mapping (kernel
 * mode) with the key it was counted under, so that a free/munmap takes its
 * bytes off the in-use total of the stack that allocated them.
 */
#ifndef PEERSCOPE_ALLOC_H
#define PEERSCOPE_ALLOC_H

#include "bpf/peerscope.h"

/* Default map sizes; userspace may change them before load. */
#define ALLOC_STACK_ENTRIES	16384
#define ALLOC_COUNT_ENTRIES	32768
#define ALLOC_LIVE_ENTRIES	(1u << 19)	/* outstanding objects tracked */

/* Which allocator entry point a uprobe is on (its bpf cookie). */
enum alloc_fn {
	AF_MALLOC = 0,		/* malloc, operator new (size in arg0) */
	AF_CALLOC,		/* calloc(n, size) */
	AF_REALLOC,		/* realloc(ptr, size) */
	AF_MEMALIGN,		/* aligned_alloc/memalign(align, size) */
	AF_POSIX_MEMALIGN,	/* posix_memalign(&ptr, align, size) */
	AF_FREE,		/* free, operator delete (ptr in arg0) */
	AF_MAX,
};

/* Global counters (per CPU array "totals"), exact even when sampling. */
enum alloc_total {
	AT_CALLS = 0,		/* allocator entries seen (every uprobe hit of a target) */
	AT_ALLOCS,		/* allocations completed */
	AT_ALLOC_BYTES,
	AT_FREES,		/* frees of a non-NULL pointer */
	AT_FREES_MATCHED,	/* ... of an object we saw allocated */
	AT_SAMPLED,		/* allocations whose stack was recorded */
	AT_LIVE_FULL,		/* outstanding object not tracked: "live" full */
	AT_FAULTS,
	AT_MMAP_BYTES,
	AT_MUNMAP_BYTES,
	AT_BRK_BYTES,		/* net brk growth (may be negative as u64) */
	AT_NESTED,		/* calls made from inside another allocator call */
	AT_RETS,		/* uretprobe hits */
	AT_MAX,
};

struct alloc_key {
	__u32 tgid;
	__u32 tid;
	__s32 user_stack_id;	/* < 0: none (error) */
	__u32 path;		/* enum ps_path or a user path id */
	struct ps_thread_tag tag;	/* serving peer and its socket's path */
	char comm[PS_TASK_COMM_LEN];
};

struct alloc_val {
	__u64 alloc_bytes;	/* malloc: bytes allocated; kernel: mapped/brk growth */
	__u64 alloc_objs;	/* calls that allocated */
	__s64 inuse_bytes;	/* of those, not freed/unmapped yet */
	__s64 inuse_objs;
	__u64 fault_pages;	/* user page faults */
};

/* An outstanding object or mapping. */
struct alloc_live_key {
	__u32 tgid;
	__u32 pad;
	__u64 addr;
};

struct alloc_live {
	__u64 size;
	__u64 ts;		/* bpf_ktime_get_ns() at allocation */
	struct alloc_key key;	/* where it was counted */
};

#endif /* PEERSCOPE_ALLOC_H */
