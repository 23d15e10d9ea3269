// SPDX-License-Identifier: MIT
/* Counters per path from `counter` records (counters.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/records.h"
#include "analysis/counters.h"

static struct path_counters *path_of(struct path_counters *pc, int *n, int max, const char *path)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(pc[i].path, path))
			return &pc[i];
	if (*n == max)
		return NULL;
	memset(&pc[*n], 0, sizeof(pc[*n]));
	pc[*n].path = path;
	return &pc[(*n)++];
}

/* One "ok" reading into its path's row. */
static void add_reading(struct counters *c, const struct rec_counter *r)
{
	struct path_counters *pc;
	int e;

	if (!r->path || !r->event ||
	    !(pc = path_of(c->paths, &c->nr_paths, COUNTERS_MAX_PATHS, r->path)))
		return;
	for (e = 0; e < pc->nr && strcmp(pc->event[e], r->event); e++)
		;
	if (e == pc->nr) {
		if (pc->nr == COUNTERS_MAX_READINGS)
			return;
		pc->event[e] = r->event;
		pc->base[e] = r->base ? r->base : r->event;
		pc->nr++;
	}
	pc->value[e] += r->value;
	pc->enabled[e] += r->enabled_ns;
	pc->running[e] += r->running_ns;
}

/* Operations per path: the span collector's histograms. */
static int add_ops(const struct profile *p, struct counters *c)
{
	struct rec_hist_sum *h = malloc(sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (int k = 0; k < c->nr_paths; k++) {
		if (!records__hist_sum(p, c->paths[k].path, h) && h->nr) {
			c->paths[k].ops = h->count;
			c->paths[k].has_ops = true;
		}
	}
	free(h);
	return 0;
}

int counters__compute(const struct profile *p, struct counters *c)
{
	struct rec_counter r;
	uint32_t pos;
	int unsupported = 0;

	memset(c, 0, sizeof(*c));
	for (pos = 0; records__next_counter(p, &pos, &r);)
		if (r.status && strcmp(r.status, "ok"))
			unsupported++;
	c->paths = calloc(COUNTERS_MAX_PATHS, sizeof(*c->paths));
	c->unsupported = calloc(unsupported + 1, sizeof(*c->unsupported));
	if (!c->paths || !c->unsupported) {
		counters__free(c);
		return -ENOMEM;
	}
	for (pos = 0; records__next_counter(p, &pos, &r);) {
		if (!r.status || !strcmp(r.status, "ok"))
			add_reading(c, &r);
		else
			c->unsupported[c->nr_unsupported++] =
				(struct counter_unsupported){ r.event, r.why };
	}
	if (!c->nr_paths && !c->nr_unsupported) {
		counters__free(c);
		return 0;
	}
	if (add_ops(p, c)) {
		counters__free(c);
		return -ENOMEM;
	}
	for (int k = 0; k < c->nr_paths; k++) {
		struct path_counters *pc = &c->paths[k];
		struct pmu_reading rd[COUNTERS_MAX_READINGS];

		for (int e = 0; e < pc->nr; e++)
			rd[e] = (struct pmu_reading){ pc->base[e], pc->value[e], true };
		pmu_metrics__derive(rd, pc->nr, 0, &pc->derived);
	}
	return 1;
}

void counters__free(struct counters *c)
{
	free(c->paths);
	free(c->unsupported);
	memset(c, 0, sizeof(*c));
}
