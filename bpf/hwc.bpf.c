// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Counters per path.  Per-CPU counters (hardware or software events) are
 * read at context switches and at a low-rate tick; the difference since the
 * previous reading on this CPU belongs to the thread that ran in between
 * and is added to (its process, its current path).  Path changes between
 * two readings go to the path current at the later one: the tick keeps
 * that error to one tick (1/HWC_TICK_HZ s).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf/peerscope.bpf.h"
#include "bpf/hwc.h"

/* number of events in use (<= HWC_MAX_EVENTS); set before load */
const volatile __u32 nr_events = 0;

/* sized by userspace to nr_cpus * HWC_MAX_EVENTS before load */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, HWC_MAX_EVENTS);
	__type(key, __u32);
	__type(value, __u32);
} counters SEC(".maps");

/* The last reading on this CPU, taken for thread tid (0: none). */
struct snap {
	__u32 tid;
	__u32 tgid;
	struct bpf_perf_event_value v[HWC_MAX_EVENTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct snap);
} snaps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, HWC_TOTAL_ENTRIES);
	__type(key, struct hwc_key);
	__type(value, struct hwc_val);
} totals SEC(".maps");

static __always_inline void read_all(struct snap *s, __u32 cpu)
{
	for (__u32 e = 0; e < HWC_MAX_EVENTS; e++) {
		if (e >= nr_events)
			break;
		if (bpf_perf_event_read_value(&counters, (__u64)cpu * HWC_MAX_EVENTS + e,
					      &s->v[e], sizeof(s->v[e])))
			__builtin_memset(&s->v[e], 0, sizeof(s->v[e]));
	}
}

static __always_inline struct hwc_val *total_of(__u32 tgid, __u32 tid)
{
	struct hwc_key key = { .tgid = tgid, .path = ps_thread_path_of(tid) };
	static const struct hwc_val zero;
	struct hwc_val *v = bpf_map_lookup_elem(&totals, &key);

	if (v)
		return v;
	/* -EEXIST (another CPU won the race) is fine; -E2BIG is a full map */
	bpf_map_update_elem(&totals, &key, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&totals, &key);
	if (!v)
		ps_stat_inc(PS_STAT_MAP_FULL);
	return v;
}

/* Close the slice of s->tid (if any) at a reading taken now. */
static __always_inline void account(struct snap *s, __u32 cpu)
{
	struct bpf_perf_event_value now;
	struct hwc_val *t;

	t = total_of(s->tgid, s->tid);
	if (!t)
		return;
	ps_stat_inc(PS_STAT_EVENTS);
	t->slices++;
	for (__u32 e = 0; e < HWC_MAX_EVENTS; e++) {
		if (e >= nr_events)
			break;
		if (bpf_perf_event_read_value(&counters, (__u64)cpu * HWC_MAX_EVENTS + e,
					      &now, sizeof(now)))
			continue;
		/* a counter that did not read at the start has no baseline */
		if (!s->v[e].enabled && !s->v[e].counter)
			goto rebase;
		t->counter[e] += now.counter - s->v[e].counter;
		t->enabled[e] += now.enabled - s->v[e].enabled;
		t->running[e] += now.running - s->v[e].running;
rebase:
		s->v[e] = now;
	}
}

static __always_inline int handle_switch(struct task_struct *prev, struct task_struct *next)
{
	__u32 zero = 0, cpu = bpf_get_smp_processor_id();
	__u32 prev_tid = BPF_CORE_READ(prev, pid);
	__u32 next_tgid = BPF_CORE_READ(next, tgid);
	struct snap *s = bpf_map_lookup_elem(&snaps, &zero);

	if (!s)
		return 0;
	if (s->tid && s->tid == prev_tid)
		account(s, cpu);
	s->tid = 0;
	if (!next_tgid || !ps_is_target(next_tgid))
		return 0;
	s->tid = BPF_CORE_READ(next, pid);
	s->tgid = next_tgid;
	read_all(s, cpu);
	return 0;
}

/* Tick: a path may have changed while the thread kept the CPU. */
static __always_inline int hwc_tick__run(struct bpf_perf_event_data *ctx)
{
	__u32 zero = 0, cpu = bpf_get_smp_processor_id();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct snap *s = bpf_map_lookup_elem(&snaps, &zero);

	if (s && s->tid && s->tid == tid)
		account(s, cpu);
	return 0;
}

SEC("perf_event")
int hwc_tick(struct bpf_perf_event_data *ctx)
{
	return PS_RUN(hwc_tick__run(ctx));
}

SEC("tp_btf/sched_switch")
int BPF_PROG(hwc_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return PS_RUN(handle_switch(prev, next));
}

SEC("raw_tp/sched_switch")
int BPF_PROG(hwc_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return PS_RUN(handle_switch(prev, next));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
