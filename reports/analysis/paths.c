// SPDX-License-Identifier: MIT
/*
 * The per-path decomposition of a profile: attribute every sample to a
 * path, then split each path's wall time into on-CPU user / kernel, run
 * queue and off-CPU by reason, with top stacks and the function responsible
 * for each part, plus traffic, allocation and span latency.  The verdicts
 * (verdicts.c), the SLAs (sla.c) and the paths section read only what this
 * file computes.  Which path a sample belongs to is attribute.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/hashmap.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "analysis/paths.h"
#include "analysis/attribute.h"
#include "analysis/contrib.h"
#include "analysis/frames.h"

/* ---- latency ------------------------------------------------------------ */

uint64_t paths__hist_quantile(const uint64_t *buckets, uint32_t nr, uint64_t count, double q,
			      uint64_t max_ns)
{
	uint64_t want, cum = 0;

	if (!count)
		return 0;
	want = (uint64_t)(q * count + 0.999999);
	if (want < 1)
		want = 1;
	for (uint32_t b = 0; b < nr; b++) {
		cum += buckets[b];
		if (cum >= want) {
			uint64_t lo = rec_ll_low(b), w = rec_ll_width(b);
			uint64_t v = w > 1 ? lo + w / 2 : lo;

			return max_ns && v > max_ns ? max_ns : v;
		}
	}
	return max_ns;
}

static void read_latency(const struct profile *p, struct path_report *rep)
{
	struct rec_hist_sum *s = malloc(sizeof(*s));

	for (uint32_t i = 0; s && i < rep->nr_paths; i++) {
		struct path_latency *lat = &rep->paths[i].lat;

		if (records__hist_sum(p, rep->paths[i].name, s) || !s->nr)
			continue;
		rep->paths[i].has_lat = true;
		lat->count = s->count;
		lat->errors = s->errors;
		lat->unmatched = s->unmatched;
		lat->sum_ns = s->sum_ns;
		lat->max_ns = s->max_ns;
		lat->p50_ns = paths__hist_quantile(s->buckets, REC_LL_BUCKETS, s->count, 0.50, s->max_ns);
		lat->p90_ns = paths__hist_quantile(s->buckets, REC_LL_BUCKETS, s->count, 0.90, s->max_ns);
		lat->p95_ns = paths__hist_quantile(s->buckets, REC_LL_BUCKETS, s->count, 0.95, s->max_ns);
		lat->p99_ns = paths__hist_quantile(s->buckets, REC_LL_BUCKETS, s->count, 0.99, s->max_ns);
	}
	free(s);
}

/* ---- top stacks and culprits -------------------------------------------- */

static void take_top_stack(void *ctx, const struct contrib *s)
{
	struct path_report *rep = ctx;
	struct path_top *top = rep->paths[s->group].part[s->part].top;
	int i;

	for (i = PATHS_TOP; i > 0 && top[i - 1].value < s->value; i--) {
		if (i < PATHS_TOP)
			top[i] = top[i - 1];
	}
	if (i < PATHS_TOP)
		top[i] = (struct path_top){ s->key, s->value };
}

/*
 * Function names as sort keys, without interning them into the recording
 * (the analysis reads a const profile): a name the profile already holds
 * keeps its string id, any other (a frame named by module+offset) gets the
 * next id after the profile's, in the order first seen -- the ids that
 * interning would have given, so ties between culprits break as before.
 */
struct name_ids {
	const struct profile *p;
	struct hashmap *extra;		/* name -> index + 1 into names */
	char **names;
	uint32_t nr, cap;
};

static uint32_t name_id(struct name_ids *n, const char *s)
{
	uint32_t id;
	size_t len = strlen(s);
	int ret;

	if (profile__find_str(n->p, s, &id))
		return id;
	if (ARRAY_ROOM(n->names, n->nr, n->cap, 64))
		return 0;
	ret = hashmap__find_or_insert(n->extra, s, len, n->nr + 1, &id);
	if (ret < 0)
		return 0;
	if (ret && !(n->names[n->nr++] = strdup(s)))
		return 0;
	return n->p->nr_strings + id - 1;
}

static const char *name_str(const struct name_ids *n, uint32_t id)
{
	if (id < n->p->nr_strings)
		return profile__str(n->p, id);
	id -= n->p->nr_strings;
	return id < n->nr && n->names[id] ? n->names[id] : "";
}

static void name_ids_free(struct name_ids *n)
{
	for (uint32_t i = 0; i < n->nr; i++)
		free(n->names[i]);
	free(n->names);
	hashmap__free(n->extra);
}

struct culprit_ctx {
	struct path_report *rep;
	const struct name_ids *names;
	bool waker;
};

static void take_culprit(void *ctx, const struct contrib *s)
{
	struct culprit_ctx *cc = ctx;
	struct path_part_stats *ps = &cc->rep->paths[s->group].part[s->part];

	if (cc->waker) {
		if (s->value > ps->waker_value) {
			ps->waker_value = s->value;
			snprintf(ps->waker, sizeof(ps->waker), "%s", name_str(cc->names, s->key));
		}
		return;
	}
	if (s->value > ps->culprit_value) {
		ps->culprit_value = s->value;
		snprintf(ps->culprit, sizeof(ps->culprit), "%s", name_str(cc->names, s->key));
	}
}

/*
 * The function responsible for a sample of path: the innermost frame the
 * path's symbol rules name (gossip_validate, not pthread_mutex_lock), else
 * the innermost frame outside libraries and runtimes, else the leaf.
 */
static const char *culprit(const struct profile *p, const struct path_rules *r, uint32_t path,
			   const struct frames *f)
{
	for (uint32_t i = 0; i < f->nr; i++) {
		if (path_rules__symbol_matches(r, path, f->names[i]))
			return f->names[i];
	}
	for (uint32_t i = 0; i < f->nr; i++) {
		if (!frames__is_library(p, f->locs[i], f->names[i]))
			return f->names[i];
	}
	return f->nr ? f->names[0] : NULL;
}

/*
 * Self function: the innermost user frame outside libraries and wait
 * functions (kernel time included).  None for a profiler's own thread: the
 * yardstick's sampler is never the "hottest" code of the node.
 */
static const char *self_function(const struct profile *p, const struct frames *f)
{
	const char *leaf = NULL;

	for (uint32_t i = 0; i < f->nr; i++) {
		if (frames__is_profiler(f->names[i]))
			return NULL;
	}
	for (uint32_t i = 0; i < f->nr; i++) {
		if (frames__is_wait(f->names[i]))
			continue;
		if (!leaf)
			leaf = f->names[i];
		if (!frames__is_library(p, f->locs[i], f->names[i]))
			return f->names[i];
	}
	return leaf;
}

static enum path_reason reason_of(const char *s)
{
	int r = reason__parse(s);

	return r >= 0 && r < PR_NR ? r : PR_OTHER;
}

struct path_stats *paths__find(struct path_report *rep, const char *name)
{
	for (uint32_t i = 0; i < rep->nr_paths; i++) {
		if (!strcmp(rep->paths[i].name, name))
			return &rep->paths[i];
	}
	return NULL;
}

struct cols {
	int cpu, samples, offcpu, runq, tx_b, rx_b, tx_m, rx_m, al_b, al_o;
};

static void find_columns(const struct profile *p, struct cols *c, struct path_report *rep)
{
	c->cpu = profile__type_index(p, "cpu");
	c->samples = profile__type_index(p, "samples");
	c->offcpu = profile__type_index(p, "offcpu");
	c->runq = profile__type_index(p, "runq");
	c->tx_b = profile__type_index(p, "tx/bytes");
	c->rx_b = profile__type_index(p, "rx/bytes");
	c->tx_m = profile__type_index(p, "tx/messages");
	c->rx_m = profile__type_index(p, "rx/messages");
	c->al_b = profile__type_index(p, "alloc/bytes");
	c->al_o = profile__type_index(p, "alloc/objects");
	rep->has_cpu = c->cpu >= 0 || c->samples >= 0;
	rep->has_offcpu = c->offcpu >= 0;
	rep->has_runq = c->runq >= 0;
	rep->has_sock = c->tx_b >= 0 || c->rx_b >= 0 || c->tx_m >= 0 || c->rx_m >= 0;
	rep->has_alloc = c->al_b >= 0;
}

/*
 * What the walk has found out about one stack, for all the samples on it
 * (a recording has many more samples than stacks): each item is computed
 * from the stack's frames the first time a sample needs it.
 */
enum {
	MEMO_IDLE = 1, MEMO_ENTRY = 2, MEMO_ALLOC = 4, MEMO_EXITED = 8, MEMO_WAKER = 16,
	MEMO_SELF = 32, MEMO_IDLE_CPU = 64,
};

struct stack_memo {
	bool known;			/* sym is set */
	uint8_t have;			/* MEMO_* computed */
	bool idle, entry, alloc, exited, idle_cpu;
	int sym;			/* the path by symbol rules, -1 none */
	char *self, *waker;		/* NULL: none */
	char **who;			/* per path id: the culprit, memo_none, or NULL unknown */
};

static char memo_none[] = "";

/* The walk over the samples: what it reads and what it collects. */
struct walk {
	const struct profile *p;
	const struct path_rules *r;
	struct path_report *rep;
	struct cols c;
	struct frames *f;
	uint32_t f_stack;		/* the stack f holds, when f_valid */
	bool f_valid;
	struct stack_memo *memo;	/* per stack id */
	struct name_ids names;
	struct contribs stacks, culprits, wakers, selfs;
	struct hashmap *peers;		/* (path id, peer) seen */
};

/* One sample, as the walk sees it. */
struct walk_sample {
	uint32_t i, stack;
	int id;				/* its path */
	struct path_stats *ps;
	enum path_how how;
	bool span;			/* its own label (a span) gave the path */
	struct stack_memo *m;
};

static const struct frames *stack_frames(struct walk *w, uint32_t stack)
{
	if (!w->f_valid || w->f_stack != stack) {
		frames__user(w->p, stack, w->f);
		w->f_stack = stack;
		w->f_valid = true;
	}
	return w->f;
}

/* A copy of a frame name for the memo; false on ENOMEM. */
static bool memo_str(const char *name, char **out)
{
	*out = name ? strdup(name) : NULL;
	return !name || *out;
}

/* The stack property bit of m, computed by the walk's frames the first time. */
static bool memo_flag(struct walk *w, const struct walk_sample *s, int bit)
{
	struct stack_memo *m = s->m;
	const struct frames *f;

	if (m->have & bit)
		goto out;
	f = stack_frames(w, s->stack);
	switch (bit) {
	case MEMO_IDLE: m->idle = frames__is_idle(w->r, f); break;
	case MEMO_ENTRY: m->entry = paths__in_thread_entry(w->r, f); break;
	case MEMO_ALLOC: m->alloc = frames__in_allocator(f); break;
	case MEMO_EXITED: m->exited = frames__thread_exited(w->p, s->stack); break;
	case MEMO_IDLE_CPU: m->idle_cpu = frames__is_idle_on_cpu(w->p, w->r, f); break;
	}
	m->have |= bit;
out:
	switch (bit) {
	case MEMO_IDLE: return m->idle;
	case MEMO_ENTRY: return m->entry;
	case MEMO_ALLOC: return m->alloc;
	case MEMO_IDLE_CPU: return m->idle_cpu;
	default: return m->exited;
	}
}

/*
 * The sample's path and how it got it: the labels written at load, else
 * (a profile nobody labelled) the same attribution from its stack.
 */
static void sample_path(struct walk *w, struct walk_sample *s)
{
	struct stack_memo *m = s->m;
	const struct frames *f;

	s->id = paths__labelled_path(w->p, w->r, s->i, &s->how);
	if (s->id != PATHS_UNLABELLED)
		return;
	if (!m->known) {
		f = stack_frames(w, s->stack);
		m->sym = path_rules__match_frames(w->r, f->names, f->nr, NULL);
		m->known = true;
	}
	s->id = paths__attribute(w->p, w->r, s->i, m->sym,
				 m->sym >= 0 && memo_flag(w, s, MEMO_ENTRY), &s->how);
}

/* Self function of the sample's stack; *err on ENOMEM. */
static const char *memo_self(struct walk *w, const struct walk_sample *s, int *err)
{
	if (!(s->m->have & MEMO_SELF)) {
		if (!memo_str(self_function(w->p, stack_frames(w, s->stack)), &s->m->self))
			*err = -ENOMEM;
		s->m->have |= MEMO_SELF;
	}
	return s->m->self;
}

/* The function responsible for the sample on its path; *err on ENOMEM. */
static const char *memo_who(struct walk *w, const struct walk_sample *s, int *err)
{
	struct stack_memo *m = s->m;
	const char *who;

	if (!m->who && !(m->who = calloc(w->rep->nr_paths, sizeof(*m->who)))) {
		*err = -ENOMEM;
		return NULL;
	}
	if (!m->who[s->id]) {
		who = culprit(w->p, w->r, s->id, stack_frames(w, s->stack));
		if (!who)
			m->who[s->id] = memo_none;
		else if (!memo_str(who, &m->who[s->id]))
			*err = -ENOMEM;
	}
	return m->who[s->id] == memo_none ? NULL : m->who[s->id];
}

static const char *memo_waker(struct walk *w, const struct walk_sample *s, int *err)
{
	char buf[FRAMES_NAME_LEN];

	if (!(s->m->have & MEMO_WAKER)) {
		if (!memo_str(frames__waker(w->p, s->stack, buf, sizeof(buf)), &s->m->waker))
			*err = -ENOMEM;
		s->m->have |= MEMO_WAKER;
	}
	return s->m->waker;
}

static void memo_free(struct stack_memo *memo, uint32_t nr, uint32_t nr_paths)
{
	for (uint32_t i = 0; memo && i < nr; i++) {
		free(memo[i].self);
		free(memo[i].waker);
		for (uint32_t k = 0; memo[i].who && k < nr_paths; k++) {
			if (memo[i].who[k] != memo_none)
				free(memo[i].who[k]);
		}
		free(memo[i].who);
	}
	free(memo);
}

static int add_culprit(struct walk *w, struct contribs *c, const struct walk_sample *s,
		       uint32_t part, const char *name, int64_t v)
{
	if (contribs__add(&w->stacks, s->id, part, s->stack, v))
		return -ENOMEM;
	return name && contribs__add(c, s->id, part, name_id(&w->names, name), v) ? -ENOMEM : 0;
}

static int add_on_cpu(struct walk *w, const struct walk_sample *s, int64_t cpu, int64_t runq)
{
	struct path_stats *ps = s->ps;
	int err = 0;

	/* getting into and out of a wait for work is idle too, not busy CPU */
	if (cpu && !s->span && memo_flag(w, s, MEMO_IDLE_CPU)) {
		ps->idle_ns += cpu;
		ps->idle_cpu_ns += cpu;
		if (add_culprit(w, &w->culprits, s, PART_IDLE, memo_who(w, s, &err), cpu) || err)
			return -ENOMEM;
		cpu = 0;
	}
	if (cpu) {
		if (frames__leaf_is_kernel(w->p, s->stack))
			ps->cpu_kernel_ns += cpu;
		else
			ps->cpu_user_ns += cpu;
		if (memo_flag(w, s, MEMO_ALLOC))
			ps->alloc_cpu_ns += cpu;
		if (s->span)
			ps->span_ns += cpu;
		if (add_culprit(w, &w->selfs, s, PART_CPU, memo_self(w, s, &err), cpu) || err)
			return -ENOMEM;
	}
	if (runq) {
		ps->runq_ns += runq;
		if (s->span)
			ps->span_ns += runq;
		if (add_culprit(w, &w->culprits, s, PART_RUNQ, memo_who(w, s, &err), runq) || err)
			return -ENOMEM;
	}
	return 0;
}

static int add_off_cpu(struct walk *w, const struct walk_sample *s, int64_t off,
		       const char *reason)
{
	struct path_stats *ps = s->ps;
	int reason_id = reason_of(reason);
	enum path_reason rs;
	bool idle;
	uint32_t part;
	const char *wk;
	int err = 0;

	/* waiting for work, or for what the path needs (attribute.h) */
	idle = paths__wait_is_idle(memo_flag(w, s, MEMO_IDLE), s->how, &reason_id);
	rs = reason_id;
	if (idle) {
		ps->idle_ns += off;
		part = PART_IDLE;
	} else {
		ps->off_ns[rs] += off;
		part = PART_OFF + rs;
		if (s->span)
			ps->span_ns += off;
	}
	if (add_culprit(w, &w->culprits, s, part, memo_who(w, s, &err), off) || err)
		return -ENOMEM;
	wk = memo_waker(w, s, &err);
	if (err || (wk && contribs__add(&w->wakers, s->id, part, name_id(&w->names, wk), off)))
		return -ENOMEM;
	return 0;
}

static int64_t column(const struct profile *p, uint32_t i, int col)
{
	return col >= 0 ? profile__value(p, i, col) : 0;
}

static int add_traffic(struct walk *w, const struct walk_sample *s)
{
	struct path_stats *ps = s->ps;
	int64_t msgs = column(w->p, s->i, w->c.tx_m), bytes = column(w->p, s->i, w->c.al_b);
	int err = 0;

	ps->tx_bytes += column(w->p, s->i, w->c.tx_b);
	ps->rx_bytes += column(w->p, s->i, w->c.rx_b);
	ps->tx_msgs += msgs;
	ps->rx_msgs += column(w->p, s->i, w->c.rx_m);
	ps->alloc_bytes += bytes;
	ps->alloc_objects += column(w->p, s->i, w->c.al_o);
	if (msgs && (add_culprit(w, &w->culprits, s, PART_TX, memo_self(w, s, &err), msgs) || err))
		return -ENOMEM;
	if (bytes && (add_culprit(w, &w->culprits, s, PART_ALLOC, memo_who(w, s, &err), bytes) ||
		      err))
		return -ENOMEM;
	return 0;
}

/* Distinct peers per path: the key is the path id's bytes, then the peer. */
static int add_peer(struct walk *w, const struct walk_sample *s)
{
	const char *peer = profile__label_str(w->p, w->p->samples[s->i].labelset, "peer");
	size_t len = peer ? strlen(peer) : 0;
	char small[256], *key = small;
	uint32_t got;
	int ret;

	if (!len)
		return 0;
	if (sizeof(s->id) + len > sizeof(small) && !(key = malloc(sizeof(s->id) + len)))
		return -ENOMEM;
	memcpy(key, &s->id, sizeof(s->id));
	memcpy(key + sizeof(s->id), peer, len);
	ret = hashmap__find_or_insert(w->peers, key, sizeof(s->id) + len,
				      hashmap__count(w->peers) + 1, &got);
	if (key != small)
		free(key);
	if (ret < 0)
		return ret;
	s->ps->peers += ret;
	return 0;
}

static int walk_sample(struct walk *w, uint32_t i)
{
	const struct profile *p = w->p;
	const struct cols *c = &w->c;
	struct walk_sample s = { .i = i, .stack = p->samples[i].stack };
	const char *reason;
	int64_t cpu = 0, off = 0, runq;

	s.m = &w->memo[s.stack < p->nr_stacks ? s.stack : 0];
	sample_path(w, &s);
	s.span = s.how == BY_LABEL;
	s.ps = &w->rep->paths[s.id];
	s.ps->samples++;

	if (c->cpu >= 0)
		cpu = profile__value(p, i, c->cpu);
	else if (c->samples >= 0)
		cpu = profile__value(p, i, c->samples) * (p->period ? p->period : 10000000);
	if (c->offcpu >= 0 && !memo_flag(w, &s, MEMO_EXITED))
		off = profile__value(p, i, c->offcpu);
	runq = column(p, i, c->runq);
	reason = profile__label_str(p, p->samples[i].labelset, "reason");
	if (off && reason && !strcmp(reason, "runq")) {
		runq += off;
		off = 0;
	}
	if (add_on_cpu(w, &s, cpu, runq) || (off && add_off_cpu(w, &s, off, reason)) ||
	    add_traffic(w, &s))
		return -ENOMEM;
	return add_peer(w, &s);
}

/* Per path: part totals and busy time, once every sample is in. */
static void sum_parts(struct path_report *rep)
{
	for (uint32_t i = 0; i < rep->nr_paths; i++) {
		struct path_stats *ps = &rep->paths[i];
		int64_t off = 0;

		for (int k = 0; k < PR_NR; k++) {
			off += ps->off_ns[k];
			ps->part[PART_OFF + k].total = ps->off_ns[k];
		}
		ps->part[PART_CPU].total = ps->cpu_user_ns + ps->cpu_kernel_ns;
		ps->part[PART_RUNQ].total = ps->runq_ns;
		ps->part[PART_IDLE].total = ps->idle_ns;
		ps->part[PART_TX].total = ps->tx_msgs;
		ps->part[PART_ALLOC].total = ps->alloc_bytes;
		ps->busy_ns = ps->cpu_user_ns + ps->cpu_kernel_ns + ps->runq_ns + off;
		rep->total_busy_ns += ps->busy_ns;
	}
}

static int start_report(const struct profile *p, const struct path_rules *r,
			struct path_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->nr_paths = r->nr_paths;
	rep->paths = calloc(r->nr_paths, sizeof(*rep->paths));
	if (!rep->paths)
		return -ENOMEM;
	rep->rules_name = r->name;
	for (uint32_t i = 0; i < r->nr_paths; i++) {
		snprintf(rep->paths[i].name, sizeof(rep->paths[i].name), "%s", r->names[i]);
		rep->paths[i].id = i;
		rep->paths[i].has_spans = path_rules__has_span(r, i);
	}
	rep->duration_ns = p->duration_nanos > 0 ? p->duration_nanos : 1000000000LL;
	return 0;
}

int paths__analyze(const struct profile *p, const struct path_rules *r, struct path_report *rep)
{
	struct walk w = { .p = p, .r = r, .rep = rep, .names = { .p = p } };
	int err = start_report(p, r, rep);

	if (err)
		return err;
	err = -ENOMEM;
	w.f = malloc(sizeof(*w.f));
	w.names.extra = hashmap__new(NULL, NULL);
	w.peers = hashmap__new(NULL, NULL);
	w.memo = calloc(p->nr_stacks ? p->nr_stacks : 1, sizeof(*w.memo));
	if (!w.f || !w.names.extra || !w.peers || !w.memo)
		goto free_all;
	find_columns(p, &w.c, rep);
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		if (walk_sample(&w, i))
			goto free_all;
	}
	sum_parts(rep);
	contribs__reduce(&w.stacks, take_top_stack, rep);
	{
		struct culprit_ctx cc = { rep, &w.names, false };

		contribs__reduce(&w.selfs, take_culprit, &cc);
		contribs__reduce(&w.culprits, take_culprit, &cc);
		cc.waker = true;
		contribs__reduce(&w.wakers, take_culprit, &cc);
	}
	read_latency(p, rep);
	{
		struct rec_rules rr;

		for (uint32_t pos = 0; records__next_rules(p, &pos, &rr);)
			if (rr.why)
				snprintf(rep->rules_why, sizeof(rep->rules_why), "%s", rr.why);
	}
	err = 0;

free_all:
	contribs__free(&w.stacks);
	contribs__free(&w.culprits);
	contribs__free(&w.wakers);
	contribs__free(&w.selfs);
	hashmap__free(w.peers);
	memo_free(w.memo, p->nr_stacks, rep->nr_paths);
	free(w.f);
	name_ids_free(&w.names);
	if (err)
		paths__free(rep);
	return err;
}

static int slow_cmp(const void *a, const void *b)
{
	const struct path_slowop *x = a, *y = b;

	return x->latency_ns < y->latency_ns ? 1 : x->latency_ns > y->latency_ns ? -1 : 0;
}

int paths__slowest(const struct profile *p, const char *path, struct path_slowop *out, int max)
{
	struct path_slowop all[64];
	struct rec_slowop r;
	int n = 0;

	for (uint32_t pos = 0; n < 64 && records__next_slowop(p, &pos, &r);) {
		if (!r.path || strcmp(r.path, path))
			continue;
		all[n++] = (struct path_slowop){ r.id, REC_HAS(&r, slowop, id), r.ok, r.start_ns,
						 r.latency_ns };
	}
	qsort(all, n, sizeof(all[0]), slow_cmp);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	return n;
}

bool paths__has_data(const struct profile *p)
{
	if (records__count(p, REC_KIND_hist) || records__count(p, REC_KIND_rules))
		return true;
	/* a path a span gave; one the rules gave at load shows nothing of its own */
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		uint32_t ls = p->samples[i].labelset;
		const char *v = profile__label_str(p, ls, "path");
		int by = paths__how_parse(profile__label_str(p, ls, "path_by"));

		if (v && strcmp(v, "other") && (by < 0 || by == BY_LABEL))
			return true;
	}
	return false;
}

void paths__free(struct path_report *rep)
{
	free(rep->paths);
	rep->paths = NULL;
	rep->nr_paths = 0;
}
