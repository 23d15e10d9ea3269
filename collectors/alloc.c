// SPDX-License-Identifier: MIT
/*
 * The "alloc" collector (docs/memory.md): who makes memory grow.
 *
 * record --alloc (kernel mode, cheap): brk/mmap/munmap syscalls and user
 * page faults by user stack (bpf/alloc.bpf.c).  record --alloc=malloc
 * (precise): uprobes on the target's allocator (alloc-discover.c), with
 * --alloc-sample N (stacks of one allocation in N) and --alloc-duty F
 * (probes attached for a fraction F of the time: detaching, unlike a BPF
 * flag, also saves the trap).  The cost of one probe hit is measured at
 * attach on a function of peerscope itself, so the recording says what it
 * cost the target.
 *
 * Every 500 ms, poll() snapshots in-use bytes per (thread, stack, path) and
 * each target's RSS.  At the end, stacks whose in-use bytes grew steadily
 * (least-squares slope > 0, R^2 high) become leak suspects.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collectors/alloc-discover.h"
#include "bpf/alloc.h"
#include "alloc.skel.h"
#include "collectors/collector.h"
#include "collectors/features.h"
#include "collectors/record-opts.h"
#include "collectors/peers.h"
#include "collectors/shared-maps.h"
#include "core/hashmap.h"
#include "core/log.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/target.h"
#include "collectors/unwinder.h"
#include "collectors/unwinder-trim.h"
#include "collectors/alloc-int.h"

static bool alloc_supported(const struct kernel_features *kf, const struct record_opts *o,
			    char *why, size_t len)
{
	if (o->alloc == ALLOC_NONE)
		return false;	/* not asked for: silent */
	if (!kf->tp_btf && !kf->raw_tp) {
		snprintf(why, len, "neither tp_btf nor raw tracepoints attach on this kernel");
		return false;
	}
	if (o->alloc == ALLOC_MALLOC && !kf->uprobes) {
		snprintf(why, len, "--alloc=malloc needs uprobes (no uprobe PMU in "
			 "/sys/bus/event_source/devices; use --alloc)");
		return false;
	}
	return true;
}

static bool have_btf_type(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool ok;

	if (!btf)
		return false;
	ok = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	return ok;
}

/* Keep one variant of each kernel-side program, and what the mode needs. */
static void choose_programs(struct alloc_priv *ap)
{
	struct alloc *s = ap->skel;
	bool kernel = ap->mode == ALLOC_KERNEL, umode = ap->mode == ALLOC_MALLOC;

	bpf_program__set_autoload(s->progs.alloc_sys_enter_btf, kernel && ap->sys_btf);
	bpf_program__set_autoload(s->progs.alloc_sys_exit_btf, kernel && ap->sys_btf);
	bpf_program__set_autoload(s->progs.alloc_sys_enter_raw, kernel && !ap->sys_btf);
	bpf_program__set_autoload(s->progs.alloc_sys_exit_raw, kernel && !ap->sys_btf);
	bpf_program__set_autoload(s->progs.alloc_fault_btf, ap->fault_btf);
	bpf_program__set_autoload(s->progs.alloc_fault_pe, !ap->fault_btf);
	bpf_program__set_autoload(s->progs.alloc_enter, umode);
	bpf_program__set_autoload(s->progs.alloc_exit, umode);
	bpf_program__set_autoload(s->progs.alloc_calib, umode);
	/* the perf_event variant may need its counts preallocated (pre-6.1) */
	if (!ap->fault_btf && !features__perf_event_noprealloc())
		bpf_map__set_map_flags(s->maps.counts, 0);
}

static int open_load(struct alloc_priv *ap, const struct record_opts *o,
		     const struct shared_maps *sm)
{
	int err;

	ap->skel = alloc__open();
	if (!ap->skel) {
		err = -errno;
		ps_err("alloc: opening the BPF object failed: %s (rebuild peerscope)", strerror(-err));
		return err;
	}
	err = shared_maps__reuse(sm, ap->skel->obj);
	if (err) {
		ps_err("alloc: sharing the target maps failed: %s (report a bug)", strerror(-err));
		goto destroy_skel;
	}
	/* preallocated, one entry per thread inside an allocation call */
	bpf_map__set_max_entries(ap->skel->maps.calls, sm->thread_slots);
	bpf_map__set_max_entries(ap->skel->maps.sys_inflight, sm->thread_slots);
	err = unwinder__reuse(sm->unw, ap->skel->obj, false);
	if (err < 0) {
		ps_err("alloc: sharing the unwinder maps failed: %s (report a bug; --unwind fp avoids them)",
		       strerror(-err));
		goto destroy_skel;
	}
	ap->skel->rodata->unw_enabled = err > 0;
	ap->unw = err > 0 ? sm->unw : NULL;
	ap->skel->rodata->sample_every = ap->sample;
	ap->skel->rodata->track_mmap = ap->mode == ALLOC_KERNEL;
	choose_programs(ap);
	err = alloc__load(ap->skel);
	if (err)
		goto destroy_skel;
	return 0;

destroy_skel:
	alloc__destroy(ap->skel);
	ap->skel = NULL;
	return err;
}

static int alloc_open(struct collector *c, const struct record_opts *o,
		      const struct kernel_features *kf, const struct shared_maps *sm)
{
	struct alloc_priv *ap;
	int err;

	ap = calloc(1, sizeof(*ap));
	if (!ap)
		return -ENOMEM;
	ap->mode = o->alloc;
	ap->sample = o->alloc_sample ? o->alloc_sample : 1;
	ap->duty = o->alloc_duty > 0 && o->alloc_duty <= 1 ? o->alloc_duty : 1;
	ap->snap_ns = SNAP_NS;
	ap->timer_fd = -1;
	ap->sys_btf = kf->tp_btf;
	/* the page-fault tracepoint is x86's; elsewhere the perf event does it */
	ap->fault_btf = kf->tp_btf && have_btf_type("btf_trace_page_fault_user");
	ap->series_idx = hashmap__new(NULL, NULL);
	if (!ap->series_idx) {
		err = -ENOMEM;
		goto free_priv;
	}

	err = open_load(ap, o, sm);
	if (err && (ap->fault_btf || ap->sys_btf)) {
		ps_debug("alloc: tp_btf programs did not load (%s); using raw_tp and perf events",
			 strerror(-err));
		ap->fault_btf = ap->sys_btf = false;
		err = open_load(ap, o, sm);
	}
	if (err) {
		if (ap->skel == NULL && err != -ENOMEM)
			ps_err("alloc: loading the BPF programs failed: %s (run with -v for the "
			       "verifier log)", strerror(-err));
		goto free_map;
	}
	ps_debug("alloc: %s mode, page faults from %s, syscalls from %s",
		 ap->mode == ALLOC_MALLOC ? "malloc" : "kernel",
		 ap->fault_btf ? "tp_btf/page_fault_user" : "software perf events",
		 ap->sys_btf ? "tp_btf" : "raw_tp");
	c->priv = ap;
	return 0;

free_map:
	hashmap__free(ap->series_idx);
free_priv:
	free(ap);
	return err;
}

/* ---- attach / detach the allocator probes -------------------------------- */

/* Target i's links, ALLOC_MAX_PROBES pairs (entry, return) in ap->ulinks. */
static struct bpf_link **target_links(struct alloc_priv *ap, int i)
{
	return &ap->ulinks[(size_t)i * ALLOC_MAX_PROBES * 2];
}

/* gone, or a zombie: either way its maps are empty and it allocates no more */
static bool process_gone(uint32_t pid)
{
	return !target__alive(pid);
}

/*
 * Target i's probes; 0 when its process has gone meanwhile (the agent's
 * targets come and go: one gone must not keep the others' probes off).
 */
static int attach_target(struct alloc_priv *ap, int i)
{
	struct alloc_target *t = &ap->targets[i];
	struct bpf_link **links = target_links(ap, i);

	for (int k = 0; k < t->nr_probes; k++) {
		const struct alloc_probe *pr = &t->probes[k];

		/* return probes first: an entry seen without its return looks nested */
		for (int ret = 1; ret >= 0; ret--) {
			LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = pr->fn, .retprobe = ret);
			struct bpf_program *prog = ret ? ap->skel->progs.alloc_exit
						       : ap->skel->progs.alloc_enter;
			struct bpf_link *l;
			int err;

			if (ret && !pr->ret)
				continue;
			l = bpf_program__attach_uprobe_opts(prog, t->pid, t->path, pr->offset, &uo);
			if (l) {
				links[k * 2 + ret] = l;
				continue;
			}
			err = -errno;
			if (process_gone(t->pid)) {
				ps_debug("alloc: pid %u has gone: its probes stay off", t->pid);
				collector__destroy_links(links, ALLOC_MAX_PROBES * 2, 0);
				return 0;
			}
			ps_err("alloc: attaching a uprobe to %s in %s (pid %u) failed: %s "
			       "(is the process still running?)", pr->sym, t->path, t->pid,
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

static int attach_uprobes(struct alloc_priv *ap)
{
	for (int i = 0; i < ap->nr_targets; i++) {
		int err = attach_target(ap, i);

		if (err)
			return err;
	}
	/* calls cut by a detach must not look nested forever */
	ap->skel->bss->attach_gen++;
	ap->skel->bss->uprobes_off = 0;
	ap->attached = true;
	return 0;
}

/*
 * Each uprobe unregister waits for an RCU grace period (~100 ms on a busy
 * machine): one after the other, a dozen links took 1.6 s, during which
 * the target kept trapping; collector__destroy_links() overlaps the waits.
 */
static void detach_uprobes(struct alloc_priv *ap)
{
	uint64_t t0 = now_ns();

	/* stop counting everywhere at once, then pay for the slow unregisters */
	if (ap->skel && ap->skel->bss)
		ap->skel->bss->uprobes_off = 1;
	collector__destroy_links(ap->ulinks, (size_t)ap->nr_targets * ALLOC_MAX_PROBES * 2, 0);
	ap->attached = false;
	ap->detach_ns += now_ns() - t0;
}

static int attach_malloc(struct alloc_priv *ap, const struct target *t)
{
	char why[512];
	int err;

	ap->targets = calloc(t->nr_pids, sizeof(*ap->targets));
	ap->ulinks = calloc((size_t)t->nr_pids * ALLOC_MAX_PROBES * 2, sizeof(*ap->ulinks));
	if (!ap->targets || !ap->ulinks)
		return -ENOMEM;
	for (int i = 0; i < t->nr_pids; i++) {
		struct alloc_target *at = &ap->targets[ap->nr_targets];

		err = alloc__discover(t->pids[i], at, why, sizeof(why));
		/* one that exited during the attach is said by record; the others go on */
		if (err && process_gone(t->pids[i])) {
			ps_debug("alloc: pid %u exited before its allocator was found", t->pids[i]);
			continue;
		}
		if (err) {
			ps_err("alloc: no allocator found: %s (use --alloc for the kernel-side view)",
			       why);
			return err;
		}
		ps_debug("alloc: pid %u: %s allocator in %s, %d entry points", at->pid,
			 at->allocator, at->path, at->nr_probes);
		ap->nr_targets++;
	}
	alloc__calibrate(ap);
	return attach_uprobes(ap);
}

/* Targets whose process has gone lose their probes and their place. */
static void forget_gone(struct alloc_priv *ap)
{
	int n = 0;

	for (int i = 0; i < ap->nr_targets; i++) {
		if (process_gone(ap->targets[i].pid)) {
			collector__destroy_links(target_links(ap, i), ALLOC_MAX_PROBES * 2, 0);
			continue;
		}
		if (n != i) {
			ap->targets[n] = ap->targets[i];
			memcpy(target_links(ap, n), target_links(ap, i),
			       ALLOC_MAX_PROBES * 2 * sizeof(*ap->ulinks));
			memset(target_links(ap, i), 0, ALLOC_MAX_PROBES * 2 * sizeof(*ap->ulinks));
		}
		n++;
	}
	ap->nr_targets = n;
	n = 0;
	for (int i = 0; i < ap->nr_pids; i++)
		if (!process_gone(ap->pids[i]))
			ap->pids[n++] = ap->pids[i];
	ap->nr_pids = n;
}

/*
 * Finds pid's allocator and probes it (now, or at the next "on" of the
 * duty cycle).  -ENOENT: no allocator mapped (why says more).
 */
static int add_malloc_target(struct alloc_priv *ap, uint32_t pid, char *why, size_t len)
{
	size_t per = ALLOC_MAX_PROBES * 2;
	struct alloc_target *t;
	struct bpf_link **l;
	int i, err;

	i = ap->nr_targets;
	t = realloc(ap->targets, (i + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	ap->targets = t;
	l = realloc(ap->ulinks, (i + 1) * per * sizeof(*l));
	if (!l)
		return -ENOMEM;
	ap->ulinks = l;
	memset(target_links(ap, i), 0, per * sizeof(*l));
	memset(&t[i], 0, sizeof(t[i]));
	err = alloc__discover(pid, &t[i], why, len);
	if (err)
		return err;
	ps_debug("alloc: pid %u: %s allocator in %s, %d entry points", pid, t[i].allocator,
		 t[i].path, t[i].nr_probes);
	ap->nr_targets++;
	return ap->attached ? attach_target(ap, i) : 0;
}

/*
 * One look for the allocator of pid, a target since `since`: 0 found and
 * probed, -ESRCH the process has gone, -EAGAIN none mapped yet and still
 * within LATE_NS (why says what was missing), else the error, said.
 */
static int look_for_allocator(struct alloc_priv *ap, uint32_t pid, uint64_t since, uint64_t now,
			      char *why, size_t len)
{
	int err = add_malloc_target(ap, pid, why, len);

	if (err && process_gone(pid)) {
		ps_debug("alloc: pid %u exited before its allocator was found", pid);
		return -ESRCH;
	}
	if (err == -ENOENT && now - since < LATE_NS)
		return -EAGAIN;
	if (err)
		ps_err("alloc: pid %u: no allocator found: %s", pid, why);
	return err;
}

/*
 * A process that became a target after attach (agent --comm, --cgroup).
 * The kernel side and the counting follow every target through the shared
 * target map; malloc mode needs the new process's allocator found and its
 * probes attached.  One picked up between its exec and the mapping of its
 * C library is looked at again by every poll for LATE_NS (retry_late).
 */
static int alloc_add_target(struct collector *c, uint32_t pid)
{
	struct alloc_priv *ap = c->priv;
	uint64_t now = now_ns();
	char why[512];
	int err;

	forget_gone(ap);
	if (ap->nr_pids < PS_MAX_TARGETS)
		ap->pids[ap->nr_pids++] = pid;
	if (ap->mode != ALLOC_MALLOC)
		return 0;
	/* with no room to wait in, the first look is the last */
	err = look_for_allocator(ap, pid, ap->nr_late < ALLOC_LATE_MAX ? now : now - LATE_NS,
				 now, why, sizeof(why));
	if (err == -EAGAIN) {
		ps_debug("alloc: pid %u: no allocator mapped yet (%s): looking again for %llu s",
			 pid, why, LATE_NS / 1000000000ULL);
		ap->late[ap->nr_late].pid = pid;
		ap->late[ap->nr_late++].since = now;
	}
	return err == -EAGAIN || err == -ESRCH ? 0 : err;
}

/* The new targets whose allocator was not mapped yet: found now, gone, or given up on. */
static void retry_late(struct alloc_priv *ap, uint64_t now)
{
	char why[512];
	int n = 0;

	for (int i = 0; i < ap->nr_late; i++) {
		int err = look_for_allocator(ap, ap->late[i].pid, ap->late[i].since, now, why,
					     sizeof(why));

		if (err == -EAGAIN)
			ap->late[n++] = ap->late[i];
		else if (!err)
			ps_debug("alloc: pid %u: allocator found %.1f s after it became a target",
				 ap->late[i].pid, (now - ap->late[i].since) / 1e9);
	}
	ap->nr_late = n;
}

/* ---- kernel side ---------------------------------------------------------- */

static int attach_faults_pe(struct alloc_priv *ap)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_PAGE_FAULTS,
		.size = sizeof(attr),
		.sample_period = 1,
		.exclude_kernel = 1,
	};
	int nr_cpus = libbpf_num_possible_cpus(), fd, err;

	if (nr_cpus < 0)
		return nr_cpus;
	ap->pe_links = calloc(nr_cpus, sizeof(*ap->pe_links));
	if (!ap->pe_links)
		return -ENOMEM;
	for (int cpu = 0; cpu < nr_cpus; cpu++) {
		fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			if (errno == ENODEV)
				continue;
			err = -errno;
			ps_err("alloc: opening the page-fault event on CPU %d failed: %s (check "
			       "/proc/sys/kernel/perf_event_paranoid)", cpu, strerror(-err));
			return err;
		}
		ap->pe_links[ap->nr_pe] = bpf_program__attach_perf_event(ap->skel->progs.alloc_fault_pe,
									 fd);
		if (!ap->pe_links[ap->nr_pe]) {
			err = -errno;
			close(fd);
			ps_err("alloc: attaching to the page-fault event failed: %s (report a bug)",
			       strerror(-err));
			return err;
		}
		ap->nr_pe++;
	}
	return 0;
}

static int attach_kernel(struct alloc_priv *ap)
{
	struct alloc *s = ap->skel;
	int err;

	if (ap->mode == ALLOC_KERNEL) {
		ap->sys_links[0] = bpf_program__attach(ap->sys_btf ? s->progs.alloc_sys_enter_btf
								   : s->progs.alloc_sys_enter_raw);
		ap->sys_links[1] = bpf_program__attach(ap->sys_btf ? s->progs.alloc_sys_exit_btf
								   : s->progs.alloc_sys_exit_raw);
		if (!ap->sys_links[0] || !ap->sys_links[1]) {
			err = -errno;
			ps_err("alloc: attaching to sys_enter/sys_exit failed: %s (run with -v)",
			       strerror(-err));
			return err;
		}
	}
	if (ap->fault_btf) {
		ap->fault_link = bpf_program__attach(s->progs.alloc_fault_btf);
		if (!ap->fault_link) {
			err = -errno;
			ps_err("alloc: attaching to page_fault_user failed: %s (run with -v)",
			       strerror(-err));
			return err;
		}
		return 0;
	}
	return attach_faults_pe(ap);
}

/*
 * Snapshots and the duty cycle want a poll every POLL_NS, more often than
 * record and the agent wake up by themselves: a timer wakes them.
 */
static void start_timer(struct alloc_priv *ap)
{
	struct itimerspec it = {
		.it_interval = { 0, POLL_NS },
		.it_value = { 0, POLL_NS },
	};

	if (ap->timer_fd < 0)
		ap->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ap->timer_fd >= 0 && timerfd_settime(ap->timer_fd, 0, &it, NULL))
		ps_debug("alloc: timerfd_settime: %s (snapshots once a second)", strerror(errno));
}

static int alloc_attach(struct collector *c, const struct target *t)
{
	struct alloc_priv *ap = c->priv;
	int err;

	for (int i = 0; i < t->nr_pids && i < PS_MAX_TARGETS; i++)
		ap->pids[ap->nr_pids++] = t->pids[i];
	/* tables first: an event seen before would get a frame-pointer stack */
	if (ap->unw) {
		err = unwinder__add_target(ap->unw, t);
		if (err)
			return err;
	}
	err = attach_kernel(ap);
	if (err)
		return err;
	if (ap->mode == ALLOC_MALLOC) {
		err = attach_malloc(ap, t);
		if (err)
			return err;
	}
	ap->t_attach = ap->t_switch = ap->t_snap = now_ns();
	start_timer(ap);
	/* each "on" slice lasts at least two polls */
	ap->duty_period = DUTY_PERIOD_NS;
	if (ap->duty < 1 && ap->duty * ap->duty_period < 2 * POLL_NS)
		ap->duty_period = (uint64_t)(2 * POLL_NS / ap->duty);
	return 0;
}

static void duty_cycle(struct alloc_priv *ap, uint64_t now)
{
	uint64_t on = (uint64_t)(ap->duty * ap->duty_period);

	if (ap->mode != ALLOC_MALLOC || ap->duty >= 1 || !ap->nr_targets)
		return;
	if (ap->attached && now - ap->t_switch >= on) {
		uint64_t d0 = ap->detach_ns;

		ap->on_ns += now - ap->t_switch;
		detach_uprobes(ap);
		ap->t_switch = now_ns();	/* off from the end of the (slow) detach */
		/*
		 * The probes trap until their detach ends: keep the share of time
		 * they trap at the duty asked for by lengthening the period.
		 */
		if ((on + ap->detach_ns - d0) / ap->duty > ap->duty_period)
			ap->duty_period = (on + ap->detach_ns - d0) / ap->duty;
		ap->toggles++;
	} else if (!ap->attached && now - ap->t_switch >= ap->duty_period - on) {
		if (attach_uprobes(ap))
			detach_uprobes(ap);	/* said why; try again next period */
		ap->t_switch = now_ns();	/* on from the end of the attach */
		ap->toggles++;
	}
}

static int alloc_wait_fd(struct collector *c)
{
	struct alloc_priv *ap = c->priv;

	return ap->timer_fd;
}

static int alloc_poll(struct collector *c)
{
	struct alloc_priv *ap = c->priv;
	uint64_t now = now_ns(), ticks;

	/* reset the timer's readiness; how many ticks passed does not matter */
	if (ap->timer_fd >= 0 && read(ap->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		ps_debug("alloc: reading the timer: %s", strerror(errno));

	if (ap->nr_late)
		retry_late(ap, now);
	duty_cycle(ap, now);
	unwinder__poll(ap->unw);
	if (now - ap->t_snap >= ap->snap_ns) {
		ap->t_snap = now;
		return alloc__snapshot(ap, now, true);
	}
	return 0;
}

/* ---- drain ------------------------------------------------------------------ */

static void read_totals(struct alloc_priv *ap, uint64_t *tot)
{
	int nr_cpus = libbpf_num_possible_cpus();
	uint64_t *vals;

	memset(tot, 0, AT_MAX * sizeof(*tot));
	if (nr_cpus <= 0)
		return;
	vals = calloc(nr_cpus, sizeof(*vals));
	if (!vals)
		return;
	for (uint32_t i = 0; i < AT_MAX; i++) {
		if (bpf_map_lookup_elem(bpf_map__fd(ap->skel->maps.totals), &i, vals))
			continue;
		for (int cpu = 0; cpu < nr_cpus; cpu++)
			tot[i] += vals[cpu];
	}
	free(vals);
}


static int drain_counts(struct collector *c, struct profile *p, double scale,
			const struct leak *leaks, int nr_leaks)
{
	struct alloc_priv *ap = c->priv;
	int counts_fd = bpf_map__fd(ap->skel->maps.counts);
	int stacks_fd = bpf_map__fd(ap->skel->maps.stacks);
	struct alloc_key key, next, *prev = NULL;
	struct peer_names peers = {};
	int types[5], err = 0;
	uint64_t *ips;

	ips = calloc(PS_MAX_STACK_DEPTH, sizeof(*ips));
	if (!ips)
		return -ENOMEM;
	if (peer_names__read(&peers, bpf_map__fd(ap->skel->maps.ps_peer_slots))) {
		err = -ENOMEM;
		goto free_ips;
	}
	types[0] = profile__add_type(p, "alloc", "bytes");
	types[1] = profile__add_type(p, "alloc", "objects");
	types[2] = profile__add_type(p, "inuse", "bytes");
	types[3] = profile__add_type(p, "inuse", "objects");
	types[4] = profile__add_type(p, "fault", "pages");
	for (int i = 0; i < 5; i++) {
		if (types[i] < 0) {
			err = types[i];
			goto free_ips;
		}
	}
	while (bpf_map_get_next_key(counts_fd, prev, &next) == 0) {
		char comm[PS_TASK_COMM_LEN + 1];
		struct pf_label_kv kv[5 + PEER_TAG_LABELS];
		const struct leak *lk;
		struct alloc_val v;
		int64_t vals[5];
		uint32_t stack, labels, nl = 4;
		int nu;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(counts_fd, &key, &v))
			continue;
		if (c->opts->windows && alloc__window_take(ap, &key, &v))
			ps_debug("alloc: no memory for a window base: a key counts twice");
		nu = unwinder__owns_stack(key.user_stack_id)
			? unwinder__read_stack(ap->unw, key.user_stack_id, ips)
			: collector__read_stack(stacks_fd, key.user_stack_id, ips);
		stack = profile__intern_raw_stack(p, key.tgid, NULL, 0, ips, nu);
		memcpy(comm, key.comm, PS_TASK_COMM_LEN);
		comm[PS_TASK_COMM_LEN] = '\0';
		kv[0] = (struct pf_label_kv){ .key = "pid", .num = key.tgid };
		kv[1] = (struct pf_label_kv){ .key = "tid", .num = key.tid };
		kv[2] = (struct pf_label_kv){ .key = "thread", .str = comm };
		kv[3] = (struct pf_label_kv){ .key = "path",
					      .str = collector__path_name(c->opts, key.path) };
		peer_tag__labels(&peers, c->opts, &key.tag, kv, &nl);
		lk = alloc__leak_of(leaks, nr_leaks, &key);
		if (lk)
			kv[nl++] = (struct pf_label_kv){ .key = "leak", .num = lk - leaks + 1 };
		labels = profile__intern_labels(p, kv, nl);
		vals[0] = llround(v.alloc_bytes * scale);
		vals[1] = llround(v.alloc_objs * scale);
		vals[2] = llround(v.inuse_bytes * scale);
		vals[3] = llround(v.inuse_objs * scale);
		vals[4] = v.fault_pages;
		if (!vals[0] && !vals[1] && !vals[2] && !vals[3] && !vals[4])
			continue;	/* allocated and freed at the sampling scale */
		err = profile__add_values(p, stack, labels, types, vals, 5);
		if (err < 0)
			goto free_ips;
		err = 0;
	}
free_ips:
	peer_names__free(&peers);
	free(ips);
	return err;
}

static int add_alloc_record(struct alloc_priv *ap, struct profile *p, const uint64_t *tot,
			    double scale, uint64_t dur_ns, uint64_t bpf_ns)
{
	char allocs[256] = "", probes[512] = "";
	/* calls with a return probe are allocations; the others frees */
	double est = tot[AT_RETS] * ap->alloc_ns +
		     (tot[AT_CALLS] > tot[AT_RETS] ? tot[AT_CALLS] - tot[AT_RETS] : 0) * ap->free_ns;

	/* while detaching, the probes trap uncounted: at the rate seen when on */
	if (ap->on_ns && ap->detach_ns)
		est += est * ap->detach_ns / ap->on_ns;
	est += bpf_ns;
	size_t off = 0, poff = 0;

	for (int i = 0; i < ap->nr_targets; i++) {
		const struct alloc_target *t = &ap->targets[i];

		off += snprintf(allocs + off, off < sizeof(allocs) ? sizeof(allocs) - off : 0,
				"%s%u:%s", i ? "," : "", t->pid, t->allocator);
		for (int k = 0; !i && k < t->nr_probes; k++)
			poff += snprintf(probes + poff,
					 poff < sizeof(probes) ? sizeof(probes) - poff : 0,
					 "%s%s", k ? "," : "", t->probes[k].sym);
	}
	return records__add_alloc(p, &(struct rec_alloc){
		.mode = ap->mode == ALLOC_MALLOC ? "malloc" : "kernel",
		.allocator = allocs, .probes = probes,
		.faults_from = ap->fault_btf ? "tp_btf" : "perf_event",
		.sample = ap->sample, .duty = rec_round(ap->duty, 3),
		.attached_ns = ap->mode == ALLOC_MALLOC ? ap->on_ns : dur_ns,
		.detach_ns = ap->detach_ns, .toggles = ap->toggles, .scale = rec_round(scale, 4),
		.calls = tot[AT_CALLS], .returns = tot[AT_RETS], .nested = tot[AT_NESTED],
		.allocs = tot[AT_ALLOCS], .alloc_bytes = tot[AT_ALLOC_BYTES],
		.frees = tot[AT_FREES], .frees_matched = tot[AT_FREES_MATCHED],
		.sampled = tot[AT_SAMPLED], .live_full = tot[AT_LIVE_FULL],
		.faults = tot[AT_FAULTS], .mmap_bytes = tot[AT_MMAP_BYTES],
		.munmap_bytes = tot[AT_MUNMAP_BYTES], .brk_bytes = (int64_t)tot[AT_BRK_BYTES],
		.alloc_call_ns = llround(ap->alloc_ns), .free_call_ns = llround(ap->free_ns),
		.calibrated_on = ap->calib_on, .est_overhead_ns = llround(est),
		.est_slowdown = rec_round(dur_ns ? est / dur_ns : 0, 4),
	});
}

static int add_leak_records(struct collector *c, struct profile *p, const struct leak *leaks,
			    int n, double scale)
{
	struct alloc_priv *ap = c->priv;
	int err;

	for (int i = 0; i < n; i++) {
		const struct leak *l = &leaks[i];
		const struct series *s = l->s;

		err = records__add_leak(p, &(struct rec_leak){
			.id = i + 1, .pid = s->key.tgid, .tid = s->key.tid,
			.path = collector__path_name(c->opts, s->key.path),
			.inuse_bytes = llround(s->y[s->n - 1] * scale),
			.growth_bytes = llround((s->y[s->n - 1] - s->y[0]) * scale),
			.slope_bps = rec_round(l->slope * scale, 1), .r2 = rec_round(l->r2, 4),
			.points = l->n, .first_ns = ap->snap_t[s->first],
			.last_ns = ap->snap_t[s->first + s->n - 1],
			.confidence = rec_round(l->conf, 2), .level = alloc__confidence_word(l->conf),
		});
		if (err < 0)
			return err;
	}
	return 0;
}

static int add_growth_records(struct alloc_priv *ap, struct profile *p, double scale)
{
	int err;

	for (uint32_t i = 0; i < ap->nr_growth; i++) {
		const struct growth *g = &ap->growth[i];

		err = records__add_memgrowth(p, &(struct rec_memgrowth){
			.pid = g->pid, .t_ns = g->t_ns, .rss_bytes = g->rss, .vm_bytes = g->vm,
			.inuse_bytes = llround(g->inuse * scale),
		});
		if (err < 0)
			return err;
	}
	return 0;
}

static int alloc_drain(struct collector *c, struct profile *p)
{
	struct alloc_priv *ap = c->priv;
	uint64_t tot[AT_MAX], now = now_ns(), dur;
	struct collector_stats st = {};
	struct leak *leaks = NULL;
	double scale = ap->sample;
	int nr_leaks, err;

	if (ap->attached && ap->mode == ALLOC_MALLOC)
		ap->on_ns += now - ap->t_switch;
	dur = now - ap->t_attach;
	/* the stop is a snapshot too, unless one was just taken */
	if (now - ap->t_snap >= ap->snap_ns / 2)
		alloc__snapshot(ap, now, true);
	/* sampled calls, and time detached, are estimated by scaling */
	if (ap->mode == ALLOC_MALLOC && ap->duty < 1 && ap->on_ns)
		scale *= (double)dur / ap->on_ns;
	read_totals(ap, tot);
	nr_leaks = alloc__find_leaks(ap, &leaks);
	if (nr_leaks < 0)
		return nr_leaks;
	err = drain_counts(c, p, scale, leaks, nr_leaks);
	if (!err)
		err = add_leak_records(c, p, leaks, nr_leaks, scale);
	if (!err)
		err = add_growth_records(ap, p, scale);
	/* what the programs measured of themselves (PS_RUN) */
	collector__read_stats(bpf_map__fd(ap->skel->maps.stats), &st);
	if (!err)
		err = add_alloc_record(ap, p, tot, scale, dur, st.bpf_run_ns);
	free(leaks);
	return err < 0 ? err : 0;
}

static void alloc_stats(struct collector *c)
{
	struct alloc_priv *ap = c->priv;

	collector__read_stats(bpf_map__fd(ap->skel->maps.stats), &c->stats);
}

static int alloc_reset(struct collector *c)
{
	return alloc__window_reset(c->priv);
}

/*
 * The agent's trim of the unwinder's store: every key of "counts" stays
 * (its in-use bytes are a level, never emptied), and live allocations
 * were counted under one of them.
 */
static void alloc_keep_stacks(struct collector *c, struct unw_keep *k)
{
	struct alloc_priv *ap = c->priv;
	struct alloc_key *keys = NULL;
	size_t n;

	if (collector__map_keys(bpf_map__fd(ap->skel->maps.counts), (void **)&keys, &n, NULL)) {
		k->err = k->err ?: -EIO;
		return;
	}
	for (size_t i = 0; i < n; i++)
		unw_keep__add(k, keys[i].user_stack_id);
	free(keys);
}

static void alloc_close(struct collector *c)
{
	struct alloc_priv *ap = c->priv;

	if (!ap)
		return;
	if (ap->ulinks)
		detach_uprobes(ap);
	free(ap->ulinks);
	free(ap->targets);
	for (int i = 0; i < 2; i++)
		bpf_link__destroy(ap->sys_links[i]);
	bpf_link__destroy(ap->fault_link);
	for (int i = 0; i < ap->nr_pe; i++)
		bpf_link__destroy(ap->pe_links[i]);
	free(ap->pe_links);
	alloc__destroy(ap->skel);
	for (uint32_t i = 0; i < ap->nr_series; i++)
		free(ap->series[i].y);
	free(ap->series);
	hashmap__free(ap->series_idx);
	free(ap->snap_t);
	free(ap->growth);
	alloc__window_free(ap);
	if (ap->timer_fd >= 0)
		close(ap->timer_fd);
	free(ap);
	c->priv = NULL;
}

const struct collector_ops alloc_collector_ops = {
	.name = "alloc",
	.summary = "memory growth by stack: brk/mmap and page faults (--alloc), or malloc "
		   "uprobes (--alloc=malloc)",
	.turned_on_by = "--alloc (kernel events) or --alloc=malloc (malloc uprobes)",
	.supported = alloc_supported,
	.open = alloc_open,
	.attach = alloc_attach,
	.poll = alloc_poll,
	.wait_fd = alloc_wait_fd,
	.drain = alloc_drain,
	.reset = alloc_reset,
	.keep_stacks = alloc_keep_stacks,
	.add_target = alloc_add_target,
	.stats = alloc_stats,
	.close = alloc_close,
};
