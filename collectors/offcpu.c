// SPDX-License-Identifier: MIT
/*
 * The "offcpu" collector: blocked time by stack and wait reason, run-queue
 * delay, wakers, and the wall-clock column that joins them with on-CPU time
 * (declared here, filled by collectors__finish() once every drain is done).
 * bpf/offcpu.bpf.c does the work in the kernel (sched_switch, sched_waking,
 * sched_wakeup_new, sched_process_exit); this file loads it and turns its
 * maps into samples (layout: docs/offcpu.md, docs/format.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "collectors/collector.h"
#include "collectors/core-btf.h"
#include "collectors/features.h"
#include "collectors/record-opts.h"
#include "collectors/peers.h"
#include "collectors/shared-maps.h"
#include "collectors/stack-keep.h"
#include "core/log.h"
#include "core/names.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/sym-kallsyms.h"
#include "bpf/offcpu.h"
#include "offcpu.skel.h"
#include "bpf/unwind.h"
#include "collectors/unwinder.h"
#include "collectors/unwinder-trim.h"

#define DEFAULT_MIN_BLOCK_NS	1000ULL

struct offcpu_priv {
	struct offcpu *skel;
	struct unwinder *unw;	/* shared (sm->unw); NULL: frame pointers only */
	struct peer_names peers;	/* serving peers' addresses, read at drain */
	__u64 attach_ns;	/* CLOCK_MONOTONIC at attach (bpf_ktime_get_ns's clock) */
	struct sym_kallsyms *ksyms;	/* to cut tracing frames off kernel stacks */
	bool have_ksyms;
};

struct waker_ent {
	struct offcpu_waker_key k;
	struct offcpu_val v;
};

/* Column indexes of one drain. */
struct cols {
	int offcpu, runq;
};

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static bool offcpu_supported(const struct kernel_features *kf, const struct record_opts *o,
			     char *why, size_t len)
{
	if (!kf->tp_btf && !kf->raw_tp) {
		snprintf(why, len, "neither tp_btf nor raw tracepoints attach on this kernel");
		return false;
	}
	if (!kf->btf) {
		snprintf(why, len, "kernel BTF is missing (CO-RE reads of task_struct need it)");
		return false;
	}
	return true;
}

/* Keep either the tp_btf or the raw_tp variant of every program. */
static void choose_variant(struct offcpu *skel, bool btf)
{
	bpf_program__set_autoload(skel->progs.offcpu_switch_btf, btf);
	bpf_program__set_autoload(skel->progs.offcpu_waking_btf, btf);
	bpf_program__set_autoload(skel->progs.offcpu_wakeup_btf, btf);
	bpf_program__set_autoload(skel->progs.offcpu_wakeup_new_btf, btf);
	bpf_program__set_autoload(skel->progs.offcpu_exit_btf, btf);
	bpf_program__set_autoload(skel->progs.offcpu_switch_raw, !btf);
	bpf_program__set_autoload(skel->progs.offcpu_waking_raw, !btf);
	bpf_program__set_autoload(skel->progs.offcpu_wakeup_raw, !btf);
	bpf_program__set_autoload(skel->progs.offcpu_wakeup_new_raw, !btf);
	bpf_program__set_autoload(skel->progs.offcpu_exit_raw, !btf);
}

/* btf_path: the small BTF to relocate against (core-btf.h), NULL for the kernel's */
static int open_load(struct offcpu_priv *op, const struct record_opts *o,
		     const struct shared_maps *sm, bool btf, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	int err;

	op->skel = offcpu__open_opts(&opts);
	if (!op->skel)
		return -errno;
	err = shared_maps__reuse(sm, op->skel->obj);
	if (err)
		return err;
	err = unwinder__reuse(sm->unw, op->skel->obj, false);
	if (err < 0)
		return err;
	op->skel->rodata->unw_enabled = err > 0;
	op->unw = err > 0 ? sm->unw : NULL;
	/* both kinds go to the unwinder's store: the map takes its leftovers */
	if (err > 0)
		bpf_map__set_max_entries(op->skel->maps.stacks, UNW_LEFTOVER_STACKS);
	bpf_map__set_max_entries(op->skel->maps.state, sm->thread_slots);
	bpf_map__set_max_entries(op->skel->maps.runqlat, sm->thread_slots);
	op->skel->rodata->kernel_stacks = !o->no_kernel;
	op->skel->rodata->min_block_ns = o->min_block_ns ? o->min_block_ns : DEFAULT_MIN_BLOCK_NS;
	choose_variant(op->skel, btf);
	return offcpu__load(op->skel);
}

static int offcpu_open(struct collector *c, const struct record_opts *o,
		       const struct kernel_features *kf, const struct shared_maps *sm)
{
	struct offcpu_priv *op;
	char core[PATH_MAX];
	const void *elf;
	size_t elf_sz;
	int err;

	op = calloc(1, sizeof(*op));
	if (!op)
		return -ENOMEM;
	/* raw_tp against the small BTF first: tp_btf makes libbpf parse all of the kernel's */
	elf = offcpu__elf_bytes(&elf_sz);
	err = kf->raw_tp ? core_btf__path("offcpu", elf, elf_sz, core, sizeof(core)) : -ENOENT;
	if (!err) {
		err = open_load(op, o, sm, false, core);
		if (err) {
			ps_debug("offcpu: raw_tp programs did not load against %s (%s)", core,
				 strerror(-err));
			offcpu__destroy(op->skel);
			op->skel = NULL;
		}
	}
	if (err)
		err = open_load(op, o, sm, kf->tp_btf, NULL);
	if (err && kf->tp_btf && kf->raw_tp) {
		ps_debug("offcpu: tp_btf programs did not load (%s); using raw_tp", strerror(-err));
		offcpu__destroy(op->skel);
		err = open_load(op, o, sm, false, NULL);
	}
	if (err) {
		ps_err("offcpu: loading the BPF programs failed: %s (run with -v for the verifier log)",
		       strerror(-err));
		goto destroy_skel;
	}
	c->priv = op;
	return 0;

destroy_skel:
	offcpu__destroy(op->skel);
	free(op);
	return err;
}

static int offcpu_attach(struct collector *c, const struct target *t)
{
	struct offcpu_priv *op = c->priv;
	int err;

	/* tables first: a switch seen before would get a frame-pointer stack */
	if (op->unw) {
		err = unwinder__add_target(op->unw, t);
		if (err)
			return err;
	}
	err = offcpu__attach(op->skel);
	if (err) {
		ps_err("offcpu: attaching to the scheduler tracepoints failed: %s (check that raw tracepoints work: run with -v)",
		       strerror(-err));
		return err;
	}
	op->attach_ns = mono_ns();
	return 0;
}

/* Libraries loaded since attach get unwind tables (rate-limited inside). */
static int offcpu_poll(struct collector *c)
{
	struct offcpu_priv *op = c->priv;

	unwinder__poll(op->unw);
	return 0;
}

/* Kernel frames that belong to the tracing machinery, not to the traced code. */
static bool tracing_frame(const char *name)
{
	return !strncmp(name, "bpf_prog_", 9) || !strncmp(name, "bpf_trace_run", 13) ||
	       !strncmp(name, "__traceiter_", 12) || !strncmp(name, "__bpf_trace_", 12);
}

/* A stack of either kind: the unwinder's store holds both (bpf/unwind.bpf.h). */
static int read_stack(const struct offcpu_priv *op, int stacks_fd, __s32 id, uint64_t *ips)
{
	return unwinder__owns_stack(id) ? unwinder__read_stack(op->unw, id, ips)
					: collector__read_stack(stacks_fd, id, ips);
}

static const char *ksym_name(const struct offcpu_priv *op, uint64_t addr)
{
	struct sym_entry *e = sym_kallsyms__lookup(op->ksyms, addr, NULL);

	return e ? sym_kallsyms__name(op->ksyms, e) : "";
}

/*
 * Appends the frames of one stack id (kernel or user of pid) to locs.
 * Kernel stacks lose their leaf-side BPF/tracepoint frames; an interrupt
 * waker's stack (irq) ends at the interrupt entry ("asm_*"), below which is
 * whatever code the interrupt happened to hit.
 */
static uint32_t add_frames(struct profile *p, const struct offcpu_priv *op, int stacks_fd,
			   __s32 id, uint32_t pid, bool kernel, bool irq,
			   uint64_t *ips, uint32_t *locs, uint32_t nr, uint32_t max)
{
	int n, i = 0;

	n = read_stack(op, stacks_fd, id, ips);

	if (kernel && op->have_ksyms) {
		while (i < n && tracing_frame(ksym_name(op, ips[i])))
			i++;
		if (irq) {
			for (int k = i; k < n; k++) {
				if (!strncmp(ksym_name(op, ips[k]), "asm_", 4)) {
					n = k + 1;
					break;
				}
			}
		}
	}
	for (; i < n && nr < max; i++) {
		uint32_t loc = profile__intern_address(p, kernel ? 0 : pid, kernel, ips[i]);

		if (loc)
			locs[nr++] = loc;
	}
	return nr;
}

static uint32_t labels_of(struct profile *p, const struct record_opts *o,
			  const struct peer_names *pn, const struct offcpu_key *k, const struct offcpu_waker_key *w, bool irq)
{
	char comm[PS_TASK_COMM_LEN + 1], wcomm[PS_TASK_COMM_LEN + 1];
	struct pf_label_kv kv[7 + PEER_TAG_LABELS];
	uint32_t n = 0;

	memcpy(comm, k->comm, PS_TASK_COMM_LEN);
	comm[PS_TASK_COMM_LEN] = '\0';
	kv[n++] = (struct pf_label_kv){ .key = "pid", .num = k->tgid };
	kv[n++] = (struct pf_label_kv){ .key = "tid", .num = k->tid };
	kv[n++] = (struct pf_label_kv){ .key = "thread", .str = comm[0] ? comm : "?" };
	kv[n++] = (struct pf_label_kv){ .key = "path", .str = collector__path_name(o, k->path) };
	kv[n++] = (struct pf_label_kv){ .key = "reason", .str = reason__name(k->reason) };
	peer_tag__labels(pn, o, &k->tag, kv, &n);
	if (w) {
		memcpy(wcomm, w->waker_comm, PS_TASK_COMM_LEN);
		wcomm[PS_TASK_COMM_LEN] = '\0';
		kv[n++] = (struct pf_label_kv){ .key = "waker",
						.str = irq ? "[irq]" : wcomm[0] ? wcomm : "?" };
		kv[n++] = (struct pf_label_kv){ .key = "waker_tid", .num = irq ? 0 : w->waker_tid };
	}
	return profile__intern_labels(p, kv, n);
}

/* Did a wakeup on the IRQ stack come through an interrupt entry? */
static bool hard_irq(const struct offcpu_priv *op, int stacks_fd, const struct offcpu_waker_key *w,
		     uint64_t *ips)
{
	int n;

	if (w->waker_ctx == WAKER_HARDIRQ)
		return true;
	if (w->waker_ctx != WAKER_IRQ_STACK || !op->have_ksyms)
		return false;
	n = read_stack(op, stacks_fd, w->waker_kern_stack_id, ips);
	for (int i = 0; i < n; i++) {
		if (!strncmp(ksym_name(op, ips[i]), "asm_", 4))
			return true;
	}
	return false;
}

/*
 * One sample: the blocked thread's stack (kernel then user, leaf first) and,
 * for a waker edge, a "-" frame followed by the waker's stack.
 */
static int add_sample(struct profile *p, const struct offcpu_priv *op, const struct record_opts *o,
		      int stacks_fd,
		      const struct offcpu_key *k, const struct offcpu_waker_key *w,
		      const struct cols *c, __u64 ns, uint64_t *ips, uint32_t *locs)
{
	const uint32_t max = 4 * PS_MAX_STACK_DEPTH + 1;
	uint32_t nr = 0, stack, labels;
	bool irq = w && hard_irq(op, stacks_fd, w, ips);
	int type = k->reason == PS_REASON_RUNQ ? c->runq : c->offcpu;
	int64_t val = (int64_t)ns;

	nr = add_frames(p, op, stacks_fd, k->kern_stack_id, k->tgid, true, false, ips, locs, nr,
			max);
	nr = add_frames(p, op, stacks_fd, k->user_stack_id, k->tgid, false, false, ips, locs, nr,
			max);
	if (w) {
		locs[nr++] = profile__intern_named_frame(p, PF_WAKER_SEP, NULL, false);
		nr = add_frames(p, op, stacks_fd, w->waker_kern_stack_id, 0, true, irq, ips, locs,
				nr, max);
		if (!irq)
			nr = add_frames(p, op, stacks_fd, w->waker_user_stack_id, w->waker_tgid,
					false, false, ips, locs, nr, max);
	}
	if (!nr)	/* keep the time visible: pprof drops frameless samples */
		locs[nr++] = profile__intern_named_frame(p, "[no stack]", NULL, false);
	stack = profile__intern_stack(p, locs, nr);
	labels = labels_of(p, o, &op->peers, k, w, irq);
	if (!stack || !labels)
		return -ENOMEM;
	return profile__add_values(p, stack, labels, &type, &val, 1) < 0 ? -ENOMEM : 0;
}

static int cmp_blocked(const void *a, const void *b)
{
	return memcmp(&((const struct waker_ent *)a)->k.blocked,
		      &((const struct waker_ent *)b)->k.blocked, sizeof(struct offcpu_key));
}

/* All "wakers" entries, sorted by blocked key; *nr set. */
static struct waker_ent *read_wakers(int fd, size_t *nr)
{
	struct offcpu_waker_key key, *prev = NULL;
	struct waker_ent *v = NULL, *nv;
	size_t n = 0, cap = 0;

	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return NULL;
			}
			v = nv;
		}
		v[n].k = key;
		prev = &v[n].k;
		if (bpf_map_lookup_elem(fd, &key, &v[n].v) == 0)
			n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_blocked);
	*nr = n;
	if (!v)
		v = calloc(1, sizeof(*v));
	return v;
}

/* Sum of the waker edges of one blocked key (they partition its time). */
static __u64 waker_sum(const struct waker_ent *w, size_t nr, const struct offcpu_key *k)
{
	size_t lo = 0, hi = nr;
	__u64 sum = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (memcmp(&w[mid].k.blocked, k, sizeof(*k)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nr && !memcmp(&w[lo].k.blocked, k, sizeof(*k)); lo++)
		sum += w[lo].v.total_ns;
	return sum;
}

static int drain_hists(struct profile *p, int fd)
{
	struct rec_runqlat *r = malloc(sizeof(*r));
	char comm[PS_TASK_COMM_LEN + 1];
	struct offcpu_hist h;
	__u32 key, *prev = NULL;
	int err = 0;

	if (!r)
		return -ENOMEM;
	while (!err && bpf_map_get_next_key(fd, prev, &key) == 0) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &h))
			continue;
		memcpy(comm, h.comm, PS_TASK_COMM_LEN);
		comm[PS_TASK_COMM_LEN] = '\0';
		/* the sum of a process's exited threads has tid 0 (docs/format.md) */
		*r = (struct rec_runqlat){ .pid = h.tgid,
					   .tid = key & OFFCPU_EXITED_KEY ? 0 : key,
					   .thread = comm, .total_ns = h.total_ns };
		if (key & OFFCPU_EXITED_KEY)
			ps_note("pid %u: %u threads exited while recording (run-queue delays "
				"of exited threads are summed in one record)", h.tgid, h.exited);
		for (int i = 0; i < OFFCPU_HIST_SLOTS; i++) {
			r->count += h.slots[i];
			rec_buckets__add(&r->buckets, hist_log2_low(i), h.slots[i]);
		}
		err = records__add_runqlat(p, r);
	}
	free(r);
	return err;
}

/*
 * Spans still open when recording stopped (a thread blocked at the end) are
 * counted up to the stop, without a waker: otherwise a thread asleep for the
 * last second would look busy.  Spans open at attach are not known at all.
 */
static int drain_open_spans(struct profile *p, const struct offcpu_priv *op,
			    const struct record_opts *o, int state_fd,
			    int stacks_fd, const struct cols *c, __u64 stop_ns,
			    uint64_t *ips, uint32_t *locs)
{
	struct offcpu_state st;
	struct offcpu_key k;
	__u32 key, *prev = NULL;
	__u64 off, runq;
	int err;

	while (bpf_map_get_next_key(state_fd, prev, &key) == 0) {
		prev = &key;
		if (bpf_map_lookup_elem(state_fd, &key, &st) || st.out_ns >= stop_ns)
			continue;
		if (st.kind != OFFCPU_BLOCKED && st.kind != OFFCPU_PREEMPTED)
			continue;
		off = runq = 0;
		if (st.kind == OFFCPU_PREEMPTED)
			runq = stop_ns - st.out_ns;
		else if (st.wake_ns > st.out_ns && st.wake_ns < stop_ns)
			off = st.wake_ns - st.out_ns, runq = stop_ns - st.wake_ns;
		else
			off = stop_ns - st.out_ns;

		memset(&k, 0, sizeof(k));
		k.tgid = st.tgid;
		k.tid = key;
		k.user_stack_id = st.user_stack_id;
		k.kern_stack_id = st.kern_stack_id;
		k.path = st.path;
		memcpy(k.comm, st.comm, sizeof(k.comm));
		if (off >= (o->min_block_ns ? o->min_block_ns : DEFAULT_MIN_BLOCK_NS)) {
			k.reason = st.reason;
			err = add_sample(p, op, o, stacks_fd, &k, NULL, c, off, ips, locs);
			if (err)
				return err;
		}
		if (runq) {
			k.reason = PS_REASON_RUNQ;
			err = add_sample(p, op, o, stacks_fd, &k, NULL, c, runq, ips, locs);
			if (err)
				return err;
		}
	}
	return 0;
}

static int offcpu_drain(struct collector *c, struct profile *p)
{
	struct offcpu_priv *op = c->priv;
	int spans_fd = bpf_map__fd(op->skel->maps.spans);
	int stacks_fd = bpf_map__fd(op->skel->maps.stacks);
	struct offcpu_key key, *prev = NULL;
	struct waker_ent *w = NULL;
	struct offcpu_val val;
	struct cols cols;
	uint64_t *ips;
	uint32_t *locs;
	size_t nr_w = 0;
	__u64 stop_ns, ns;
	int err = 0;

	/* record stopped the targets before drain; cap open spans at that moment */
	stop_ns = mono_ns();
	if (p->duration_nanos > 0 && op->attach_ns + p->duration_nanos < stop_ns)
		stop_ns = op->attach_ns + p->duration_nanos;

	ips = calloc(PS_MAX_STACK_DEPTH, sizeof(*ips));
	locs = calloc(4 * PS_MAX_STACK_DEPTH + 2, sizeof(*locs));
	if (!ips || !locs || peer_names__read(&op->peers, bpf_map__fd(op->skel->maps.ps_peer_slots))) {
		err = -ENOMEM;
		goto free_bufs;
	}
	cols.offcpu = profile__add_type(p, "offcpu", "nanoseconds");
	cols.runq = profile__add_type(p, "runq", "nanoseconds");
	/* the column goes beside these; collectors__finish() fills it */
	if (cols.offcpu < 0 || cols.runq < 0 || profile__add_type(p, "wall", "nanoseconds") < 0) {
		err = -ENOSPC;
		goto free_bufs;
	}

	/* without names (kptr_restrict) the tracing frames simply stay */
	if (!op->ksyms) {
		int ks_err;

		op->ksyms = sym_kallsyms__get_running(&ks_err);
	}
	op->have_ksyms = op->ksyms != NULL;
	collector__debug_memo("offcpu", bpf_map__fd(op->skel->maps.memo_stats), "waits and wakes");
	w = read_wakers(bpf_map__fd(op->skel->maps.wakers), &nr_w);
	if (!w) {
		err = -ENOMEM;
		goto free_bufs;
	}
	for (size_t i = 0; i < nr_w; i++) {
		err = add_sample(p, op, c->opts, stacks_fd, &w[i].k.blocked, &w[i].k, &cols,
				 w[i].v.total_ns, ips, locs);
		if (err)
			goto free_wakers;
	}
	while (bpf_map_get_next_key(spans_fd, prev, &key) == 0) {
		prev = &key;
		if (bpf_map_lookup_elem(spans_fd, &key, &val))
			continue;
		ns = val.total_ns;
		if (key.reason != PS_REASON_RUNQ) {
			__u64 woken = waker_sum(w, nr_w, &key);

			ns = woken < ns ? ns - woken : 0;
		}
		if (!ns)
			continue;
		err = add_sample(p, op, c->opts, stacks_fd, &key, NULL, &cols, ns, ips, locs);
		if (err)
			goto free_wakers;
	}
	if (!c->opts->windows)
		err = drain_open_spans(p, op, c->opts, bpf_map__fd(op->skel->maps.state),
				       stacks_fd, &cols, stop_ns, ips, locs);
	if (!err)
		err = drain_hists(p, bpf_map__fd(op->skel->maps.runqlat));

free_wakers:
	free(w);
free_bufs:
	peer_names__free(&op->peers);
	free(ips);
	free(locs);
	return err;
}

/*
 * fn(ctx, id) for the stacks of waits still open (blocked or preempted
 * threads, and those woken but not yet run: their wakers' stacks are
 * taken), then of the spans and waker edges in the maps.  State first: a
 * thread that ends its wait after that scan had its span in the map before
 * the second one.
 */
static int scan_referenced(struct offcpu_priv *op, void (*fn)(void *, __s32), void *ctx)
{
	int state_fd = bpf_map__fd(op->skel->maps.state);
	struct offcpu_waker_key *wk = NULL;
	struct offcpu_key *sk = NULL;
	struct offcpu_state st;
	__u32 tid, *prev = NULL;
	size_t n;
	int err;

	while (bpf_map_get_next_key(state_fd, prev, &tid) == 0) {
		prev = &tid;
		if (bpf_map_lookup_elem(state_fd, &tid, &st) ||
		    (st.kind != OFFCPU_BLOCKED && st.kind != OFFCPU_PREEMPTED))
			continue;
		fn(ctx, st.user_stack_id);
		fn(ctx, st.kern_stack_id);
		fn(ctx, st.waker_user_stack_id);
		fn(ctx, st.waker_kern_stack_id);
	}
	err = collector__map_keys(bpf_map__fd(op->skel->maps.spans), (void **)&sk, &n, NULL);
	for (size_t i = 0; !err && i < n; i++) {
		fn(ctx, sk[i].user_stack_id);
		fn(ctx, sk[i].kern_stack_id);
	}
	free(sk);
	if (err)
		return err;
	err = collector__map_keys(bpf_map__fd(op->skel->maps.wakers), (void **)&wk, &n, NULL);
	for (size_t i = 0; !err && i < n; i++) {
		fn(ctx, wk[i].blocked.user_stack_id);
		fn(ctx, wk[i].blocked.kern_stack_id);
		fn(ctx, wk[i].waker_user_stack_id);
		fn(ctx, wk[i].waker_kern_stack_id);
	}
	free(wk);
	return err;
}

/*
 * The agent's windows: finished blocks, wakers and run-queue histograms
 * start empty.  A block still open at the drain is counted in the window
 * where it ends (o->windows), never twice, so its stacks, taken when it
 * began, stay: cleared with the rest, a long wait across a window boundary
 * came out without its kernel stack, or with whichever stack later took
 * its bucket.  The site memo forgets its stack ids before the scan (new
 * walks show up in what the scan reads) and again after the deletion (a
 * site remembered in between may point at a deleted stack).
 */
static int offcpu_reset(struct collector *c)
{
	struct offcpu_priv *op = c->priv;
	int stacks_fd = bpf_map__fd(op->skel->maps.stacks);
	struct stack_keep k;
	int err;

	__atomic_add_fetch(&op->skel->bss->memo_gen, 1, __ATOMIC_RELEASE);
	err = collector__clear_map(bpf_map__fd(op->skel->maps.spans)) ?:
	      collector__clear_map(bpf_map__fd(op->skel->maps.wakers)) ?:
	      collector__clear_map(bpf_map__fd(op->skel->maps.runqlat));
	if (stack_keep__init(&k, bpf_map__max_entries(op->skel->maps.stacks)))
		err = err ?: -ENOMEM;
	else
		err = scan_referenced(op, stack_keep__add, &k) ?:
		      stack_keep__clear_others(&k, stacks_fd) ?: err;
	stack_keep__free(&k);
	__atomic_add_fetch(&op->skel->bss->memo_gen, 1, __ATOMIC_RELEASE);
	return err;
}

/* The agent's trim of the unwinder's store: user stacks of open waits stay. */
static void offcpu_keep_stacks(struct collector *c, struct unw_keep *k)
{
	struct offcpu_priv *op = c->priv;

	if (scan_referenced(op, unw_keep__add, k))
		k->err = k->err ?: -EIO;
}

static void offcpu_stats(struct collector *c)
{
	struct offcpu_priv *op = c->priv;

	collector__read_stats(bpf_map__fd(op->skel->maps.stats), &c->stats);
}

static void offcpu_close(struct collector *c)
{
	struct offcpu_priv *op = c->priv;

	if (!op)
		return;
	if (op->ksyms)
		sym_kallsyms__put_running(op->ksyms);
	offcpu__destroy(op->skel);
	free(op);
	c->priv = NULL;
}

const struct collector_ops offcpu_collector_ops = {
	.name = "offcpu",
	.summary = "off-CPU time by stack and wait reason, run-queue delay, wakers (sched tracepoints)",
	.supported = offcpu_supported,
	.open = offcpu_open,
	.attach = offcpu_attach,
	.poll = offcpu_poll,
	.drain = offcpu_drain,
	.reset = offcpu_reset,
	.keep_stacks = offcpu_keep_stacks,
	.stats = offcpu_stats,
	.close = offcpu_close,
};
