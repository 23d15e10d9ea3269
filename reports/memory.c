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

static void print_json(const struct profile *p, const struct report_opts *o,
		       const struct mem_data *d, FILE *f)
{
	const struct rec_alloc *a = &d->alloc;
	int n = 0;

	fprintf(f, "{\"mode\": ");
	output__json_str(f, d->has_alloc ? memory__str(a->mode) : "unknown");
	fprintf(f, ", \"allocator\": ");
	output__json_str(f, memory__str(a->allocator));
	fprintf(f, ", \"duration_s\": ");
	output__json_num(f, d->dur_s);
	fprintf(f, ",\n  \"overhead\": {\"calls\": %" PRId64 ", \"sample\": %" PRId64
		", \"duty\": ", (int64_t)a->calls, (int64_t)a->sample);
	output__json_num(f, a->duty);
	fprintf(f, ", \"alloc_call_ns\": %" PRId64 ", \"free_call_ns\": %" PRId64
		", \"est_overhead_ns\": %" PRId64 ", \"est_slowdown\": ",
		(int64_t)a->alloc_call_ns, (int64_t)a->free_call_ns, (int64_t)a->est_overhead_ns);
	output__json_num(f, a->est_slowdown);
	fprintf(f, "},\n  \"paths\": [");
	for (int i = 0; i < d->nr_paths; i++) {
		const struct mem_row *r = &d->paths[i];

		if (memory__row_empty(r))
			continue;
		fprintf(f, "%s\n    {\"name\": ", n++ ? "," : "");
		output__json_str(f, r->name);
		fprintf(f, ", \"alloc_bytes\": %" PRId64 ", \"alloc_objects\": %" PRId64
			", \"inuse_bytes\": %" PRId64 ", \"inuse_objects\": %" PRId64
			", \"fault_pages\": %" PRId64 ", \"bytes_per_s\": ", r->v[MEM_ALLOC_B],
			r->v[MEM_ALLOC_O], r->v[MEM_INUSE_B], r->v[MEM_INUSE_O], r->v[MEM_FAULT]);
		output__json_num(f, d->dur_s > 0 ? r->v[MEM_ALLOC_B] / d->dur_s : 0);
		fprintf(f, ", \"ops\": %" PRId64 ", \"bytes_per_op\": ", r->ops);
		if (r->ops)
			output__json_num(f, (double)r->v[MEM_ALLOC_B] / r->ops);
		else
			fputs("null", f);
		fputc('}', f);
	}
	fprintf(f, "],\n  \"growth\": [");
	for (int i = 0; i < d->nr_growth; i++) {
		const struct mem_growth *g = &d->growth[i];
		double dt = (g->last_t - g->first_t) / 1e9;

		fprintf(f, "%s\n    {\"pid\": %" PRId64 ", \"rss_first_bytes\": %" PRId64
			", \"rss_last_bytes\": %" PRId64 ", \"points\": %" PRId64
			", \"rss_bytes_per_s\": ", i ? "," : "", g->pid, g->first_rss, g->last_rss,
			g->points);
		output__json_num(f, dt > 0 ? (g->last_rss - g->first_rss) / dt : 0);
		fputc('}', f);
	}
	fprintf(f, "],\n  \"leaks\": [");
	for (int i = 0; i < d->nr_leaks; i++) {
		const struct mem_leak *l = &d->leaks[i];

		fprintf(f, "%s\n    {\"id\": %" PRId64 ", \"function\": ", i ? "," : "",
			(int64_t)l->r.id);
		output__json_str(f, l->func[0] ? l->func : "[unknown]");
		fprintf(f, ", \"frames\": ");
		output__json_str(f, l->frames);
		fprintf(f, ", \"path\": ");
		output__json_str(f, memory__str(l->r.path));
		fprintf(f, ", \"pid\": %" PRId64 ", \"tid\": %" PRId64 ", \"inuse_bytes\": %" PRId64
			", \"growth_bytes\": %" PRId64 ", \"points\": %" PRId64 ", \"slope_bps\": ",
			(int64_t)l->r.pid, (int64_t)l->r.tid, l->r.inuse_bytes, l->r.growth_bytes,
			(int64_t)l->r.points);
		output__json_num(f, l->r.slope_bps);
		fprintf(f, ", \"r2\": ");
		output__json_num(f, l->r.r2);
		fprintf(f, ", \"confidence\": ");
		output__json_num(f, l->r.confidence);
		fprintf(f, ", \"level\": ");
		output__json_str(f, memory__str(l->r.level));
		fputc('}', f);
	}
	fprintf(f, "],\n  \"functions\": [");
	for (int i = 0; i < d->nr_funcs && i < o->top_n; i++) {
		const struct mem_row *r = &d->funcs[i];

		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		output__json_str(f, r->name);
		fprintf(f, ", \"alloc_bytes\": %" PRId64 ", \"alloc_objects\": %" PRId64
			", \"inuse_bytes\": %" PRId64 ", \"inuse_objects\": %" PRId64
			", \"fault_pages\": %" PRId64 "}", r->v[MEM_ALLOC_B], r->v[MEM_ALLOC_O],
			r->v[MEM_INUSE_B], r->v[MEM_INUSE_O], r->v[MEM_FAULT]);
	}
	fprintf(f, "]}");
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

int report_memory__emit(struct profile *p, const struct report_opts *o, struct report_out *out)
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
