// SPDX-License-Identifier: MIT
/*
 * The "span" collector: operations of each path, timed in the kernel.
 * For every span rule of the path rules (core/rules.h) it attaches
 * bpf/span.bpf.c to the target's functions (uprobe + uretprobe) or USDT
 * start/done probes, each attachment carrying a cookie that says which path
 * and which arguments.  While a thread is inside a span the shared
 * ps_thread_path map names the path, which is how every other collector's
 * samples get their `path` label.
 *
 * At the end it writes, per path, a "hist" record (count, errors, sum, max,
 * log-linear buckets) and the slowest operations as "slowop" records
 * (docs/format.md).  The slowest are found without sending every operation
 * up: the kernel sends only those at least as slow as the path's current
 * N-th slowest, a threshold this file raises as it learns.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "collectors/collector.h"
#include "collectors/core-btf.h"
#include "collectors/features.h"
#include "collectors/peers.h"
#include "collectors/record-opts.h"
#include "collectors/shared-maps.h"
#include "core/log.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "core/target.h"
#include "bpf/span.h"
#include "span.skel.h"

#define SLOWEST_PER_PATH 10

struct span_priv {
	struct span *skel;
	struct ring_buffer *rb;
	struct bpf_link **links;
	int nr_links, cap_links;
	int attached_rules;		/* (rule, pid) pairs with at least one probe */
	int attached_peer_probes;	/* (peer rule, pid) pairs attached */
	/* per path: the slowest operations seen, sorted slowest first */
	struct span_slowop slow[PS_PATH_MAX][SLOWEST_PER_PATH];
	int nr_slow[PS_PATH_MAX];
	__u64 slow_min[PS_PATH_MAX];
	int64_t mono_to_real;		/* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

static bool span_supported(const struct kernel_features *kf, const struct record_opts *o,
			   char *why, size_t len)
{
	if (!o->rules || (!o->rules->nr_spans && (o->no_peers || !o->rules->nr_peer_probes))) {
		snprintf(why, len, "the path rules have no span rule (peerscope rules --show)");
		return false;
	}
	if (!kf->uprobes) {
		snprintf(why, len, "the kernel has no uprobe PMU (CONFIG_UPROBE_EVENTS)");
		return false;
	}
	return true;
}

static int span_handle(void *ctx, void *data, size_t len)
{
	struct span_priv *sp = ctx;
	const struct span_slowop *e = data;
	struct span_slowop *top;
	int n, i;

	if (len < sizeof(*e) || e->path >= PS_PATH_MAX)
		return 0;
	top = sp->slow[e->path];
	n = sp->nr_slow[e->path];
	/* insertion into a sorted array of at most SLOWEST_PER_PATH */
	for (i = n; i > 0 && top[i - 1].latency_ns < e->latency_ns; i--) {
		if (i < SLOWEST_PER_PATH)
			top[i] = top[i - 1];
	}
	if (i < SLOWEST_PER_PATH) {
		top[i] = *e;
		if (n < SLOWEST_PER_PATH)
			sp->nr_slow[e->path] = ++n;
	}
	if (n == SLOWEST_PER_PATH && top[n - 1].latency_ns > sp->slow_min[e->path]) {
		__u32 key = e->path;
		__u64 min = top[n - 1].latency_ns;

		/* from now on the kernel sends only what could enter the top N */
		sp->slow_min[e->path] = min;
		bpf_map_update_elem(bpf_map__fd(sp->skel->maps.slow_min), &key, &min, BPF_ANY);
	}
	return 0;
}

/* Opens and loads the object; btf_path: the small BTF (core-btf.h), NULL for the kernel's. */
static int open_load(struct span_priv *sp, const struct shared_maps *sm, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	int err;

	sp->skel = span__open_opts(&opts);
	if (!sp->skel) {
		err = -errno;
		ps_err("span: opening the BPF object failed: %s (rebuild peerscope)", strerror(-err));
		return err;
	}
	err = shared_maps__reuse(sm, sp->skel->obj);
	if (err) {
		ps_err("span: sharing the target maps failed: %s (report a bug)", strerror(-err));
		return err;
	}
	sp->skel->rodata->peer_slots = peer_table__slots();
	return span__load(sp->skel);
}

static int span_open(struct collector *c, const struct record_opts *o,
		     const struct kernel_features *kf, const struct shared_maps *sm)
{
	struct timespec rt, mono;
	struct span_priv *sp;
	char core[PATH_MAX];
	const void *elf;
	size_t elf_sz;
	int err;

	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	sp->mono_to_real = (rt.tv_sec - mono.tv_sec) * 1000000000LL + (rt.tv_nsec - mono.tv_nsec);

	/* against the small BTF first (core-btf.h), else the kernel's */
	elf = span__elf_bytes(&elf_sz);
	err = core_btf__path("span", elf, elf_sz, core, sizeof(core));
	if (!err) {
		err = open_load(sp, sm, core);
		if (err) {
			ps_debug("span: the program did not load against %s (%s)", core, strerror(-err));
			span__destroy(sp->skel);
			sp->skel = NULL;
		}
	}
	if (err)
		err = open_load(sp, sm, NULL);
	if (err) {
		if (sp->skel)
			ps_err("span: loading the BPF program failed: %s (run with -v for the verifier log)",
			       strerror(-err));
		goto destroy_skel;
	}
	sp->rb = ring_buffer__new(bpf_map__fd(sp->skel->maps.slowops), span_handle, sp, NULL);
	if (!sp->rb) {
		err = -errno;
		ps_err("span: creating the ring buffer failed: %s (raise ulimit -l)", strerror(-err));
		goto destroy_skel;
	}
	c->priv = sp;
	return 0;

destroy_skel:
	span__destroy(sp->skel);
	free(sp);
	return err;
}

static int add_link(struct span_priv *sp, struct bpf_link *l)
{
	if (sp->nr_links == sp->cap_links) {
		int cap = sp->cap_links ? sp->cap_links * 2 : 16;
		struct bpf_link **nl = realloc(sp->links, cap * sizeof(*nl));

		if (!nl) {
			bpf_link__destroy(l);
			return -ENOMEM;
		}
		sp->links = nl;
		sp->cap_links = cap;
	}
	sp->links[sp->nr_links++] = l;
	return 0;
}

/*
 * The binary to probe: the rule's, else the target's executable by the
 * name /proc/PID/maps uses (libbpf matches USDT binaries against it).
 */
static void binary_of(const struct path_span_rule *r, uint32_t pid, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	if (r->binary) {
		snprintf(buf, len, "%s", r->binary);
		return;
	}
	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	n = readlink(link, buf, len - 1);
	if (n <= 0 || (size_t)n >= len - 1 || strstr(buf, " (deleted)")) {
		snprintf(buf, len, "%s", link);
		return;
	}
	buf[n] = '\0';
	/* a binary in another mount namespace is reached through the target's root */
	if (access(buf, R_OK)) {
		char *abs = strdup(buf);

		if (abs)
			snprintf(buf, len, "/proc/%u/root%s", pid, abs);
		free(abs);
	}
}

/*
 * The closing probe goes in first, the opening one second (span_close()
 * takes them out in the reverse order).  The other way round, an operation
 * that started and ended between the two attachments left a frame on its
 * thread's span stack that nothing would pop: the thread then counted as
 * inside the span, its every wait as busy, for the rest of the recording
 * (tests/progs/span_burst: 4 of 8 one-second recordings).  A done without
 * its start is only "unmatched".
 */
static int attach_rule(struct span_priv *sp, const struct path_span_rule *r, uint32_t pid)
{
	__u32 flags = (r->nothread ? SPAN_F_NOTHREAD : 0) | (r->multi ? SPAN_F_MULTI : 0);
	__u64 cookie = SPAN_COOKIE(r->path, r->id_arg < 0 ? SPAN_ARG_NONE : r->id_arg,
				   r->ok_arg < 0 ? SPAN_ARG_NONE : r->ok_arg, flags);
	char bin[PATH_MAX];
	struct bpf_link *l;
	int err;

	binary_of(r, pid, bin, sizeof(bin));
	if (r->kind == SPAN_UPROBE) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = r->symbol, .bpf_cookie = cookie,
			    .retprobe = true);

		l = bpf_program__attach_uprobe_opts(sp->skel->progs.span_leave, pid, bin, 0, &uo);
		if (!l)
			return -errno;
		err = add_link(sp, l);
		if (err)
			return err;
		uo.retprobe = false;
		l = bpf_program__attach_uprobe_opts(sp->skel->progs.span_enter, pid, bin, 0, &uo);
		if (!l)
			return -errno;
		return add_link(sp, l);
	}

	LIBBPF_OPTS(bpf_usdt_opts, uo, .usdt_cookie = cookie);
	l = bpf_program__attach_usdt(sp->skel->progs.span_usdt_done, pid, bin, r->provider,
				     r->done, &uo);
	if (!l)
		return -errno;
	err = add_link(sp, l);
	if (err)
		return err;
	l = bpf_program__attach_usdt(sp->skel->progs.span_usdt_start, pid, bin, r->provider,
				     r->start, &uo);
	if (!l)
		return -errno;
	return add_link(sp, l);
}

/* A peer probe (rules "peer" line): the program names the thread's peer. */
static int attach_peer_rule(struct span_priv *sp, const struct path_peer_rule *r, uint32_t pid)
{
	const struct path_span_rule where = { .binary = r->binary };
	__u64 cookie = PEER_COOKIE(r->path, r->addr_arg, r->id_arg < 0 ? SPAN_ARG_NONE : r->id_arg);
	char bin[PATH_MAX];
	struct bpf_link *l;

	binary_of(&where, pid, bin, sizeof(bin));
	if (r->kind == SPAN_UPROBE) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = r->symbol, .bpf_cookie = cookie);

		l = bpf_program__attach_uprobe_opts(sp->skel->progs.peer_uprobe, pid, bin, 0, &uo);
	} else {
		LIBBPF_OPTS(bpf_usdt_opts, uo, .usdt_cookie = cookie);

		l = bpf_program__attach_usdt(sp->skel->progs.peer_usdt, pid, bin, r->provider,
					     r->probe, &uo);
	}
	return l ? add_link(sp, l) : -errno;
}

/* Every peer probe of the rules in pid; how many attached, or -ENOMEM. */
static int attach_peer_rules(struct span_priv *sp, const struct record_opts *o, uint32_t pid)
{
	int n = 0;

	for (uint32_t j = 0; !o->no_peers && j < o->rules->nr_peer_probes; j++) {
		const struct path_peer_rule *r = &o->rules->peer_probes[j];
		int err = attach_peer_rule(sp, r, pid);

		if (err == -ENOMEM)
			return err;
		if (err)
			ps_debug("span: peer probe %s in pid %u: %s",
				 r->kind == SPAN_USDT ? r->probe : r->symbol, pid, strerror(-err));
		else
			n++;
	}
	return n;
}

static int span_attach(struct collector *c, const struct target *t)
{
	struct span_priv *sp = c->priv;
	const struct path_rules *rules = c->opts->rules;
	int failed = 0;

	/* libbpf prints a warning per probe it cannot find: ours is enough */
	libbpf_print_fn_t old = libbpf_set_print(NULL);

	for (int i = 0; i < t->nr_pids; i++) {
		int peers = attach_peer_rules(sp, c->opts, t->pids[i]);

		if (peers < 0) {
			libbpf_set_print(old);
			return peers;
		}
		sp->attached_peer_probes += peers;
		for (uint32_t j = 0; j < rules->nr_spans; j++) {
			const struct path_span_rule *r = &rules->spans[j];
			int err = attach_rule(sp, r, t->pids[i]);

			if (err == -ENOMEM) {
				libbpf_set_print(old);
				return err;
			}
			if (err) {
				failed++;
				ps_debug("span: %s span %s:%s in pid %u: %s",
					 rules->names[r->path], r->kind == SPAN_USDT ? "usdt" : "uprobe",
					 r->kind == SPAN_USDT ? r->start : r->symbol, t->pids[i],
					 strerror(-err));
				continue;
			}
			sp->attached_rules++;
		}
	}
	libbpf_set_print(old);
	if (sp->attached_peer_probes)
		ps_debug("span: %d peer probes attached", sp->attached_peer_probes);
	if (!sp->attached_rules && rules->nr_spans) {
		ps_warn("span: none of the %u span rules of '%s' found a probe in the targets "
			"(check with: peerscope rules --show %s; readelf -n BINARY)",
			rules->nr_spans, rules->name, rules->name);
	} else if (failed) {
		ps_info("span: %d of %d span probes attached", sp->attached_rules,
			sp->attached_rules + failed);
	}
	ps_debug("span: %d links", sp->nr_links);
	return 0;
}

/* A process started after attach: its span probes, the same way. */
static int span_add_target(struct collector *c, uint32_t pid)
{
	struct target one = { .pids = &pid, .nr_pids = 1 };

	return span_attach(c, &one);
}

static int span_poll(struct collector *c)
{
	struct span_priv *sp = c->priv;
	int n = ring_buffer__consume(sp->rb);

	return n < 0 ? n : 0;
}

/* The ring of slow operations: it wakes us a quarter full. */
static int span_wait_fd(struct collector *c)
{
	struct span_priv *sp = c->priv;

	return sp->rb ? ring_buffer__epoll_fd(sp->rb) : -1;
}

static int drain_hist(struct span_priv *sp, struct profile *p, const struct record_opts *o,
		      __u32 path, const struct span_hist *h)
{
	struct rec_hist *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	*r = (struct rec_hist){
		.path = collector__path_name(o, path), .count = h->count, .errors = h->errors,
		.sum_ns = h->sum_ns, .max_ns = h->max_ns, .unmatched = h->unmatched,
	};
	for (__u32 b = 0; b < SPAN_HIST_BUCKETS; b++)
		rec_buckets__add(&r->buckets, hist_ll_low(b), h->buckets[b]);
	err = records__add_hist(p, r);
	free(r);
	return err < 0 ? err : 0;
}

static int drain_slow(struct span_priv *sp, struct profile *p, const struct record_opts *o,
		      const struct span_slowop *e)
{
	struct rec_slowop r = {
		.path = collector__path_name(o, e->path), .id = e->id, .pid = e->tgid,
		.tid = e->tid, .start_ns = (int64_t)e->start_ns + sp->mono_to_real,
		.latency_ns = e->latency_ns, .ok = e->ok == 2 ? "unknown" : e->ok ? "yes" : "no",
	};

	return records__add_slowop(p, &r);
}

static int span_drain(struct collector *c, struct profile *p)
{
	struct span_priv *sp = c->priv;
	int fd = bpf_map__fd(sp->skel->maps.hists);
	struct span_hist *h;
	int err = 0;

	ring_buffer__consume(sp->rb);
	h = malloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (__u32 path = 0; path < PS_PATH_MAX; path++) {
		if (bpf_map_lookup_elem(fd, &path, h))
			continue;
		if (!h->count && !h->unmatched)
			continue;
		err = drain_hist(sp, p, c->opts, path, h);
		if (err)
			goto free_h;
		for (int i = 0; i < sp->nr_slow[path]; i++) {
			err = drain_slow(sp, p, c->opts, &sp->slow[path][i]);
			if (err < 0)
				goto free_h;
			err = 0;
		}
	}
free_h:
	free(h);
	return err;
}

/* The agent's windows: histograms and the slowest operations start empty. */
static int span_reset(struct collector *c)
{
	struct span_priv *sp = c->priv;
	int fd = bpf_map__fd(sp->skel->maps.hists), min_fd = bpf_map__fd(sp->skel->maps.slow_min);
	struct span_hist *zero = calloc(1, sizeof(*zero));
	__u64 none = 0;
	int err = 0;

	if (!zero)
		return -ENOMEM;
	for (__u32 path = 0; path < PS_PATH_MAX; path++) {
		if (bpf_map_update_elem(fd, &path, zero, BPF_EXIST) ||
		    bpf_map_update_elem(min_fd, &path, &none, BPF_EXIST))
			err = -errno;
		sp->nr_slow[path] = 0;
		sp->slow_min[path] = 0;
	}
	free(zero);
	return err;
}

static void span_stats(struct collector *c)
{
	struct span_priv *sp = c->priv;

	collector__read_stats(bpf_map__fd(sp->skel->maps.stats), &c->stats);
}

static void span_close(struct collector *c)
{
	struct span_priv *sp = c->priv;

	if (!sp)
		return;
	/* openings before closings: the reverse of attach_rule() */
	for (int i = sp->nr_links - 1; i >= 0; i--)
		bpf_link__destroy(sp->links[i]);
	free(sp->links);
	ring_buffer__free(sp->rb);
	span__destroy(sp->skel);
	free(sp);
	c->priv = NULL;
}

const struct collector_ops span_collector_ops = {
	.name = "span",
	.summary = "operations of each path (uprobe / USDT spans): latency histograms, slowest",
	.supported = span_supported,
	.open = span_open,
	.attach = span_attach,
	.poll = span_poll,
	.wait_fd = span_wait_fd,
	.drain = span_drain,
	.reset = span_reset,
	.add_target = span_add_target,
	.stats = span_stats,
	.close = span_close,
};
