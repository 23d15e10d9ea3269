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

static void json_key_num(FILE *f, const char *key, double v, bool comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", key);
	output__json_num(f, v);
}

static void json_topdown(FILE *f, const struct pmu_topdown *td)
{
	bool first = true;

	if (td->method == PMU_TD_NONE) {
		fputs("null", f);
		return;
	}
	fputs("{\"method\":", f);
	output__json_str(f, pmu_topdown__method_name(td->method));
	json_key_num(f, "frontend_bound", td->frontend, true);
	json_key_num(f, "bad_speculation", td->bad_spec, true);
	json_key_num(f, "backend_bound", td->backend, true);
	json_key_num(f, "retiring", td->retiring, true);
	fputs(",\"flags\":[", f);
	if (td->flag_frontend)
		fprintf(f, "%s\"frontend_bound\"", first ? "" : ","), first = false;
	if (td->flag_bad_spec)
		fprintf(f, "%s\"bad_speculation\"", first ? "" : ","), first = false;
	if (td->flag_backend)
		fprintf(f, "%s\"backend_bound\"", first ? "" : ","), first = false;
	if (td->flag_retiring)
		fprintf(f, "%s\"retiring\"", first ? "" : ","), first = false;
	fputs("]}", f);
}

static void json_metric(FILE *f, const char *key, bool has, double v, bool comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", key);
	if (has)
		output__json_num(f, v);
	else
		fputs("null", f);
}

void stat__print_json(FILE *f, const struct stat_view *v)
{
	struct pmu_derived d;

	stat__derive(v, &d);
	fprintf(f, "{\"schema\":\"%s\",\"type\":\"%s\",\"target\":{\"pid\":%d,\"command\":",
		STAT_JSON_SCHEMA, v->interval ? "interval" : "total", v->pid);
	if (v->command)
		output__json_str(f, v->command);
	else
		fputs("null", f);
	fprintf(f, ",\"threads_seen\":%d}", v->nr_threads_seen);
	json_key_num(f, "start_s", v->start_s, true);
	json_key_num(f, "end_s", v->end_s, true);
	fputs(",\"events\":[", f);
	for (int i = 0; i < v->nr_events; i++) {
		const struct stat_event *e = &v->ev[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		output__json_str(f, e->name);
		fputs(",\"base\":", f);
		output__json_str(f, e->base);
		fprintf(f, ",\"software\":%s,\"supported\":%s", e->software ? "true" : "false",
			e->supported ? "true" : "false");
		if (e->supported) {
			fprintf(f, ",\"unit\":\"%s\"", is_time_event(e) ? "ns" : "count");
			json_key_num(f, "value", llround(e->value), true);
			fprintf(f, ",\"raw\":%llu,\"enabled_ns\":%llu,\"running_ns\":%llu",
				(unsigned long long)e->count.value,
				(unsigned long long)e->count.enabled,
				(unsigned long long)e->count.running);
			json_key_num(f, "running_pct", round(e->pct * 100) / 100, true);
		} else {
			fputs(",\"why\":", f);
			output__json_str(f, e->why ? e->why : "not supported");
		}
		fputc('}', f);
	}
	fputs("],\"metrics\":{", f);
	json_metric(f, "ipc", d.has_ipc, d.ipc, false);
	json_metric(f, "cache_miss_pct", d.has_cache_miss, d.cache_miss_pct, true);
	json_metric(f, "branch_miss_pct", d.has_branch_miss, d.branch_miss_pct, true);
	json_metric(f, "cpus_utilized", d.has_cpus, d.cpus, true);
	fputs("},\"topdown\":", f);
	json_topdown(f, &d.topdown);
	fputs(",\"threads\":[", f);
	for (int t = 0; t < v->nr_threads; t++) {
		const struct stat_thread *th = &v->thr[t];
		bool first = true;

		fprintf(f, "%s{\"tid\":%d,\"comm\":", t ? "," : "", th->tid);
		output__json_str(f, th->comm ? th->comm : "");
		fprintf(f, ",\"exited\":%s,\"values\":{", th->exited ? "true" : "false");
		for (int i = 0; i < v->nr_events; i++) {
			if (!v->ev[i].supported)
				continue;
			if (!first)
				fputc(',', f);
			first = false;
			output__json_str(f, v->ev[i].name);
			fputc(':', f);
			output__json_num(f, llround(th->values[i]));
		}
		fputs("}}", f);
	}
	fputs("]}\n", f);
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

static void emit_path_json(FILE *f, const struct path_counters *pc, const struct pmu_derived *d)
{
	fputs("{\"path\":", f);
	output__json_str(f, pc->path);
	fputs(",\"ops\":", f);
	if (pc->has_ops)
		fprintf(f, "%llu", (unsigned long long)pc->ops);
	else
		fputs("null", f);
	fputs(",\"events\":[", f);
	for (int e = 0; e < pc->nr; e++) {
		fputs(e ? ",{\"name\":" : "{\"name\":", f);
		output__json_str(f, pc->event[e]);
		json_key_num(f, "value", llround(pc->value[e]), true);
		json_metric(f, "per_op", pc->has_ops && pc->ops, pc->ops ? pc->value[e] / pc->ops : 0,
			    true);
		fputc('}', f);
	}
	fputc(']', f);
	json_metric(f, "ipc", d->has_ipc, d->ipc, true);
	json_metric(f, "cache_miss_pct", d->has_cache_miss, d->cache_miss_pct, true);
	json_metric(f, "branch_miss_pct", d->has_branch_miss, d->branch_miss_pct, true);
	fputs(",\"topdown\":", f);
	json_topdown(f, &d->topdown);
	fputc('}', f);
}

int report_counters__emit(struct profile *p, const struct report_opts *o, struct report_out *out)
{
	struct counters c;
	int ret = counters__compute(p, &c);

	if (ret <= 0)
		return ret;
	report_out__section(out, "counters", "Counters per path");
	if (out->format == REPORT_JSON)
		fputs("{\"paths\":[", out->f);
	else if (c.nr_paths)
		fprintf(out->f, "  %-12s %-28s %16s %14s\n", "path", "event", "total", "per op");
	for (int k = 0; k < c.nr_paths; k++) {
		if (out->format == REPORT_JSON) {
			if (k)
				fputc(',', out->f);
			emit_path_json(out->f, &c.paths[k], &c.paths[k].derived);
		} else {
			emit_path_text(out->f, &c.paths[k], &c.paths[k].derived);
		}
	}
	if (out->format == REPORT_JSON)
		fputs("],\"unsupported\":[", out->f);
	for (int u = 0; u < c.nr_unsupported; u++) {
		const char *ev = c.unsupported[u].event, *why = c.unsupported[u].why;

		if (out->format == REPORT_JSON) {
			fprintf(out->f, "%s{\"event\":", u ? "," : "");
			output__json_str(out->f, ev ? ev : "");
			fputs(",\"why\":", out->f);
			output__json_str(out->f, why ? why : "");
			fputc('}', out->f);
		} else {
			fprintf(out->f, "  %s: %s\n", ev ? ev : "?", why ? why : "not counted");
		}
	}
	if (out->format == REPORT_JSON)
		fputs("]}", out->f);
	counters__free(&c);
	return 0;
}
