/* SPDX-License-Identifier: MIT */
/*
 * Typed side records: what a recording holds besides stack samples (span
 * latency histograms, connections, counter readings, rules, overhead...).
 *
 * Every kind is one struct, rec_<kind>, with one add and one way to read:
 *
 *	struct rec_hist h = { .path = "dht", .count = 3 };
 *	records__add_hist(p, &h);
 *
 *	for (uint32_t pos = 0; records__next_hist(p, &pos, &h);)
 *		...;
 *	records__foreach_hist(p, fn, ctx);	(fn returns non-zero to stop)
 *
 * The field list of each kind below is the only one: it makes the struct
 * and drives both the encoding and the decoding (records.c), and
 * docs/format.md documents it.  Numbers are numbers, strings are strings
 * (NULL when absent; they point into the profile's strings), histograms
 * are lists of (lowest value of the bucket, count).  `has` says which fields
 * a record read back carried (REC_HAS); on add, NULL strings are left out
 * and every other field is written.
 *
 * The profile stores records as kind + key=value strings (profile.h); this
 * file is the only code that parses them.  In a pprof file a record is the
 * comment "peerscope:<kind> k=v ..." after a "peerscope:version N" comment:
 * records__encode / records__decode are what the pprof codec calls.
 */
#ifndef PEERSCOPE_RECORDS_H
#define PEERSCOPE_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct profile;
struct pf_record;

/* Version of the record encoding written (docs/format.md). */
#define RECORDS_VERSION		2

/* ---- histograms --------------------------------------------------------- */

/*
 * Log-linear latency buckets (the span collector's, bpf/hist.h): index
 * from a value, lowest value and width of an index.  Reports use these and
 * never the BPF headers.
 */
#define REC_LL_BUCKETS		640
uint32_t rec_ll_bucket(uint64_t v);
uint64_t rec_ll_low(uint32_t b);
uint64_t rec_ll_width(uint32_t b);

/* The largest histogram a record holds (the log-linear one). */
#define REC_MAX_BUCKETS		REC_LL_BUCKETS

struct rec_bucket {
	uint64_t low;		/* lowest value the bucket holds */
	uint64_t count;
};

struct rec_buckets {
	uint32_t nr;		/* non-empty buckets, ascending by low */
	struct rec_bucket v[REC_MAX_BUCKETS];
};

/* Appends one bucket (ignored when full or count is 0). */
void rec_buckets__add(struct rec_buckets *b, uint64_t low, uint64_t count);
/* Sums b into dense log-linear counts[REC_LL_BUCKETS]; returns the sum. */
uint64_t rec_buckets__to_ll(const struct rec_buckets *b, uint64_t *counts);
/* "low:count,low:count" into buf (always terminated); returns buf. */
char *rec_buckets__format(const struct rec_buckets *b, char *buf, size_t len);

/* The span "hist" records of one path added up (records__hist_sum). */
struct rec_hist_sum {
	uint32_t nr;				/* records found */
	uint64_t count, errors, unmatched, sum_ns;
	uint64_t max_ns;			/* the largest */
	uint64_t in_buckets;			/* operations in the buckets */
	uint64_t buckets[REC_LL_BUCKETS];	/* dense log-linear counts */
};

/*
 * v rounded to decimals places: writers store measured ratios no more
 * precisely than they mean (the file keeps the shortest exact decimal).
 */
double rec_round(double v, int decimals);

/* ---- the kinds ---------------------------------------------------------- */

/*
 * F(kind, type, name) per field, in the order they are written.  Types:
 * STR (const char *), U64, I64, DBL (double), HIST (struct rec_buckets).
 * The key in the file is the field name, except sockerr's errnum ("errno").
 */
#define REC_hist(F, k)	/* span collector: one path's latency (ns), log-linear */ \
	F(k, STR, path) F(k, U64, count) F(k, U64, errors) F(k, U64, sum_ns)		\
	F(k, U64, max_ns) F(k, U64, unmatched) F(k, HIST, buckets)

#define REC_slowop(F, k)	/* span collector: one of the slowest operations */	\
	F(k, STR, path) F(k, U64, id) F(k, U64, pid) F(k, U64, tid)			\
	F(k, I64, start_ns) F(k, U64, latency_ns) F(k, STR, ok)

#define REC_counter(F, k)	/* hwc collector: one event of one (pid, path) */	\
	F(k, STR, status) F(k, U64, pid) F(k, STR, path) F(k, STR, event)		\
	F(k, STR, base) F(k, U64, value) F(k, U64, raw) F(k, U64, enabled_ns)		\
	F(k, U64, running_ns) F(k, U64, slices) F(k, STR, why)

#define REC_unwind(F, k)	/* DWARF unwinder counters */				\
	F(k, STR, mode) F(k, U64, stacks) F(k, U64, root) F(k, U64, truncated)		\
	F(k, U64, frames_table) F(k, U64, frames_fp) F(k, U64, read_err)		\
	F(k, U64, store_err) F(k, U64, busy) F(k, U64, files) F(k, U64, rows)		\
	F(k, U64, procs)

/*
 * The sock collector's records of connections and events say how their
 * path was found (path_by: "span", "port" or "none", docs/format.md) and
 * carry their ports, so that a report can place them again with other
 * rules; records without path_by (older files) keep their path.
 */
#define REC_peer(F, k)	/* sock collector: traffic with one peer */		\
	F(k, U64, pid) F(k, STR, proto) F(k, STR, peer) F(k, U64, lport)		\
	F(k, STR, path) F(k, U64, tx_bytes) F(k, U64, rx_bytes) F(k, U64, tx_msgs)	\
	F(k, U64, rx_msgs) F(k, U64, tx_calls) F(k, U64, rx_calls) F(k, U64, rport)	\
	F(k, STR, path_by)

#define REC_conn(F, k)	/* sock collector: one TCP connection */		\
	F(k, STR, proto) F(k, U64, pid) F(k, STR, peer) F(k, STR, laddr)		\
	F(k, U64, lport) F(k, STR, side) F(k, STR, state) F(k, STR, path)		\
	F(k, U64, tx_bytes) F(k, U64, rx_bytes) F(k, U64, tx_msgs)			\
	F(k, U64, rx_msgs) F(k, U64, lifetime_ns) F(k, U64, connect_ns)		\
	F(k, U64, accept_wait_ns) F(k, U64, retrans) F(k, U64, srtt_us)		\
	F(k, U64, errors) F(k, U64, kernel_tx_bytes) F(k, U64, kernel_rx_bytes)	\
	F(k, U64, rport) F(k, STR, path_by)

#define REC_sockhist(F, k)	/* sock collector: syscall sizes (bytes), log2 */	\
	F(k, U64, pid) F(k, STR, proto) F(k, STR, dir) F(k, HIST, buckets)

#define REC_sockerr(F, k)	/* sock collector: failed socket calls */		\
	F(k, U64, pid) F(k, STR, proto) F(k, STR, call) F(k, U64, errnum)		\
	F(k, STR, error) F(k, U64, count)

#define REC_portrule(F, k)	/* sock collector: a port rule in force */		\
	F(k, STR, path) F(k, STR, match)

#define REC_sockdrop(F, k)	/* sock collector: what it lost */			\
	F(k, U64, map_full) F(k, U64, stack_errors) F(k, U64, lost) F(k, U64, events)

#define REC_peertable(F, k)	/* sock collector: the kernel's space-saving peer table */	\
	F(k, U64, slots) F(k, U64, named) F(k, U64, inserted) F(k, U64, evictions)	\
	F(k, U64, other_msgs) F(k, U64, other_bytes) F(k, U64, total_cost)		\
	F(k, U64, max_err)

#define REC_peerwait(F, k)	/* sock collector: replies a (pid, path) waited for from one peer */ \
	F(k, U64, pid) F(k, STR, path) F(k, STR, peer) F(k, U64, replies)		\
	F(k, U64, wait_ns) F(k, U64, max_ns)

#define REC_peerid(F, k)	/* sock collector: the node's own id of a peer (rules "peer" lines) */ \
	F(k, STR, peer) F(k, STR, id)

#define REC_alloc(F, k)	/* alloc collector: mode and cost */			\
	F(k, STR, mode) F(k, STR, allocator) F(k, STR, probes) F(k, STR, faults_from)	\
	F(k, U64, sample) F(k, DBL, duty) F(k, U64, attached_ns) F(k, U64, detach_ns)	\
	F(k, U64, toggles) F(k, DBL, scale) F(k, U64, calls) F(k, U64, returns)	\
	F(k, U64, nested) F(k, U64, allocs) F(k, U64, alloc_bytes) F(k, U64, frees)	\
	F(k, U64, frees_matched) F(k, U64, sampled) F(k, U64, live_full)		\
	F(k, U64, faults) F(k, U64, mmap_bytes) F(k, U64, munmap_bytes)		\
	F(k, I64, brk_bytes) F(k, U64, alloc_call_ns) F(k, U64, free_call_ns)		\
	F(k, STR, calibrated_on) F(k, U64, est_overhead_ns) F(k, DBL, est_slowdown)

#define REC_leak(F, k)	/* alloc collector: a suspected leak */			\
	F(k, U64, id) F(k, U64, pid) F(k, U64, tid) F(k, STR, path)			\
	F(k, I64, inuse_bytes) F(k, I64, growth_bytes) F(k, DBL, slope_bps)		\
	F(k, DBL, r2) F(k, U64, points) F(k, U64, first_ns) F(k, U64, last_ns)		\
	F(k, DBL, confidence) F(k, STR, level)

#define REC_memgrowth(F, k)	/* alloc collector: one memory snapshot */		\
	F(k, U64, pid) F(k, U64, t_ns) F(k, U64, rss_bytes) F(k, U64, vm_bytes)	\
	F(k, I64, inuse_bytes)

#define REC_runqlat(F, k)	/* offcpu collector: run-queue delay (ns), log2 */	\
	F(k, U64, pid) F(k, U64, tid) F(k, STR, thread) F(k, U64, count)		\
	F(k, U64, total_ns) F(k, HIST, buckets)

#define REC_meta(F, k)	/* record: the recording itself */			\
	F(k, STR, version) F(k, STR, command) F(k, STR, hostname) F(k, STR, kernel)	\
	F(k, STR, start) F(k, DBL, duration_s) F(k, STR, pids) F(k, STR, collectors)	\
	F(k, U64, freq) F(k, U64, kernel_stacks) F(k, STR, rules) F(k, STR, ports)	\
	F(k, STR, exe)

#define REC_sla(F, k)	/* record: an --sla given */ F(k, STR, spec)

#define REC_stats(F, k)	/* record: one collector's counters */			\
	F(k, STR, collector) F(k, STR, status) F(k, U64, events)			\
	F(k, U64, stack_errors) F(k, U64, map_full) F(k, U64, lost)			\
	F(k, U64, bpf_run_ns) F(k, U64, bpf_run_cnt)

#define REC_overhead(F, k)	/* record: its own cost */				\
	F(k, U64, user_ns) F(k, U64, sys_ns) F(k, U64, bpf_run_ns)			\
	F(k, U64, attach_ns) F(k, U64, bpf_stats) F(k, U64, peak_rss_kb)		\
	F(k, U64, bpf_map_bytes)

#define REC_rules(F, k)	/* core/rules: the path rules used */			\
	F(k, STR, name) F(k, STR, text) F(k, STR, why)

#define REC_sockevent(F, k)	/* sock collector: retransmits, failed connects */	\
	F(k, U64, pid) F(k, STR, event) F(k, STR, error) F(k, U64, count)		\
	F(k, STR, path) F(k, STR, path_by) F(k, STR, proto) F(k, U64, lport)		\
	F(k, U64, rport)

#define REC_KINDS(K)								\
	K(hist) K(slowop) K(counter) K(unwind) K(peer) K(conn) K(sockhist)		\
	K(sockerr) K(portrule) K(sockdrop) K(alloc) K(leak) K(memgrowth)		\
	K(runqlat) K(meta) K(sla) K(stats) K(overhead) K(rules) K(peertable) K(peerwait) K(peerid) K(sockevent)

typedef const char *rec_STR_t;
typedef uint64_t rec_U64_t;
typedef int64_t rec_I64_t;
typedef double rec_DBL_t;
typedef struct rec_buckets rec_HIST_t;

#define REC_KIND_ENUM(kind) REC_KIND_##kind,
enum rec_kind { REC_KINDS(REC_KIND_ENUM) REC_NR_KINDS };

/* Generic forms (kind-checked by the typed wrappers below). */
int records__add(struct profile *p, enum rec_kind kind, const void *rec);
/*
 * Decodes the next record of kind at or after *pos into rec and moves *pos
 * past it; false when there is none (*pos and rec unchanged).  Start with
 * *pos = 0.
 */
bool records__next(const struct profile *p, enum rec_kind kind, uint32_t *pos, void *rec);
/* Adds up the "hist" records of path (NULL: every path); 0 or -ENOMEM. */
int records__hist_sum(const struct profile *p, const char *path, struct rec_hist_sum *s);
/* How many records of kind p holds. */
uint32_t records__count(const struct profile *p, enum rec_kind kind);

#define REC_MEMBER(k, type, name) rec_##type##_t name;
#define REC_FIELD_ENUM(k, type, name) REC_##k##_##name,
#define REC_HAS(r, kind, name) (((r)->has >> REC_##kind##_##name) & 1)

#define REC_DECLARE(kind)							\
	enum { REC_##kind(REC_FIELD_ENUM, kind) REC_NR_##kind };		\
	struct rec_##kind {							\
		uint64_t has;	/* bit REC_<kind>_<field>: present when read */	\
		REC_##kind(REC_MEMBER, kind)					\
	};									\
	static inline int records__add_##kind(struct profile *p,		\
					      const struct rec_##kind *r)	\
	{									\
		return records__add(p, REC_KIND_##kind, r);			\
	}									\
	static inline bool records__next_##kind(const struct profile *p,	\
						uint32_t *pos,			\
						struct rec_##kind *r)		\
	{									\
		return records__next(p, REC_KIND_##kind, pos, r);		\
	}									\
	static inline int records__foreach_##kind(const struct profile *p,	\
		int (*fn)(const struct rec_##kind *r, void *ctx), void *ctx)	\
	{									\
		struct rec_##kind r;						\
		uint32_t pos = 0;						\
		int err;							\
										\
		while (records__next(p, REC_KIND_##kind, &pos, &r))		\
			if ((err = fn(&r, ctx)))				\
				return err;					\
		return 0;							\
	}
REC_KINDS(REC_DECLARE)

/* ---- the encoding in a pprof file --------------------------------------- */

/*
 * "peerscope:<kind> k=v ..." for one stored record (kind, keys and values
 * percent-escaped); malloc()ed, NULL on ENOMEM.
 */
char *records__encode(const struct profile *p, const struct pf_record *r);
/* "peerscope:version <RECORDS_VERSION>", written before the records; malloc()ed. */
char *records__encode_version(void);

/* What a reader has seen so far of one file's comments. */
struct records_reader {
	int version;		/* 1 until a version comment says otherwise */
};
#define RECORDS_READER_INIT { .version = 1 }

/*
 * One comment of a file: a record is added to p (upgraded from an older
 * encoding as needed) and 1 returned; the version comment sets rd->version
 * and returns 1; a plain comment returns 0 (not added); ENOMEM < 0.
 */
int records__decode(struct profile *p, struct records_reader *rd, const char *comment);

#endif /* PEERSCOPE_RECORDS_H */
