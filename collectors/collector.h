/* SPDX-License-Identifier: MIT */
/*
 * The collector seam.  Each event source (cpu, offcpu, sock, alloc, hwc,
 * span) is one value of struct collector_ops, listed in collectors/collector.c.
 * `record` probes kernel features once, asks each enabled collector whether
 * it is supported (printing why not), then: open -> attach -> poll... ->
 * drain -> close.  Collectors never print results; they fill the profile.
 * What the kernel offers (features.h), what record was asked for
 * (record-opts.h) and the maps every object shares (shared-maps.h) are
 * their own headers.
 */
#ifndef PEERSCOPE_COLLECTOR_H
#define PEERSCOPE_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct profile;

struct kernel_features;	/* collectors/features.h */
struct record_opts;	/* collectors/record-opts.h */
struct shared_maps;	/* collectors/shared-maps.h */
struct target;		/* core/target.h */
struct unw_keep;	/* collectors/unwinder-trim.h */

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
	/*
	 * optional: the option that turns the collector on, for one left off
	 * by default that supported() declines with an empty why when it is
	 * not given (alloc): naming it in -c alone then says to add this
	 */
	const char *turned_on_by;
	/* false + why when this kernel lacks what the collector needs */
	bool (*supported)(const struct kernel_features *kf, const struct record_opts *o,
			  char *why, size_t len);
	/* open the skeleton, reuse shared maps, set rodata, load */
	int (*open)(struct collector *c, const struct record_opts *o,
		    const struct kernel_features *kf, const struct shared_maps *sm);
	int (*attach)(struct collector *c, const struct target *t);
	/*
	 * optional: drain ring buffers while recording; called at least once
	 * a second, and as soon as the collector's wait_fd is readable
	 */
	int (*poll)(struct collector *c);
	/*
	 * optional: an fd that turns readable when poll has work that cannot
	 * wait for the next second (a ring buffer a quarter full, a timer);
	 * record and the agent sleep on it.  -1 when there is none.
	 */
	int (*wait_fd)(struct collector *c);
	/* maps -> profile, once, at the end (targets may be gone by now) */
	int (*drain)(struct collector *c, struct profile *p);
	/*
	 * optional: while recording, move what the maps hold into p and
	 * empty them without losing events, so long recordings of many
	 * distinct stacks keep bounded maps; record calls it every second.
	 */
	int (*flush)(struct collector *c, struct profile *p);
	/*
	 * optional: after a drain, clear what it read so the next drain
	 * starts empty (the agent's windows) while staying attached.  NULL
	 * when the collector cannot do that yet: the agent then leaves it out.
	 * Events counted between the drain and the reset are lost (a few ms).
	 */
	int (*reset)(struct collector *c);
	/*
	 * For each collector that shares the unwinder's store (unwinder__reuse
	 * without own_stores): add to k the store's stack ids its maps still
	 * refer to (waits still open, live allocations, entries counted since
	 * the drain).  Between windows the agent keeps those and empties the
	 * rest of a store more than half full (collectors/unwinder-trim.h).
	 */
	void (*keep_stacks)(struct collector *c, struct unw_keep *k);
	/*
	 * optional: a target that appeared after attach (agent --comm).
	 * Collectors that follow every target through the shared target map
	 * (cpu, offcpu) need none; per-process probes (span) attach here.
	 */
	int (*add_target)(struct collector *c, uint32_t pid);
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

/*
 * After every collector drained into p: what needs all of their data (the
 * wall column, the unwinder's record), so the drain order does not matter.
 * 0 or a negative errno.
 */
int collectors__finish(struct profile *p, const struct shared_maps *sm);

/*
 * A process to follow from now on, after attach: into the shared target
 * map, the unwinder's tables, and each collector's add_target.  0 or the
 * first negative errno (the others are still tried).
 */
int collectors__add_target(struct collector *coll, int nr, const struct shared_maps *sm,
			   uint32_t pid);

/* The table of every collector, NULL-terminated. */
extern const struct collector_ops *const collector_table[];
const struct collector_ops *collector__find(const char *name);

/*
 * Helpers every collector uses when draining.
 * Read the stats per-CPU array of a loaded object into st.
 */
int collector__read_stats(int stats_map_fd, struct collector_stats *st);
/*
 * -v: how often the object's stacks were reused at a site instead of
 * walked (its "memo_stats" map, bpf/site-memo.bpf.h); where names the sites.
 */
void collector__debug_memo(const char *name, int memo_stats_fd, const char *where);
/*
 * Copy stack stack_id out of a BPF_MAP_TYPE_STACK_TRACE map into ips
 * (PS_MAX_STACK_DEPTH entries); returns the depth, 0 for a negative id.
 */
int collector__read_stack(int stack_map_fd, int32_t stack_id, uint64_t *ips);

/*
 * Delete every key of a hash or stack-trace map (keys read first, then
 * deleted, so the walk never restarts); 0 or a negative errno.
 */
int collector__clear_map(int map_fd);
/* The same, keeping the keys for which keep(key, ctx) is true. */
int collector__clear_map_except(int map_fd, bool (*keep)(const void *key, void *ctx), void *ctx);

/*
 * Whether errno err from a batch map operation means the kernel or the
 * map type has none: EINVAL (no such command, before 5.6), ENOTSUP, or
 * the kernel's own ENOTSUPP (524, stack trace maps).  The caller then does
 * the same a key at a time.
 */
bool collector__no_batch(int err);

/*
 * Delete from a map the n keys of key_size bytes at keys (read earlier by
 * collector__map_keys()) for which keep(key, ctx) is false, or all of them
 * when keep is NULL.  A key gone already is not an error.  The number
 * deleted, or a negative errno (keys after the failing one stay).
 */
long collector__delete_keys(int map_fd, const void *keys, size_t n, uint32_t key_size,
			    bool (*keep)(const void *key, void *ctx), void *ctx);

/*
 * The keys of a map as they are now, in one malloc'd array (*keysp, *np
 * of them, each the map's key size, also set in *key_sizep unless NULL);
 * 0 or a negative errno.
 */
int collector__map_keys(int map_fd, void **keysp, size_t *np, uint32_t *key_sizep);

/*
 * Read key's value and delete it in one step, for counters drained per
 * window: what a BPF program adds after the read makes a new entry for
 * the next window instead of being deleted unseen by a clear after the
 * drain.  0, -ENOENT when the key is gone, or a negative errno.
 */
int collector__take(int map_fd, const void *key, void *value);

/* Path names (from core/rules) for BPF path ids, "other" for unknown. */
const char *collector__path_name(const struct record_opts *o, uint32_t path_id);

struct bpf_link;
/*
 * Destroy links[0..n) (NULL entries skipped) from up to workers threads
 * (0: one per link), and NULL them.  Unregistering a uprobe or a
 * tracepoint's last perf event waits for RCU grace periods (~70-100 ms
 * each): one after the other, a collector's dozen or two links took
 * seconds; in parallel the waits overlap.  Uprobes want a thread each;
 * perf events serialize on the kernel's event_mutex, whose waiters spin:
 * 26 threads cost sock 21 ms of CPU for the exit time that 4 reach with 7.
 * A worker that cannot start has its links destroyed inline.
 */
#define DESTROY_PERF_WORKERS	4
void collector__destroy_links(struct bpf_link **links, size_t n, size_t workers);

#endif /* PEERSCOPE_COLLECTOR_H */
