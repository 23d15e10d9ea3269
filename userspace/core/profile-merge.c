// SPDX-License-Identifier: MIT
/*
 * The profile model: merging two profiles, cloning and filtering one; see
 * profile.h for the API.
 */
#include "core/profile.h"
#include "core/profile-internal.h"
#include "core/hashmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- merge ---- */

/* Maps src ids to dst ids, filled lazily per table. */
struct merge_map {
	uint32_t *str, *map, *fn, *loc, *stack, *ls;
};

static uint32_t map_str(struct profile *dst, const struct profile *src, struct merge_map *mm,
			uint32_t id)
{
	if (!id || id >= src->nr_strings)
		return 0;
	if (!mm->str[id])
		mm->str[id] = profile__intern(dst, src->strings[id]);
	return mm->str[id];
}

static int merge_tables(struct profile *dst, const struct profile *src, struct merge_map *mm)
{
	uint32_t i, j;

	for (i = 1; i < src->nr_mappings; i++) {
		struct pf_mapping m = src->mappings[i];

		m.filename = map_str(dst, src, mm, m.filename);
		m.build_id = map_str(dst, src, mm, m.build_id);
		mm->map[i] = profile__add_mapping(dst, &m);
		if (!mm->map[i])
			return -ENOMEM;
	}
	for (i = 1; i < src->nr_functions; i++) {
		const struct pf_function *f = &src->functions[i];

		mm->fn[i] = pf_function_intern_ids(dst, map_str(dst, src, mm, f->name),
						map_str(dst, src, mm, f->system_name),
						map_str(dst, src, mm, f->filename), f->start_line);
		if (!mm->fn[i])
			return -ENOMEM;
	}
	for (i = 1; i < src->nr_locations; i++) {
		const struct pf_location *l = &src->locations[i];
		struct pf_line sbuf[8], *lines = sbuf;
		uint32_t id;

		if (l->nr_lines > 8) {
			lines = malloc(l->nr_lines * sizeof(*lines));
			if (!lines)
				return -ENOMEM;
		}
		for (j = 0; j < l->nr_lines; j++) {
			lines[j].function = mm->fn[l->lines[j].function];
			lines[j].line = l->lines[j].line;
		}
		if (src->hash->loc_raw[i]) {
			id = profile__intern_address(dst, l->pid, l->kernel, l->address);
			/* Carry symbolization over if dst has none yet. */
			if (id && !dst->locations[id].symbolized && !dst->locations[id].nr_lines &&
			    (l->symbolized || l->nr_lines || l->mapping)) {
				struct pf_location *d = &dst->locations[id];

				d->mapping = mm->map[l->mapping];
				d->symbolized = l->symbolized;
				for (j = 0; j < l->nr_lines; j++)
					if (profile__location_add_line(dst, id, lines[j].function,
								       lines[j].line))
						id = 0;
			}
		} else {
			id = profile__intern_location(dst, l->kernel, l->address,
						      mm->map[l->mapping], lines, l->nr_lines);
		}
		if (lines != sbuf)
			free(lines);
		mm->loc[i] = id;
		if (!id)
			return -ENOMEM;
	}
	return 0;
}

static uint32_t merge_stack(struct profile *dst, const struct profile *src,
			    struct merge_map *mm, uint32_t s)
{
	const struct pf_stack *st = &src->stacks[s];
	uint32_t sbuf[128], *locs = sbuf, i, id;

	if (mm->stack[s])
		return mm->stack[s];
	if (st->nr > 128) {
		locs = malloc(st->nr * sizeof(*locs));
		if (!locs)
			return 0;
	}
	for (i = 0; i < st->nr; i++)
		locs[i] = mm->loc[st->locs[i]];
	id = profile__intern_stack(dst, locs, st->nr);
	if (locs != sbuf)
		free(locs);
	return mm->stack[s] = id;
}

static uint32_t merge_labelset(struct profile *dst, const struct profile *src,
			       struct merge_map *mm, uint32_t s)
{
	const struct pf_labelset *ls = &src->labelsets[s];
	struct pf_label sbuf[16], *l = sbuf;
	uint32_t i, id;

	if (!s || mm->ls[s])
		return mm->ls[s];
	if (ls->nr > 16) {
		l = malloc(ls->nr * sizeof(*l));
		if (!l)
			return 0;
	}
	for (i = 0; i < ls->nr; i++) {
		l[i] = ls->labels[i];
		l[i].key = map_str(dst, src, mm, l[i].key);
		l[i].str = map_str(dst, src, mm, l[i].str);
		l[i].unit = map_str(dst, src, mm, l[i].unit);
	}
	id = profile__intern_label_ids(dst, l, ls->nr);
	if (l != sbuf)
		free(l);
	return mm->ls[s] = id;
}

static int merge_records(struct profile *dst, const struct profile *src, struct merge_map *mm)
{
	uint32_t i, j;
	int err;

	for (i = 0; i < src->nr_records; i++) {
		const struct pf_record *r = &src->records[i];
		uint32_t sk[16], sv[16], *k = sk, *v = sv;

		if (r->nr_fields > 16) {
			k = malloc(r->nr_fields * sizeof(*k));
			v = malloc(r->nr_fields * sizeof(*v));
		}
		err = -ENOMEM;
		if (k && v) {
			for (j = 0; j < r->nr_fields; j++) {
				k[j] = map_str(dst, src, mm, r->keys[j]);
				v[j] = map_str(dst, src, mm, r->vals[j]);
			}
			err = pf_record_add_ids(dst, map_str(dst, src, mm, r->kind), k, v,
					     r->nr_fields);
		}
		if (k != sk)
			free(k);
		if (v != sv)
			free(v);
		if (err)
			return err;
	}
	for (i = 0; i < src->nr_comments; i++) {
		err = pf_comment_add_id(dst, map_str(dst, src, mm, src->comments[i]));
		if (err)
			return err;
	}
	return 0;
}

int profile__merge(struct profile *dst, const struct profile *src)
{
	struct merge_map mm = { 0 };
	int col[PF_MAX_TYPES];
	int64_t dst_end, src_end;
	uint32_t i, t;
	int err = -ENOMEM;

	if (!dst || !src || dst == src)
		return -EINVAL;
	mm.str = calloc(src->nr_strings, sizeof(uint32_t));
	mm.map = calloc(src->nr_mappings, sizeof(uint32_t));
	mm.fn = calloc(src->nr_functions, sizeof(uint32_t));
	mm.loc = calloc(src->nr_locations, sizeof(uint32_t));
	mm.stack = calloc(src->nr_stacks, sizeof(uint32_t));
	mm.ls = calloc(src->nr_labelsets, sizeof(uint32_t));
	if (!mm.str || !mm.map || !mm.fn || !mm.loc || !mm.stack || !mm.ls)
		goto out_free;

	for (t = 0; t < src->nr_types; t++) {
		col[t] = profile__add_type(dst, profile__str(src, src->types[t].type),
					   profile__str(src, src->types[t].unit));
		if (col[t] < 0) {
			err = col[t];
			goto out_free;
		}
	}
	err = merge_tables(dst, src, &mm);
	if (err)
		goto out_free;
	for (i = 0; i < src->nr_samples; i++) {
		const struct pf_sample *s = &src->samples[i];
		uint32_t st = merge_stack(dst, src, &mm, s->stack);
		uint32_t ls = merge_labelset(dst, src, &mm, s->labelset);
		int64_t *dv;
		int idx;

		err = -ENOMEM;
		if (!st || (s->labelset && !ls))
			goto out_free;
		idx = pf_sample_find_or_add(dst, st, ls);
		if (idx < 0) {
			err = idx;
			goto out_free;
		}
		dv = profile__sample_values(dst, idx);
		for (t = 0; t < src->nr_types; t++)
			dv[col[t]] += profile__value(src, i, t);
	}
	err = merge_records(dst, src, &mm);
	if (err)
		goto out_free;

	/* The merged profile covers both time spans. */
	if (src->time_nanos || src->duration_nanos) {
		if (!dst->time_nanos && !dst->duration_nanos) {
			dst->time_nanos = src->time_nanos;
			dst->duration_nanos = src->duration_nanos;
		} else {
			dst_end = dst->time_nanos + dst->duration_nanos;
			src_end = src->time_nanos + src->duration_nanos;
			if (src->time_nanos < dst->time_nanos)
				dst->time_nanos = src->time_nanos;
			dst->duration_nanos = (src_end > dst_end ? src_end : dst_end) -
					      dst->time_nanos;
		}
	}
	if (!dst->period_type.type && src->period_type.type) {
		dst->period_type.type = map_str(dst, src, &mm, src->period_type.type);
		dst->period_type.unit = map_str(dst, src, &mm, src->period_type.unit);
		dst->period = src->period;
	}
	if (dst->default_type < 0 && src->default_type >= 0 &&
	    (uint32_t)src->default_type < src->nr_types)
		dst->default_type = col[src->default_type];
	err = 0;
out_free:
	free(mm.str);
	free(mm.map);
	free(mm.fn);
	free(mm.loc);
	free(mm.stack);
	free(mm.ls);
	return err;
}

/* ---- clone / filter ---- */

/*
 * Copying p's tables into np (fresh) with the same ids, so that ids taken
 * from p stay valid in the copy.  Each helper: 0 or -ENOMEM (np is freed
 * by the caller).
 */
static int clone_strings(struct profile *np, const struct profile *p)
{
	struct pf_hash *h = np->hash;
	uint32_t i, id;

	for (i = 1; i < p->nr_strings; i++) {
		size_t len = strlen(p->strings[i]);

		if (GROW(np->strings, np->cap_strings, i + 1))
			return -ENOMEM;
		/* Strings with NUL inside (intern_len) would be cut here; they
		 * are never produced by peerscope's own writers. */
		np->strings[i] = pf_arena_alloc(h, len + 1);
		if (!np->strings[i])
			return -ENOMEM;
		memcpy(np->strings[i], p->strings[i], len + 1);
		np->nr_strings = i + 1;
		if (len && hashmap__find_or_insert(h->strings, p->strings[i], len, i, &id) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int clone_mappings(struct profile *np, const struct profile *p)
{
	uint32_t i, id;

	for (i = 1; i < p->nr_mappings; i++) {
		const struct pf_mapping *m = &p->mappings[i];
		struct mapping_key k = { 0 };

		if (GROW(np->mappings, np->cap_mappings, i + 1))
			return -ENOMEM;
		np->mappings[i] = *m;
		np->nr_mappings = i + 1;
		k.start = m->start;
		k.limit = m->limit;
		k.offset = m->offset;
		k.filename = m->filename;
		k.build_id = m->build_id;
		if (hashmap__find_or_insert(np->hash->mappings, &k, sizeof(k), i, &id) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int clone_functions(struct profile *np, const struct profile *p)
{
	uint32_t i, id;

	for (i = 1; i < p->nr_functions; i++) {
		const struct pf_function *f = &p->functions[i];
		uint32_t k[3] = { f->name, f->system_name, f->filename };

		if (GROW(np->functions, np->cap_functions, i + 1))
			return -ENOMEM;
		np->functions[i] = *f;
		np->nr_functions = i + 1;
		if (hashmap__find_or_insert(np->hash->functions, k, sizeof(k), i, &id) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Location i, its lines and the key it was interned with (raw or content). */
static int clone_location(struct profile *np, const struct profile *p, uint32_t i)
{
	const struct pf_location *l = &p->locations[i];
	struct pf_hash *h = np->hash;
	struct pf_location *nl;
	unsigned char *key;
	uint32_t id;
	size_t len;

	if (GROW(np->locations, np->cap_locations, i + 1) ||
	    pf_grow((void **)&h->loc_raw, &h->cap_loc_raw, i + 1, 1))
		return -ENOMEM;
	nl = &np->locations[i];
	*nl = *l;
	nl->lines = NULL;
	nl->nr_lines = 0;
	np->nr_locations = i + 1;
	if (l->nr_lines) {
		nl->lines = malloc(l->nr_lines * sizeof(*nl->lines));
		if (!nl->lines)
			return -ENOMEM;
		memcpy(nl->lines, l->lines, l->nr_lines * sizeof(*nl->lines));
		nl->nr_lines = l->nr_lines;
	}
	h->loc_raw[i] = p->hash->loc_raw[i];
	key = malloc(16 + 12 * (size_t)l->nr_lines);
	if (!key)
		return -ENOMEM;
	if (h->loc_raw[i]) {
		struct raw_loc_key rk = { .tag = 'R', .kernel = l->kernel, .pid = l->pid,
					  .address = l->address };

		len = sizeof(rk);
		memcpy(key, &rk, len);
	} else {
		len = pf_content_key(key, l->kernel, l->address, l->mapping, l->lines,
				  l->nr_lines);
	}
	/* A location whose content changed after interning may now
	 * collide with another; the first keeps the key, which only
	 * affects future de-duplication. */
	if (hashmap__find_or_insert(h->locations, key, len, i, &id) < 0) {
		free(key);
		return -ENOMEM;
	}
	free(key);
	return 0;
}

/*
 * Stacks and label sets: an arena copy of len bytes at src (never NULL,
 * even empty), interned in map as id i.  The copy or NULL.
 */
static void *clone_array(struct pf_hash *h, struct hashmap *map, const void *src, size_t len,
			 uint32_t i)
{
	void *copy = pf_arena_alloc(h, len ? len : 1);
	uint32_t id;

	if (!copy)
		return NULL;
	if (len)
		memcpy(copy, src, len);
	if (hashmap__find_or_insert(map, src, len, i, &id) < 0)
		return NULL;
	return copy;
}

static int clone_stacks_labelsets(struct profile *np, const struct profile *p)
{
	struct pf_hash *h = np->hash;
	uint32_t i;

	for (i = 1; i < p->nr_stacks; i++) {
		const struct pf_stack *s = &p->stacks[i];

		if (GROW(np->stacks, np->cap_stacks, i + 1))
			return -ENOMEM;
		np->stacks[i].nr = s->nr;
		np->stacks[i].locs = clone_array(h, h->stacks, s->locs,
						 (size_t)s->nr * sizeof(uint32_t), i);
		if (!np->stacks[i].locs)
			return -ENOMEM;
		np->nr_stacks = i + 1;
	}
	for (i = 1; i < p->nr_labelsets; i++) {
		const struct pf_labelset *s = &p->labelsets[i];

		if (GROW(np->labelsets, np->cap_labelsets, i + 1))
			return -ENOMEM;
		np->labelsets[i].nr = s->nr;
		np->labelsets[i].labels = clone_array(h, h->labelsets, s->labels,
						      (size_t)s->nr * sizeof(struct pf_label), i);
		if (!np->labelsets[i].labels)
			return -ENOMEM;
		np->nr_labelsets = i + 1;
	}
	return 0;
}

static int clone_records(struct profile *np, const struct profile *p)
{
	uint32_t i;

	for (i = 0; i < p->nr_records; i++) {
		const struct pf_record *r = &p->records[i];

		if (pf_record_add_ids(np, r->kind, r->keys, r->vals, r->nr_fields))
			return -ENOMEM;
	}
	for (i = 0; i < p->nr_comments; i++)
		if (pf_comment_add_id(np, p->comments[i]))
			return -ENOMEM;
	return 0;
}

/* A copy with the same ids in every table; only the samples differ. */
static struct profile *profile_clone_tables(const struct profile *p)
{
	struct profile *np = profile__new();
	uint32_t i;

	if (!np)
		return NULL;
	if (clone_strings(np, p))
		goto err_free;
	memcpy(np->types, p->types, sizeof(p->types));
	np->nr_types = p->nr_types;
	if (pf_values_widen(np, np->nr_types))
		goto err_free;
	np->default_type = p->default_type;
	if (clone_mappings(np, p) || clone_functions(np, p))
		goto err_free;
	for (i = 1; i < p->nr_locations; i++)
		if (clone_location(np, p, i))
			goto err_free;
	if (clone_stacks_labelsets(np, p) || clone_records(np, p))
		goto err_free;
	np->time_nanos = p->time_nanos;
	np->duration_nanos = p->duration_nanos;
	np->period_type = p->period_type;
	np->period = p->period;
	return np;

err_free:
	profile__free(np);
	return NULL;
}

struct profile *profile__filter(const struct profile *p,
				bool (*keep)(const struct profile *p, uint32_t sample, void *ctx),
				void *ctx)
{
	struct profile *np = profile_clone_tables(p);
	uint32_t i;

	if (!np)
		return NULL;
	for (i = 0; i < p->nr_samples; i++) {
		int s;

		if (keep && !keep(p, i, ctx))
			continue;
		s = pf_sample_find_or_add(np, p->samples[i].stack, p->samples[i].labelset);
		if (s < 0) {
			profile__free(np);
			return NULL;
		}
		memcpy(profile__sample_values(np, s), profile__sample_values(p, i),
		       p->nr_types * sizeof(int64_t));
	}
	return np;
}

struct profile *profile__clone(const struct profile *p)
{
	return profile__filter(p, NULL, NULL);
}

void profile__swap(struct profile *a, struct profile *b)
{
	struct profile t = *a;

	*a = *b;
	*b = t;
	/* The key functions find their arrays through the owner. */
	a->hash->owner = a;
	b->hash->owner = b;
}
