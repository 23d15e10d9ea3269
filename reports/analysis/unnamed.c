// SPDX-License-Identifier: MIT
/* Modules whose frames are mostly unnamed; see unnamed.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "analysis/frames.h"
#include "analysis/unnamed.h"

/* Per mapping: the value of samples with a frame in it, and of its frames named or not. */
struct module_sum {
	int64_t cost, frames, unnamed;
	uint32_t seen;		/* the last stack counted in cost (stack id + 1) */
};

struct walk_ctx {
	struct module_sum *sums;
	uint32_t stack;
	int64_t value;
};

static bool count_frame(const struct profile *p, const struct frame_visit *v, void *ctx)
{
	struct walk_ctx *w = ctx;
	const struct pf_location *l = &p->locations[v->loc];
	struct module_sum *m;

	if (!strcmp(v->name, PF_WAKER_SEP))
		return false;
	if (!l->mapping || l->mapping >= p->nr_mappings)
		return true;
	m = &w->sums[l->mapping];
	if (m->seen != w->stack + 1) {
		m->seen = w->stack + 1;
		m->cost += w->value;
	}
	m->frames += w->value;
	if (!l->nr_lines)
		m->unnamed += w->value;
	return true;
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
	sums = calloc(p->nr_mappings + 1, sizeof(*sums));
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
		struct walk_ctx w = { sums, s, per_stack[s] };

		if (per_stack[s] > 0)
			frames__walk(p, s, 0, buf, sizeof(buf), count_frame, &w);
	}
	for (uint32_t m = 1; m < p->nr_mappings && total > 0; m++) {
		const struct module_sum *ms = &sums[m];
		struct unnamed_module u;

		if (ms->cost * 20 < total || ms->unnamed * 2 <= ms->frames)
			continue;
		snprintf(u.file, sizeof(u.file), "%s", profile__str(p, p->mappings[m].filename));
		if (is_kernel_page(u.file))
			continue;
		u.cost_share = (double)ms->cost / total;
		u.unnamed_share = (double)ms->unnamed / ms->frames;
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
