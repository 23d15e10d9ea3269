/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Stack reuse at call sites. A thread that is in a system call entered
 * from the same user registers as before (syscall number, ip, sp, bp
 * when it can be a frame pointer, first arguments), or is on its way out
 * of one, stands at the same place in its code: the stacks walked there
 * the last time are taken again. A stack walk costs 1-8 us, a lookup
 * well under one. A new site is walked again at its next
 * SITE_TRUST_CHECKS visit(s), then at one visit in memo_refresh chosen
 * at random; a site whose stacks differ at such a check (the registers
 * did not tell two call paths apart) is walked every time from then on.
 * At random: with a fixed period two call paths that take turns at one
 * site were checked always on the same one, and the other's stacks were
 * never seen. docs/offcpu.md ("Cost") says more.
 *
 * Included once by each object that walks stacks per system call: each gets
 * its own "sites" cache, "memo_stats" counters (enum ps_memo_stat) and
 * memo_gen, which userspace bumps after it clears the object's stack map.
 * Needs bpf/unwind.bpf.h (the unwinder's stack store) included first.
 */
#ifndef PEERSCOPE_SITE_MEMO_BPF_H
#define PEERSCOPE_SITE_MEMO_BPF_H

#ifndef ENOSYS
#define ENOSYS 38
#endif
#ifndef PF_KTHREAD
#define PF_KTHREAD 0x00200000
#endif

/* What a site is: kinds keep one thread's block, wake and send sites apart. */
enum ps_site_kind {
	SITE_BLOCKED = 0,	/* offcpu: the thread blocks */
	SITE_WAKER,		/* offcpu: it wakes a traced thread (+ waker context, < 4) */
	SITE_PREEMPTED = 5,	/* offcpu: preempted as a system call returns */
	SITE_SOCK = 8,		/* sock: a send or receive returns */
};

/* Where in its system call the thread stands (site_key_of). */
enum ps_site_when {
	SITE_IN_CALL,		/* inside it: ax still holds the entry code's -ENOSYS */
	SITE_AT_EXIT,		/* sys_exit: ax holds the return value, whatever it is */
	SITE_RETURNED,		/* on its way out: ax is no longer -ENOSYS */
};

struct ps_site_key {
	__u32 tid;
	__u32 kind;		/* enum ps_site_kind */
	__s64 nr;		/* syscall number */
	__u64 ip, sp, bp;	/* user registers at syscall entry */
	__u64 arg0;		/* fd, futex word, epoll fd... */
	__u64 arg1;		/* blocked: futex op, buffer; waker: wakee tid and reason */
	__u32 reason;		/* blocked: wait reason */
	__u32 pad;
};

#define SITE_TRUST_CHECKS	1	/* walks that must agree before a site's stacks are reused */

/*
 * bp is part of a site only when it can be a frame pointer: an address at
 * most this far above sp.  Code built without frame pointers (glibc's
 * futex wrappers, -O2 programs) keeps data in rbp: on the test network one
 * waker site of the event loop, with one stack, came with 55 values of rbp
 * (small counts), so three quarters of the waker sites were never seen
 * twice and every wakeup walked both stacks.
 */
#define SITE_BP_SPAN		(1ULL << 20)

struct ps_site {
	__s32 user_stack_id;
	__s32 kern_stack_id;
	__u32 agreed;		/* check walks that found the same stacks */
	__u32 varies;		/* a check walk found other stacks: walk every time */
	__u64 gen;		/* memo_gen when stored: stacks cleared since = stale */
};

const volatile __u32 memo_refresh = PS_MEMO_REFRESH;	/* 0: walk every stack */

/* Bumped by userspace after it clears the object's stack map: older sites are stale. */
volatile __u64 memo_gen;

/* LRU: a site not seen for long makes room; it is only a cache. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PS_SITE_ENTRIES);
	__type(key, struct ps_site_key);
	__type(value, struct ps_site);
} sites SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PS_MEMO_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} memo_stats SEC(".maps");

static __always_inline void memo_stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&memo_stats, &which);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* A walk with no site to key it (a preemption, a fault, a kernel thread). */
static __always_inline void memo_walk_unkeyed(void)
{
	memo_stat_inc(PS_MEMO_WALKED);
	memo_stat_inc(PS_MEMO_NOSITE);
}

/*
 * The site of the current thread: its syscall entry registers.  False when
 * there is none to trust: a kernel thread, a fault (no syscall), memoization
 * off, or the thread is not where when says in its call.
 */
static __always_inline bool site_key_of(struct ps_site_key *k, __u32 tid, __u32 kind,
					enum ps_site_when when)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs;

	if (!memo_refresh || (t->flags & PF_KTHREAD))
		return false;
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	if (!regs)
		return false;
#ifdef __TARGET_ARCH_x86
	k->nr = (long)regs->orig_ax;
	if (k->nr < 0)
		return false;
	if (when == SITE_IN_CALL && (long)regs->ax != -ENOSYS)
		return false;
	if (when == SITE_RETURNED && (long)regs->ax == -ENOSYS)
		return false;
	k->ip = regs->ip;
	k->sp = regs->sp;
	k->bp = regs->bp - regs->sp < SITE_BP_SPAN ? regs->bp : 0;
	k->arg0 = regs->di;
	k->arg1 = regs->si;
	k->tid = tid;
	k->kind = kind;
	return true;
#else
	return false;
#endif
}

/*
 * A stack id of the unwinder's store (user stacks, and offcpu's kernel
 * ones) is gone once the agent trimmed the store.
 */
static __always_inline bool store_id_alive(__s32 id)
{
	__u32 key = (__u32)id & UNW_STACK_ID_MASK;

	if (id < 0 || !(id & UNW_STACK_ID_FLAG))
		return true;
	return bpf_map_lookup_elem(&unw_stacks, &key) != NULL;
}

/*
 * The stacks remembered at site k, when they may be taken now: true, with
 * *uid and *kid set.  False: walk, then site_remember(k, *s, ...), where *s
 * is the site found (to check against) or NULL.
 */
static __always_inline bool site_reuse(const struct ps_site_key *k, struct ps_site **s,
				       __s32 *uid, __s32 *kid)
{
	struct ps_site *v = bpf_map_lookup_elem(&sites, k);

	if (v && v->gen != memo_gen)
		v = NULL;	/* its stacks were cleared: walk and replace */
	*s = v;
	if (v && !v->varies && v->agreed >= SITE_TRUST_CHECKS &&
	    bpf_get_prandom_u32() % memo_refresh && store_id_alive(v->user_stack_id) &&
	    store_id_alive(v->kern_stack_id)) {
		*uid = v->user_stack_id;
		*kid = v->kern_stack_id;
		memo_stat_inc(PS_MEMO_REUSED);
		return true;
	}
	memo_stat_inc(PS_MEMO_WALKED);
	return false;
}

/* After a good walk at site k: remember its stacks, or check them against s's. */
static __always_inline void site_remember(const struct ps_site_key *k, struct ps_site *s,
					  __s32 uid, __s32 kid)
{
	struct ps_site fresh = {};

	if (s) {
		if (s->varies)
			return;	/* counted once, when found */
		if (s->user_stack_id != uid || s->kern_stack_id != kid) {
			s->varies = 1;
			memo_stat_inc(PS_MEMO_VARIED);
		} else if (s->agreed < SITE_TRUST_CHECKS) {
			s->agreed++;
		}
		return;
	}
	fresh.user_stack_id = uid;
	fresh.kern_stack_id = kid;
	fresh.gen = memo_gen;
	bpf_map_update_elem(&sites, k, &fresh, BPF_ANY);
}

#endif /* PEERSCOPE_SITE_MEMO_BPF_H */
