/* SPDX-License-Identifier: MIT */
/*
 * The collector seam.  Each event source (cpu, offcpu, sock, alloc, hwc,
 * span) is one value of struct collector_ops, listed in collectors/collector.c.
 * `record` probes kernel features once, asks each enabled collector whether
 * it is supported (printing why not), then: open -> attach -> poll... ->
 * drain -> close.  Collectors never print results; they fill the profile.
 */
#ifndef PEERSCOPE_COLLECTOR_H
#define PEERSCOPE_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct profile;
struct bpf_object;

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
	bool stats_enabled;     /* bpf_enable_stats(BPF_STATS_RUN_TIME) worked */
	char tracefs_path[64];
};

/* Probe the running kernel; fills kf.  Never fails: unknown = false. */
void features__probe(struct kernel_features *kf);

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
	bool verbose;
};

struct unwinder;     /* collectors/unwinder.h */
struct target;       /* core/target.h */

/* Maps shared by every BPF object; created once, reused before load. */
struct shared_maps {
	int targets_fd;         /* "ps_targets" */
	int thread_path_fd;     /* "ps_thread_path" */
	struct unwinder *unw;   /* the unw_* maps and tables; NULL: frame pointers only */
};

/* Drops and losses a collector saw; record prints them at the end. */
struct collector_stats {
	uint64_t events;
	uint64_t stack_errors;      /* user + kernel stack failures */
	uint64_t map_full;
	uint64_t lost;              /* ring buffer or other drops */
	uint64_t bpf_run_ns;        /* program run time, when stats are enabled */
	uint64_t bpf_run_cnt;
};

struct collector;

struct collector_ops {
	const char *name;           /* "cpu", "offcpu", "sock", "alloc", "hwc", "span" */
	const char *summary;        /* one line for --help */
	/* false + why when this kernel lacks what the collector needs */
	bool (*supported)(const struct kernel_features *kf, const struct record_opts *o,
			  char *why, size_t len);
	/* open the skeleton, reuse shared maps, set rodata, load */
	int (*open)(struct collector *c, const struct record_opts *o,
		    const struct kernel_features *kf, const struct shared_maps *sm);
	int (*attach)(struct collector *c, const struct target *t);
	/* optional: drain ring buffers while recording; called about every 100 ms */
	int (*poll)(struct collector *c);
	/* maps -> profile, once, at the end (targets may be gone by now) */
	int (*drain)(struct collector *c, struct profile *p);
	/* optional: fill c->stats (drops, run time) */
	void (*stats)(struct collector *c);
	void (*close)(struct collector *c);
};

struct collector {
	const struct collector_ops *ops;
	void *priv;                 /* the collector's own state (skeleton, buffers) */
	const struct record_opts *opts;
	struct collector_stats stats;
};

/* The table of every collector, NULL-terminated. */
extern const struct collector_ops *const collector_table[];
const struct collector_ops *collector__find(const char *name);

/*
 * Shared maps: create once per recording; 0 or negative errno.  With
 * unwind auto|dwarf the unwinder's maps are created too (a failure there
 * only warns: stacks then come from frame pointers).
 */
int shared_maps__create(struct shared_maps *sm, enum unwind_mode unwind);
void shared_maps__destroy(struct shared_maps *sm);
int shared_maps__add_target(const struct shared_maps *sm, uint32_t tgid);
/*
 * Point obj's "ps_targets"/"ps_thread_path" at the shared fds; call before
 * load.  The unwinder's maps are separate: unwinder__reuse(sm->unw, obj).
 */
int shared_maps__reuse(const struct shared_maps *sm, struct bpf_object *obj);

/*
 * Helpers every collector uses when draining.
 * Read the stats per-CPU array of a loaded object into st.
 */
int collector__read_stats(int stats_map_fd, struct collector_stats *st);
/*
 * Copy stack stack_id out of a BPF_MAP_TYPE_STACK_TRACE map into ips
 * (PS_MAX_STACK_DEPTH entries); returns the depth, 0 for a negative id.
 */
int collector__read_stack(int stack_map_fd, int32_t stack_id, uint64_t *ips);

/* Path names (from core/rules) for BPF path ids, "other" for unknown. */
const char *collector__path_name(const struct record_opts *o, uint32_t path_id);

struct bpf_link;
/*
 * Destroy links[0..n) (NULL entries skipped), each from a thread of its
 * own, and NULL them.  Unregistering a uprobe or a tracepoint's last perf
 * event waits for RCU grace periods (~70-100 ms each): one after the other,
 * a collector's dozen or two links took seconds; in parallel the waits
 * overlap.  A link whose thread cannot start is destroyed inline.
 */
void collector__destroy_links(struct bpf_link **links, size_t n);

#endif /* PEERSCOPE_COLLECTOR_H */
