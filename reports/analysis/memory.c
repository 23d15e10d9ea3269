// SPDX-License-Identifier: MIT
/* The memory analysis (memory.h): alloc samples and records into sorted rows. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/profile.h"
#include "core/records.h"
#include "analysis/frames.h"
#include "analysis/memory.h"

static void add_vals(const struct profile *p, const struct mem_data *d, uint32_t s, int64_t *v)
{
	for (int c = 0; c < MEM_NR_COLS; c++) {
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
	if (d->nr_paths == MEM_MAX_PATHS)
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
	if (ARRAY_ROOM(d->funcs, d->nr_funcs, d->cap_funcs, 64))
		return NULL;
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
static int collect(const struct profile *p, struct mem_data *d)
{
	static const char *const types[MEM_NR_COLS] = {
		"alloc/bytes", "alloc/objects", "inuse/bytes", "inuse/objects", "fault/pages",
	};
	struct rec_memgrowth mg;
	struct rec_meta meta;
	struct rec_hist *h;
	uint32_t pos;
	int err;

	for (int c = 0; c < MEM_NR_COLS; c++)
		d->col[c] = profile__type_index(p, types[c]);
	d->dur_s = p->duration_nanos / 1e9;
	/* the last alloc record; the first meta with a duration; the first leaks */
	for (pos = 0; records__next_alloc(p, &pos, &d->alloc);)
		d->has_alloc = true;
	for (pos = 0; d->dur_s <= 0 && records__next_meta(p, &pos, &meta);)
		d->dur_s = meta.duration_s;
	for (pos = 0; d->nr_leaks < MEM_MAX_LEAKS && records__next_leak(p, &pos, &d->leaks[d->nr_leaks].r);)
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
	if (!d->has_alloc && d->col[MEM_ALLOC_B] < 0 && d->col[MEM_FAULT] < 0)
		return 0;	/* not a memory recording */

	for (uint32_t s = 0; s < p->nr_samples; s++) {
		const char *path = profile__label_str(p, p->samples[s].labelset, "path");
		struct mem_row *r, v = {};
		int64_t id;

		add_vals(p, d, s, v.v);
		if (memory__row_empty(&v))
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
				frames__describe(p, p->samples[s].stack, FRAMES_DESCRIBE_MEMORY,
						 d->leaks[k].func, sizeof(d->leaks[k].func),
						 d->leaks[k].frames, sizeof(d->leaks[k].frames));
		}
	}
	/* operations per path: the span collector's histograms */
	h = malloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (pos = 0; records__next_hist(p, &pos, h);) {
		struct mem_row *row = path_row(d, memory__str(h->path));

		if (row)
			row->ops += h->count;
	}
	free(h);
	return 1;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct mem_row *x = a, *y = b;

	if (x->v[MEM_ALLOC_B] != y->v[MEM_ALLOC_B])
		return x->v[MEM_ALLOC_B] < y->v[MEM_ALLOC_B] ? 1 : -1;
	if (x->v[MEM_FAULT] != y->v[MEM_FAULT])
		return x->v[MEM_FAULT] < y->v[MEM_FAULT] ? 1 : -1;
	return strcmp(x->name, y->name);
}

int memory__compute(const struct profile *p, struct mem_data *d)
{
	int ret = collect(p, d);

	if (ret <= 0)
		return ret;
	qsort(d->paths, d->nr_paths, sizeof(d->paths[0]), cmp_rows);
	if (d->nr_funcs)
		qsort(d->funcs, d->nr_funcs, sizeof(d->funcs[0]), cmp_rows);
	return 1;
}

void memory__free(struct mem_data *d)
{
	free(d->funcs);
	d->funcs = NULL;
	d->nr_funcs = d->cap_funcs = 0;
}
