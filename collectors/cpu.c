// SPDX-License-Identifier: MIT
/*
 * The "cpu" collector: on-CPU stack samples at -F Hz.  A software cpu-clock
 * event in frequency mode on every online CPU runs bpf/cpu.bpf.c, which
 * keeps only the samples of traced processes (shared "ps_targets" map) and
 * counts them per (thread, user stack, kernel stack, path) in the kernel.
 * Userspace reads the counts once, at the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collectors/collector.h"
#include "collectors/features.h"
#include "collectors/record-opts.h"
#include "collectors/peers.h"
#include "collectors/shared-maps.h"
#include "core/log.h"
#include "core/profile.h"
#include "bpf/cpu.h"
#include "cpu.skel.h"
#include "collectors/unwinder.h"

struct cpu_priv {
	struct cpu *skel;
	struct bpf_link **links;	/* one per CPU; each owns its perf fd */
	int nr_links;
	int freq;
	struct unwinder *unw;		/* shared (sm->unw); NULL: frame pointers only */
};

static bool cpu_supported(const struct kernel_features *kf, const struct record_opts *o,
			  char *why, size_t len)
{
	/* cpu-clock is a software event: no PMU, tracefs or BTF needed */
	return true;
}

static int cpu_open(struct collector *c, const struct record_opts *o,
		    const struct kernel_features *kf, const struct shared_maps *sm)
{
	struct cpu_priv *cp;
	int err;

	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return -ENOMEM;
	cp->freq = o->freq > 0 ? o->freq : 99;

	cp->skel = cpu__open();
	if (!cp->skel) {
		err = -errno;
		ps_err("cpu: opening the BPF object failed: %s (rebuild peerscope)", strerror(-err));
		goto free_priv;
	}
	err = shared_maps__reuse(sm, cp->skel->obj);
	if (err) {
		ps_err("cpu: sharing the target maps failed: %s (report a bug)", strerror(-err));
		goto destroy_skel;
	}
	cp->skel->rodata->kernel_stacks = !o->no_kernel;
	err = unwinder__reuse(sm->unw, cp->skel->obj);
	if (err < 0) {
		ps_err("cpu: sharing the unwinder maps failed: %s (report a bug; --unwind fp avoids them)",
		       strerror(-err));
		goto destroy_skel;
	}
	cp->skel->rodata->unw_enabled = err > 0;
	cp->unw = err > 0 ? sm->unw : NULL;
	/*
	 * Sized for a busy multi-threaded node: distinct stacks, not samples,
	 * fill these, and a full map is counted (map_full / stack errors).
	 */
	bpf_map__set_max_entries(cp->skel->maps.stacks, CPU_STACK_ENTRIES);
	bpf_map__set_max_entries(cp->skel->maps.counts, CPU_COUNT_ENTRIES);
	bpf_map__set_max_entries(cp->skel->maps.stacks_b, CPU_STACK_ENTRIES);
	bpf_map__set_max_entries(cp->skel->maps.counts_b, CPU_COUNT_ENTRIES);
	if (!features__perf_event_noprealloc()) {
		bpf_map__set_map_flags(cp->skel->maps.counts, 0);
		bpf_map__set_map_flags(cp->skel->maps.counts_b, 0);
	}

	err = cpu__load(cp->skel);
	if (err) {
		ps_err("cpu: loading the BPF program failed: %s (run with -v for the verifier log)",
		       strerror(-err));
		goto destroy_skel;
	}
	c->priv = cp;
	return 0;

destroy_skel:
	cpu__destroy(cp->skel);
free_priv:
	free(cp);
	return err;
}

static int cpu_attach(struct collector *c, const struct target *t)
{
	struct cpu_priv *cp = c->priv;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.size = sizeof(attr),
		.freq = 1,
		.sample_freq = cp->freq,
	};
	int nr_cpus = libbpf_num_possible_cpus();
	int fd, err;

	if (nr_cpus < 0)
		return nr_cpus;
	/* tables first: a sample taken before would fall back to frame pointers */
	if (cp->unw) {
		err = unwinder__add_target(cp->unw, t);
		if (err)
			return err;
	}
	cp->links = calloc(nr_cpus, sizeof(*cp->links));
	if (!cp->links)
		return -ENOMEM;

	/*
	 * System-wide per CPU rather than per thread: threads the targets
	 * create later are covered, and the kernel filters by tgid.
	 */
	for (int cpu = 0; cpu < nr_cpus; cpu++) {
		fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			if (errno == ENODEV)
				continue;	/* offline CPU */
			err = -errno;
			ps_err("cpu: opening the cpu-clock event at %d Hz on CPU %d failed: %s (%s)",
			       cp->freq, cpu, strerror(-err),
			       err == -EINVAL ? "lower -F; see /proc/sys/kernel/perf_event_max_sample_rate"
					      : "check /proc/sys/kernel/perf_event_paranoid and privileges");
			return err;
		}
		cp->links[cp->nr_links] = bpf_program__attach_perf_event(cp->skel->progs.cpu_sample, fd);
		if (!cp->links[cp->nr_links]) {
			err = -errno;
			close(fd);
			ps_err("cpu: attaching to the cpu-clock event on CPU %d failed: %s (report a bug)",
			       cpu, strerror(-err));
			return err;
		}
		cp->nr_links++;
	}
	if (!cp->nr_links) {
		ps_err("cpu: no online CPU accepted a cpu-clock event (check /sys/devices/system/cpu/online)");
		return -ENODEV;
	}
	ps_debug("cpu: sampling at %d Hz on %d CPUs", cp->freq, cp->nr_links);
	return 0;
}

static int cpu_poll(struct collector *c)
{
	struct cpu_priv *cp = c->priv;

	unwinder__poll(cp->unw);
	return 0;
}

/* One set of (counts, stacks) -> p; a count already in p grows. */
static int drain_set(struct collector *c, struct profile *p, int counts_fd, int stacks_fd)
{
	struct cpu_priv *cp = c->priv;
	int64_t period = 1000000000LL / cp->freq;
	struct cpu_key key, next, *prev = NULL;
	struct peer_names peers = {};
	uint64_t *uips, *kips;
	int types[2], err = 0;

	uips = calloc(PS_MAX_STACK_DEPTH, sizeof(*uips));
	kips = calloc(PS_MAX_STACK_DEPTH, sizeof(*kips));
	if (!uips || !kips || peer_names__read(&peers, bpf_map__fd(cp->skel->maps.ps_peer_slots))) {
		err = -ENOMEM;
		goto free_ips;
	}
	types[0] = profile__add_type(p, "samples", "count");
	types[1] = profile__add_type(p, "cpu", "nanoseconds");
	if (types[0] < 0 || types[1] < 0) {
		err = types[0] < 0 ? types[0] : types[1];
		goto free_ips;
	}
	p->period_type.type = profile__intern(p, "cpu");
	p->period_type.unit = profile__intern(p, "nanoseconds");
	p->period = period;

	while (bpf_map_get_next_key(counts_fd, prev, &next) == 0) {
		char comm[PS_TASK_COMM_LEN + 1];
		struct pf_label_kv kv[6];
		int64_t vals[2];
		uint32_t stack, labels, nl = 4;
		uint64_t count;
		int nk, nu, idx;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(counts_fd, &key, &count))
			continue;	/* deleted under us: cannot happen, the set is idle or stopped */
		nk = collector__read_stack(stacks_fd, key.kern_stack_id, kips);
		nu = unwinder__owns_stack(key.user_stack_id)
			? unwinder__read_stack(cp->unw, key.user_stack_id, uips)
			: collector__read_stack(stacks_fd, key.user_stack_id, uips);
		stack = profile__intern_raw_stack(p, key.tgid, kips, nk, uips, nu);

		memcpy(comm, key.comm, PS_TASK_COMM_LEN);
		comm[PS_TASK_COMM_LEN] = '\0';
		kv[0] = (struct pf_label_kv){ .key = "pid", .num = key.tgid };
		kv[1] = (struct pf_label_kv){ .key = "tid", .num = key.tid };
		kv[2] = (struct pf_label_kv){ .key = "thread", .str = comm };
		kv[3] = (struct pf_label_kv){ .key = "path",
					      .str = collector__path_name(c->opts, key.path) };
		peer_tag__labels(&peers, c->opts, &key.tag, kv, &nl);
		labels = profile__intern_labels(p, kv, nl);

		vals[0] = count;
		vals[1] = count * period;
		idx = profile__add_values(p, stack, labels, types, vals, 2);
		if (idx < 0) {
			err = idx;
			goto free_ips;
		}
	}

free_ips:
	peer_names__free(&peers);
	free(uips);
	free(kips);
	return err;
}

static int set_counts_fd(struct cpu_priv *cp, int set)
{
	return bpf_map__fd(set ? cp->skel->maps.counts_b : cp->skel->maps.counts);
}

static int set_stacks_fd(struct cpu_priv *cp, int set)
{
	return bpf_map__fd(set ? cp->skel->maps.stacks_b : cp->skel->maps.stacks);
}

static int clear_set(struct cpu_priv *cp, int set)
{
	return collector__clear_map(set_counts_fd(cp, set)) ?:
	       collector__clear_map(set_stacks_fd(cp, set));
}

/* At the end: both sets (the idle one is empty unless a flush failed). */
static int cpu_drain(struct collector *c, struct profile *p)
{
	struct cpu_priv *cp = c->priv;
	int err = 0;

	for (int set = 0; set < 2; set++)
		err = drain_set(c, p, set_counts_fd(cp, set), set_stacks_fd(cp, set)) ?: err;
	return err;
}

/*
 * While recording: samples switch to the other set, the one they left is
 * drained into p and emptied.  A program that read the old flag finishes
 * within microseconds (perf_event programs do not sleep), hence the short
 * wait before reading.  No sample is lost and the maps never fill.
 */
static int cpu_flush(struct collector *c, struct profile *p)
{
	struct cpu_priv *cp = c->priv;
	const struct timespec settle = { 0, 2 * 1000000L };
	int idle = cp->skel->bss->active_set;
	int err;

	cp->skel->bss->active_set = !idle;
	nanosleep(&settle, NULL);
	err = drain_set(c, p, set_counts_fd(cp, idle), set_stacks_fd(cp, idle));
	return clear_set(cp, idle) ?: err;
}

/* The agent's windows: counts and the stacks they point at start empty. */
static int cpu_reset(struct collector *c)
{
	struct cpu_priv *cp = c->priv;

	return clear_set(cp, 0) ?: clear_set(cp, 1);
}

static void cpu_stats(struct collector *c)
{
	struct cpu_priv *cp = c->priv;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	collector__read_stats(bpf_map__fd(cp->skel->maps.stats), &c->stats);
	/* run_time_ns/run_cnt stay 0 unless bpf_enable_stats() is in force */
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(cp->skel->progs.cpu_sample), &info, &len)) {
		c->stats.bpf_run_ns = info.run_time_ns;
		c->stats.bpf_run_cnt = info.run_cnt;
	}
}

static void cpu_close(struct collector *c)
{
	struct cpu_priv *cp = c->priv;

	if (!cp)
		return;
	for (int i = 0; i < cp->nr_links; i++)
		bpf_link__destroy(cp->links[i]);
	free(cp->links);
	cpu__destroy(cp->skel);
	free(cp);
	c->priv = NULL;
}

const struct collector_ops cpu_collector_ops = {
	.name = "cpu",
	.summary = "on-CPU stacks sampled at -F Hz (software cpu-clock, every CPU)",
	.supported = cpu_supported,
	.open = cpu_open,
	.attach = cpu_attach,
	.poll = cpu_poll,
	.drain = cpu_drain,
	.flush = cpu_flush,
	.reset = cpu_reset,
	.stats = cpu_stats,
	.close = cpu_close,
};
