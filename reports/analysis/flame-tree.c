// SPDX-License-Identifier: MIT
/* The call tree of flame graphs and top functions; see flame-tree.h. */
#include "analysis/flame-tree.h"
#include "core/array.h"
#include "core/hashmap.h"
#include "analysis/attribute.h"
#include "analysis/frames.h"
#include "core/names.h"
#include "core/profile.h"
#include "core/rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_STACK_NAME "[no stack]"

/* Key of a node among its siblings; padded to a fixed size for hashing. */
struct child_key {
	uint32_t parent;
	uint32_t name;
	uint32_t kind;
};

/* Name ids are stored as id + 1 in name_map: the hashmap reserves 0. */
static const void *name_key(void *ctx, uint32_t id)
{
	struct flame_tree *t = ctx;

	return t->names[id - 1];
}

static int intern_name_len(struct flame_tree *t, const char *s, size_t len, uint32_t *id)
{
	uint32_t got;
	int err;

	if (ARRAY_ROOM(t->names, t->nr_names, t->cap_names, 256))
		return -ENOMEM;
	got = hashmap__find(t->name_map, s, len);
	if (got) {
		*id = got - 1;
		return 0;
	}
	t->names[t->nr_names] = strndup(s, len);
	if (!t->names[t->nr_names])
		return -ENOMEM;
	err = hashmap__find_or_insert(t->name_map, s, len, t->nr_names + 1, &got);
	if (err < 0) {
		free(t->names[t->nr_names]);
		return err;
	}
	*id = t->nr_names++;
	return 0;
}

static int intern_name(struct flame_tree *t, const char *s, uint32_t *id)
{
	return intern_name_len(t, s, strlen(s), id);
}

struct flame_tree *flame_tree__new(void)
{
	struct flame_tree *t = calloc(1, sizeof(*t));
	uint32_t id;

	if (!t)
		return NULL;
	t->name_map = hashmap__new(name_key, t);
	t->child_map = hashmap__new(NULL, NULL);
	t->cap_nodes = 1024;
	t->nodes = calloc(t->cap_nodes, sizeof(*t->nodes));
	if (!t->name_map || !t->child_map || !t->nodes || intern_name(t, "all", &id))
		goto err_free;
	t->nr_nodes = 1;	/* the root: name 0 ("all"), kind FLAME_ROOT */
	return t;
err_free:
	flame_tree__free(t);
	return NULL;
}

void flame_tree__free(struct flame_tree *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nr_names; i++)
		free(t->names[i]);
	free(t->names);
	free(t->nodes);
	hashmap__free(t->name_map);
	hashmap__free(t->child_map);
	free(t);
}

/*
 * A node with at most this many children finds one by walking its list;
 * only busier nodes have their children in child_map.  Most nodes of a
 * flame graph have one or two children, and a stack's new nodes sit next
 * to each other in t->nodes, so the walk stays in cache where a hash map
 * probe missed it: 1 M samples over 50 k stacks spent 18 % of `flame` in
 * those probes.
 */
#define FLAME_SCAN_CHILDREN 4

static uint32_t scan_child(const struct flame_tree *t, uint32_t parent, uint32_t name,
			   uint8_t kind)
{
	for (uint32_t c = t->nodes[parent].first_child; c; c = t->nodes[c].next_sibling) {
		if (t->nodes[c].name == name && t->nodes[c].kind == kind)
			return c;
	}
	return 0;
}

static uint32_t find_child_id(const struct flame_tree *t, uint32_t parent, uint32_t name,
			      uint8_t kind)
{
	struct child_key k = { .parent = parent, .name = name, .kind = kind };

	if (t->nodes[parent].nr_children <= FLAME_SCAN_CHILDREN)
		return scan_child(t, parent, name, kind);
	return hashmap__find(t->child_map, &k, sizeof(k));
}

/* Child c of parent into child_map; 0 or -ENOMEM. */
static int index_child(struct flame_tree *t, uint32_t parent, uint32_t c)
{
	struct child_key k = { .parent = parent, .name = t->nodes[c].name,
			       .kind = t->nodes[c].kind };
	uint32_t id;

	return hashmap__find_or_insert(t->child_map, &k, sizeof(k), c, &id) < 0 ? -ENOMEM : 0;
}

uint32_t flame_tree__find_child(const struct flame_tree *t, uint32_t parent, const char *name,
				uint8_t kind)
{
	uint32_t id = hashmap__find(t->name_map, name, strlen(name));

	return id ? find_child_id(t, parent, id - 1, kind) : 0;
}

/* The child (name, kind) of parent, created if new; 0 on ENOMEM. */
static uint32_t child(struct flame_tree *t, uint32_t parent, uint32_t name, uint8_t kind)
{
	struct flame_node *n, *p;
	uint32_t id = find_child_id(t, parent, name, kind);

	if (id)
		return id;
	if (ARRAY_ROOM(t->nodes, t->nr_nodes, t->cap_nodes, 1024))
		return 0;
	id = t->nr_nodes;
	n = &t->nodes[t->nr_nodes++];
	p = &t->nodes[parent];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->kind = kind;
	n->parent = parent;
	n->depth = p->depth + 1;
	n->next_sibling = p->first_child;
	p->first_child = id;
	if (p->nr_children < UINT8_MAX)
		p->nr_children++;
	t->finished = false;
	/* past the scan limit: index every child once, then each new one */
	if (p->nr_children == FLAME_SCAN_CHILDREN + 1) {
		for (uint32_t c = p->first_child; c; c = t->nodes[c].next_sibling) {
			if (index_child(t, parent, c))
				return 0;
		}
	} else if (p->nr_children > FLAME_SCAN_CHILDREN && index_child(t, parent, id)) {
		return 0;
	}
	return id;
}

/* Steps from node into (name, kind), adding value to the child's total. */
static uint32_t step(struct flame_tree *t, uint32_t node, uint32_t name, uint8_t kind,
		     int64_t value, int slot)
{
	uint32_t c = child(t, node, name, kind);

	if (c)
		t->nodes[c].total[slot] += value;
	return c;
}

int flame_tree__add_stack(struct flame_tree *t, const char *const *names,
			  const uint8_t *kinds, uint32_t n, int64_t value, int slot)
{
	uint32_t node = 0, name;
	int err;

	if (!t || slot < 0 || slot >= FLAME_SLOTS || (n && !names))
		return -EINVAL;
	if (value <= 0)
		return 0;
	t->nodes[0].total[slot] += value;
	if (!n) {
		names = (const char *const[]){ NO_STACK_NAME };
		kinds = (const uint8_t[]){ FLAME_SYNTH };
		n = 1;
	}
	for (uint32_t i = 0; i < n; i++) {
		err = intern_name(t, names[i] && *names[i] ? names[i] : "[unknown]", &name);
		if (err)
			return err;
		node = step(t, node, name, kinds ? kinds[i] : FLAME_USER, value, slot);
		if (!node)
			return -ENOMEM;
	}
	t->nodes[node].self[slot] += value;
	return 0;
}

/*
 * Frame names of a profile's locations, computed once each: frame j of
 * location l (0 = outermost) is name_of[off[l] + j].
 */
struct name_cache {
	uint32_t *off;
	uint32_t *name_of;	/* UINT32_MAX = not yet */
	bool *is_sep;		/* the "-" frame that starts a waker stack */
	uint8_t *idle_of;	/* per stack: 0 unknown, 1 no, 2 waiting for work */
	struct path_rules *rules;	/* the recording's own (idle lines) */
	struct frames *fr;
};

static int cache_init(struct name_cache *c, const struct profile *p)
{
	size_t total = 0;

	c->off = malloc((p->nr_locations + 1) * sizeof(*c->off));
	c->is_sep = calloc(p->nr_locations + 1, sizeof(*c->is_sep));
	if (!c->off || !c->is_sep)
		return -ENOMEM;
	for (uint32_t l = 0; l < p->nr_locations; l++) {
		char name[4];

		c->off[l] = total;
		total += l ? profile__frame_count(p, l) : 1;
		if (total > UINT32_MAX)
			return -E2BIG;
		if (l && profile__frame_count(p, l) == 1 && !p->locations[l].address) {
			profile__frame_name(p, l, 0, name, sizeof(name));
			c->is_sep[l] = !strcmp(name, PF_WAKER_SEP);
		}
	}
	c->off[p->nr_locations] = total;
	c->name_of = malloc((total + 1) * sizeof(*c->name_of));
	if (!c->name_of)
		return -ENOMEM;
	memset(c->name_of, 0xff, (total + 1) * sizeof(*c->name_of));
	return 0;
}

static void cache_free(struct name_cache *c)
{
	free(c->off);
	free(c->name_of);
	free(c->is_sep);
	free(c->idle_of);
	free(c->fr);
	path_rules__free(c->rules);
}

static int cache_init_idle(struct name_cache *c, const struct profile *p)
{
	c->idle_of = calloc(p->nr_stacks ? p->nr_stacks : 1, sizeof(*c->idle_of));
	c->fr = malloc(sizeof(*c->fr));
	if (!c->idle_of || !c->fr)
		return -ENOMEM;
	c->rules = path_rules__from_profile(p);
	return 0;
}

/* An off-CPU reason (not on-CPU, not waiting for a CPU) of a stack waiting for work. */
static bool idle_wait(struct name_cache *c, const struct profile *p, uint32_t stack,
		      uint32_t labelset, const char *key)
{
	const char *v;
	int reason;

	if (!c->idle_of || !labelset)
		return false;
	v = profile__label_str(p, labelset, key);
	if (!v || !*v || !strcmp(v, "cpu") || !strcmp(v, "runq"))
		return false;
	if (!c->idle_of[stack]) {
		frames__user(p, stack, c->fr);
		c->idle_of[stack] = frames__is_idle(c->rules, c->fr) ? 2 : 1;
	}
	/* idle as the Paths section calls it (attribute.h) */
	reason = reason__parse(v);
	if (reason < 0 || reason >= REASON_NR_BLOCKED)
		reason = REASON_OTHER;
	return paths__wait_is_idle(c->idle_of[stack] == 2, paths__how_of(p, labelset), &reason);
}

/* Name id of frame j (0 = outermost) of location loc. */
static int frame_name(struct flame_tree *t, struct name_cache *c, const struct profile *p,
		      uint32_t loc, uint32_t j, uint32_t nr, uint32_t *id)
{
	uint32_t *slot = &c->name_of[c->off[loc] + j];
	char buf[4096];
	int err;

	if (*slot != UINT32_MAX) {
		*id = *slot;
		return 0;
	}
	/* profile lines are innermost first: frame j from the top is line nr-1-j */
	profile__frame_name(p, loc, nr - 1 - j, buf, sizeof(buf));
	err = intern_name(t, buf, id);
	if (!err)
		*slot = *id;
	return err;
}

/* A synthetic "[value]" frame for label key of a label set; 0 = none. */
static int label_frame(struct flame_tree *t, const struct profile *p, uint32_t labelset,
		       const char *key, uint32_t *id)
{
	const char *v;
	char buf[256];
	int64_t num;

	*id = UINT32_MAX;
	if (!key || !labelset)
		return 0;
	v = profile__label_str(p, labelset, key);
	if (v && *v) {
		snprintf(buf, sizeof(buf), "[%s]", v);
	} else if (profile__label_num(p, labelset, key, &num)) {
		snprintf(buf, sizeof(buf), "[%s %lld]", key, (long long)num);
	} else {
		return 0;
	}
	return intern_name(t, buf, id);
}

/* The blocked value and reason of a leaf label frame, up to the root. */
static void mark_blocked(struct flame_tree *t, uint32_t node, uint32_t reason, int64_t value)
{
	for (; node; node = t->nodes[node].parent) {
		struct flame_node *n = &t->nodes[node];

		n->blocked += value;
		if (!n->reason)
			n->reason = reason;
		else if (n->reason != reason)
			n->reason = FLAME_MIXED;
	}
}

/* Steps *node through the frames of one location, outermost first. */
static int add_location(struct flame_tree *t, struct name_cache *c, const struct profile *p,
			const struct flame_tree_opts *o, uint32_t loc, int64_t value, int slot,
			uint32_t *node)
{
	const struct pf_location *l;
	uint32_t nr, name;
	int err;

	if (!loc || loc >= p->nr_locations)
		return 0;
	l = &p->locations[loc];
	if (o->no_kernel && l->kernel)
		return 0;
	nr = profile__frame_count(p, loc);
	for (uint32_t j = 0; j < nr; j++) {
		uint8_t kind = l->kernel ? FLAME_KERNEL : j ? FLAME_INLINE : FLAME_USER;

		err = frame_name(t, c, p, loc, j, nr, &name);
		if (err)
			return err;
		*node = step(t, *node, name, kind, value, slot);
		if (!*node)
			return -ENOMEM;
	}
	return 0;
}

static int add_one(struct flame_tree *t, struct name_cache *c, const struct profile *p,
		   const struct flame_tree_opts *o, uint32_t stack, uint32_t labelset,
		   int64_t value, int slot)
{
	const struct pf_stack *st = &p->stacks[stack];
	uint32_t node = 0, name, depth_before, sep;
	int err;

	t->nodes[0].total[slot] += value;
	err = label_frame(t, p, labelset, o->root_label, &name);
	if (err)
		return err;
	if (name != UINT32_MAX && !(node = step(t, node, name, FLAME_SYNTH, value, slot)))
		return -ENOMEM;
	depth_before = t->nodes[node].depth;
	/*
	 * An off-CPU waker edge is "blocked stack, -, waker stack" (leaf
	 * first).  Only the blocked part is the thread's own call path; the
	 * waker's frames would otherwise become roots of their own.
	 */
	for (sep = 0; sep < st->nr; sep++)
		if (st->locs[sep] < p->nr_locations && c->is_sep[st->locs[sep]])
			break;
	for (uint32_t i = sep; i-- > 0;) {
		err = add_location(t, c, p, o, st->locs[i], value, slot, &node);
		if (err)
			return err;
	}
	if (o->leaf_label && idle_wait(c, p, stack, labelset, o->leaf_label))
		err = intern_name(t, "[idle]", &name);
	else
		err = label_frame(t, p, labelset, o->leaf_label, &name);
	if (err)
		return err;
	if (name != UINT32_MAX) {
		node = step(t, node, name, FLAME_SYNTH, value, slot);
		if (!node)
			return -ENOMEM;
		if (slot == 0)
			mark_blocked(t, node, name, value);
	} else if (t->nodes[node].depth == depth_before) {
		/* Keep stackless time visible rather than lumping it into the root. */
		err = intern_name(t, NO_STACK_NAME, &name);
		if (err)
			return err;
		node = step(t, node, name, FLAME_SYNTH, value, slot);
		if (!node)
			return -ENOMEM;
	}
	/* FlameGraph's offwaketime layout: "--", then the waker, leaf first */
	if (o->wakers && sep < st->nr) {
		err = intern_name(t, "--", &name);
		if (err)
			return err;
		node = step(t, node, name, FLAME_SYNTH, value, slot);
		if (!node)
			return -ENOMEM;
		for (uint32_t i = sep + 1; i < st->nr; i++) {
			err = add_location(t, c, p, o, st->locs[i], value, slot, &node);
			if (err)
				return err;
		}
	}
	t->nodes[node].self[slot] += value;
	return 0;
}

/*
 * Room for every node p's stacks can add (each frame of each distinct
 * stack, at most FLAME_RESERVE_NODES) before walking them: grown by
 * doubling, a tree of a million nodes (72 MB) was copied by realloc()
 * again and again into fresh pages, a sixth of `flame`'s time on 50,000
 * stacks.  What is reserved and never used is address space, not memory.
 */
#define FLAME_RESERVE_NODES	(1u << 22)

static int reserve_nodes(struct flame_tree *t, const struct profile *p)
{
	uint64_t want = t->nr_nodes;
	size_t ncap;

	/* its frames, and a root label and a leaf label */
	for (uint32_t s = 0; s < p->nr_stacks && want < FLAME_RESERVE_NODES; s++)
		want += p->stacks[s].nr + 2;
	if (want > FLAME_RESERVE_NODES)
		want = FLAME_RESERVE_NODES;
	if (want <= t->cap_nodes)
		return 0;
	ncap = array__reserve((void **)&t->nodes, want, t->cap_nodes, 1024, sizeof(*t->nodes));
	if (!ncap)
		return -ENOMEM;
	t->cap_nodes = ncap;
	return 0;
}

int flame_tree__add_profile(struct flame_tree *t, const struct profile *p,
			    const struct flame_tree_opts *o, int slot)
{
	struct name_cache c = { 0 };
	int64_t *per_stack = NULL;
	int err = 0;

	if (!t || !p || !o || slot < 0 || slot >= FLAME_SLOTS || o->type_idx < 0 ||
	    (uint32_t)o->type_idx >= p->nr_types)
		return -EINVAL;
	if (!t->type[0]) {
		snprintf(t->type, sizeof(t->type), "%s",
			 profile__str(p, p->types[o->type_idx].type));
		snprintf(t->unit, sizeof(t->unit), "%s",
			 profile__str(p, p->types[o->type_idx].unit));
	}
	err = cache_init(&c, p);
	if (!err)
		err = reserve_nodes(t, p);
	if (!err && o->idle_leaf && o->leaf_label)
		err = cache_init_idle(&c, p);
	if (err)
		goto out_cache;
	if (!o->root_label && !o->leaf_label) {
		/*
		 * Samples differing only by labels share a stack: sum them
		 * first so each distinct stack is walked once.
		 */
		per_stack = calloc(p->nr_stacks ? p->nr_stacks : 1, sizeof(*per_stack));
		if (!per_stack) {
			err = -ENOMEM;
			goto out_cache;
		}
		for (uint32_t i = 0; i < p->nr_samples; i++) {
			int64_t v = profile__value(p, i, o->type_idx);

			if (v > 0 && p->samples[i].stack < p->nr_stacks)
				per_stack[p->samples[i].stack] += v;
		}
		for (uint32_t s = 0; s < p->nr_stacks && !err; s++)
			if (per_stack[s] > 0)
				err = add_one(t, &c, p, o, s, 0, per_stack[s], slot);
	} else {
		for (uint32_t i = 0; i < p->nr_samples && !err; i++) {
			int64_t v = profile__value(p, i, o->type_idx);

			if (v > 0 && p->samples[i].stack < p->nr_stacks)
				err = add_one(t, &c, p, o, p->samples[i].stack,
					      p->samples[i].labelset, v, slot);
		}
	}
	free(per_stack);
out_cache:
	cache_free(&c);
	return err;
}

static int cmp_name_id(const void *a, const void *b, void *ctx)
{
	char **names = ctx;

	return strcmp(names[*(const uint32_t *)a], names[*(const uint32_t *)b]);
}

struct sort_ctx {
	const struct flame_tree *t;
	const uint32_t *rank;
};

static int cmp_child(const void *a, const void *b, void *ctx)
{
	const struct sort_ctx *s = ctx;
	const struct flame_node *x = &s->t->nodes[*(const uint32_t *)a];
	const struct flame_node *y = &s->t->nodes[*(const uint32_t *)b];

	if (s->rank[x->name] != s->rank[y->name])
		return s->rank[x->name] < s->rank[y->name] ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

int flame_tree__finish(struct flame_tree *t)
{
	uint32_t *order, *rank, *kids = NULL, cap = 0;
	struct sort_ctx sc;
	int err = 0;

	if (!t)
		return -EINVAL;
	if (t->finished)
		return 0;
	/* Rank names once so that sorting siblings compares integers. */
	order = malloc(t->nr_names * sizeof(*order));
	rank = malloc(t->nr_names * sizeof(*rank));
	if (!order || !rank) {
		err = -ENOMEM;
		goto out_free;
	}
	for (uint32_t i = 0; i < t->nr_names; i++)
		order[i] = i;
	qsort_r(order, t->nr_names, sizeof(*order), cmp_name_id, t->names);
	for (uint32_t i = 0; i < t->nr_names; i++)
		rank[order[i]] = i;
	sc.t = t;
	sc.rank = rank;
	t->max_depth = 0;
	for (uint32_t n = 0; n < t->nr_nodes; n++) {
		uint32_t nr = 0;

		if (t->nodes[n].depth > t->max_depth)
			t->max_depth = t->nodes[n].depth;
		for (uint32_t c = t->nodes[n].first_child; c; c = t->nodes[c].next_sibling) {
			if (nr == cap) {
				uint32_t ncap = cap ? cap * 2 : 64, *nk;

				nk = realloc(kids, ncap * sizeof(*nk));
				if (!nk) {
					err = -ENOMEM;
					goto out_free;
				}
				kids = nk;
				cap = ncap;
			}
			kids[nr++] = c;
		}
		if (nr < 2)
			continue;
		qsort_r(kids, nr, sizeof(*kids), cmp_child, &sc);
		t->nodes[n].first_child = kids[0];
		for (uint32_t i = 0; i < nr; i++)
			t->nodes[kids[i]].next_sibling = i + 1 < nr ? kids[i + 1] : 0;
	}
	t->finished = true;
out_free:
	free(kids);
	free(order);
	free(rank);
	return err;
}

struct flame_tree *flame_tree__build(const struct profile *p, const struct flame_tree_opts *o,
				     int *err)
{
	struct flame_tree *t = flame_tree__new();
	int e = -ENOMEM;

	if (!t)
		goto fail;
	e = flame_tree__add_profile(t, p, o, 0);
	if (!e)
		e = flame_tree__finish(t);
	if (!e)
		return t;
fail:
	flame_tree__free(t);
	if (err)
		*err = e;
	return NULL;
}

int flame_tree__walk(const struct flame_tree *t,
		     int (*visit)(const struct flame_tree *t, uint32_t node, void *ctx),
		     void (*leave)(const struct flame_tree *t, uint32_t node, void *ctx),
		     void *ctx)
{
	uint32_t n = t->nodes[0].first_child;

	/* Parent and sibling links make the walk stackless. */
	while (n) {
		int r = visit ? visit(t, n, ctx) : 0;

		if (r && r != FLAME_WALK_SKIP)
			return r;
		if (!r && t->nodes[n].first_child) {
			n = t->nodes[n].first_child;
			continue;
		}
		for (;;) {
			if (leave)
				leave(t, n, ctx);
			if (t->nodes[n].next_sibling) {
				n = t->nodes[n].next_sibling;
				break;
			}
			n = t->nodes[n].parent;
			if (!n)
				return 0;
		}
	}
	return 0;
}
