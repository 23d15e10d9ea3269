// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Spans: uprobe/uretprobe on named functions and USDT start/done pairs.
 * Each attachment carries a cookie (bpf/span.h) saying which path it opens
 * or closes, which USDT argument is the operation id and which says ok.
 *
 * Inside a span a thread's ps_thread_path entry names the path, so that the
 * cpu, offcpu, sock and alloc programs label its events; nested spans are a
 * small per-thread stack so that leaving the inner one restores the outer
 * path.  Completed operations go into a per-path log-linear histogram here;
 * only those slower than the path's current threshold (kept by userspace as
 * its N-th slowest) are sent up through the ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "bpf/peerscope.bpf.h"
#include "bpf/span.h"
#include "bpf/sock-addr.bpf.h"
#include "bpf/peer-table.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PS_PATH_MAX);
	__type(key, __u32);
	__type(value, struct span_hist);
} hists SEC(".maps");

/* Per path: send operations at least this slow (ns); written by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PS_PATH_MAX);
	__type(key, __u32);
	__type(value, __u64);
} slow_min SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SPAN_RB_SIZE);
} slowops SEC(".maps");

/* LRU: a start whose done never comes (lost packet, crash) ages out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SPAN_OPS_ENTRIES);
	__type(key, struct span_op_key);
	__type(value, struct span_op);
} ops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SPAN_THREAD_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct span_thread);
} threads SEC(".maps");

static const struct span_thread empty_thread;

static __always_inline void op_done(__u32 path, __u64 latency, __u32 ok, __u32 tgid, __u32 tid,
				    __u64 id, __u64 start)
{
	struct span_hist *h = bpf_map_lookup_elem(&hists, &path);
	struct span_slowop *e;
	__u64 *min;
	__u32 b;

	if (!h)
		return;
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_ns, latency);
	if (ok == 0)
		__sync_fetch_and_add(&h->errors, 1);
	if (latency > h->max_ns)
		h->max_ns = latency;	/* a racing update may lose: max is advisory */
	b = hist_ll_bucket(latency);
	if (b >= SPAN_HIST_BUCKETS)
		b = SPAN_HIST_BUCKETS - 1;
	__sync_fetch_and_add(&h->buckets[b], 1);

	min = bpf_map_lookup_elem(&slow_min, &path);
	if (min && latency < *min)
		return;
	e = bpf_ringbuf_reserve(&slowops, sizeof(*e), 0);
	if (!e) {
		ps_stat_inc(PS_STAT_RB_DROP);
		return;
	}
	e->path = path;
	e->ok = ok;
	e->tgid = tgid;
	e->tid = tid;
	e->id = id;
	e->start_ns = start;
	e->latency_ns = latency;
	bpf_ringbuf_submit(e, ps_rb_wakeup(&slowops, SPAN_RB_SIZE));
}

/* Make ps_thread_path[tid] say what the top of the thread's stack says. */
static __always_inline void publish(__u32 tid, struct span_thread *st)
{
	struct ps_thread_path tp = {};
	__u32 n = st->n;

	/* the innermost span that labels threads */
	for (int i = SPAN_STACK_DEPTH - 1; i >= 0; i--) {
		if ((__u32)i >= n || (st->f[i].flags & SPAN_F_NOTHREAD))
			continue;
		tp.path = st->f[i].path;
		tp.depth = n;
		tp.span_id = st->f[i].id;
		tp.start_ns = st->f[i].start_ns;
		bpf_map_update_elem(&ps_thread_path, &tid, &tp, BPF_ANY);
		return;
	}
	bpf_map_delete_elem(&ps_thread_path, &tid);
}

static __always_inline void push(__u32 tid, __u32 path, __u32 flags, __u64 id, __u64 now)
{
	struct span_thread *st = bpf_map_lookup_elem(&threads, &tid);
	__u32 n;

	if (!st) {
		if (bpf_map_update_elem(&threads, &tid, &empty_thread, BPF_NOEXIST) &&
		    !bpf_map_lookup_elem(&threads, &tid)) {
			ps_stat_inc(PS_STAT_MAP_FULL);
			return;
		}
		st = bpf_map_lookup_elem(&threads, &tid);
		if (!st)
			return;
	}
	n = st->n;
	if (n >= SPAN_STACK_DEPTH) {
		st->overflow++;
		return;
	}
	st->f[n].path = path;
	st->f[n].flags = flags;
	st->f[n].id = id;
	st->f[n].start_ns = now;
	st->n = n + 1;
	if (!(flags & SPAN_F_NOTHREAD))
		publish(tid, st);
}

/*
 * Remove the innermost frame of path (and id, when match_id) from tid's
 * stack; returns its start time, 0 when there is none.
 */
static __always_inline __u64 pop(__u32 tid, __u32 path, bool match_id, __u64 id)
{
	struct span_thread *st = bpf_map_lookup_elem(&threads, &tid);
	__u64 start = 0;
	int found = -1;
	__u32 n;

	if (!st)
		return 0;
	if (st->overflow && !match_id) {
		st->overflow--;
		return 0;
	}
	n = st->n;
	for (int i = SPAN_STACK_DEPTH - 1; i >= 0; i--) {
		if ((__u32)i >= n)
			continue;
		if (st->f[i].path == path && (!match_id || st->f[i].id == id)) {
			found = i;
			break;
		}
	}
	if (found < 0)
		return 0;
	start = st->f[found & (SPAN_STACK_DEPTH - 1)].start_ns;
	/* close the gap: frames above found move down one */
	for (int i = 0; i < SPAN_STACK_DEPTH - 1; i++) {
		if (i >= found && (__u32)i + 1 < n)
			st->f[i] = st->f[i + 1];
	}
	st->n = n - 1;
	if (st->n == 0 && !st->overflow) {
		bpf_map_delete_elem(&threads, &tid);
		bpf_map_delete_elem(&ps_thread_path, &tid);
	} else {
		publish(tid, st);
	}
	return start;
}

static __always_inline int span_enter__run(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 cookie = bpf_get_attach_cookie(ctx);

	if (!ps_is_target(pid_tgid >> 32))
		return 0;
	ps_stat_inc(PS_STAT_EVENTS);
	push((__u32)pid_tgid, SPAN_COOKIE_PATH(cookie), SPAN_COOKIE_FLAGS(cookie), 0,
	     bpf_ktime_get_ns());
	return 0;
}

SEC("uprobe")
int span_enter(struct pt_regs *ctx)
{
	return PS_RUN(span_enter__run(ctx));
}

static __always_inline int span_leave__run(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 path = SPAN_COOKIE_PATH(cookie), tid = (__u32)pid_tgid;
	__u64 now = bpf_ktime_get_ns(), start;

	if (!ps_is_target(pid_tgid >> 32))
		return 0;
	start = pop(tid, path, false, 0);
	if (start)
		op_done(path, now - start, 2, pid_tgid >> 32, tid, 0, start);
	return 0;
}

SEC("uretprobe")
int span_leave(struct pt_regs *ctx)
{
	return PS_RUN(span_leave__run(ctx));
}

static __always_inline bool usdt_arg(struct pt_regs *ctx, __u32 idx, __u64 *val)
{
	long v = 0;

	if (idx == SPAN_ARG_NONE)
		return false;
	if (bpf_usdt_arg(ctx, idx, &v))
		return false;
	*val = v;
	return true;
}

static __always_inline int span_usdt_start__run(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 cookie = bpf_usdt_cookie(ctx), id = 0, now = bpf_ktime_get_ns();
	__u32 path = SPAN_COOKIE_PATH(cookie), flags = SPAN_COOKIE_FLAGS(cookie);
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	bool has_id;

	if (!ps_is_target(tgid))
		return 0;
	ps_stat_inc(PS_STAT_EVENTS);
	has_id = usdt_arg(ctx, SPAN_COOKIE_ID_ARG(cookie), &id);
	if (has_id) {
		struct span_op_key k = { .path = path, .id = id };
		struct span_op op = { .start_ns = now, .tgid = tgid, .tid = tid };

		k.tgid = (flags & SPAN_F_MULTI) ? 0 : tgid;
		bpf_map_update_elem(&ops, &k, &op, BPF_ANY);
	}
	push(tid, path, flags, id, now);
	return 0;
}

SEC("usdt")
int span_usdt_start(struct pt_regs *ctx)
{
	return PS_RUN(span_usdt_start__run(ctx));
}

static __always_inline int span_usdt_done__run(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 cookie = bpf_usdt_cookie(ctx), id = 0, okv = 1, now = bpf_ktime_get_ns();
	__u32 path = SPAN_COOKIE_PATH(cookie), flags = SPAN_COOKIE_FLAGS(cookie);
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid, ok = 2;
	__u64 start = 0;

	if (!ps_is_target(tgid))
		return 0;
	ps_stat_inc(PS_STAT_EVENTS);
	if (usdt_arg(ctx, SPAN_COOKIE_OK_ARG(cookie), &okv))
		ok = okv != 0;
	if (usdt_arg(ctx, SPAN_COOKIE_ID_ARG(cookie), &id)) {
		struct span_op_key k = { .path = path, .id = id };
		struct span_op *op;
		__u32 origin;

		k.tgid = (flags & SPAN_F_MULTI) ? 0 : tgid;
		op = bpf_map_lookup_elem(&ops, &k);
		if (op) {
			start = op->start_ns;
			origin = op->tid;
			if (!(flags & SPAN_F_MULTI))
				bpf_map_delete_elem(&ops, &k);
			/* the op may have hopped threads: close it where it opened too */
			if (origin != tid && !(flags & SPAN_F_NOTHREAD))
				pop(origin, path, true, id);
		}
		if (!(flags & SPAN_F_MULTI) || !(flags & SPAN_F_NOTHREAD))
			pop(tid, path, true, id);
	} else {
		start = pop(tid, path, false, 0);
	}
	if (start && now > start) {
		op_done(path, now - start, ok, tgid, tid, id, start);
	} else {
		struct span_hist *h = bpf_map_lookup_elem(&hists, &path);

		if (h)
			__sync_fetch_and_add(&h->unmatched, 1);
	}
	return 0;
}

SEC("usdt")
int span_usdt_done(struct pt_regs *ctx)
{
	return PS_RUN(span_usdt_done__run(ctx));
}

/*
 * Peer probes (docs/peers.md): the node says which peer the thread starts
 * working for (a pointer to its sockaddr) and maybe its own id of it.  The
 * thread's tag is set as if inherited: exact per work item in a worker
 * pool, dropped when the thread next blocks (bpf/offcpu.bpf.c).  A null
 * address says the thread now works for no peer (its own lookups, timers).
 */
static __always_inline int peer_hit(__u64 cookie, __u64 addr, bool has_id, __u64 node_id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, peer;
	struct ps_tag_state tag = {};
	struct sock_addr a = {};
	struct ps_peer *p;

	if (!ps_is_target(pid_tgid >> 32))
		return 0;
	ps_stat_inc(PS_STAT_EVENTS);
	if (!addr) {	/* a null address: the thread serves no peer now */
		struct ps_tag_state *t = bpf_map_lookup_elem(&ps_thread_tag, &tid);

		if (t)
			*t = (struct ps_tag_state){};
		return 0;
	}
	if (!user_sockaddr((const void *)addr, &a))
		return 0;
	peer = peer_intern(&a, 0, false);
	if (peer == PS_PEER_NONE)
		return 0;
	p = has_id ? ps_peer_slot_of(peer) : NULL;
	if (p && (!(p->flags & PS_PEER_F_NODE_ID) || p->node_id != node_id)) {
		p->node_id = node_id;
		p->flags |= PS_PEER_F_NODE_ID;
	}
	tag.tag.peer = peer;
	tag.tag.path = PEER_COOKIE_PATH(cookie);
	tag.inherited = 1;
	if (bpf_map_update_elem(&ps_thread_tag, &tid, &tag, BPF_ANY))
		ps_stat_inc(PS_STAT_MAP_FULL);
	return 0;
}

static __always_inline int peer_usdt__run(struct pt_regs *ctx)
{
	__u64 cookie = bpf_usdt_cookie(ctx), id = 0;
	long addr = 0;

	if (bpf_usdt_arg(ctx, PEER_COOKIE_ADDR_ARG(cookie), &addr))
		return 0;
	return peer_hit(cookie, addr, usdt_arg(ctx, PEER_COOKIE_ID_ARG(cookie), &id), id);
}

SEC("usdt")
int peer_usdt(struct pt_regs *ctx)
{
	return PS_RUN(peer_usdt__run(ctx));
}

/*
 * uprobe argument i (0..5) by the x86_64 calling convention; all six are
 * loaded at fixed offsets (the verifier refuses a ctx pointer moved by i).
 */
static __always_inline __u64 uprobe_arg(struct pt_regs *ctx, __u32 i)
{
	__u64 a[6] = { PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx),
		       PT_REGS_PARM4(ctx), PT_REGS_PARM5(ctx), ctx->r9 };

	return a[i < 6 ? i : 5];
}

static __always_inline int peer_uprobe__run(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 id_arg = PEER_COOKIE_ID_ARG(cookie);

	return peer_hit(cookie, uprobe_arg(ctx, PEER_COOKIE_ADDR_ARG(cookie)), id_arg != SPAN_ARG_NONE,
			id_arg != SPAN_ARG_NONE ? uprobe_arg(ctx, id_arg) : 0);
}

SEC("uprobe")
int peer_uprobe(struct pt_regs *ctx)
{
	return PS_RUN(peer_uprobe__run(ctx));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
