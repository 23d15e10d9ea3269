// SPDX-License-Identifier: MIT
/*
 * `peerscope report`, memory section: see memory.h.  Everything is
 * computed first (analysis/memory.c), then printed in the chosen format.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/memory.h"
#include "reports/output.h"
#include "core/profile.h"
#include "reports/report.h"

/* The five columns of a row: bytes and objects allocated and in use, fault pages. */
static void json_columns(struct json_writer *w, const struct mem_row *r)
{
	static const char *const keys[MEM_NR_COLS] = {
		[MEM_ALLOC_B] = "alloc_bytes", [MEM_ALLOC_O] = "alloc_objects",
		[MEM_INUSE_B] = "inuse_bytes", [MEM_INUSE_O] = "inuse_objects",
		[MEM_FAULT] = "fault_pages",
	};

	for (int c = 0; c < MEM_NR_COLS; c++) {
		json__key(w, keys[c]);
		json__int(w, r->v[c]);
	}
}

static const struct json_field overhead_fields[] = {
	JSON_FIELD(struct rec_alloc, calls, "calls"),
	JSON_FIELD(struct rec_alloc, sample, "sample"),
	JSON_FIELD(struct rec_alloc, duty, "duty"),
	JSON_FIELD(struct rec_alloc, alloc_call_ns, "alloc_call_ns"),
	JSON_FIELD(struct rec_alloc, free_call_ns, "free_call_ns"),
	JSON_FIELD(struct rec_alloc, est_overhead_ns, "est_overhead_ns"),
	JSON_FIELD(struct rec_alloc, est_slowdown, "est_slowdown"),
};

static void json_overhead(struct json_writer *w, const struct rec_alloc *a)
{
	json__break(w, 2);
	json__key(w, "overhead");
	json__begin(w, '{');
	json__fields(w, overhead_fields, JSON_NR_FIELDS(overhead_fields), a);
	json__end(w, '}');
}

static void json_paths(struct json_writer *w, const struct mem_data *d)
{
	json__break(w, 2);
	json__key(w, "paths");
	json__begin(w, '[');
	for (int i = 0; i < d->nr_paths; i++) {
		const struct mem_row *r = &d->paths[i];

		if (memory__row_empty(r))
			continue;
		json__break(w, 4);
		json__begin(w, '{');
		json__key(w, "name"); json__str(w, r->name);
		json_columns(w, r);
		json__key(w, "bytes_per_s");
		json__num(w, d->dur_s > 0 ? r->v[MEM_ALLOC_B] / d->dur_s : 0);
		json__key(w, "ops"); json__int(w, r->ops);
		json__key(w, "bytes_per_op");
		if (r->ops)
			json__num(w, (double)r->v[MEM_ALLOC_B] / r->ops);
		else
			json__null(w);
		json__end(w, '}');
	}
	json__end(w, ']');
}

static const struct json_field growth_fields[] = {
	JSON_FIELD(struct mem_growth, pid, "pid"),
	JSON_FIELD(struct mem_growth, first_rss, "rss_first_bytes"),
	JSON_FIELD(struct mem_growth, last_rss, "rss_last_bytes"),
	JSON_FIELD(struct mem_growth, points, "points"),
};

static void json_growth(struct json_writer *w, const struct mem_data *d)
{
	json__break(w, 2);
	json__key(w, "growth");
	json__begin(w, '[');
	for (int i = 0; i < d->nr_growth; i++) {
		const struct mem_growth *g = &d->growth[i];
		double dt = (g->last_t - g->first_t) / 1e9;

		json__break(w, 4);
		json__begin(w, '{');
		json__fields(w, growth_fields, JSON_NR_FIELDS(growth_fields), g);
		json__key(w, "rss_bytes_per_s");
		json__num(w, dt > 0 ? (g->last_rss - g->first_rss) / dt : 0);
		json__end(w, '}');
	}
	json__end(w, ']');
}

static void json_leaks(struct json_writer *w, const struct mem_data *d)
{
	json__break(w, 2);
	json__key(w, "leaks");
	json__begin(w, '[');
	for (int i = 0; i < d->nr_leaks; i++) {
		const struct mem_leak *l = &d->leaks[i];

		json__break(w, 4);
		json__begin(w, '{');
		json__key(w, "id"); json__int(w, l->r.id);
		json__key(w, "function"); json__str(w, l->func[0] ? l->func : "[unknown]");
		json__key(w, "frames"); json__str(w, l->frames);
		json__key(w, "path"); json__str(w, memory__str(l->r.path));
		json__key(w, "pid"); json__int(w, l->r.pid);
		json__key(w, "tid"); json__int(w, l->r.tid);
		json__key(w, "inuse_bytes"); json__int(w, l->r.inuse_bytes);
		json__key(w, "growth_bytes"); json__int(w, l->r.growth_bytes);
		json__key(w, "points"); json__int(w, l->r.points);
		json__key(w, "slope_bps"); json__num(w, l->r.slope_bps);
		json__key(w, "r2"); json__num(w, l->r.r2);
		json__key(w, "confidence"); json__num(w, l->r.confidence);
		json__key(w, "level"); json__str(w, memory__str(l->r.level));
		json__end(w, '}');
	}
	json__end(w, ']');
}

static void print_json(const struct profile *p, const struct report_opts *o,
		       const struct mem_data *d, FILE *f)
{
	const struct rec_alloc *a = &d->alloc;
	struct json_writer w;

	json__init(&w, f, JSON_SPACED);
	json__begin(&w, '{');
	json__key(&w, "mode"); json__str(&w, d->has_alloc ? memory__str(a->mode) : "unknown");
	json__key(&w, "allocator"); json__str(&w, memory__str(a->allocator));
	json__key(&w, "duration_s"); json__num(&w, d->dur_s);
	json_overhead(&w, a);
	json_paths(&w, d);
	json_growth(&w, d);
	json_leaks(&w, d);
	json__break(&w, 2);
	json__key(&w, "functions");
	json__begin(&w, '[');
	for (int i = 0; i < d->nr_funcs && i < o->top_n; i++) {
		json__break(&w, 4);
		json__begin(&w, '{');
		json__key(&w, "name"); json__str(&w, d->funcs[i].name);
		json_columns(&w, &d->funcs[i]);
		json__end(&w, '}');
	}
	json__end(&w, ']');
	json__end(&w, '}');
}

static void print_text(const struct profile *p, const struct report_opts *o,
		       const struct mem_data *d, FILE *f, bool md)
{
	const struct rec_alloc *a = &d->alloc;
	char b[6][OUTPUT_NUM_LEN];
	const char *sep = md ? " | " : "  ";

	if (d->has_alloc)
		fprintf(f, "%sMode %s%s%s; %s allocator calls traced, estimated cost %s "
			"(%s of one CPU over the recording)%s\n\n", md ? "" : "",
			memory__str(a->mode), *memory__str(a->allocator) ? ", allocator " : "", memory__str(a->allocator),
			output__fmt_count((int64_t)a->calls, b[0], sizeof(b[0])),
			output__fmt_ns((int64_t)a->est_overhead_ns, b[1], sizeof(b[1])),
			output__fmt_pct(a->est_slowdown, b[2], sizeof(b[2])),
			(int64_t)a->sample > 1 || a->duty < 1 ?
			" — sampled: values are estimates" : "");
	if (md)
		fprintf(f, "| path | allocated | per second | per op | in use | faults |\n"
			"|---|---:|---:|---:|---:|---:|\n");
	else
		fprintf(f, "%-12s %12s %12s %10s %12s %10s\n", "path", "allocated", "per second",
			"per op", "in use", "faults");
	for (int i = 0; i < d->nr_paths; i++) {
		const struct mem_row *r = &d->paths[i];

		if (memory__row_empty(r))
			continue;
		output__fmt_bytes(r->v[MEM_ALLOC_B], b[0], sizeof(b[0]));
		output__fmt_bytes(d->dur_s > 0 ? r->v[MEM_ALLOC_B] / d->dur_s : 0, b[1], sizeof(b[1]));
		if (r->ops)
			output__fmt_bytes((double)r->v[MEM_ALLOC_B] / r->ops, b[2], sizeof(b[2]));
		else
			snprintf(b[2], sizeof(b[2]), "-");
		output__fmt_bytes(r->v[MEM_INUSE_B], b[3], sizeof(b[3]));
		output__fmt_count(r->v[MEM_FAULT], b[4], sizeof(b[4]));
		if (md)
			fprintf(f, "| %s | %s | %s/s | %s | %s | %s |\n", r->name, b[0], b[1], b[2],
				b[3], b[4]);
		else
			fprintf(f, "%-12s %12s %10s/s %10s %12s %10s\n", r->name, b[0], b[1], b[2],
				b[3], b[4]);
	}
	for (int i = 0; i < d->nr_growth; i++) {
		const struct mem_growth *g = &d->growth[i];
		double dt = (g->last_t - g->first_t) / 1e9;

		fprintf(f, "\n%sRSS of pid %" PRId64 ": %s -> %s (%s/s over %.1f s)\n",
			md ? "" : "", g->pid,
			output__fmt_bytes(g->first_rss, b[0], sizeof(b[0])),
			output__fmt_bytes(g->last_rss, b[1], sizeof(b[1])),
			output__fmt_bytes(dt > 0 ? (g->last_rss - g->first_rss) / dt : 0, b[2],
					  sizeof(b[2])), dt);
	}
	fprintf(f, "\n%s\n", d->nr_leaks ? "Suspected leaks (in-use bytes growing steadily):"
					 : "No suspected leaks.");
	for (int i = 0; i < d->nr_leaks; i++) {
		const struct mem_leak *l = &d->leaks[i];

		fprintf(f, "%s%s: %s in use, +%s/s, R^2 %.2f over %" PRId64
			" snapshots: %s confidence (%.2f)%s%s\n", md ? "- " : "  ",
			l->func[0] ? l->func : "[unknown]",
			output__fmt_bytes(l->r.inuse_bytes, b[0], sizeof(b[0])),
			output__fmt_bytes(l->r.slope_bps, b[1], sizeof(b[1])),
			l->r.r2, (int64_t)l->r.points, memory__str(l->r.level), l->r.confidence,
			l->frames[0] ? (md ? ": " : "\n      ") : "", l->frames);
	}
	fprintf(f, "\nTop functions by bytes allocated (inclusive):\n");
	if (md)
		fprintf(f, "\n| function | allocated | objects | in use | faults |\n"
			"|---|---:|---:|---:|---:|\n");
	for (int i = 0; i < d->nr_funcs && i < o->top_n; i++) {
		const struct mem_row *r = &d->funcs[i];

		output__fmt_bytes(r->v[MEM_ALLOC_B], b[0], sizeof(b[0]));
		output__fmt_count(r->v[MEM_ALLOC_O], b[1], sizeof(b[1]));
		output__fmt_bytes(r->v[MEM_INUSE_B], b[2], sizeof(b[2]));
		output__fmt_count(r->v[MEM_FAULT], b[3], sizeof(b[3]));
		if (md) {
			fputs("| ", f);
			report_out__md_cell(f, r->name, true);
			fprintf(f, "%s%s%s%s%s%s%s%s |\n", sep, b[0], sep, b[1], sep, b[2], sep, b[3]);
		} else {
			fprintf(f, "  %12s %10s %12s %8s  %.*s\n", b[0], b[1], b[2], b[3],
				o->width > 50 ? o->width - 50 : 40, r->name);
		}
	}
}

int report_memory__emit(const struct profile *p, const struct report_opts *o,
			struct report_out *out)
{
	struct mem_data *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	err = memory__compute(p, d);
	if (err <= 0)
		goto free_data;
	report_out__section(out, "memory", "Memory");
	if (out->format == REPORT_JSON)
		print_json(p, o, d, out->f);
	else
		print_text(p, o, d, out->f, out->format == REPORT_MD);
	err = 0;
free_data:
	memory__free(d);
	free(d);
	return err;
}
