/* SPDX-License-Identifier: MIT */
/*
 * The bottleneck verdicts: small documented rules (docs/guide.md, "What
 * each verdict means") over the per-path decomposition of paths.h, and the
 * --sla checks.  Each rule is unit-tested on hand-built profiles
 * (tests/unit/test_bottleneck.c).
 */
#ifndef PEERSCOPE_BOTTLENECK_H
#define PEERSCOPE_BOTTLENECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct path_report;

enum verdict_kind {
	V_NONE = 0,	/* nothing stands out */
	V_IDLE,		/* too little work to judge */
	V_CPU,
	V_LOCK,
	V_NET,
	V_TIMER,
	V_IO,
	V_FAULT,
	V_RUNQ,
	V_STORM,	/* syscall / socket-write storm */
	V_ALLOC,
	V_NR,
};

/* Stable names, used in --format json: "none", "idle", "cpu", "lock", ... */
extern const char *const verdict_kind_names[V_NR];

struct verdict {
	uint32_t path;		/* index into path_report.paths */
	enum verdict_kind kind;
	bool tail;		/* latency tail: p99 >> p50 */
	double share;		/* share of the path's wall time the verdict is about */
	char culprit[128];	/* the code responsible, "" if none */
	char text[512];		/* one or two sentences, with the numbers */
};

/*
 * Thresholds of the rules; bottleneck__defaults() fills the documented
 * values.  "load" is time / recording duration: the average number of
 * threads in that state.
 */
struct bottleneck_limits {
	double min_load;		/* below: idle, no verdict */
	double runq_share;		/* runq / (cpu + runq) */
	double runq_wall_share;		/* runq / busy wall time */
	double runq_load;
	double runq_load_everywhere;	/* the same, when every path is starved */
	double storm_rate;		/* tx messages per second */
	double storm_max_bytes;		/* average bytes per message */
	double lock_share, lock_load;
	double alloc_share, alloc_load;	/* allocator CPU / path CPU; CPU load */
	double cpu_share, cpu_load, cpu_load_alone;
	double io_share, io_load;
	double timer_share, timer_load;
	double tail_ratio;		/* p99 / p50 */
	uint64_t tail_min_ns;		/* p99 at least this */
	uint64_t tail_min_ops;
	uint64_t net_slow_ns;		/* p50 at least this */
	double net_share;
	double net_share_nospan, net_load_nospan;
};

void bottleneck__defaults(struct bottleneck_limits *l);

/*
 * One verdict per path of rep (out has rep->nr_paths entries).  lim may be
 * NULL for the defaults.
 */
void bottleneck__judge(const struct path_report *rep, const struct bottleneck_limits *lim,
		       struct verdict *out);

/* ---- SLAs: --sla dht.p95=500ms,bootstrap.p99=2s ------------------------- */

enum sla_metric { SLA_P50, SLA_P90, SLA_P95, SLA_P99, SLA_MAX, SLA_MEAN, SLA_ERRORS };

struct sla {
	char path[32];
	enum sla_metric metric;
	uint64_t limit;		/* ns, or percent * 100 for errors */
	char text[64];		/* as given, for messages */
};

struct sla_result {
	bool known;		/* the path has span latency */
	bool pass;
	uint64_t value;
};

/* Parses spec; returns the count or -EINVAL with a reason in err. */
int sla__parse(const char *spec, struct sla **out, char *err, size_t errlen);
/* Fills res[i] for each sla; returns the number that failed (unknown = failed). */
int sla__check(const struct path_report *rep, const struct sla *s, int n,
	       struct sla_result *res);
const char *sla__metric_name(enum sla_metric m);

/* ---- the report section ------------------------------------------------ */

struct profile;
struct path_rules;

enum bottleneck_format { BN_TEXT = 0, BN_MD, BN_JSON };

struct bottleneck_opts {
	enum bottleneck_format format;
	/* NULL: the rules recorded in the profile, else the "default" set */
	const struct path_rules *rules;
	/* --sla specs; the profile's own "sla" records are checked too */
	const char *const *slas;
	int nr_slas;
	int width;		/* text columns; 0 = 100 */
	const struct bottleneck_limits *limits;	/* NULL = defaults */
	bool in_report;		/* a section of peerscope report: no heading of its own */
};

/*
 * The paths section of `peerscope report` (docs/report-paths.md): per path
 * operations, latency, where the wall time goes with top stacks, network,
 * slowest operations, the verdict and the SLAs.  Returns the number of SLAs
 * that failed (the caller exits 3 when > 0), or a negative errno (a bad
 * --sla is reported on stderr and gives -EINVAL).
 */
int bottleneck__report(FILE *f, const struct profile *p, const struct bottleneck_opts *o);

/* True when the profile has anything this section shows (spans or path labels). */
bool bottleneck__has_path_data(const struct profile *p);

/*
 * The section of `peerscope report` (reports/report.h contract, key
 * "paths"): options --rules and --sla from report_opts.
 */
struct report_opts;
struct report_out;
int report_paths__emit(struct profile *p, const struct report_opts *o, struct report_out *out);

#endif /* PEERSCOPE_BOTTLENECK_H */
