// SPDX-License-Identifier: MIT
/*
 * `peerscope stat` output (perf stat's layout in text; one JSON object per
 * line, schema in docs/stat.md) and the report section that shows the hwc
 * collector's per-path counters.  Pure formatting: the numbers come from
 * cmd-stat.c or from the counters analysis (analysis/counters.c).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/output.h"
#include "core/profile.h"
#include "reports/report.h"
#include "reports/stat.h"
#include "analysis/counters.h"

#define MAX_READINGS	64

static bool is_time_event(const struct stat_event *e)
{
	return e->software && (!strcmp(e->base, "TASK-CLOCK") || !strcmp(e->base, "CPU-CLOCK"));
}

static double wall_ns(const struct stat_view *v)
{
	return (v->end_s - v->start_s) * 1e9;
}

void stat__derive(const struct stat_view *v, struct pmu_derived *d)
{
	struct pmu_reading r[MAX_READINGS];
	int n = 0;

	for (int i = 0; i < v->nr_events && n < MAX_READINGS; i++) {
		r[n].base = v->ev[i].base;
		r[n].value = v->ev[i].value;
		r[n].counted = v->ev[i].supported && v->ev[i].count.running > 0;
		n++;
	}
	pmu_metrics__derive(r, n, wall_ns(v), d);
}

static bool find_value(const struct stat_view *v, const char *base, double *val)
{
	for (int i = 0; i < v->nr_events; i++) {
		if (v->ev[i].supported && !strcmp(v->ev[i].base, base)) {
			*val = v->ev[i].value;
			return true;
		}
	}
	return false;
}

/* perf's "# ..." comment for event e, or "" */
static void comment(const struct stat_view *v, const struct stat_event *e,
		    const struct pmu_derived *d, char *buf, size_t len)
{
	const char *b = e->base;
	double tc;

	buf[0] = '\0';
	if (!e->supported)
		return;
	if (is_time_event(e) && d->has_cpus && !strcmp(b, "TASK-CLOCK")) {
		snprintf(buf, len, "#  %8.3f CPUs utilized", d->cpus);
	} else if (!strcmp(b, "INSTRUCTIONS") && d->has_ipc) {
		snprintf(buf, len, "#  %8.2f insn per cycle", d->ipc);
	} else if (!strcmp(b, "CACHE-MISSES") && d->has_cache_miss) {
		snprintf(buf, len, "#  %8.2f %% of all cache refs", d->cache_miss_pct);
	} else if (!strcmp(b, "BRANCH-MISSES") && d->has_branch_miss) {
		snprintf(buf, len, "#  %8.2f %% of all branches", d->branch_miss_pct);
	} else if (!strcmp(b, "CYCLES") && find_value(v, "TASK-CLOCK", &tc) && tc > 0) {
		snprintf(buf, len, "#  %8.3f GHz", e->value / tc);
	} else if (e->software && !is_time_event(e)) {
		/* rates over the time the target ran, as perf does */
		double secs = find_value(v, "TASK-CLOCK", &tc) && tc > 0 ? tc / 1e9 : wall_ns(v) / 1e9;

		if (secs > 0)
			snprintf(buf, len, "#  %8.3f /sec", e->value / secs);
	}
}

static void value_str(const struct stat_event *e, char *buf, size_t len, const char **unit)
{
	*unit = "";
	if (!e->supported) {
		snprintf(buf, len, "<not supported>");
	} else if (!e->count.running && e->count.enabled) {
		snprintf(buf, len, "<not counted>");
	} else if (is_time_event(e)) {
		snprintf(buf, len, "%.2f", e->value / 1e6);
		*unit = "msec";
	} else {
		output__fmt_count((int64_t)llround(e->value), buf, len);
	}
}

static void print_event_line(FILE *f, const struct stat_view *v, const struct stat_event *e,
			     const struct pmu_derived *d)
{
	char val[OUTPUT_NUM_LEN + 16], cmt[96];
	const char *unit;

	value_str(e, val, sizeof(val), &unit);
	comment(v, e, d, cmt, sizeof(cmt));
	if (cmt[0])
		fprintf(f, "%19s %-5s%-32s %s", val, unit, e->name, cmt);
	else
		fprintf(f, "%19s %-5s%s", val, unit, e->name);
	if (e->supported && e->count.running && e->pct < 99.995)
		fprintf(f, "  (%.2f%%)", e->pct);
	fputc('\n', f);
}

static void print_topdown_text(FILE *f, const struct pmu_topdown *td)
{
	static const char *const names[] = {
		"Frontend Bound", "Bad Speculation", "Backend Bound", "Retiring",
	};
	const double vals[] = { td->frontend, td->bad_spec, td->backend, td->retiring };
	const bool flags[] = { td->flag_frontend, td->flag_bad_spec, td->flag_backend,
			       td->flag_retiring };
	const double thr[] = { PMU_TD_FE_FLAG, PMU_TD_BAD_FLAG, PMU_TD_BE_FLAG, PMU_TD_RET_FLAG };

	fprintf(f, "\n Top-down level 1 (%s method):\n", pmu_topdown__method_name(td->method));
	for (int i = 0; i < 4; i++) {
		fprintf(f, "   %-18s %6.1f %%", names[i], 100 * vals[i]);
		if (flags[i])
			fprintf(f, "   <== above %.0f %%", 100 * thr[i]);
		fputc('\n', f);
	}
}

static void print_thread_text(FILE *f, const struct stat_view *v, const struct stat_thread *t)
{
	char val[OUTPUT_NUM_LEN + 16], who[48];

	snprintf(who, sizeof(who), "%s-%d%s", t->comm ? t->comm : "?", t->tid,
		 t->exited ? " (exited)" : "");
	for (int i = 0; i < v->nr_events; i++) {
		const struct stat_event *e = &v->ev[i];
		const char *unit = "";

		if (!e->supported)
			continue;
		if (is_time_event(e)) {
			snprintf(val, sizeof(val), "%.2f", t->values[i] / 1e6);
			unit = "msec";
		} else {
			output__fmt_count((int64_t)llround(t->values[i]), val, sizeof(val));
		}
		fprintf(f, "  %-26s %16s %-5s%s\n", who, val, unit, e->name);
	}
}

static void print_target(FILE *f, const struct stat_view *v)
{
	if (v->command)
		fprintf(f, " Performance counter stats for '%s'", v->command);
	else
		fprintf(f, " Performance counter stats for process %d", v->pid);
	if (v->nr_threads_seen > 0)
		fprintf(f, " (%d thread%s)", v->nr_threads_seen, v->nr_threads_seen == 1 ? "" : "s");
	fputs(":\n\n", f);
}

void stat__print_text(FILE *f, const struct stat_view *v)
{
	struct pmu_derived d;

	stat__derive(v, &d);
	fputc('\n', f);
	print_target(f, v);
	if (v->nr_threads) {
		for (int t = 0; t < v->nr_threads; t++)
			print_thread_text(f, v, &v->thr[t]);
		fputc('\n', f);
	}
	for (int i = 0; i < v->nr_events; i++)
		print_event_line(f, v, &v->ev[i], &d);
	if (d.topdown.method != PMU_TD_NONE)
		print_topdown_text(f, &d.topdown);
	fprintf(f, "\n %17.9f seconds time elapsed\n\n", v->end_s - v->start_s);
}

void stat__print_interval_text(FILE *f, const struct stat_view *v, bool header)
{
	char val[OUTPUT_NUM_LEN + 16];
	const char *unit;

	if (header)
		fprintf(f, "#%14s %18s %-5s%s\n", "time", "counts", "unit", "events");
	for (int i = 0; i < v->nr_events; i++) {
		const struct stat_event *e = &v->ev[i];

		value_str(e, val, sizeof(val), &unit);
		fprintf(f, "%15.9f %18s %-5s%s", v->end_s, val, unit, e->name);
		if (e->supported && e->count.running && e->pct < 99.995)
			fprintf(f, "  (%.2f%%)", e->pct);
		fputc('\n', f);
	}
	for (int t = 0; t < v->nr_threads; t++) {
		const struct stat_thread *th = &v->thr[t];

		for (int i = 0; i < v->nr_events; i++) {
			if (!v->ev[i].supported)
				continue;
			if (is_time_event(&v->ev[i]))
				snprintf(val, sizeof(val), "%.2f", th->values[i] / 1e6);
			else
				output__fmt_count((int64_t)llround(th->values[i]), val, sizeof(val));
			fprintf(f, "%15.9f %18s %-5s%s  # %s-%d\n", v->end_s, val,
				is_time_event(&v->ev[i]) ? "msec" : "", v->ev[i].name,
				th->comm ? th->comm : "?", th->tid);
		}
	}
	fflush(f);
}

static void json_metric(struct json_writer *w, const char *key, bool has, double v)
{
	json__key(w, key);
	if (has)
		json__num(w, v);
	else
		json__null(w);
}

static void json_topdown(struct json_writer *w, const struct pmu_topdown *td)
{
	json__key(w, "topdown");
	if (td->method == PMU_TD_NONE) {
		json__null(w);
		return;
	}
	json__begin(w, '{');
	json__key(w, "method"); json__str(w, pmu_topdown__method_name(td->method));
	json__key(w, "frontend_bound"); json__num(w, td->frontend);
	json__key(w, "bad_speculation"); json__num(w, td->bad_spec);
	json__key(w, "backend_bound"); json__num(w, td->backend);
	json__key(w, "retiring"); json__num(w, td->retiring);
	json__key(w, "flags");
	json__begin(w, '[');
	if (td->flag_frontend)
		json__str(w, "frontend_bound");
	if (td->flag_bad_spec)
		json__str(w, "bad_speculation");
	if (td->flag_backend)
		json__str(w, "backend_bound");
	if (td->flag_retiring)
		json__str(w, "retiring");
	json__end(w, ']');
	json__end(w, '}');
}

/* The keys of an event and a thread, in the order they are printed. */
static const struct json_field event_fields[] = {
	JSON_FIELD(struct stat_event, name, "name"),
	JSON_FIELD(struct stat_event, base, "base"),
	JSON_FIELD(struct stat_event, software, "software"),
	JSON_FIELD(struct stat_event, supported, "supported"),
};

/* a supported event's raw count, after its unit and scaled value */
static const struct json_field count_fields[] = {
	JSON_FIELD(struct pmu_count, value, "raw"),
	JSON_FIELD(struct pmu_count, enabled, "enabled_ns"),
	JSON_FIELD(struct pmu_count, running, "running_ns"),
};

/* comm: json__str prints a missing one as "" */
static const struct json_field thread_fields[] = {
	JSON_FIELD(struct stat_thread, tid, "tid"),
	JSON_FIELD(struct stat_thread, comm, "comm"),
	JSON_FIELD(struct stat_thread, exited, "exited"),
};

static void json_event(struct json_writer *w, const struct stat_event *e)
{
	json__begin(w, '{');
	json__fields(w, event_fields, JSON_NR_FIELDS(event_fields), e);
	if (e->supported) {
		json__key(w, "unit"); json__str(w, is_time_event(e) ? "ns" : "count");
		json__key(w, "value"); json__num(w, llround(e->value));
		json__fields(w, count_fields, JSON_NR_FIELDS(count_fields), &e->count);
		json__key(w, "running_pct"); json__num(w, round(e->pct * 100) / 100);
	} else {
		json__key(w, "why"); json__str(w, e->why ? e->why : "not supported");
	}
	json__end(w, '}');
}

static void json_threads(struct json_writer *w, const struct stat_view *v)
{
	json__key(w, "threads");
	json__begin(w, '[');
	for (int t = 0; t < v->nr_threads; t++) {
		const struct stat_thread *th = &v->thr[t];

		json__begin(w, '{');
		json__fields(w, thread_fields, JSON_NR_FIELDS(thread_fields), th);
		json__key(w, "values");
		json__begin(w, '{');
		for (int i = 0; i < v->nr_events; i++) {
			if (!v->ev[i].supported)
				continue;
			json__key(w, v->ev[i].name);
			json__num(w, llround(th->values[i]));
		}
		json__end(w, '}');
		json__end(w, '}');
	}
	json__end(w, ']');
}

void stat__print_json(FILE *f, const struct stat_view *v)
{
	struct pmu_derived d;
	struct json_writer w;

	stat__derive(v, &d);
	json__init(&w, f, JSON_COMPACT);
	json__begin(&w, '{');
	json__key(&w, "schema"); json__str(&w, STAT_JSON_SCHEMA);
	json__key(&w, "type"); json__str(&w, v->interval ? "interval" : "total");
	json__key(&w, "target");
	json__begin(&w, '{');
	json__key(&w, "pid"); json__int(&w, v->pid);
	json__key(&w, "command");
	json__str_or_null(&w, v->command);
	json__key(&w, "threads_seen"); json__int(&w, v->nr_threads_seen);
	json__end(&w, '}');
	json__key(&w, "start_s"); json__num(&w, v->start_s);
	json__key(&w, "end_s"); json__num(&w, v->end_s);
	json__key(&w, "events");
	json__begin(&w, '[');
	for (int i = 0; i < v->nr_events; i++)
		json_event(&w, &v->ev[i]);
	json__end(&w, ']');
	json__key(&w, "metrics");
	json__begin(&w, '{');
	json_metric(&w, "ipc", d.has_ipc, d.ipc);
	json_metric(&w, "cache_miss_pct", d.has_cache_miss, d.cache_miss_pct);
	json_metric(&w, "branch_miss_pct", d.has_branch_miss, d.branch_miss_pct);
	json_metric(&w, "cpus_utilized", d.has_cpus, d.cpus);
	json__end(&w, '}');
	json_topdown(&w, &d.topdown);
	json_threads(&w, v);
	json__end(&w, '}');
	fputc('\n', f);
	fflush(f);
}

/* ---- report section: counters per path ---------------------------------- */

static void emit_path_text(FILE *f, const struct path_counters *pc, const struct pmu_derived *d)
{
	char val[OUTPUT_NUM_LEN], per[OUTPUT_NUM_LEN + 8];

	for (int e = 0; e < pc->nr; e++) {
		bool time = !strcmp(pc->base[e], "TASK-CLOCK") || !strcmp(pc->base[e], "CPU-CLOCK");
		double pct = pc->enabled[e] > 0 ? 100 * pc->running[e] / pc->enabled[e] : 100;

		if (time)
			output__fmt_ns(pc->value[e], val, sizeof(val));
		else
			output__fmt_count((int64_t)llround(pc->value[e]), val, sizeof(val));
		per[0] = '\0';
		if (pc->has_ops && pc->ops) {
			if (time)
				output__fmt_ns(pc->value[e] / pc->ops, per, sizeof(per));
			else
				snprintf(per, sizeof(per), "%.1f", pc->value[e] / pc->ops);
		}
		fprintf(f, "  %-12s %-28s %16s %14s", pc->path, pc->event[e], val, per);
		if (pct < 99.995)
			fprintf(f, "  (%.1f%%)", pct);
		fputc('\n', f);
	}
	if (d->has_ipc || d->has_cache_miss || d->has_branch_miss) {
		fprintf(f, "  %-12s", pc->path);
		if (d->has_ipc)
			fprintf(f, " IPC %.2f", d->ipc);
		if (d->has_cache_miss)
			fprintf(f, "  cache-miss %.2f %%", d->cache_miss_pct);
		if (d->has_branch_miss)
			fprintf(f, "  branch-miss %.2f %%", d->branch_miss_pct);
		fputc('\n', f);
	}
	if (d->topdown.method != PMU_TD_NONE)
		fprintf(f, "  %-12s top-down: frontend %.1f %%, bad spec %.1f %%, backend %.1f %%, "
			"retiring %.1f %%\n", pc->path, 100 * d->topdown.frontend,
			100 * d->topdown.bad_spec, 100 * d->topdown.backend, 100 * d->topdown.retiring);
}

static void emit_path_json(struct json_writer *w, const struct path_counters *pc,
			   const struct pmu_derived *d)
{
	json__begin(w, '{');
	json__key(w, "path"); json__str(w, pc->path);
	json__key(w, "ops");
	if (pc->has_ops)
		json__uint(w, pc->ops);
	else
		json__null(w);
	json__key(w, "events");
	json__begin(w, '[');
	for (int e = 0; e < pc->nr; e++) {
		json__begin(w, '{');
		json__key(w, "name"); json__str(w, pc->event[e]);
		json__key(w, "value"); json__num(w, llround(pc->value[e]));
		json_metric(w, "per_op", pc->has_ops && pc->ops, pc->ops ? pc->value[e] / pc->ops : 0);
		json__end(w, '}');
	}
	json__end(w, ']');
	json_metric(w, "ipc", d->has_ipc, d->ipc);
	json_metric(w, "cache_miss_pct", d->has_cache_miss, d->cache_miss_pct);
	json_metric(w, "branch_miss_pct", d->has_branch_miss, d->branch_miss_pct);
	json_topdown(w, &d->topdown);
	json__end(w, '}');
}

static void counters_json(FILE *f, const struct counters *c)
{
	struct json_writer w;

	json__init(&w, f, JSON_COMPACT);
	json__begin(&w, '{');
	json__key(&w, "paths");
	json__begin(&w, '[');
	for (int k = 0; k < c->nr_paths; k++)
		emit_path_json(&w, &c->paths[k], &c->paths[k].derived);
	json__end(&w, ']');
	json__key(&w, "unsupported");
	json__begin(&w, '[');
	for (int u = 0; u < c->nr_unsupported; u++) {
		json__begin(&w, '{');
		json__key(&w, "event");
		json__str(&w, c->unsupported[u].event ? c->unsupported[u].event : "");
		json__key(&w, "why");
		json__str(&w, c->unsupported[u].why ? c->unsupported[u].why : "");
		json__end(&w, '}');
	}
	json__end(&w, ']');
	json__end(&w, '}');
}

static void counters_text(FILE *f, const struct counters *c)
{
	if (c->nr_paths)
		fprintf(f, "  %-12s %-28s %16s %14s\n", "path", "event", "total", "per op");
	for (int k = 0; k < c->nr_paths; k++)
		emit_path_text(f, &c->paths[k], &c->paths[k].derived);
	for (int u = 0; u < c->nr_unsupported; u++) {
		const char *ev = c->unsupported[u].event, *why = c->unsupported[u].why;

		fprintf(f, "  %s: %s\n", ev ? ev : "?", why ? why : "not counted");
	}
}

int report_counters__emit(const struct profile *p, const struct report_opts *o,
			  struct report_out *out)
{
	struct counters c;
	int ret = counters__compute(p, &c);

	if (ret <= 0)
		return ret;
	report_out__section(out, "counters", "Counters per path");
	if (out->format == REPORT_JSON)
		counters_json(out->f, &c);
	else
		counters_text(out->f, &c);
	counters__free(&c);
	return 0;
}
