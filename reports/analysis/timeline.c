// SPDX-License-Identifier: MIT
/*
 * "Where the time goes" per thread (analysis/timeline.h).  Every sample is
 * put on its thread (tid label, else thread name) and into one part: cpu
 * time (cpu column, or samples x period), runq column, or the offcpu column
 * under its reason label.  Waker-edge samples (a `waker` label, stack
 * "blocked - waker") are part of the blocked time like any other offcpu
 * sample; their stacks are shown up to the "-".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/names.h"
#include "core/profile.h"
#include "core/rules.h"
#include "analysis/attribute.h"
#include "analysis/contrib.h"
#include "analysis/frames.h"
#include "analysis/timeline.h"

/* One (thread, part, stack) sum into the thread's top stacks of that part. */
static void take_top(void *ctx, const struct contrib *sum)
{
	struct timeline *t = ctx;
	struct tl_top *top = t->threads[sum->group].top[sum->part];
	uint32_t stack = sum->key;
	int64_t ns = sum->value;
	int i;

	for (i = TIMELINE_TOP; i > 0 && (top[i - 1].ns < ns ||
					 (top[i - 1].ns == ns && top[i - 1].stack > stack)); i--) {
		if (i < TIMELINE_TOP)
			top[i] = top[i - 1];
	}
	if (i < TIMELINE_TOP)
		top[i] = (struct tl_top){ stack, ns };
}

static int part_of_reason(const char *r)
{
	for (int i = TL_OTHER; i < TL_NR; i++) {
		if (r && !strcmp(r, wall_part_names[i]))
			return i;
	}
	if (r && !strcmp(r, "runq"))
		return TL_RUNQ;
	return TL_OTHER;
}

/* The thread slot of sample i: found by (pid, tid, name), added if new. */
static int thread_of(const struct profile *p, uint32_t ls, struct timeline *t, uint32_t *cap)
{
	int64_t pid = 0, tid = 0;
	const char *name = profile__label_str(p, ls, "thread");
	struct tl_thread *th;

	profile__label_num(p, ls, "pid", &pid);
	profile__label_num(p, ls, "tid", &tid);
	if (!name)
		name = "?";
	for (uint32_t k = 0; k < t->nr; k++) {
		th = &t->threads[k];
		if (th->pid == pid && th->tid == tid && (tid || !strcmp(th->thread, name)))
			return k;
	}
	if (t->nr == *cap) {
		uint32_t nc = *cap ? *cap * 2 : 16;
		struct tl_thread *v = realloc(t->threads, nc * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->threads = v;
		*cap = nc;
	}
	th = &t->threads[t->nr];
	memset(th, 0, sizeof(*th));
	th->pid = pid;
	th->tid = tid;
	snprintf(th->thread, sizeof(th->thread), "%s", name);
	return t->nr++;
}

static int wall_cmp(const void *a, const void *b)
{
	const struct tl_thread *x = a, *y = b;

	if (x->wall != y->wall)
		return x->wall > y->wall ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

int timeline__compute(const struct profile *p, const struct path_rules *given,
		      struct timeline *out)
{
	int cpu = profile__type_index(p, "cpu"), samples = profile__type_index(p, "samples");
	int off = profile__type_index(p, "offcpu"), runq = profile__type_index(p, "runq");
	int64_t period = p->period > 0 ? p->period : 10000000;
	struct contribs c = {};
	struct frames_canon canon = {};
	uint32_t cap = 0;
	uint8_t *idle_of = NULL;	/* per stack: 0 unknown, 1 no, 2 idle */
	struct path_rules *own = NULL;
	const struct path_rules *rules = given;
	struct frames *fr = NULL;
	int err = -ENOMEM;

	memset(out, 0, sizeof(*out));
	/*
	 * Stacks are shown by their user frames (kernel frames only when
	 * there are none): stacks that differ only in kernel frames are one
	 * row, keyed by the first stack id that shows that way.
	 */
	idle_of = calloc(p->nr_stacks ? p->nr_stacks : 1, sizeof(*idle_of));
	fr = malloc(sizeof(*fr));
	if (frames_canon__init(&canon, p) || !idle_of || !fr)
		goto free_contribs;
	/*
	 * The rules the report labelled paths with (--rules), so idle means
	 * the same here as in the paths section; else the recording's own
	 * rules (their idle lines), else the built-in list.
	 */
	if (!rules)
		rules = own = path_rules__from_profile(p);
	out->has_cpu = cpu >= 0 || samples >= 0;
	out->has_offcpu = off >= 0 || runq >= 0;
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		uint32_t ls = p->samples[i].labelset, stack = p->samples[i].stack;
		int64_t v[3] = { 0, 0, 0 };
		int parts[3] = { TL_CPU, TL_RUNQ, TL_OTHER };
		int64_t canon_id;
		int th;

		if (cpu >= 0)
			v[0] = profile__value(p, i, cpu);
		else if (samples >= 0)
			v[0] = profile__value(p, i, samples) * period;
		if (runq >= 0)
			v[1] = profile__value(p, i, runq);
		if (off >= 0) {
			v[2] = profile__value(p, i, off);
			parts[2] = part_of_reason(profile__label_str(p, ls, "reason"));
			if (v[2] > 0 && stack < p->nr_stacks && parts[2] >= WALL_OFF &&
			    parts[2] < WALL_IDLE) {
				int reason = parts[2] - WALL_OFF;

				if (!idle_of[stack]) {
					frames__user(p, stack, fr);
					idle_of[stack] = frames__is_idle(rules, fr) ? 2 : 1;
				}
				/* idle as the Paths section calls it (attribute.h) */
				parts[2] = paths__wait_is_idle(idle_of[stack] == 2, paths__how_of(p, ls), &reason) ?
					   TL_IDLE : WALL_OFF + reason;
			}
		}
		if (v[0] <= 0 && v[1] <= 0 && v[2] <= 0)
			continue;
		th = thread_of(p, ls, out, &cap);
		if (th < 0)
			goto free_contribs;
		canon_id = frames_canon__of(&canon, p, stack);
		if (canon_id < 0)
			goto free_contribs;
		stack = canon_id;
		for (int k = 0; k < 3; k++) {
			if (v[k] <= 0)
				continue;
			out->threads[th].ns[parts[k]] += v[k];
			out->threads[th].wall += v[k];
			if (contribs__add(&c, th, parts[k], stack, v[k]))
				goto free_contribs;
		}
	}
	contribs__reduce(&c, take_top, out);
	if (out->nr)
		qsort(out->threads, out->nr, sizeof(*out->threads), wall_cmp);
	err = 0;

free_contribs:
	contribs__free(&c);
	frames_canon__free(&canon);
	free(idle_of);
	free(fr);
	path_rules__free(own);
	if (err)
		timeline__free(out);
	return err;
}

void timeline__free(struct timeline *t)
{
	free(t->threads);
	memset(t, 0, sizeof(*t));
}
