/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * In-kernel user stack unwinding from .eh_frame: the ABI shared by
 * bpf/unwind.bpf.h (the unwinder, included by the cpu, offcpu, sock and
 * alloc objects) and collectors/unwinder.c (which creates the maps once per
 * recording and fills the tables).  docs/unwinding.md has the whole design.
 *
 * Tables: one global array "unw_rows" of rows, sorted by pc within each
 * file's slice.  A row says, from its pc up to the next row's pc, how to find
 * the caller's frame (x86-64 only):
 *
 *   CFA = RSP + cfa_off | RBP + cfa_off | PLT rule | (stop: outermost frame)
 *   return address at CFA - 8;  RBP saved at CFA + rbp_off, or unchanged.
 *
 * Per traced process, "unw_procs" holds its executable mappings sorted by
 * start, each pointing at its file's slice of rows (or at none: frame
 * pointers are used there, e.g. JIT code).
 */
#ifndef PEERSCOPE_UNWIND_H
#define PEERSCOPE_UNWIND_H

#define UNW_MAX_FRAMES		127	/* = PS_MAX_STACK_DEPTH */
#define UNW_MAX_MAPS		256	/* executable mappings per process */
#define UNW_MAX_ROWS		(1u << 19)	/* default size of unw_rows (8 MiB; libc needs 28k rows) */
#define UNW_ROW_SEARCH_STEPS	24	/* > log2(rows): room to grow unw_rows */
#define UNW_MAP_SEARCH_STEPS	9	/* log2(UNW_MAX_MAPS) + 1 */
#define UNW_STACK_ENTRIES	16384	/* distinct unwound stacks kept per store */

/*
 * Stack ids of DWARF-unwound stacks carry this bit, so the "user_stack_id"
 * of a sample tells which map holds its frames: an unwinder store (bit set)
 * or the BPF stack trace map (ids below its max_entries, bit clear).
 * UNW_STACK_ID_SET_B says which of an object's two stores: unw_stacks_b
 * (set) or unw_stacks.  The cpu collector flips between them as it flips
 * its count maps, and empties the one it left once drained, so a long
 * recording of many distinct stacks never fills them; the other objects
 * only use unw_stacks (shared, kept for the whole recording).
 */
#define UNW_STACK_ID_FLAG	0x40000000
#define UNW_STACK_ID_SET_B	0x20000000
#define UNW_STACK_ID_MASK	(UNW_STACK_ID_SET_B - 1)
#define UNW_STACK_PROBES	4	/* open addressing on hash collisions */
/*
 * Buckets of a collector's own stack map (BPF_MAP_TYPE_STACK_TRACE) when
 * the unwinder is on: both kinds of stacks go to the store, and the map,
 * which the kernel preallocates whole, takes only what the store could not
 * (a busy scratch, a full store).  At 8192-16384 buckets sock's and
 * offcpu's cost 45 ms of every record's start-up on this VM.
 */
#define UNW_LEFTOVER_STACKS	256

enum unw_cfa {
	UNW_CFA_INVALID = 0,	/* no rule here (gap between functions): use frame pointers */
	UNW_CFA_RSP,		/* CFA = RSP + cfa_off */
	UNW_CFA_RBP,		/* CFA = RBP + cfa_off */
	UNW_CFA_PLT,		/* CFA = RSP + cfa_off + ((RIP & 15) >= plt_threshold ? 8 : 0) */
	UNW_CFA_END,		/* the return address is undefined: outermost frame */
	UNW_CFA_UNSUPPORTED,	/* another expression: frame pointers */
	UNW_CFA_SIGNAL,		/* a sigreturn trampoline (__restore_rt): RSP points at the
				 * ucontext the kernel saved; the interrupted RIP, RSP and RBP
				 * are read from its mcontext */
};

/*
 * x86-64 struct ucontext: uc_flags, uc_link, uc_stack (24 bytes), then
 * uc_mcontext, whose general registers run r8..r15, rdi, rsi, rbp, rbx,
 * rdx, rax, rcx, rsp, rip (the kernel's ABI: it cannot change).
 */
#define UNW_UC_MCONTEXT		40
#define UNW_UC_RBP		(UNW_UC_MCONTEXT + 10 * 8)
#define UNW_UC_RSP		(UNW_UC_MCONTEXT + 15 * 8)
#define UNW_UC_RIP		(UNW_UC_MCONTEXT + 16 * 8)

enum unw_rbp {
	UNW_RBP_SAME = 0,	/* RBP unchanged in the caller */
	UNW_RBP_OFFSET,		/* caller's RBP saved at CFA + rbp_off */
	UNW_RBP_UNDEFINED,	/* not recoverable: caller's RBP unknown (kept) */
};

struct unw_row {
	__u32 pc;		/* link-time address (vaddr) the row starts at */
	__s32 cfa_off;
	union {
		__s16 rbp_off;		/* UNW_RBP_OFFSET */
		__s16 plt_threshold;	/* UNW_CFA_PLT (RBP is unchanged there) */
	};
	__u8 cfa_type;		/* enum unw_cfa */
	__u8 rbp_type;		/* enum unw_rbp */
	__u32 pad;		/* array maps store values 8-byte aligned: 16 bytes either way */
};

enum unw_map_kind {
	UNW_MAP_FP = 0,		/* no table: frame pointers */
	UNW_MAP_TABLE,		/* rows [table_off, table_off + count) of unw_rows */
};

struct unw_map {
	__u64 start, end;	/* [start, end) in the process */
	__u64 bias;		/* vaddr = address - bias */
	__u32 table_off;
	__u32 count;
	__u32 kind;		/* enum unw_map_kind */
	__u32 pad;
};

/*
 * Value of "unw_procs", keyed by __u32 tgid.  Key UNW_PROC_NO_TABLES (no
 * process has tgid 0) holds an empty list, which userspace puts there: the
 * walk for processes without tables.
 */
#define UNW_PROC_NO_TABLES	0

struct unw_proc {
	__u32 nr;		/* maps[0..nr) sorted by start */
	__u32 pad;
	struct unw_map maps[UNW_MAX_MAPS];
};

/* Value of "unw_stacks" and "unw_stacks_b", keyed by __u32 (stack id & UNW_STACK_ID_MASK). */
struct unw_stack {
	__u64 hash;		/* of ips[0..nr): tells collisions apart */
	__u32 nr;
	__u32 flags;		/* UNW_STACK_* */
	__u64 ips[UNW_MAX_FRAMES];	/* leaf first */
};

/* unw_stack.flags: how the walk ended. */
#define UNW_STACK_ROOT		1	/* reached a frame whose return address is undefined */
#define UNW_STACK_TRUNCATED	2	/* UNW_MAX_FRAMES reached */
#define UNW_STACK_FP_USED	4	/* at least one frame was unwound by frame pointer */

/* Per-CPU counters "unw_stats", printed with record -v. */
enum unw_stat {
	UNW_STAT_STACKS = 0,	/* user stacks walked */
	UNW_STAT_ROOT,		/* ... ending at a frame whose RA is undefined */
	UNW_STAT_TRUNCATED,	/* ... cut at UNW_MAX_FRAMES */
	UNW_STAT_FRAMES_TABLE,	/* frames unwound with a table row */
	UNW_STAT_FRAMES_FP,	/* frames unwound with frame pointers */
	UNW_STAT_READ_ERR,	/* a stack read failed (walk stops) */
	UNW_STAT_STORE_ERR,	/* a user stack the store could not take (frame pointers instead) */
	UNW_STAT_BUSY,		/* walks not started: this CPU's scratch in use (frame pointers) */
	UNW_STAT_NO_TABLES,	/* ... of processes without tables: frame pointers alone */
	UNW_STAT_KERNEL,	/* kernel stacks stored (offcpu, cpu) */
	UNW_STAT_KERNEL_SPILL,	/* ... not stored (store full, or no memory in a perf
				 * event): kept in the stack map, the same frames */
	UNW_STAT_MAX,
};

#endif /* PEERSCOPE_UNWIND_H */
