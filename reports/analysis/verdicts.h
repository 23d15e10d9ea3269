/* SPDX-License-Identifier: MIT */
/*
 * The bottleneck verdicts: one small rule per verdict over the per-path
 * decomposition of analysis/paths.h, kept in one table (verdicts.c) that is
 * also the source of the table in docs/guide.md, "What each verdict means"
 * (tests/unit/test_verdicts.c fails when the two differ and prints the
 * table to paste: build/tests/test_verdicts --doc).
 */
#ifndef PEERSCOPE_ANALYSIS_VERDICTS_H
#define PEERSCOPE_ANALYSIS_VERDICTS_H

#include <stdbool.h>
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
	char culprit[512];	/* the code responsible, "" if none */
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

/* How a rule takes part in the choice (verdicts.c). */
enum verdict_stage {
	VS_FIRST,	/* tried in table order; the first that holds decides */
	VS_LARGEST,	/* every one is weighed; the largest share that holds decides */
	VS_LAST,	/* tried in table order when no other rule held */
};

/* One row of the rule table: what the documentation shows of it. */
struct verdict_rule_doc {
	const char *title;	/* the verdict as the report words it */
	const char *rule;	/* when it holds, with the default thresholds */
	const char *meaning;
	const char *fixes;
	enum verdict_kind kind;
	enum verdict_stage stage;
};

/* The rules in the order they are tried; returns how many. */
unsigned int verdicts__rules(const struct verdict_rule_doc **docs, unsigned int max);
/* The rule table as the Markdown table of docs/guide.md (header included). */
void verdicts__doc_table(FILE *f);

#endif /* PEERSCOPE_ANALYSIS_VERDICTS_H */
