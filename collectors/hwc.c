// SPDX-License-Identifier: MIT
/*
 * The "hwc" collector: the -e events counted per path during `record`.
 * Each event is opened on every CPU (grouped like `stat` does, so ratios
 * share their time) and stored in the perf event array of bpf/hwc.bpf.c,
 * which reads the counters at context switches and at a 97 Hz tick and
 * adds the differences to (process, path).  At the end every (process,
 * path, event) becomes one `counter` record (docs/format.md).
 *
 * Events this machine cannot count are said once ("cycles: not supported
 * on this machine (no hardware PMU in the kernel)") and left out; record
 * goes on.  Software events (task-clock, context-switches, page-faults...)
 * work without a PMU: bpf_perf_event_read_value reads them too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collectors/collector.h"
#include "collectors/features.h"
#include "collectors/record-opts.h"
#include "collectors/shared-maps.h"
#include "core/log.h"
#include "core/pmu-events.h"
#include "core/pmu-metrics.h"
#include "core/profile.h"
#include "core/records.h"
#include "bpf/hwc.h"
#include "hwc.skel.h"

struct hwc_priv {
	struct hwc *skel;
	struct pmu_event ev[HWC_MAX_EVENTS];	/* the countable ones, in map order */
	int nr_ev;
	struct pmu_event bad[PMU_MAX_EVENTS];	/* unsupported, for the records */
	const char *bad_why[PMU_MAX_EVENTS];
	int nr_bad;
	int *fds;				/* nr_cpus * HWC_MAX_EVENTS, -1 = none */
	int nr_cpus;
	struct bpf_link *sw_link;
	struct bpf_link **tick_links;
	int nr_tick_links;
};

static int open_counter(const struct pmu_event *ev, int cpu, int group_fd)
{
	struct perf_event_attr attr = ev->attr;

	attr.size = sizeof(attr);
	attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	attr.disabled = 0;
	attr.inherit = 0;
	return pmu_perf_event_open(&attr, -1, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);
}

/*
 * Parse -e and keep what opens on CPU 0.  With say, prints one line per
 * event that cannot be counted here.  0, or -EINVAL with why set.
 */
static int pick_events(const struct record_opts *o, struct hwc_priv *hp, bool say,
		       char *why, size_t len)
{
	struct pmu_event all[PMU_MAX_EVENTS];
	int nr, err;

	pmu_events__init();	/* without libpfm4, perf's own names still work */
	err = pmu_events__parse_list(o->events, all, PMU_MAX_EVENTS, &nr, why, len);
	if (err)
		return err;
	hp->nr_ev = hp->nr_bad = 0;
	for (int i = 0; i < nr; i++) {
		int fd = open_counter(&all[i], 0, -1);

		if (fd >= 0) {
			close(fd);
			if (hp->nr_ev == HWC_MAX_EVENTS) {
				snprintf(why, len, "too many events in -e: at most %d can be counted "
					 "per path", HWC_MAX_EVENTS);
				return -E2BIG;
			}
			hp->ev[hp->nr_ev++] = all[i];
			continue;
		}
		hp->bad_why[hp->nr_bad] = pmu_event__open_error(&all[i], errno);
		hp->bad[hp->nr_bad] = all[i];
		if (say)
			fprintf(stderr, "peerscope: hwc: %s: %s\n", all[i].name, hp->bad_why[hp->nr_bad]);
		hp->nr_bad++;
	}
	if (!hp->nr_ev) {
		snprintf(why, len, "no event of -e can be counted on this machine (software events "
			 "such as task-clock can)");
		return -EOPNOTSUPP;
	}
	return 0;
}

static bool hwc_supported(const struct kernel_features *kf, const struct record_opts *o,
			  char *why, size_t len)
{
	struct hwc_priv *hp;
	bool ok;

	if (!o->events || !*o->events)
		return false;	/* not asked for: silent */
	if (!kf->perf_read_value) {
		snprintf(why, len, "the kernel lacks bpf_perf_event_read_value (Linux 4.15+)");
		return false;
	}
	if (!kf->tp_btf && !kf->raw_tp) {
		snprintf(why, len, "neither tp_btf nor raw tracepoints attach on this kernel");
		return false;
	}
	hp = calloc(1, sizeof(*hp));
	if (!hp) {
		snprintf(why, len, "out of memory");
		return false;
	}
	/* the only place the unsupported events are named: once per recording */
	ok = !pick_events(o, hp, true, why, len);
	free(hp);
	return ok;
}

static int open_load(struct hwc_priv *hp, const struct shared_maps *sm, bool btf)
{
	int err;

	hp->skel = hwc__open();
	if (!hp->skel)
		return -errno;
	err = shared_maps__reuse(sm, hp->skel->obj);
	if (err)
		return err;
	hp->skel->rodata->nr_events = hp->nr_ev;
	bpf_map__set_max_entries(hp->skel->maps.counters, hp->nr_cpus * HWC_MAX_EVENTS);
	bpf_program__set_autoload(hp->skel->progs.hwc_switch_btf, btf);
	bpf_program__set_autoload(hp->skel->progs.hwc_switch_raw, !btf);
	return hwc__load(hp->skel);
}

static int hwc_open(struct collector *c, const struct record_opts *o,
		    const struct kernel_features *kf, const struct shared_maps *sm)
{
	struct hwc_priv *hp;
	char why[256];
	int err;

	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return -ENOMEM;
	hp->nr_cpus = libbpf_num_possible_cpus();
	if (hp->nr_cpus <= 0 || hp->nr_cpus > HWC_MAX_CPUS) {
		err = hp->nr_cpus <= 0 ? hp->nr_cpus : -E2BIG;
		ps_err("hwc: cannot size the counter array for %d CPUs (at most %d)", hp->nr_cpus,
		       HWC_MAX_CPUS);
		goto free_priv;
	}
	err = pick_events(o, hp, false, why, sizeof(why));
	if (err) {
		ps_err("hwc: %s", why);
		goto free_priv;
	}
	err = open_load(hp, sm, kf->tp_btf);
	if (err && kf->tp_btf && kf->raw_tp) {
		ps_debug("hwc: tp_btf program did not load (%s); using raw_tp", strerror(-err));
		hwc__destroy(hp->skel);
		err = open_load(hp, sm, false);
	}
	if (err) {
		ps_err("hwc: loading the BPF programs failed: %s (run with -v for the verifier log)",
		       strerror(-err));
		goto destroy_skel;
	}
	c->priv = hp;
	return 0;

destroy_skel:
	hwc__destroy(hp->skel);
free_priv:
	free(hp);
	return err;
}

/* Every event on every CPU, in groups; fds into the perf event array. */
static int open_counters(struct hwc_priv *hp)
{
	int map_fd = bpf_map__fd(hp->skel->maps.counters);
	int leader[HWC_MAX_EVENTS];

	hp->fds = malloc(sizeof(*hp->fds) * hp->nr_cpus * HWC_MAX_EVENTS);
	if (!hp->fds)
		return -ENOMEM;
	for (int i = 0; i < hp->nr_cpus * HWC_MAX_EVENTS; i++)
		hp->fds[i] = -1;
	pmu_metrics__group(hp->ev, hp->nr_ev, leader);
	for (int cpu = 0; cpu < hp->nr_cpus; cpu++) {
		int *fd = &hp->fds[cpu * HWC_MAX_EVENTS];

		/* leaders first: a member may precede its leader (slots) */
		for (int pass = 0; pass < 2; pass++) {
			for (int e = 0; e < hp->nr_ev; e++) {
				bool is_leader = leader[e] == e;
				__u32 idx = cpu * HWC_MAX_EVENTS + e;

				if (is_leader != (pass == 0))
					continue;
				fd[e] = open_counter(&hp->ev[e], cpu, is_leader ? -1 : fd[leader[e]]);
				if (fd[e] < 0 && !is_leader)	/* group refused: alone */
					fd[e] = open_counter(&hp->ev[e], cpu, -1);
				if (fd[e] < 0) {
					if (errno == ENODEV)
						continue;	/* offline CPU */
					ps_debug("hwc: %s on CPU %d: %s", hp->ev[e].name, cpu,
						 strerror(errno));
					continue;
				}
				if (bpf_map_update_elem(map_fd, &idx, &fd[e], BPF_ANY)) {
					int err = -errno;

					ps_err("hwc: storing the %s counter of CPU %d failed: %s "
					       "(report a bug)", hp->ev[e].name, cpu, strerror(-err));
					return err;
				}
			}
		}
	}
	return 0;
}

static int hwc_attach(struct collector *c, const struct target *t)
{
	struct hwc_priv *hp = c->priv;
	struct perf_event_attr tick = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.size = sizeof(tick),
		.freq = 1,
		.sample_freq = HWC_TICK_HZ,
	};
	struct bpf_program *sw = bpf_program__autoload(hp->skel->progs.hwc_switch_btf) ?
				 hp->skel->progs.hwc_switch_btf : hp->skel->progs.hwc_switch_raw;
	int err;

	err = open_counters(hp);
	if (err)
		return err;
	hp->sw_link = bpf_program__attach(sw);
	if (!hp->sw_link) {
		err = -errno;
		ps_err("hwc: attaching to sched_switch failed: %s (run with -v)", strerror(-err));
		return err;
	}
	hp->tick_links = calloc(hp->nr_cpus, sizeof(*hp->tick_links));
	if (!hp->tick_links)
		return -ENOMEM;
	for (int cpu = 0; cpu < hp->nr_cpus; cpu++) {
		int fd = pmu_perf_event_open(&tick, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		struct bpf_link *l;

		if (fd < 0)
			continue;	/* offline CPU; without the tick, switches still count */
		l = bpf_program__attach_perf_event(hp->skel->progs.hwc_tick, fd);
		if (!l) {
			close(fd);
			continue;
		}
		hp->tick_links[hp->nr_tick_links++] = l;
	}
	ps_debug("hwc: %d event(s) on %d CPUs, tick on %d", hp->nr_ev, hp->nr_cpus,
		 hp->nr_tick_links);
	return 0;
}

static int add_counter_record(struct profile *p, uint64_t pid, const char *path,
			      const struct pmu_event *ev, const struct pmu_count *cnt,
			      uint64_t slices)
{
	struct rec_counter r = {
		.status = "ok", .pid = pid, .path = path, .event = ev->name, .base = ev->base,
		.value = (uint64_t)(pmu_scale(cnt, NULL) + 0.5), .raw = cnt->value,
		.enabled_ns = cnt->enabled, .running_ns = cnt->running, .slices = slices,
	};

	return records__add_counter(p, &r);
}

static int hwc_drain(struct collector *c, struct profile *p)
{
	struct hwc_priv *hp = c->priv;
	int fd = bpf_map__fd(hp->skel->maps.totals);
	struct hwc_key key, next, *prev = NULL;
	struct hwc_val *vals;
	int err = 0;

	for (int i = 0; i < hp->nr_bad; i++) {
		struct rec_counter r = { .status = "unsupported", .event = hp->bad[i].name,
					 .why = hp->bad_why[i] };

		err = records__add_counter(p, &r);
		if (err < 0)
			return err;
	}
	vals = calloc(hp->nr_cpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct hwc_val sum = {};

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (int cpu = 0; cpu < hp->nr_cpus; cpu++) {
			for (int e = 0; e < HWC_MAX_EVENTS; e++) {
				sum.counter[e] += vals[cpu].counter[e];
				sum.enabled[e] += vals[cpu].enabled[e];
				sum.running[e] += vals[cpu].running[e];
			}
			sum.slices += vals[cpu].slices;
		}
		for (int e = 0; e < hp->nr_ev; e++) {
			struct pmu_count cnt = { sum.counter[e], sum.enabled[e], sum.running[e] };

			err = add_counter_record(p, key.tgid, collector__path_name(c->opts, key.path),
						 &hp->ev[e], &cnt, sum.slices);
			if (err < 0)
				goto free_vals;
		}
	}
	err = 0;
free_vals:
	free(vals);
	return err;
}

/*
 * The agent's windows: the per-(process, path) totals start empty; the
 * counters themselves run on (a slice is added to totals when it ends).
 */
static int hwc_reset(struct collector *c)
{
	struct hwc_priv *hp = c->priv;

	return collector__clear_map(bpf_map__fd(hp->skel->maps.totals));
}

static void hwc_stats(struct collector *c)
{
	struct hwc_priv *hp = c->priv;

	collector__read_stats(bpf_map__fd(hp->skel->maps.stats), &c->stats);
}

static void hwc_close(struct collector *c)
{
	struct hwc_priv *hp = c->priv;

	if (!hp)
		return;
	for (int i = 0; i < hp->nr_tick_links; i++)
		bpf_link__destroy(hp->tick_links[i]);
	free(hp->tick_links);
	bpf_link__destroy(hp->sw_link);
	if (hp->fds) {
		for (int i = 0; i < hp->nr_cpus * HWC_MAX_EVENTS; i++)
			if (hp->fds[i] >= 0)
				close(hp->fds[i]);
		free(hp->fds);
	}
	hwc__destroy(hp->skel);
	free(hp);
	c->priv = NULL;
}

const struct collector_ops hwc_collector_ops = {
	.name = "hwc",
	.summary = "the -e counters per path (read at context switches; libpfm4 event names)",
	.turned_on_by = "-e EVENTS (the counters to read)",
	.supported = hwc_supported,
	.open = hwc_open,
	.attach = hwc_attach,
	.drain = hwc_drain,
	.reset = hwc_reset,
	.stats = hwc_stats,
	.close = hwc_close,
};
