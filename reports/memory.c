// SPDX-License-Identifier: MIT
/*
 * `peerscope report`, memory section: see memory.h.  Everything is
 * computed first, then printed in the chosen format.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/memory.h"
#include "reports/output.h"
#include "core/profile.h"
#include "core/records.h"
#include "reports/report.h"
#include "analysis/frames.h"

#define MAX_PATHS	32
#define MAX_LEAKS	16
#define FRAMES_LEN	256

enum { C_ALLOC_B, C_ALLOC_O, C_INUSE_B, C_INUSE_O, C_FAULT, NR_COLS };

struct mem_row {
	char name[128];
	int64_t v[NR_COLS];
	int64_t ops;		/* span operations (path rows) */
};

struct mem_leak {
	struct rec_leak r;
	char func[128];
	char frames[FRAMES_LEN];
};

struct mem_growth {
	int64_t pid, first_t, last_t, first_rss, last_rss, points;
};

struct mem_data {
	int col[NR_COLS];
	double dur_s;
	struct rec_alloc alloc;
	bool has_alloc;
	struct mem_row paths[MAX_PATHS];
	int nr_paths;
	struct mem_row *funcs;
	int nr_funcs, cap_funcs;
	struct mem_leak leaks[MAX_LEAKS];
	int nr_leaks;
	struct mem_growth growth[16];
	int nr_growth;
};

/* A record's string, "" when absent. */
static const char *str(const char *v)
{
	return v ? v : "";
}

/* The column of type/unit, or -1. */
static int column(const struct profile *p, const char *type, const char *unit)
{
	for (uint32_t i = 0; i < p->nr_types; i++) {
		if (!strcmp(profile__str(p, p->types[i].type), type) &&
		    !strcmp(profile__str(p, p->types[i].unit), unit))
			return i;
	}
	return -1;
}

static void add_vals(const struct profile *p, const struct mem_data *d, uint32_t s, int64_t *v)
{
	for (int c = 0; c < NR_COLS; c++) {
		if (d->col[c] >= 0)
			v[c] += profile__value(p, s, d->col[c]);
	}
}

static struct mem_row *path_row(struct mem_data *d, const char *name)
{
	for (int i = 0; i < d->nr_paths; i++) {
		if (!strcmp(d->paths[i].name, name))
			return &d->paths[i];
	}
	if (d->nr_paths == MAX_PATHS)
		return NULL;
	snprintf(d->paths[d->nr_paths].name, sizeof(d->paths[0].name), "%s", name);
	return &d->paths[d->nr_paths++];
}

static struct mem_row *func_row(struct mem_data *d, const char *name)
{
	for (int i = 0; i < d->nr_funcs; i++) {
		if (!strcmp(d->funcs[i].name, name))
			return &d->funcs[i];
	}
	if (d->nr_funcs == d->cap_funcs) {
		int cap = d->cap_funcs ? d->cap_funcs * 2 : 64;
		struct mem_row *v = realloc(d->funcs, cap * sizeof(*v));

		if (!v)
			return NULL;
		d->funcs = v;
		d->cap_funcs = cap;
	}
	memset(&d->funcs[d->nr_funcs], 0, sizeof(d->funcs[0]));
	snprintf(d->funcs[d->nr_funcs].name, sizeof(d->funcs[0].name), "%s", name);
	return &d->funcs[d->nr_funcs++];
}

/* Each function of the sample's stack gets the sample once (inclusive). */
static int add_funcs(const struct profile *p, struct mem_data *d, uint32_t s)
{
	const struct pf_stack *st = &p->stacks[p->samples[s].stack];
	char seen[64][128];
	int nr_seen = 0;

	for (uint32_t i = 0; i < st->nr; i++) {
		for (uint32_t l = 0; l < profile__frame_count(p, st->locs[i]); l++) {
			char name[128];
			struct mem_row *r;
			bool dup = false;

			profile__frame_name(p, st->locs[i], l, name, sizeof(name));
			for (int k = 0; k < nr_seen && !dup; k++)
				dup = !strcmp(seen[k], name);
			if (dup)
				continue;
			if (nr_seen < 64)
				snprintf(seen[nr_seen++], sizeof(seen[0]), "%s", name);
			r = func_row(d, name);
			if (!r)
				return -ENOMEM;
			add_vals(p, d, s, r->v);
		}
	}
	return 0;
}

/* "leaf < caller < ..." of the first frames outside the allocator. */
static void describe_stack(const struct profile *p, uint32_t stack, char *func, size_t flen,
			   char *frames, size_t len)
{
	const struct pf_stack *st = &p->stacks[stack];
	size_t off = 0;
	int n = 0;

	snprintf(func, flen, "[unknown]");
	frames[0] = '\0';
	for (uint32_t i = 0; i < st->nr && n < 4; i++) {
		char name[128];

		profile__frame_name(p, st->locs[i], 0, name, sizeof(name));
		/* the allocator's own frame: the caller is what matters */
		if (!n && i + 1 < st->nr && frames__is_library(p, st->locs[i], name))
			continue;
		if (!n)
			snprintf(func, flen, "%s", name);
		if (off < len)
			off += snprintf(frames + off, len - off, "%s%s", n ? " < " : "", name);
		n++;
	}
}

static bool row_empty(const struct mem_row *r)
{
	for (int c = 0; c < NR_COLS; c++)
		if (r->v[c])
			return false;
	return true;
}

static int collect(struct profile *p, const struct report_opts *o, struct mem_data *d)
{
	static const char *const types[NR_COLS][2] = {
		{ "alloc", "bytes" }, { "alloc", "objects" }, { "inuse", "bytes" },
		{ "inuse", "objects" }, { "fault", "pages" },
	};
	struct rec_memgrowth mg;
	struct rec_meta meta;
	struct rec_hist *h;
	uint32_t pos;
	int err;

	for (int c = 0; c < NR_COLS; c++)
		d->col[c] = column(p, types[c][0], types[c][1]);
	d->dur_s = p->duration_nanos / 1e9;
	/* the last alloc record; the first meta with a duration; the first leaks */
	for (pos = 0; records__next_alloc(p, &pos, &d->alloc);)
		d->has_alloc = true;
	for (pos = 0; d->dur_s <= 0 && records__next_meta(p, &pos, &meta);)
		d->dur_s = meta.duration_s;
	for (pos = 0; d->nr_leaks < MAX_LEAKS && records__next_leak(p, &pos, &d->leaks[d->nr_leaks].r);)
		d->nr_leaks++;
	for (pos = 0; records__next_memgrowth(p, &pos, &mg);) {
		int64_t pid = mg.pid;
		struct mem_growth *g = NULL;

		for (int k = 0; k < d->nr_growth; k++)
			if (d->growth[k].pid == pid)
				g = &d->growth[k];
		if (!g && d->nr_growth < 16) {
			g = &d->growth[d->nr_growth++];
			g->pid = pid;
			g->first_t = mg.t_ns;
			g->first_rss = mg.rss_bytes;
		}
		if (g) {
			g->last_t = mg.t_ns;
			g->last_rss = mg.rss_bytes;
			g->points++;
		}
	}
	if (!d->has_alloc && d->col[C_ALLOC_B] < 0 && d->col[C_FAULT] < 0)
		return 0;	/* not a memory recording */

	for (uint32_t s = 0; s < p->nr_samples; s++) {
		const char *path = profile__label_str(p, p->samples[s].labelset, "path");
		struct mem_row *r, v = {};
		int64_t id;

		add_vals(p, d, s, v.v);
		if (row_empty(&v))
			continue;	/* another collector's sample */
		r = path_row(d, path && *path ? path : "other");
		if (r)
			add_vals(p, d, s, r->v);
		err = add_funcs(p, d, s);
		if (err)
			return err;
		if (!profile__label_num(p, p->samples[s].labelset, "leak", &id))
			continue;
		for (int k = 0; k < d->nr_leaks; k++) {
			if ((int64_t)d->leaks[k].r.id == id)
				describe_stack(p, p->samples[s].stack, d->leaks[k].func,
					       sizeof(d->leaks[k].func), d->leaks[k].frames,
					       sizeof(d->leaks[k].frames));
		}
	}
	/* operations per path: the span collector's histograms */
	h = malloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (pos = 0; records__next_hist(p, &pos, h);) {
		struct mem_row *row = path_row(d, str(h->path));

		if (row)
			row->ops += h->count;
	}
	free(h);
	return 1;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct mem_row *x = a, *y = b;

	if (x->v[C_ALLOC_B] != y->v[C_ALLOC_B])
		return x->v[C_ALLOC_B] < y->v[C_ALLOC_B] ? 1 : -1;
	if (x->v[C_FAULT] != y->v[C_FAULT])
		return x->v[C_FAULT] < y->v[C_FAULT] ? 1 : -1;
	return strcmp(x->name, y->name);
}


static void print_json(const struct profile *p, const struct report_opts *o,
		       const struct mem_data *d, FILE *f)
{
	const struct rec_alloc *a = &d->alloc;
	int n = 0;

	fprintf(f, "{\"mode\": ");
	output__json_str(f, d->has_alloc ? str(a->mode) : "unknown");
	fprintf(f, ", \"allocator\": ");
	output__json_str(f, str(a->allocator));
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

		if (row_empty(r))
			continue;
		fprintf(f, "%s\n    {\"name\": ", n++ ? "," : "");
		output__json_str(f, r->name);
		fprintf(f, ", \"alloc_bytes\": %" PRId64 ", \"alloc_objects\": %" PRId64
			", \"inuse_bytes\": %" PRId64 ", \"inuse_objects\": %" PRId64
			", \"fault_pages\": %" PRId64 ", \"bytes_per_s\": ", r->v[C_ALLOC_B],
			r->v[C_ALLOC_O], r->v[C_INUSE_B], r->v[C_INUSE_O], r->v[C_FAULT]);
		output__json_num(f, d->dur_s > 0 ? r->v[C_ALLOC_B] / d->dur_s : 0);
		fprintf(f, ", \"ops\": %" PRId64 ", \"bytes_per_op\": ", r->ops);
		if (r->ops)
			output__json_num(f, (double)r->v[C_ALLOC_B] / r->ops);
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
		output__json_str(f, str(l->r.path));
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
		output__json_str(f, str(l->r.level));
		fputc('}', f);
	}
	fprintf(f, "],\n  \"functions\": [");
	for (int i = 0; i < d->nr_funcs && i < o->top_n; i++) {
		const struct mem_row *r = &d->funcs[i];

		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		output__json_str(f, r->name);
		fprintf(f, ", \"alloc_bytes\": %" PRId64 ", \"alloc_objects\": %" PRId64
			", \"inuse_bytes\": %" PRId64 ", \"inuse_objects\": %" PRId64
			", \"fault_pages\": %" PRId64 "}", r->v[C_ALLOC_B], r->v[C_ALLOC_O],
			r->v[C_INUSE_B], r->v[C_INUSE_O], r->v[C_FAULT]);
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
			str(a->mode), *str(a->allocator) ? ", allocator " : "", str(a->allocator),
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

		if (row_empty(r))
			continue;
		output__fmt_bytes(r->v[C_ALLOC_B], b[0], sizeof(b[0]));
		output__fmt_bytes(d->dur_s > 0 ? r->v[C_ALLOC_B] / d->dur_s : 0, b[1], sizeof(b[1]));
		if (r->ops)
			output__fmt_bytes((double)r->v[C_ALLOC_B] / r->ops, b[2], sizeof(b[2]));
		else
			snprintf(b[2], sizeof(b[2]), "-");
		output__fmt_bytes(r->v[C_INUSE_B], b[3], sizeof(b[3]));
		output__fmt_count(r->v[C_FAULT], b[4], sizeof(b[4]));
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
			l->r.r2, (int64_t)l->r.points, str(l->r.level), l->r.confidence,
			l->frames[0] ? (md ? ": " : "\n      ") : "", l->frames);
	}
	fprintf(f, "\nTop functions by bytes allocated (inclusive):\n");
	if (md)
		fprintf(f, "\n| function | allocated | objects | in use | faults |\n"
			"|---|---:|---:|---:|---:|\n");
	for (int i = 0; i < d->nr_funcs && i < o->top_n; i++) {
		const struct mem_row *r = &d->funcs[i];

		output__fmt_bytes(r->v[C_ALLOC_B], b[0], sizeof(b[0]));
		output__fmt_count(r->v[C_ALLOC_O], b[1], sizeof(b[1]));
		output__fmt_bytes(r->v[C_INUSE_B], b[2], sizeof(b[2]));
		output__fmt_count(r->v[C_FAULT], b[3], sizeof(b[3]));
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
	err = collect(p, o, d);
	if (err <= 0)
		goto free_data;
	qsort(d->paths, d->nr_paths, sizeof(d->paths[0]), cmp_rows);
	if (d->nr_funcs)
		qsort(d->funcs, d->nr_funcs, sizeof(d->funcs[0]), cmp_rows);
	report_out__section(out, "memory", "Memory");
	if (out->format == REPORT_JSON)
		print_json(p, o, d, out->f);
	else
		print_text(p, o, d, out->f, out->format == REPORT_MD);
	err = 0;
free_data:
	free(d->funcs);
	free(d);
	return err;
}
