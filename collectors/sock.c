// SPDX-License-Identifier: MIT
/*
 * The "sock" collector: socket traffic per peer and per sending/receiving
 * stack, TCP connection records (connect latency, accept wait, lifetime,
 * retransmits, smoothed RTT), syscall size histograms and error counts.
 * bpf/sock.bpf.c aggregates in the kernel; finished connections arrive on a
 * ring buffer drained every poll.  docs/net.md has the details.
 *
 * Output (docs/format.md):
 *   samples  tx/bytes rx/bytes tx/messages rx/messages, labels pid tid thread
 *            path peer proto
 *   records  conn, peer, sockhist, sockerr, sockdrop, portrule, sockevent
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collectors/collector.h"
#include "collectors/core-btf.h"
#include "collectors/features.h"
#include "collectors/peers.h"
#include "collectors/record-opts.h"
#include "collectors/shared-maps.h"
#include "collectors/stack-keep.h"
#include "core/array.h"
#include "core/log.h"
#include "core/ports.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "bpf/sock.h"
#include "sock.skel.h"
#include "bpf/unwind.h"
#include "collectors/unwinder.h"
#include "collectors/unwinder-trim.h"
#include "collectors/sock-int.h"

/* PEERSCOPE_SOCK_SYSCALLS values, and what -v says of each */
static const struct { const char *name, *what; } sys_kinds[] = {
	[SOCK_SYS_TP] = { "tracepoint", "per-syscall tracepoints (syscalls:sys_enter_NAME/sys_exit_NAME)" },
	[SOCK_SYS_BTF] = { "tp_btf", "tp_btf/sys_enter and sys_exit (every syscall)" },
	[SOCK_SYS_RAW] = { "raw_tp", "raw_tp/sys_enter and sys_exit (every syscall)" },
};

/* The syscalls bpf/sock.bpf.c follows (call_of()), as tracepoint names;
 * those whose 6 arguments are all read have their own entry program. */
static const struct { const char *name; bool six; } tp_calls[] = {
	{ "read" }, { "readv" }, { "recvfrom", true }, { "recvmsg" }, { "recvmmsg" },
	{ "write" }, { "writev" }, { "sendto", true }, { "sendmsg" }, { "sendmmsg" },
	{ "connect" }, { "accept" }, { "accept4" },
};
#define NR_TP_CALLS (sizeof(tp_calls) / sizeof(tp_calls[0]))

/* Waiting for new work ends the serving-peer tag (entry only). */
static const char *const tp_waits[] = {
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll", "select", "pselect6",
};
#define NR_TP_WAITS (sizeof(tp_waits) / sizeof(tp_waits[0]))
_Static_assert(SOCK_TP_LINKS == 2 * NR_TP_CALLS + NR_TP_WAITS, "SOCK_TP_LINKS in sock-int.h");

static bool sock_supported(const struct kernel_features *kf, const struct record_opts *o,
			   char *why, size_t len)
{
	struct utsname u;

	if (uname(&u) || strcmp(u.machine, "x86_64")) {
		snprintf(why, len, "syscall numbers are only known for x86_64");
		return false;
	}
	if (!kf->tp_btf && !kf->raw_tp) {
		snprintf(why, len, "neither tp_btf nor raw tracepoints attach on this kernel");
		return false;
	}
	if (!kf->btf) {
		snprintf(why, len, "kernel BTF is missing (CO-RE reads of struct sock need it)");
		return false;
	}
	return true;
}

static int on_done(void *ctx, void *data, size_t size)
{
	struct sock_priv *sp = ctx;

	if (size < sizeof(struct sock_conn))
		return 0;
	if (ARRAY_ROOM(sp->done, sp->nr_done, sp->cap_done, 256))
		return -ENOMEM;
	memcpy(&sp->done[sp->nr_done++], data, sizeof(struct sock_conn));
	return 0;
}

/* Every syscalls:sys_enter_NAME and sys_exit_NAME we would attach to exists. */
static bool have_syscall_tps(const struct kernel_features *kf)
{
	char path[160];

	if (!kf->tracefs)
		return false;
	for (size_t i = 0; i < NR_TP_CALLS; i++) {
		for (int exit = 0; exit < 2; exit++) {
			snprintf(path, sizeof(path), "%s/events/syscalls/sys_%s_%s/id",
				 kf->tracefs_path, exit ? "exit" : "enter", tp_calls[i].name);
			if (access(path, R_OK)) {
				ps_debug("sock: no tracepoint syscalls:sys_%s_%s (%s)",
					 exit ? "exit" : "enter", tp_calls[i].name, strerror(errno));
				return false;
			}
		}
	}
	return true;
}

/*
 * The syscall hooks to try first.  PEERSCOPE_SOCK_SYSCALLS=tracepoint|tp_btf|raw_tp
 * forces one (a developer option, docs/net.md: the tests compare them).
 */
static int choose_sys(const struct kernel_features *kf, enum sock_sys *sys, bool *forced)
{
	const char *env = getenv("PEERSCOPE_SOCK_SYSCALLS");
	bool have[] = {
		[SOCK_SYS_TP] = have_syscall_tps(kf),
		[SOCK_SYS_BTF] = kf->tp_btf,
		[SOCK_SYS_RAW] = kf->raw_tp,
	};

	*forced = env && *env;
	if (!*forced) {
		*sys = have[SOCK_SYS_TP] ? SOCK_SYS_TP : have[SOCK_SYS_BTF] ? SOCK_SYS_BTF : SOCK_SYS_RAW;
		return 0;
	}
	for (int i = 0; i <= SOCK_SYS_RAW; i++) {
		if (strcmp(env, sys_kinds[i].name))
			continue;
		if (!have[i]) {
			ps_err("sock: PEERSCOPE_SOCK_SYSCALLS=%s: not available on this system (unset it; -v says why)",
			       env);
			return -EOPNOTSUPP;
		}
		*sys = i;
		return 0;
	}
	ps_err("sock: PEERSCOPE_SOCK_SYSCALLS=%s: unknown (use tracepoint, tp_btf or raw_tp, or unset it)",
	       env);
	return -EINVAL;
}

/*
 * Keep one variant of every program: the syscall hooks as sys says, the
 * TCP tracepoints as tp_btf or raw_tp.  The per-syscall programs are
 * attached by sock_attach(), once per followed call.
 */
static void choose_variant(struct sock *skel, enum sock_sys sys, bool btf)
{
	bpf_program__set_autoload(skel->progs.sock_enter_tp, sys == SOCK_SYS_TP);
	bpf_program__set_autoload(skel->progs.sock_enter_tp6, sys == SOCK_SYS_TP);
	bpf_program__set_autoload(skel->progs.sock_exit_tp, sys == SOCK_SYS_TP);
	bpf_program__set_autoattach(skel->progs.sock_enter_tp, false);
	bpf_program__set_autoattach(skel->progs.sock_enter_tp6, false);
	bpf_program__set_autoattach(skel->progs.sock_exit_tp, false);
	bpf_program__set_autoload(skel->progs.sock_wait_tp, sys == SOCK_SYS_TP);
	bpf_program__set_autoattach(skel->progs.sock_wait_tp, false);
	bpf_program__set_autoload(skel->progs.sock_enter_btf, sys == SOCK_SYS_BTF);
	bpf_program__set_autoload(skel->progs.sock_exit_btf, sys == SOCK_SYS_BTF);
	bpf_program__set_autoload(skel->progs.sock_enter_raw, sys == SOCK_SYS_RAW);
	bpf_program__set_autoload(skel->progs.sock_exit_raw, sys == SOCK_SYS_RAW);
	bpf_program__set_autoload(skel->progs.sock_state_btf, btf);
	bpf_program__set_autoload(skel->progs.sock_retrans_btf, btf);
	bpf_program__set_autoload(skel->progs.sock_state_raw, !btf);
	bpf_program__set_autoload(skel->progs.sock_retrans_raw, !btf);
}

/*
 * Opens the skeleton with the shared maps wired in; loads it.  btf_path:
 * the small BTF to relocate against (core-btf.h), NULL for the kernel's.
 */
static int open_load(struct sock_priv *sp, const struct shared_maps *sm, enum sock_sys sys,
		     bool btf, bool retrans_err, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	int err;

	sp->sys = sys;
	sp->skel = sock__open_opts(&opts);
	if (!sp->skel) {
		err = -errno;
		ps_err("sock: opening the BPF object failed: %s (rebuild peerscope)", strerror(-err));
		return err;
	}
	err = shared_maps__reuse(sm, sp->skel->obj);
	if (err) {
		ps_err("sock: sharing the target maps failed: %s (report a bug)", strerror(-err));
		return err;
	}
	err = unwinder__reuse(sm->unw, sp->skel->obj, false);
	if (err < 0) {
		ps_err("sock: sharing the unwinder maps failed: %s (report a bug; --unwind fp avoids them)",
		       strerror(-err));
		return err;
	}
	sp->skel->rodata->unw_enabled = err > 0;
	sp->unw = err > 0 ? sm->unw : NULL;
	/* the unwinder's store takes every user stack: the map only its leftovers */
	if (err > 0)
		bpf_map__set_max_entries(sp->skel->maps.stacks, UNW_LEFTOVER_STACKS);
	bpf_map__set_max_entries(sp->skel->maps.inflight, sm->thread_slots);
	sp->skel->rodata->user_stacks = true;
	sp->skel->rodata->retrans_has_err = retrans_err;
	sp->skel->rodata->peer_tags = !sp->opts->no_peers;
	sp->skel->rodata->peer_slots = peer_table__slots();
	sp->skel->rodata->txn_rules_on = !sp->opts->no_peers &&
		peer_tag__txn_rules(sp->opts, (struct sock_txn_rule *)sp->skel->rodata->txn_rules,
				    PS_PATH_MAX);
	/*
	 * Without a transaction id to match (no rule names one), no request is
	 * ever opened: the LRU of 16384 requests, preallocated whole (1.9 MiB
	 * of kernel memory), and the waits it feeds shrink to one entry.
	 */
	if (!sp->skel->rodata->txn_rules_on) {
		bpf_map__set_max_entries(sp->skel->maps.reqs, 1);
		bpf_map__set_max_entries(sp->skel->maps.peer_waits, 1);
	}
	sp->skel->rodata->nr_port_rules =
		peer_tag__port_rules(sp->opts, &sp->rules,
				     (struct sock_port_rule *)sp->skel->rodata->port_rules,
				     SOCK_PORT_RULES_MAX);
	choose_variant(sp->skel, sys, btf);
	return sock__load(sp->skel);
}

static int sock_open(struct collector *c, const struct record_opts *o,
		     const struct kernel_features *kf, const struct shared_maps *sm)
{
	enum sock_sys sys;
	struct sock_priv *sp;
	char why[256], core[PATH_MAX];
	bool btf, forced;
	const void *elf;
	size_t elf_sz;
	int err;

	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	sp->opts = o;
	port_rules__init(&sp->rules);
	if (o->port_rules && (err = port_rules__parse(&sp->rules, o->port_rules, why, sizeof(why)))) {
		ps_err("sock: %s", why);
		goto free_priv;
	}

	err = choose_sys(kf, &sys, &forced);
	if (err)
		goto free_priv;
	btf = kf->tp_btf && sys != SOCK_SYS_RAW;
	/* raw_tp against the small BTF first: tp_btf makes libbpf parse all of the kernel's */
	elf = sock__elf_bytes(&elf_sz);
	err = kf->raw_tp && sys != SOCK_SYS_BTF ?
		core_btf__path("sock", elf, elf_sz, core, sizeof(core)) : -ENOENT;
	if (!err) {
		err = open_load(sp, sm, sys, false, kf->tcp_retrans_err, core);
		if (err) {
			ps_debug("sock: raw_tp programs did not load against %s (%s)", core,
				 strerror(-err));
			sock__destroy(sp->skel);
			sp->skel = NULL;
		}
	}
	if (err)
		err = open_load(sp, sm, sys, btf, kf->tcp_retrans_err, NULL);
	if (err && sp->skel && sys == SOCK_SYS_TP && !forced) {
		ps_debug("sock: per-syscall tracepoint programs did not load (%s); using sys_enter/sys_exit",
			 strerror(-err));
		sock__destroy(sp->skel);
		sys = btf ? SOCK_SYS_BTF : SOCK_SYS_RAW;
		err = open_load(sp, sm, sys, btf, kf->tcp_retrans_err, NULL);
	}
	if (err && sp->skel && btf && kf->raw_tp && (!forced || sys != SOCK_SYS_BTF)) {
		/* a tracepoint may lack its btf_trace typedef: try raw_tp */
		ps_debug("sock: tp_btf programs did not load (%s); using raw_tp", strerror(-err));
		sock__destroy(sp->skel);
		if (sys == SOCK_SYS_BTF)
			sys = SOCK_SYS_RAW;
		err = open_load(sp, sm, sys, false, kf->tcp_retrans_err, NULL);
	}
	if (err) {
		if (sp->skel)
			ps_err("sock: loading the BPF programs failed: %s (run with -v for the verifier log)",
			       strerror(-err));
		goto destroy_skel;
	}
	ps_debug("sock: syscalls from %s, TCP state and retransmits from %s", sys_kinds[sp->sys].what,
		 bpf_program__autoload(sp->skel->progs.sock_state_btf) ? "tp_btf" : "raw_tp");
	sp->rb = ring_buffer__new(bpf_map__fd(sp->skel->maps.done), on_done, sp, NULL);
	if (!sp->rb) {
		err = -errno;
		ps_err("sock: creating the connection ring buffer failed: %s (raise RLIMIT_MEMLOCK)",
		       strerror(-err));
		goto destroy_skel;
	}
	c->priv = sp;
	return 0;

destroy_skel:
	sock__destroy(sp->skel);
free_priv:
	port_rules__free(&sp->rules);
	free(sp);
	return err;
}

/* The per-syscall tracepoint programs, on every followed call. */
static int attach_syscall_tps(struct sock_priv *sp)
{
	char name[64];
	int err;

	for (size_t i = 0; i < 2 * NR_TP_CALLS; i++) {
		bool exit = i >= NR_TP_CALLS;
		size_t k = i % NR_TP_CALLS;
		struct bpf_program *prog = exit ? sp->skel->progs.sock_exit_tp
					   : tp_calls[k].six ? sp->skel->progs.sock_enter_tp6
					   : sp->skel->progs.sock_enter_tp;

		snprintf(name, sizeof(name), "sys_%s_%s", exit ? "exit" : "enter", tp_calls[k].name);
		sp->tp_links[i] = bpf_program__attach_tracepoint(prog, "syscalls", name);
		if (!sp->tp_links[i]) {
			err = -errno;
			ps_err("sock: attaching to the tracepoint syscalls:%s failed: %s (PEERSCOPE_SOCK_SYSCALLS=raw_tp avoids it)",
			       name, strerror(-err));
			return err;
		}
	}
	/* a kernel without one of the wait calls only loses that end of a tag */
	for (size_t k = 0; k < NR_TP_WAITS && !sp->opts->no_peers; k++) {
		snprintf(name, sizeof(name), "sys_enter_%s", tp_waits[k]);
		sp->tp_links[2 * NR_TP_CALLS + k] =
			bpf_program__attach_tracepoint(sp->skel->progs.sock_wait_tp, "syscalls", name);
		if (!sp->tp_links[2 * NR_TP_CALLS + k])
			ps_debug("sock: no tracepoint syscalls:%s: %s", name, strerror(errno));
	}
	return 0;
}

static int sock_attach(struct collector *c, const struct target *t)
{
	struct sock_priv *sp = c->priv;
	int err;

	/* tables first: a syscall seen before would get a frame-pointer stack */
	if (sp->unw) {
		err = unwinder__add_target(sp->unw, t);
		if (err)
			return err;
	}
	err = sock__attach(sp->skel);
	if (err) {
		ps_err("sock: attaching to the syscall and TCP tracepoints failed: %s (check that raw tracepoints work: run with -v)",
		       strerror(-err));
		return err;
	}
	return sp->sys == SOCK_SYS_TP ? attach_syscall_tps(sp) : 0;
}

static int sock_poll(struct collector *c)
{
	struct sock_priv *sp = c->priv;
	int n = ring_buffer__consume(sp->rb);

	unwinder__poll(sp->unw);
	return n < 0 ? n : 0;
}

/* The ring of finished connections: it wakes us a quarter full. */
static int sock_wait_fd(struct collector *c)
{
	struct sock_priv *sp = c->priv;

	return sp->rb ? ring_buffer__epoll_fd(sp->rb) : -1;
}

static int sock_drain(struct collector *c, struct profile *p)
{
	struct sock_priv *sp = c->priv;
	struct collector_stats st = {};
	char buf[64];
	int err;

	collector__debug_memo("sock", bpf_map__fd(sp->skel->maps.memo_stats), "sends and receives");
	err = sock__drain_traffic(c, p);
	if (!err)
		err = sock__drain_conns(c, p);
	if (!err)
		err = sock__drain_hist(c, p);
	if (!err)
		err = sock__drain_errs(c, p);
	if (!err)
		err = sock__drain_events(c, p);
	if (err)
		return err;
	for (int i = 0; i < sp->rules.nr; i++) {
		struct rec_portrule r = {
			.path = sp->rules.rules[i].name,
			.match = port_rule__format(&sp->rules.rules[i], buf, sizeof(buf)),
		};

		err = records__add_portrule(p, &r);
		if (err < 0)
			return err;
	}
	if (!sp->opts->no_peers) {
		err = peer_table__drain(p, bpf_map__fd(sp->skel->maps.ps_peer_slots),
					bpf_map__fd(sp->skel->maps.ps_peer_ctl),
					sp->skel->rodata->peer_slots);
		if (!err)
			err = peer_waits__drain(p, bpf_map__fd(sp->skel->maps.peer_waits), sp->opts);
		if (err < 0)
			return err;
	}
	/* what was lost, so that reports can say the numbers are incomplete */
	collector__read_stats(bpf_map__fd(sp->skel->maps.stats), &st);
	err = records__add_sockdrop(p, &(struct rec_sockdrop){
		.map_full = st.map_full, .stack_errors = st.stack_errors, .lost = st.lost,
		.events = st.events });
	return err < 0 ? err : 0;
}

/*
 * fn(ctx, id) for the user stacks of what was counted since the drain took
 * the maps out: the traffic and errors the next window will report.
 */
static int scan_referenced(struct sock_priv *sp, void (*fn)(void *, int32_t), void *ctx)
{
	struct sock_traffic_key *tk = NULL;
	struct sock_err_key *ek = NULL;
	size_t n;
	int err;

	err = collector__map_keys(bpf_map__fd(sp->skel->maps.traffic), (void **)&tk, &n, NULL);
	for (size_t i = 0; !err && i < n; i++)
		fn(ctx, tk[i].user_stack_id);
	free(tk);
	if (err)
		return err;
	err = collector__map_keys(bpf_map__fd(sp->skel->maps.errs), (void **)&ek, &n, NULL);
	for (size_t i = 0; !err && i < n; i++)
		fn(ctx, ek[i].user_stack_id);
	free(ek);
	return err;
}

/*
 * The agent's windows: traffic, errors, events and size histograms start
 * empty because the drain took each entry out as it read it (what came
 * after the read is the next window's), and the connections that ended
 * are forgotten.  Live connections stay in "conns" (seeing them end needs
 * their state), so a window's conn record of a connection still open
 * carries its totals since first seen.  Clearing those maps here instead
 * lost what the programs added between the drain and the clear: a
 * retransmit now and then on a loaded host.  Of the stack map, the stacks
 * those entries name stay (stack-keep.h).
 */
static int sock_reset(struct collector *c)
{
	struct sock_priv *sp = c->priv;
	int stacks_fd = bpf_map__fd(sp->skel->maps.stacks);
	struct stack_keep k;
	int err;

	sp->nr_done = 0;
	/* the stack ids remembered per site: forgotten before the scan (new
	 * walks show in what it reads) and after the deletion */
	__atomic_add_fetch(&sp->skel->bss->memo_gen, 1, __ATOMIC_RELEASE);
	err = stack_keep__init(&k, bpf_map__max_entries(sp->skel->maps.stacks)) ?:
	      scan_referenced(sp, stack_keep__add, &k) ?:
	      stack_keep__clear_others(&k, stacks_fd);
	stack_keep__free(&k);
	__atomic_add_fetch(&sp->skel->bss->memo_gen, 1, __ATOMIC_RELEASE);
	return err;
}

/*
 * The agent's trim of the unwinder's store: the user stacks of what was
 * counted since the drain took the maps out (the next window's).
 */
static void sock_keep_stacks(struct collector *c, struct unw_keep *k)
{
	if (scan_referenced(c->priv, unw_keep__add, k))
		k->err = k->err ?: -EIO;
}

static void sock_stats(struct collector *c)
{
	struct sock_priv *sp = c->priv;

	collector__read_stats(bpf_map__fd(sp->skel->maps.stats), &c->stats);
}

static void sock_close(struct collector *c)
{
	struct sock_priv *sp = c->priv;

	if (!sp)
		return;
	ring_buffer__free(sp->rb);
	/*
	 * Closing a tracepoint's last perf event unregisters it and waits for
	 * RCU grace periods under the kernel's event_mutex: one after the
	 * other the 26 links took 1.8 s (~70 ms each); from 4 threads ~1 s,
	 * as from 26, for a third of the CPU time.
	 */
	collector__destroy_links(sp->tp_links, 2 * NR_TP_CALLS + NR_TP_WAITS, DESTROY_PERF_WORKERS);
	sock__destroy(sp->skel);
	port_rules__free(&sp->rules);
	free(sp->done);
	free(sp);
	c->priv = NULL;
}

const struct collector_ops sock_collector_ops = {
	.name = "sock",
	.summary = "socket traffic per peer and stack, TCP connect latency, retransmits, errors",
	.supported = sock_supported,
	.open = sock_open,
	.attach = sock_attach,
	.poll = sock_poll,
	.wait_fd = sock_wait_fd,
	.drain = sock_drain,
	.reset = sock_reset,
	.keep_stacks = sock_keep_stacks,
	.stats = sock_stats,
	.close = sock_close,
};
