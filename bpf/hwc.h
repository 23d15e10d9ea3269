/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Counters per path: the ABI shared by bpf/hwc.bpf.c and collectors/hwc.c.
 *
 * Userspace opens each event on every CPU and puts its fd at index
 * cpu * HWC_MAX_EVENTS + event of the perf event array "counters".  At
 * every context switch (and at every tick of a per-CPU cpu-clock event) the
 * program reads the counters of the current CPU with
 * bpf_perf_event_read_value and adds what a target thread used since the
 * last reading to its process and current path (ps_thread_path).
 */
#ifndef PEERSCOPE_HWC_H
#define PEERSCOPE_HWC_H

#include "bpf/peerscope.h"

#define HWC_MAX_EVENTS		8
#define HWC_MAX_CPUS		1024
#define HWC_TOTAL_ENTRIES	4096	/* (tgid, path) pairs */
#define HWC_TICK_HZ		97	/* path changes inside a slice: attributed within ~10 ms */

struct hwc_key {
	__u32 tgid;
	__u32 path;
};

/* PERCPU_HASH value: userspace sums the CPUs. */
struct hwc_val {
	__u64 counter[HWC_MAX_EVENTS];
	__u64 enabled[HWC_MAX_EVENTS];
	__u64 running[HWC_MAX_EVENTS];
	__u64 slices;		/* readings attributed */
};

#endif /* PEERSCOPE_HWC_H */
