/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * In-kernel user stack unwinder driven by .eh_frame tables (bpf/unwind.h),
 * with a frame-pointer step wherever no table row covers the pc (JIT code,
 * binaries without tables, signal frames).  Included after peerscope.bpf.h
 * by every object that takes user stacks (cpu, offcpu, sock, alloc);
 * userspace (collectors/unwinder.c) creates unw_rows, unw_procs, unw_stacks
 * and unw_stats once per recording and hands them to each object before
 * load, like ps_targets, so the tables are built once and a stack id means
 * the same stack in every object.  unw_scratch stays per object.
 *
 * The walk is a bpf_loop() over frames, so the verifier checks one frame,
 * not UNW_MAX_FRAMES copies of it.  Stacks are stored once each, keyed by a
 * hash of their addresses: aggregation stays in the kernel and a sample
 * costs a counter increment, as with bpf_get_stackid().
 */
#ifndef PEERSCOPE_UNWIND_BPF_H
#define PEERSCOPE_UNWIND_BPF_H

#include "bpf/unwind.h"

#ifndef ENOENT
#define ENOENT 2
#endif
#ifndef E2BIG
#define E2BIG 7
#endif
#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef EEXIST
#define EEXIST 17
#endif

/* Set by userspace before load (record --unwind auto|dwarf). */
const volatile bool unw_enabled = false;

/*
 * The user registers as the kernel saves them at entry (bpf_task_pt_regs):
 * x86-64's pt_regs, whose layout is user ABI (ptrace's user_regs_struct),
 * so they are read through this plain struct, not vmlinux.h's CO-RE one.
 * An object whose only CO-RE use was this walk (cpu) then has no CO-RE
 * relocation, and libbpf loads it without parsing the kernel's 5 MB of BTF
 * (a third of a short recording's CPU was three such parses).
 */
struct unw_user_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};


struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, UNW_MAX_ROWS);	/* resized by userspace */
	__uint(map_flags, BPF_F_MMAPABLE);	/* filled with memcpy, not syscalls */
	__type(key, __u32);
	__type(value, struct unw_row);
} unw_rows SEC(".maps");

/*
 * Not preallocated: a replaced entry is then freed after an RCU grace
 * period, so a walk that holds the old one (it looks it up once) keeps
 * reading a whole, unchanged entry; a preallocated map recycles it at once.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PS_MAX_TARGETS + 1);	/* + UNW_PROC_NO_TABLES */
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__type(key, __u32);
	__type(value, struct unw_proc);
} unw_procs SEC(".maps");

/*
 * Two stores (bpf/unwind.h, UNW_STACK_ID_SET_B); the caller of
 * unw_user_stack() names the one to use.  Userspace shrinks unw_stacks_b to
 * one entry in objects that never use it.
 */
struct unw_stacks {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__uint(max_entries, UNW_STACK_ENTRIES);
	__type(key, __u32);
	__type(value, struct unw_stack);
};

struct unw_stacks unw_stacks SEC(".maps");
struct unw_stacks unw_stacks_b SEC(".maps");

/*
 * The stack being built: too big for the 512-byte BPF stack.  busy guards it
 * against a second walk on the same CPU before the first one is done: a
 * uprobe program (alloc) runs with preemption enabled, so another task may
 * run the same program on this CPU halfway through a walk.  The loser falls
 * back to bpf_get_stackid() instead of mixing two stacks.
 */
struct unw_scratch {
	__u32 busy;
	__u32 pad;
	struct unw_stack st;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unw_scratch);
} unw_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, UNW_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} unw_stats SEC(".maps");

static __always_inline void unw_stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&unw_stats, &which);

	/* atomic although per CPU: shared by every object, and a perf event
	 * program (cpu) may interrupt a tracepoint one (sock) on this CPU */
	if (v)
		__sync_fetch_and_add(v, 1);
}

/*
 * FNV-1a over a stack's addresses, leaf first: the store tells stacks
 * apart by it, walked ones and those bpf_get_stack() took alike.
 */
#define UNW_HASH_SEED	0xcbf29ce484222325ULL

static __always_inline __u64 unw_hash_ip(__u64 hash, __u64 ip)
{
	return (hash ^ ip) * 0x100000001b3ULL;
}

/* Registers of the frame being unwound, and the walk's bookkeeping. */
struct unw_walk {
	__u64 ip, sp, bp;
	__u64 hash;
	__u32 tgid;
	__u32 nr;
	__u32 flags;
	__u32 last_map;		/* index of the previous frame's mapping */
	__u32 exact_ip;		/* ip is an interrupted pc, not a return address */
	__u32 switched;		/* the walk moved to a lower stack once (Go's g0) */
};

/*
 * What the bpf_loop() over frames carries: the map value pointers, looked
 * up once per walk (the verifier keeps their type on the caller's stack),
 * beside the walk itself, the only part unw_frame() may write: a global
 * function's memory argument loses whatever pointers it held.
 */
struct unw_loop {
	struct unw_proc *proc;
	struct unw_scratch *sc;
	struct unw_walk w;
};

/*
 * Binary searches run as bpf_loop() callbacks too: as plain bounded loops
 * the verifier tracks lo/hi exactly and explores every path (> 1M insns).
 * Each step narrows [lo, hi) to the entries whose start <= key.
 */
struct unw_search {
	struct unw_proc *proc;	/* map search: the process's unw_procs entry */
	__u64 key;
	__u32 lo, hi;
};

static long unw_map_step(__u32 i, void *data)
{
	struct unw_search *s = data;
	struct unw_proc *proc = s->proc;
	__u32 mid;

	if (s->lo >= s->hi)
		return 1;
	mid = s->lo + (s->hi - s->lo) / 2;
	if (!proc || mid >= UNW_MAX_MAPS)
		return 1;
	if (proc->maps[mid].start <= s->key)
		s->lo = mid + 1;
	else
		s->hi = mid;
	return 0;
}

static long unw_row_step(__u32 i, void *data)
{
	struct unw_search *s = data;
	struct unw_row *row;
	__u32 mid;

	if (s->lo >= s->hi)
		return 1;
	mid = s->lo + (s->hi - s->lo) / 2;
	row = bpf_map_lookup_elem(&unw_rows, &mid);
	if (!row) {
		s->lo = s->hi = 0;	/* out of the array: treat as not found */
		return 1;
	}
	if (row->pc <= s->key)
		s->lo = mid + 1;
	else
		s->hi = mid;
	return 0;
}

/*
 * The mapping of proc containing ip, or NULL.  The pointer travels to the
 * search steps in s (the verifier keeps its type on the caller's stack):
 * one hash lookup per walk instead of one per search step.
 */
static __always_inline struct unw_map *unw_find_map(struct unw_proc *proc, __u64 ip, __u32 *last)
{
	struct unw_search s = { .proc = proc, .key = ip, .lo = 0, .hi = proc->nr };
	__u32 idx = *last;

	/* consecutive frames are mostly in the same file: try the last one first */
	if (idx < UNW_MAX_MAPS && proc->maps[idx].start <= ip && ip < proc->maps[idx].end)
		return &proc->maps[idx];
	if (s.hi > UNW_MAX_MAPS)
		s.hi = UNW_MAX_MAPS;
	bpf_loop(UNW_MAP_SEARCH_STEPS, unw_map_step, &s, 0);
	idx = s.lo;
	if (idx == 0 || idx > UNW_MAX_MAPS)
		return NULL;
	idx--;
	if (idx >= UNW_MAX_MAPS || ip >= proc->maps[idx].end)
		return NULL;
	*last = idx;
	return &proc->maps[idx];
}

/* The last row of [off, off + count) whose pc <= pc, or NULL. */
static __always_inline struct unw_row *unw_find_row(__u32 off, __u32 count, __u32 pc)
{
	struct unw_search s = { .key = pc, .lo = off, .hi = off + count };
	__u32 idx;

	bpf_loop(UNW_ROW_SEARCH_STEPS, unw_row_step, &s, 0);
	if (s.lo <= off)
		return NULL;
	idx = s.lo - 1;
	return bpf_map_lookup_elem(&unw_rows, &idx);
}

/*
 * A frame-pointer step whose caller lies below: Go's systemstack and mcall
 * run a function on the thread's g0 stack, and the frame pointer it saves
 * is the goroutine's, on a stack Go allocated in its heap, below.  Without
 * this the walk stopped there as a loop, and the goroutine's callers (what
 * placed runtime.Callers' tracebacks in a path) were lost: 6.7 % of
 * Syncthing's on-CPU samples.  One such switch per walk, only in a
 * frame-pointer step and only to a return address in a mapping of the
 * process; a second one would be a loop.
 */
static __always_inline bool unw_stack_switch(struct unw_walk *w, struct unw_proc *proc, bool fp,
					     __u64 ra)
{
	__u32 idx = w->last_map;

	if (!fp || w->switched || !unw_find_map(proc, ra - 1, &idx))
		return false;
	w->switched = 1;
	return true;
}

/*
 * One frame: record ip, then find the caller's ip, sp and bp. 1 stops.
 * A global function, checked once on its own: as the bpf_loop() callback
 * itself it was checked again until its states converged, 16.7k of the
 * instructions the verifier walked in every program that unwinds (70 ms
 * each of cpu, offcpu switch and wake, and sock exit); now about 2k.
 */
__noinline long unw_frame(struct unw_walk *w, struct unw_proc *proc, struct unw_scratch *sc)
{
	struct unw_map *m;
	struct unw_row *row = NULL;
	__u64 ip, cfa = 0, ra = 0, bp, vaddr, regs[2], at;
	bool fp = true;
	__u32 n;

	if (!w || !sc || !proc)
		return 1;
	ip = w->ip;
	bp = w->bp;
	n = w->nr;
	/* a return address points after the call: look up the call itself;
	 * the leaf and a signal-interrupted pc are where execution stood */
	at = n && !w->exact_ip ? ip - 1 : ip;
	if (n >= UNW_MAX_FRAMES) {
		w->flags |= UNW_STACK_TRUNCATED;
		return 1;
	}
	sc->st.ips[n] = ip;
	w->nr = n + 1;
	w->hash = unw_hash_ip(w->hash, ip);

	w->exact_ip = 0;
	m = unw_find_map(proc, at, &w->last_map);
	if (m && m->kind == UNW_MAP_TABLE) {
		vaddr = at - m->bias;
		if (vaddr >> 32 == 0)
			row = unw_find_row(m->table_off, m->count, (__u32)vaddr);
	}
	if (row) {
		switch (row->cfa_type) {
		case UNW_CFA_RSP:
			cfa = w->sp + row->cfa_off;
			fp = false;
			break;
		case UNW_CFA_RBP:
			cfa = w->bp + row->cfa_off;
			fp = false;
			break;
		case UNW_CFA_PLT:
			cfa = w->sp + row->cfa_off + ((ip & 15) >= row->plt_threshold ? 8 : 0);
			fp = false;
			break;
		case UNW_CFA_END:
			w->flags |= UNW_STACK_ROOT;
			return 1;
		case UNW_CFA_SIGNAL:
			/* the handler returned here: the kernel's rt_sigframe holds
			 * the interrupted registers.  No "caller above" check: with
			 * sigaltstack the interrupted stack may lie below this one */
			unw_stat_inc(UNW_STAT_FRAMES_TABLE);
			if (bpf_probe_read_user(&bp, sizeof(bp), (void *)(w->sp + UNW_UC_RBP)) ||
			    bpf_probe_read_user(regs, sizeof(regs), (void *)(w->sp + UNW_UC_RSP)))
				goto read_err;
			if (!regs[1])
				return 1;
			w->ip = regs[1];
			w->sp = regs[0];
			w->bp = bp;
			w->exact_ip = 1;
			return 0;
		default:
			break;	/* no usable rule: frame pointers */
		}
	}
	if (fp) {
		/* push %rbp; mov %rsp,%rbp: CFA = RBP + 16, saved RBP at CFA - 16 */
		if (!w->bp)
			return 1;
		cfa = w->bp + 16;
		w->flags |= UNW_STACK_FP_USED;
		unw_stat_inc(UNW_STAT_FRAMES_FP);
		if (bpf_probe_read_user(&bp, sizeof(bp), (void *)(cfa - 16)))
			goto read_err;
	} else {
		unw_stat_inc(UNW_STAT_FRAMES_TABLE);
		if (row->rbp_type == UNW_RBP_OFFSET &&
		    bpf_probe_read_user(&bp, sizeof(bp), (void *)(cfa + row->rbp_off)))
			goto read_err;
	}
	if (bpf_probe_read_user(&ra, sizeof(ra), (void *)(cfa - 8)))
		goto read_err;
	/* stacks grow down: a caller's frame is above; anything else loops */
	if (!ra || (cfa <= w->sp && !unw_stack_switch(w, proc, fp, ra)))
		return 1;
	w->ip = ra;
	w->sp = cfa;
	w->bp = bp;
	return 0;

read_err:
	unw_stat_inc(UNW_STAT_READ_ERR);
	return 1;
}

static long unw_step(__u32 i, void *data)
{
	struct unw_loop *l = data;

	return unw_frame(&l->w, l->proc, l->sc) ? 1 : 0;
}

/*
 * Keep st (the scratch stack) in store (unw_stacks, or unw_stacks_b with
 * set_bit UNW_STACK_ID_SET_B); its id, or a negative errno, which the
 * caller counts: a user stack that falls back to frame pointers and a
 * kernel stack that goes to the stack map unchanged are not the same loss.
 */
static __always_inline long unw_store(void *store, __u32 set_bit, struct unw_stack *st, __u64 hash)
{
	__u32 id = (__u32)(hash ^ (hash >> 32)) & UNW_STACK_ID_MASK;
	struct unw_stack *old;
	long err;

	for (int k = 0; k < UNW_STACK_PROBES; k++, id = (id + 1) & UNW_STACK_ID_MASK) {
		old = bpf_map_lookup_elem(store, &id);
		if (!old) {
			err = bpf_map_update_elem(store, &id, st, BPF_NOEXIST);
			if (!err)
				return id | set_bit | UNW_STACK_ID_FLAG;
			if (err != -EEXIST)
				break;	/* full */
			old = bpf_map_lookup_elem(store, &id);
			if (!old)
				continue;
		}
		if (old->hash == hash && old->nr == st->nr)
			return id | set_bit | UNW_STACK_ID_FLAG;
	}
	return -E2BIG;
}

/* The same in the store of a set: unw_stacks_b when set_b, else unw_stacks. */
static __always_inline long unw_store_set(__u32 set_b, struct unw_stack *st, __u64 hash)
{
	return set_b ? unw_store(&unw_stacks_b, UNW_STACK_ID_SET_B, st, hash)
		     : unw_store(&unw_stacks, 0, st, hash);
}

/*
 * Unwind the current thread's user stack, from its user registers
 * (bpf_task_pt_regs: right in a perf event that hit user or kernel code, at
 * a syscall tracepoint, in sched_switch for the task switching out, in a
 * uprobe), into unw_stacks_b when set_b, else unw_stacks.  Returns a stack
 * id (with UNW_STACK_ID_FLAG, and UNW_STACK_ID_SET_B for unw_stacks_b), or -ENOENT when
 * the caller should use bpf_get_stackid() instead (the unwinder is off, or
 * this CPU's scratch is busy), or another negative errno.
 *
 * A global (not inlined) function: the verifier checks it once per
 * program instead of once per call site (sock and offcpu call it from two
 * places each, in two program variants), which halves their load time.
 */
__noinline long unw_user_stack(__u32 tgid, __u32 set_b)
{
	struct unw_user_regs *regs;
	struct unw_loop l = { .w = { .tgid = tgid, .hash = UNW_HASH_SEED,
				     .last_map = UNW_MAX_MAPS } };
	struct unw_walk *w = &l.w;
	struct unw_scratch *sc;
	struct unw_proc *proc;
	__u32 zero = 0;
	long id;

	if (!unw_enabled)
		return -ENOENT;
	proc = bpf_map_lookup_elem(&unw_procs, &tgid);
	if (!proc) {
		/*
		 * No tables (auto mode lists only processes with some): the
		 * same walk on UNW_PROC_NO_TABLES's empty mapping list is
		 * frame pointers alone, kept in the same store.  It used to be
		 * the caller's bpf_get_stackid() into a stack map the kernel
		 * preallocates whole (sock: 8192 x 127 frames, 14 ms to create);
		 * the store allocates per stack.  The same map's value keeps
		 * proc one type for the verifier: one walk to check, not two.
		 */
		__u32 none = UNW_PROC_NO_TABLES;

		proc = bpf_map_lookup_elem(&unw_procs, &none);
		if (!proc)
			return -ENOENT;
		unw_stat_inc(UNW_STAT_NO_TABLES);
	}
	/*
	 * No kernel-thread test (it read task->flags through CO-RE): only a
	 * target's threads get here (unw_procs is keyed by tgid, and a kernel
	 * thread is never in a target's thread group), and a thread that
	 * never ran user code (an io_uring worker) has zeroed user registers,
	 * on which the walk stops at its first step.
	 */
	sc = bpf_map_lookup_elem(&unw_scratch, &zero);
	if (!sc)
		return -ENOENT;
	if (__sync_lock_test_and_set(&sc->busy, 1)) {
		unw_stat_inc(UNW_STAT_BUSY);
		return -ENOENT;
	}
	/* the user registers, also when the event hit in the kernel */
	regs = (struct unw_user_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	w->ip = regs->ip;
	w->sp = regs->sp;
	w->bp = regs->bp;
	l.proc = proc;
	l.sc = sc;

	bpf_loop(UNW_MAX_FRAMES + 1, unw_step, &l, 0);

	unw_stat_inc(UNW_STAT_STACKS);
	if (w->flags & UNW_STACK_ROOT)
		unw_stat_inc(UNW_STAT_ROOT);
	if (w->flags & UNW_STACK_TRUNCATED)
		unw_stat_inc(UNW_STAT_TRUNCATED);
	if (w->nr) {
		sc->st.nr = w->nr;
		sc->st.flags = w->flags;
		sc->st.hash = w->hash;
		/* stale frames past nr would make equal stacks differ byte-wise:
		 * harmless, ids compare by hash and nr, and readers stop at nr */
		id = unw_store_set(set_b, &sc->st, w->hash);
		if (id < 0)
			unw_stat_inc(UNW_STAT_STORE_ERR);
	} else {
		id = -EFAULT;
	}
	sc->busy = 0;	/* one CPU, migration disabled: a plain store releases */
	return id;
}

/*
 * The current thread's kernel stack, kept in the store as user ones are:
 * offcpu's kernel stacks went to a BPF_MAP_TYPE_STACK_TRACE map, which
 * the kernel preallocates whole (16384 buckets, 9 MB, 15 ms of every
 * record's start-up on this VM) and where a stack whose bucket is taken
 * is lost.  bpf_get_stack() takes the same frames as bpf_get_stackid()
 * from the program's context (bpf_get_task_stack() on current unwinds
 * through the BPF program's own frames and loses the scheduler's);
 * unw_store_scratch() hashes and stores them.
 */
struct unw_khash {
	struct unw_scratch *sc;
	__u64 hash;
	__u32 nr;
};

static long unw_khash_step(__u64 i, void *data)
{
	struct unw_khash *h = data;

	if (!h->sc || i >= h->nr || i >= UNW_MAX_FRAMES)
		return 1;
	h->hash = unw_hash_ip(h->hash, h->sc->st.ips[i]);
	return 0;
}

/*
 * This CPU's scratch holds n bytes of frames (bpf_get_stack()'s return)
 * and is marked busy: store them (in unw_stacks_b when set_b, as
 * unw_user_stack() does), release the scratch.  Global, so the verifier
 * checks it once per program and the caller's inlined part stays a few
 * instructions.
 */
__noinline long unw_store_scratch(long n, __u32 set_b)
{
	struct unw_khash h = { .hash = UNW_HASH_SEED };
	__u32 zero = 0;
	long id;

	h.sc = bpf_map_lookup_elem(&unw_scratch, &zero);
	if (!h.sc)
		return -ENOENT;
	if (n < (long)sizeof(__u64)) {
		h.sc->busy = 0;
		return -EFAULT;
	}
	h.nr = n / sizeof(__u64);
	if (h.nr > UNW_MAX_FRAMES)
		h.nr = UNW_MAX_FRAMES;
	bpf_loop(h.nr, unw_khash_step, &h, 0);
	h.sc->st.nr = h.nr;
	h.sc->st.flags = h.nr >= UNW_MAX_FRAMES ? UNW_STACK_TRUNCATED : 0;
	h.sc->st.hash = h.hash;
	id = unw_store_set(set_b, &h.sc->st, h.hash);
	h.sc->busy = 0;
	unw_stat_inc(id >= 0 ? UNW_STAT_KERNEL : UNW_STAT_KERNEL_SPILL);
	return id;
}

/*
 * An id, -EFAULT (no frame: a sample that hit user code), -ENOENT when the
 * caller should use its stack map after all (unwinder off, scratch busy),
 * or another negative errno (the store full).  set_b as for
 * unw_user_stack().
 */
static __always_inline long unw_kernel_stack(void *ctx, __u32 set_b)
{
	struct unw_scratch *sc;
	__u32 zero = 0;

	if (!unw_enabled)
		return -ENOENT;
	sc = bpf_map_lookup_elem(&unw_scratch, &zero);
	if (!sc || __sync_lock_test_and_set(&sc->busy, 1))
		return -ENOENT;
	return unw_store_scratch(bpf_get_stack(ctx, sc->st.ips, sizeof(sc->st.ips), 0), set_b);
}

#endif /* PEERSCOPE_UNWIND_BPF_H */
