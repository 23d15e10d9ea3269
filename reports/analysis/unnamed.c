// SPDX-License-Identifier: MIT
/* Modules whose frames are mostly unnamed; see unnamed.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "analysis/frames.h"
#include "analysis/unnamed.h"

/*
 * Per module (file name: a binary has several mappings): the value of
 * samples whose responsible frame -- the innermost outside libraries, the
 * one "hottest" would name -- lies in it, and of those unnamed.
 */
struct module_sum {
	int64_t cost, unnamed;
};

struct walk_ctx {
	struct module_sum *sums;
	int64_t value;
};

static bool count_frame(const struct profile *p, const struct frame_visit *v, void *ctx)
{
	struct walk_ctx *w = ctx;
	const struct pf_location *l = &p->locations[v->loc];
	struct module_sum *m;

	if (!strcmp(v->name, PF_WAKER_SEP))
		return false;
	/* an unnamed frame is never a library's by name: its file decides */
	if (frames__is_library(p, v->loc, v->name))
		return true;
	if (!l->mapping || l->mapping >= p->nr_mappings)
		return false;
	m = &w->sums[p->mappings[l->mapping].filename];
	m->cost += w->value;
	/* profile__frame_name's spelling of an address no symbol covers */
	if (!l->nr_lines || strstr(v->name, "+0x"))
		m->unnamed += w->value;
	return false;
}

/* Anonymous executable memory: JIT code (V8, the JVM, LuaJIT). */
static bool is_jit(const char *file)
{
	return !*file || !strncmp(file, "[anon", 5) || !strncmp(file, "//anon", 6) ||
	       !strncmp(file, "/tmp/perf-", 10) || !strncmp(file, "memfd:", 6);
}

/* The kernel's own pages in a process ([uprobes], [vdso], [vsyscall]): nothing to name. */
static bool is_kernel_page(const char *file)
{
	return file[0] == '[' && strncmp(file, "[anon", 5);
}

static int cmp_cost(const void *a, const void *b)
{
	const struct unnamed_module *x = a, *y = b;

	return x->cost_share < y->cost_share ? 1 : x->cost_share > y->cost_share ? -1 : 0;
}

int unnamed__modules(const struct profile *p, int type_idx, struct unnamed_module *out, int max)
{
	struct module_sum *sums;
	int64_t *per_stack, total = 0;
	char buf[FRAMES_NAME_LEN];
	int n = 0;

	if (type_idx < 0 || (uint32_t)type_idx >= p->nr_types || max <= 0)
		return 0;
	sums = calloc(p->nr_strings + 1, sizeof(*sums));
	per_stack = calloc(p->nr_stacks + 1, sizeof(*per_stack));
	if (!sums || !per_stack) {
		free(sums);
		free(per_stack);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		int64_t v = profile__value(p, i, type_idx);

		if (v > 0 && p->samples[i].stack < p->nr_stacks) {
			per_stack[p->samples[i].stack] += v;
			total += v;
		}
	}
	for (uint32_t s = 0; s < p->nr_stacks; s++) {
		struct walk_ctx w = { sums, per_stack[s] };

		if (per_stack[s] > 0)
			frames__walk(p, s, 0, buf, sizeof(buf), count_frame, &w);
	}
	for (uint32_t id = 1; id < p->nr_strings && total > 0; id++) {
		const struct module_sum *ms = &sums[id];
		struct unnamed_module u;

		if (!ms->cost || ms->cost * 20 < total || ms->unnamed * 2 <= ms->cost)
			continue;
		snprintf(u.file, sizeof(u.file), "%s", profile__str(p, id));
		if (is_kernel_page(u.file))
			continue;
		u.cost_share = (double)ms->cost / total;
		u.unnamed_share = (double)ms->unnamed / ms->cost;
		u.jit = is_jit(u.file);
		if (n < max) {
			out[n++] = u;
			qsort(out, n, sizeof(*out), cmp_cost);
		} else if (u.cost_share > out[max - 1].cost_share) {
			out[max - 1] = u;
			qsort(out, n, sizeof(*out), cmp_cost);
		}
	}
	free(sums);
	free(per_stack);
	return n;
}
