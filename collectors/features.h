/* SPDX-License-Identifier: MIT */
/*
 * What the running kernel offers BPF, probed once per recording before any
 * collector opens: collectors' supported() and open() read it to pick
 * program variants (tp_btf or raw_tp...) or to say why they cannot run.
 */
#ifndef PEERSCOPE_FEATURES_H
#define PEERSCOPE_FEATURES_H

#include <stdbool.h>

/* What this kernel offers, probed once by features__probe(). */
struct kernel_features {
	bool btf;               /* /sys/kernel/btf/vmlinux readable */
	bool tp_btf;            /* BPF_PROG_TYPE_TRACING tp_btf loads */
	bool raw_tp;            /* raw tracepoints attach */
	bool tracefs;           /* tracefs mounted (or mounted by us) */
	bool kprobes;           /* kprobe PMU present */
	bool fentry;            /* fentry programs load */
	bool uprobes;           /* uprobe PMU present */
	bool ringbuf;           /* BPF_MAP_TYPE_RINGBUF */
	bool hw_pmu;            /* a hardware cycles event opens */
	bool perf_read_value;   /* bpf_perf_event_read_value helper */
	bool tcp_retrans_err;   /* tcp_retransmit_skb has its err argument: failed attempts fire it too */
	char tracefs_path[64];
};

/* Probe the running kernel; fills kf.  Never fails: unknown = false. */
void features__probe(struct kernel_features *kf);

/*
 * Whether perf_event programs may use BPF_F_NO_PREALLOC hash maps (6.1+);
 * asked by the code that creates the maps a perf_event program uses, so
 * they are preallocated only where the kernel insists.  Probed once per
 * process (a map and a tiny program: cheaper than a cache file).
 */
bool features__perf_event_noprealloc(void);

#endif /* PEERSCOPE_FEATURES_H */
