// SPDX-License-Identifier: MIT
/*
 * The per-path decomposition of a profile: attribute every sample to a
 * path, then split each path's wall time into on-CPU user / kernel, run
 * queue and off-CPU by reason, with top stacks and the function responsible
 * for each part, plus traffic, allocation and span latency.  The verdicts
 * (bottleneck.c) and the report section read only what this file computes.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "core/hashmap.h"
#include "core/profile.h"
#include "core/rules.h"
#include "analysis/paths.h"
#include "bpf/span.h"
#include "analysis/contrib.h"
#include "analysis/frames.h"

const char *const path_reason_names[PR_NR] = {
	[PR_OTHER] = "other", [PR_LOCK] = "lock", [PR_NET] = "net",
	[PR_TIMER] = "timer", [PR_IO] = "io", [PR_FAULT] = "fault",
};

static int peer_port(const char *peer)
{
	const char *c = peer ? strrchr(peer, ':') : NULL;

	return c ? atoi(c + 1) : -1;
}

static bool is_other(const char *s)
{
	return !s || !*s || !strcmp(s, "other");
}

/* How a sample got its path (sample_path_frames). */
enum how { BY_NONE, BY_LABEL, BY_SYMBOL, BY_THREAD, BY_PORT };

static int sample_path_how(const struct profile *p, const struct path_rules *r, uint32_t i,
			   enum how *how, const struct frames *f);

static int sample_path_frames(const struct profile *p, const struct path_rules *r,
			      uint32_t i, bool *from_span, const struct frames *f)
{
	enum how how;
	int id = sample_path_how(p, r, i, &how, f);

	*from_span = how == BY_LABEL;
	return id;
}

static int sample_path_how(const struct profile *p, const struct path_rules *r, uint32_t i,
			   enum how *how, const struct frames *f)
{
	uint32_t ls = p->samples[i].labelset;
	const char *label = profile__label_str(p, ls, "path");
	int id;

	*how = BY_NONE;
	if (!is_other(label)) {
		id = path_rules__id(r, label);
		if (id >= 0) {
			*how = BY_LABEL;
			return id;
		}
	}
	id = path_rules__match_frames(r, f->names, f->nr, NULL);
	if (id >= 0) {
		*how = BY_SYMBOL;
		return id;
	}
	/*
	 * A blocked stack may be one libc frame (a leaf without a frame
	 * pointer hides its caller): the thread's name is the next best clue.
	 */
	label = profile__label_str(p, ls, "thread");
	if (label) {
		id = path_rules__match_frames(r, &label, 1, NULL);
		if (id >= 0) {
			*how = BY_THREAD;
			return id;
		}
	}
	id = path_rules__match_port(r, profile__label_str(p, ls, "proto"),
				    peer_port(profile__label_str(p, ls, "peer")));
	if (id >= 0)
		*how = BY_PORT;
	return id >= 0 ? id : PATH_OTHER;
}

int paths__sample_path(const struct profile *p, const struct path_rules *r, uint32_t sample,
		       bool *from_span)
{
	struct frames *f = malloc(sizeof(*f));
	bool dummy;
	int id;

	if (!f)
		return -ENOMEM;
	frames__user(p, p->samples[sample].stack, f);
	id = sample_path_frames(p, r, sample, from_span ? from_span : &dummy, f);
	free(f);
	return id;
}

/*
 * Does the stack's path code consist of the thread's entry function alone
 * (gossip_mesh_main < start_thread)?  A sleep or poll there is the thread's
 * loop waiting for its next tick -- what a stack attributed only by the
 * thread's name shows when a leaf without a frame pointer hides its
 * caller, and what DWARF unwinding shows in full.
 */
static bool in_thread_entry(const struct path_rules *r, const struct frames *f)
{
	uint32_t m;

	if (path_rules__match_frames(r, f->names, f->nr, &m) < 0 || m >= f->nr)
		return false;
	for (uint32_t k = 0; k < m; k++) {
		if (path_rules__match_frames(r, &f->names[k], 1, NULL) >= 0)
			return false;
	}
	for (uint32_t k = m + 1; k < f->nr; k++) {
		if (!frames__is_thread_start(f->names[k]))
			return false;
	}
	return true;
}

struct relabel_ctx {
	const struct path_rules *r;
	struct frames *f;
};

/* The path the rules give a sample that has none yet; NULL to leave it. */
static const char *rule_path(const struct profile *p, uint32_t i, void *ctx)
{
	struct relabel_ctx *rc = ctx;
	bool span;
	int id;

	if (!is_other(profile__label_str(p, p->samples[i].labelset, "path")))
		return NULL;
	frames__user(p, p->samples[i].stack, rc->f);
	id = sample_path_frames(p, rc->r, i, &span, rc->f);
	/* nothing to say: leave the label as it is */
	return id == PATH_OTHER ? NULL : path_rules__name(rc->r, id);
}

int paths__label_profile(struct profile *p, const struct path_rules *r)
{
	struct relabel_ctx rc = { .r = r };
	int changed;

	if (!r)
		return 0;
	rc.f = malloc(sizeof(*rc.f));
	if (!rc.f)
		return -ENOMEM;
	changed = profile__relabel(p, "path", rule_path, &rc);
	free(rc.f);
	return changed;
}

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
			uint64_t lo = span_bucket_low(b), w = span_bucket_width(b);
			uint64_t v = w > 1 ? lo + w / 2 : lo;

			return max_ns && v > max_ns ? max_ns : v;
		}
	}
	return max_ns;
}

static void parse_buckets(const char *s, uint64_t *buckets)
{
	while (s && *s) {
		char *end;
		unsigned long b = strtoul(s, &end, 10);
		unsigned long long n;

		if (*end != ':')
			return;
		n = strtoull(end + 1, &end, 10);
		if (b < SPAN_HIST_BUCKETS)
			buckets[b] += n;
		s = *end == ',' ? end + 1 : NULL;
	}
}

static void read_latency(const struct profile *p, struct path_report *rep)
{
	uint64_t *buckets = calloc((size_t)rep->nr_paths * SPAN_HIST_BUCKETS, sizeof(*buckets));

	if (!buckets)
		return;
	for (uint32_t i = 0; i < p->nr_records; i++) {
		const struct pf_record *rec = &p->records[i];
		struct path_latency *lat;
		const char *name, *v;
		uint64_t max;

		if (strcmp(profile__str(p, rec->kind), "hist"))
			continue;
		name = profile__record_get(p, rec, "path");
		struct path_stats *ps = paths__find(rep, name ? name : "");

		if (!ps)
			continue;
		lat = &ps->lat;
		ps->has_lat = true;
		if ((v = profile__record_get(p, rec, "count")))
			lat->count += strtoull(v, NULL, 10);
		if ((v = profile__record_get(p, rec, "errors")))
			lat->errors += strtoull(v, NULL, 10);
		if ((v = profile__record_get(p, rec, "unmatched")))
			lat->unmatched += strtoull(v, NULL, 10);
		if ((v = profile__record_get(p, rec, "sum_ns")))
			lat->sum_ns += strtoull(v, NULL, 10);
		if ((v = profile__record_get(p, rec, "max_ns"))) {
			max = strtoull(v, NULL, 10);
			if (max > lat->max_ns)
				lat->max_ns = max;
		}
		parse_buckets(profile__record_get(p, rec, "buckets"),
			      buckets + (size_t)(ps - rep->paths) * SPAN_HIST_BUCKETS);
	}
	for (uint32_t i = 0; i < rep->nr_paths; i++) {
		struct path_latency *lat = &rep->paths[i].lat;
		const uint64_t *b = buckets + (size_t)i * SPAN_HIST_BUCKETS;

		lat->p50_ns = paths__hist_quantile(b, SPAN_HIST_BUCKETS, lat->count, 0.50, lat->max_ns);
		lat->p90_ns = paths__hist_quantile(b, SPAN_HIST_BUCKETS, lat->count, 0.90, lat->max_ns);
		lat->p95_ns = paths__hist_quantile(b, SPAN_HIST_BUCKETS, lat->count, 0.95, lat->max_ns);
		lat->p99_ns = paths__hist_quantile(b, SPAN_HIST_BUCKETS, lat->count, 0.99, lat->max_ns);
	}
	free(buckets);
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
	if (n->nr == n->cap) {
		uint32_t cap = n->cap ? n->cap * 2 : 64;
		char **nv = realloc(n->names, cap * sizeof(*nv));

		if (!nv)
			return 0;
		n->names = nv;
		n->cap = cap;
	}
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

/* Self function: the innermost user frame outside libraries (kernel time included). */
static const char *self_function(const struct profile *p, const struct frames *f)
{
	for (uint32_t i = 0; i < f->nr; i++) {
		if (!frames__is_library(p, f->locs[i], f->names[i]))
			return f->names[i];
	}
	return f->nr ? f->names[0] : NULL;
}

static enum path_reason reason_of(const char *s)
{
	for (int i = 0; i < PR_NR; i++) {
		if (s && !strcmp(s, path_reason_names[i]))
			return i;
	}
	return PR_OTHER;
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

int paths__analyze(const struct profile *p, const struct path_rules *r, struct path_report *rep)
{
	struct contribs stacks = {}, culprits = {}, wakers = {}, selfs = {};
	struct cols c;
	struct name_ids names = { .p = p };
	struct frames *f = NULL;
	char **peers = NULL;
	size_t nr_peers = 0, cap_peers = 0;
	uint32_t *path_of_peer = NULL;
	int err = -ENOMEM;

	memset(rep, 0, sizeof(*rep));
	rep->nr_paths = r->nr_paths;
	rep->paths = calloc(r->nr_paths, sizeof(*rep->paths));
	f = malloc(sizeof(*f));
	names.extra = hashmap__new(NULL, NULL);
	if (!rep->paths || !f || !names.extra)
		goto free_all;
	rep->rules_name = r->name;
	for (uint32_t i = 0; i < r->nr_paths; i++) {
		snprintf(rep->paths[i].name, sizeof(rep->paths[i].name), "%s", r->names[i]);
		rep->paths[i].id = i;
		rep->paths[i].has_spans = path_rules__has_span(r, i);
	}
	rep->duration_ns = p->duration_nanos > 0 ? p->duration_nanos : 1000000000LL;

	c.cpu = profile__type_index(p, "cpu");
	c.samples = profile__type_index(p, "samples");
	c.offcpu = profile__type_index(p, "offcpu");
	c.runq = profile__type_index(p, "runq");
	c.tx_b = -1;
	for (uint32_t t = 0; t < p->nr_types; t++) {
		const char *type = profile__str(p, p->types[t].type);
		const char *unit = profile__str(p, p->types[t].unit);

		if (!strcmp(type, "tx") && !strcmp(unit, "bytes"))
			c.tx_b = t;
	}
	c.rx_b = c.tx_m = c.rx_m = c.al_b = c.al_o = -1;
	for (uint32_t t = 0; t < p->nr_types; t++) {
		const char *type = profile__str(p, p->types[t].type);
		const char *unit = profile__str(p, p->types[t].unit);

		if (!strcmp(type, "rx") && !strcmp(unit, "bytes"))
			c.rx_b = t;
		else if (!strcmp(type, "tx") && !strcmp(unit, "messages"))
			c.tx_m = t;
		else if (!strcmp(type, "rx") && !strcmp(unit, "messages"))
			c.rx_m = t;
		else if (!strcmp(type, "alloc") && !strcmp(unit, "bytes"))
			c.al_b = t;
		else if (!strcmp(type, "alloc") && !strcmp(unit, "objects"))
			c.al_o = t;
	}
	rep->has_cpu = c.cpu >= 0 || c.samples >= 0;
	rep->has_offcpu = c.offcpu >= 0;
	rep->has_runq = c.runq >= 0;
	rep->has_sock = c.tx_b >= 0 || c.rx_b >= 0 || c.tx_m >= 0 || c.rx_m >= 0;
	rep->has_alloc = c.al_b >= 0;

	for (uint32_t i = 0; i < p->nr_samples; i++) {
		uint32_t stack = p->samples[i].stack, ls = p->samples[i].labelset;
		struct path_stats *ps;
		const char *who, *self, *reason_s, *peer;
		bool span, idle;
		int64_t cpu = 0, off = 0, runq = 0, v;
		enum how how;
		int id;

		frames__user(p, stack, f);
		id = sample_path_how(p, r, i, &how, f);
		span = how == BY_LABEL;
		ps = &rep->paths[id];
		ps->samples++;
		who = culprit(p, r, id, f);
		self = self_function(p, f);

		if (c.cpu >= 0)
			cpu = profile__value(p, i, c.cpu);
		else if (c.samples >= 0)
			cpu = profile__value(p, i, c.samples) * (p->period ? p->period : 10000000);
		if (c.offcpu >= 0 && !frames__thread_exited(p, stack))
			off = profile__value(p, i, c.offcpu);
		if (c.runq >= 0)
			runq = profile__value(p, i, c.runq);
		reason_s = profile__label_str(p, ls, "reason");
		if (off && reason_s && !strcmp(reason_s, "runq")) {
			runq += off;
			off = 0;
		}

		if (cpu) {
			if (frames__leaf_is_kernel(p, stack))
				ps->cpu_kernel_ns += cpu;
			else
				ps->cpu_user_ns += cpu;
			if (frames__in_allocator(f))
				ps->alloc_cpu_ns += cpu;
			if (span)
				ps->span_ns += cpu;
			if (contribs__add(&stacks, id, PART_CPU, stack, cpu) ||
			    (self && contribs__add(&selfs, id, PART_CPU, name_id(&names, self), cpu)))
				goto free_all;
		}
		if (runq) {
			ps->runq_ns += runq;
			if (span)
				ps->span_ns += runq;
			if (contribs__add(&stacks, id, PART_RUNQ, stack, runq) ||
			    (who && contribs__add(&culprits, id, PART_RUNQ, name_id(&names, who), runq)))
				goto free_all;
		}
		if (off) {
			enum path_reason rs = reason_of(reason_s);
			uint32_t part;
			char wbuf[96];
			const char *wk;

			/*
			 * Waiting for work is idle, unless a span says the thread
			 * is inside an operation: then it waits for the events
			 * that operation needs (replies, timeouts), i.e. the network.
			 */
			idle = frames__is_idle(r, f);
			if (idle && span)
				rs = PR_NET;
			/*
			 * A sleep or poll whose stack shows none of the path's
			 * code (only the thread's name said which path), or
			 * only the thread's entry function, is a thread's loop
			 * waiting for its next tick, not work.
			 */
			if ((rs == PR_TIMER || rs == PR_NET) && !span &&
			    (how == BY_THREAD || (how == BY_SYMBOL && in_thread_entry(r, f))))
				idle = true;
			if (idle && !span) {
				ps->idle_ns += off;
				part = PART_IDLE;
			} else {
				ps->off_ns[rs] += off;
				part = PART_OFF + rs;
				if (span)
					ps->span_ns += off;
			}
			if (contribs__add(&stacks, id, part, stack, off) ||
			    (who && contribs__add(&culprits, id, part, name_id(&names, who), off)))
				goto free_all;
			wk = frames__waker(p, stack, wbuf, sizeof(wbuf));
			if (wk && contribs__add(&wakers, id, part, name_id(&names, wk), off))
				goto free_all;
		}
		if (c.tx_b >= 0)
			ps->tx_bytes += profile__value(p, i, c.tx_b);
		if (c.rx_b >= 0)
			ps->rx_bytes += profile__value(p, i, c.rx_b);
		if (c.tx_m >= 0 && (v = profile__value(p, i, c.tx_m))) {
			ps->tx_msgs += v;
			if (contribs__add(&stacks, id, PART_TX, stack, v) ||
			    (self && contribs__add(&culprits, id, PART_TX, name_id(&names, self), v)))
				goto free_all;
		}
		if (c.rx_m >= 0)
			ps->rx_msgs += profile__value(p, i, c.rx_m);
		if (c.al_b >= 0 && (v = profile__value(p, i, c.al_b))) {
			ps->alloc_bytes += v;
			if (contribs__add(&stacks, id, PART_ALLOC, stack, v) ||
			    (who && contribs__add(&culprits, id, PART_ALLOC, name_id(&names, who), v)))
				goto free_all;
		}
		if (c.al_o >= 0)
			ps->alloc_objects += profile__value(p, i, c.al_o);

		/* distinct peers per path */
		peer = profile__label_str(p, ls, "peer");
		if (peer && *peer) {
			size_t k;

			for (k = 0; k < nr_peers; k++) {
				if (path_of_peer[k] == (uint32_t)id && !strcmp(peers[k], peer))
					break;
			}
			if (k == nr_peers) {
				if (nr_peers == cap_peers) {
					size_t cap = cap_peers ? cap_peers * 2 : 64;
					char **np = realloc(peers, cap * sizeof(*np));
					uint32_t *npp;

					if (!np)
						goto free_all;
					peers = np;
					npp = realloc(path_of_peer, cap * sizeof(*npp));
					if (!npp)
						goto free_all;
					path_of_peer = npp;
					cap_peers = cap;
				}
				peers[nr_peers] = (char *)peer;
				path_of_peer[nr_peers++] = id;
				ps->peers++;
			}
		}
	}

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
	contribs__reduce(&stacks, take_top_stack, rep);
	{
		struct culprit_ctx cc = { rep, &names, false };

		contribs__reduce(&selfs, take_culprit, &cc);
		contribs__reduce(&culprits, take_culprit, &cc);
		cc.waker = true;
		contribs__reduce(&wakers, take_culprit, &cc);
	}
	read_latency(p, rep);
	{
		const struct pf_record *rec;

		for (uint32_t i = 0; i < p->nr_records; i++) {
			rec = &p->records[i];
			if (!strcmp(profile__str(p, rec->kind), "rules")) {
				const char *why = profile__record_get(p, rec, "why");

				if (why)
					snprintf(rep->rules_why, sizeof(rep->rules_why), "%s", why);
			}
		}
	}
	err = 0;

free_all:
	contribs__free(&stacks);
	contribs__free(&culprits);
	contribs__free(&wakers);
	contribs__free(&selfs);
	free(peers);
	free(path_of_peer);
	free(f);
	name_ids_free(&names);
	if (err)
		paths__free(rep);
	return err;
}

void paths__free(struct path_report *rep)
{
	free(rep->paths);
	rep->paths = NULL;
	rep->nr_paths = 0;
}
