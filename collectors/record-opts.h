/* SPDX-License-Identifier: MIT */
/*
 * What `record` was asked for on its command line, as the collectors read
 * it: one struct filled by userspace/cmd-record.c, const to every collector.
 */
#ifndef PEERSCOPE_RECORD_OPTS_H
#define PEERSCOPE_RECORD_OPTS_H

#include <stdbool.h>
#include <stdint.h>

enum alloc_mode { ALLOC_NONE = 0, ALLOC_KERNEL, ALLOC_MALLOC };
enum unwind_mode { UNWIND_AUTO = 0, UNWIND_FP, UNWIND_DWARF };

struct path_rules;  /* core/rules.h */

/* Everything `record` was asked for; collectors read what concerns them. */
struct record_opts {
	int freq;                   /* -F, cpu samples per second */
	double duration;            /* -d seconds; 0 = until signal or targets exit */
	bool no_kernel;             /* --no-kernel: no kernel stacks */
	uint64_t min_block_ns;      /* --min-block for off-CPU spans */
	enum alloc_mode alloc;      /* --alloc[=malloc] */
	unsigned alloc_sample;      /* --alloc-sample N (1 = every call) */
	double alloc_duty;          /* --alloc-duty fraction 0..1 (1 = always) */
	const char *events;         /* -e EVENT,... for hwc */
	enum unwind_mode unwind;    /* --unwind */
	const struct path_rules *rules;
	const char *port_rules;     /* --port RULE[,RULE] joined by commas (core/ports.h) */
	bool no_peers;              /* --no-peers: no serving-peer tag (docs/peers.md) */
	bool verbose;
	/*
	 * agent: drained every window and reset; a block still open at a
	 * drain is counted once, in the window where it ends, not up to the
	 * drain (which would count it again in every later window).
	 */
	bool windows;
	/*
	 * Seconds between two drains of the cpu collector's maps (record
	 * flushes every second, the agent every window); they are sized to
	 * hold that many seconds of samples.  0: unknown, the largest size.
	 */
	double drain_s;
};

#endif /* PEERSCOPE_RECORD_OPTS_H */
