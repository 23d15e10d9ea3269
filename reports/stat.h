/* SPDX-License-Identifier: MIT */
/*
 * Output of `peerscope stat` (text like perf stat, or JSON: schema in
 * docs/stat.md) and the per-path counter section of `peerscope report`
 * (from the hwc collector's `counter` records).
 */
#ifndef PEERSCOPE_STAT_REPORT_H
#define PEERSCOPE_STAT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/pmu-metrics.h"

struct profile;
struct report_opts;
struct report_out;

#define STAT_JSON_SCHEMA "peerscope.stat/1"

struct stat_event {
	const char *name;		/* as given */
	const char *base;		/* normalised (pmu_event.base) */
	bool software;
	bool supported;			/* false: why says why; no value */
	const char *why;
	struct pmu_count count;		/* raw sums over threads */
	double value;			/* scaled sum over threads */
	double pct;			/* running / enabled, percent */
};

struct stat_thread {
	int tid;
	const char *comm;
	bool exited;
	const double *values;		/* scaled, one per event (unsupported: 0) */
};

struct stat_view {
	int pid;			/* -p PID, or the command's pid */
	const char *command;		/* "-- CMD ARGS" joined, or NULL */
	bool interval;			/* an -I line, not the final summary */
	double start_s, end_s;		/* this view's span, seconds since counting began */
	int nr_threads_seen;		/* threads counted so far (-p) */
	int nr_events;
	const struct stat_event *ev;
	int nr_threads;			/* rows for --per-thread, else 0 */
	const struct stat_thread *thr;
};

/* The final summary, as perf stat prints it (counts, metrics, top-down). */
void stat__print_text(FILE *f, const struct stat_view *v);
/* One -I interval: "time value unit event" lines; header when first. */
void stat__print_interval_text(FILE *f, const struct stat_view *v, bool header);
/* One JSON object on one line (intervals and the summary alike). */
void stat__print_json(FILE *f, const struct stat_view *v);

/* Derived metrics of a view (helpers shared by text and JSON). */
void stat__derive(const struct stat_view *v, struct pmu_derived *d);

/*
 * `peerscope report` section "counters": one row per (path, event) from
 * the hwc collector's `counter` records, with IPC, misses per operation
 * and the top-down split when the events were counted.  Nothing to show
 * (no counter records): returns 0 without a section.
 */
int report_counters__emit(const struct profile *p, const struct report_opts *o,
			  struct report_out *out);

#endif /* PEERSCOPE_STAT_REPORT_H */
