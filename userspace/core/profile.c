// SPDX-License-Identifier: MIT
/*
 * The profile model; see profile.h for the API and docs/format.md for how it
 * maps onto pprof.
 *
 * Interning: every table that must stay unique has a private hash
 * (hashmap.c) from its key bytes to its id.  Where the object already holds
 * its key bytes (strings, stacks, label sets, samples) the hash reads them
 * back through a key function instead of keeping a copy.  Immutable arrays
 * (string bytes, stack location arrays, label arrays, record fields) live in
 * a chunked arena so that their addresses never move and freeing is cheap.
 *
 * Locations come in two kinds, remembered per location in pf_hash:
 *  - raw: keyed by (pid, kernel, address), as a collector sees them before
 *    symbolization; the symbolizer later fills mapping and lines in place;
 *  - content: keyed by (kernel, address, mapping, lines), for frames that
 *    arrive already named (named frames, pprof files).
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


#define ARENA_CHUNK (256u << 10)

void *pf_arena_alloc(struct pf_hash *h, size_t n)
{
	struct arena_chunk *c = h->arena;
	size_t need = (n + 7) & ~(size_t)7;

	if (!c || c->size - c->used < need) {
		size_t sz = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;

		c = malloc(sizeof(*c) + sz);
		if (!c)
			return NULL;
		c->size = sz;
		c->used = 0;
		/* A big one-off block goes behind the current chunk so the
		 * current one keeps being filled. */
		if (sz != ARENA_CHUNK && h->arena) {
			c->next = h->arena->next;
			h->arena->next = c;
			c->used = need;
			return c->data;
		}
		c->next = h->arena;
		h->arena = c;
	}
	c->used += need;
	return c->data + c->used - need;
}

static void arena_free(struct pf_hash *h)
{
	struct arena_chunk *c = h->arena, *n;

	for (; c; c = n) {
		n = c->next;
		free(c);
	}
	h->arena = NULL;
}

int pf_grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	uint64_t ncap;
	void *na;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	if (ncap > UINT32_MAX)
		ncap = UINT32_MAX;
	if (ncap < need)
		return -ENOMEM;
	na = realloc(*arr, ncap * elem);
	if (!na)
		return -ENOMEM;
	memset((char *)na + (size_t)*cap * elem, 0, (ncap - *cap) * elem);
	*arr = na;
	*cap = (uint32_t)ncap;
	return 0;
}

/* Key functions: the bytes an object was interned with. */
static const void *string_key(void *ctx, uint32_t id)
{
	return ((struct pf_hash *)ctx)->owner->strings[id];
}

static const void *stack_key(void *ctx, uint32_t id)
{
	return ((struct pf_hash *)ctx)->owner->stacks[id].locs;
}

/* A raw stack's key (profile__intern_raw_stack), from its locations. */
static const void *raw_stack_key(void *ctx, uint32_t id)
{
	struct pf_hash *h = ctx;
	const struct profile *p = h->owner;
	const struct pf_stack *st = &p->stacks[id];
	uint32_t nk = 0, pid = 0;

	/* only keys of the probe's length are compared: the caller sized raw_key */
	for (uint32_t i = 0; i < st->nr; i++) {
		const struct pf_location *l = &p->locations[st->locs[i]];

		h->raw_key[1 + i] = l->address;
		if (l->kernel)
			nk++;
		else
			pid = l->pid;
	}
	h->raw_key[0] = (uint64_t)pid << 32 | nk;
	return h->raw_key;
}

static const void *labelset_key(void *ctx, uint32_t id)
{
	return ((struct pf_hash *)ctx)->owner->labelsets[id].labels;
}

static const void *sample_key(void *ctx, uint32_t id)
{
	return &((struct pf_hash *)ctx)->owner->samples[id - 1];
}

static void hash_free(struct pf_hash *h)
{
	if (!h)
		return;
	hashmap__free(h->strings);
	hashmap__free(h->functions);
	hashmap__free(h->mappings);
	hashmap__free(h->locations);
	hashmap__free(h->stacks);
	hashmap__free(h->labelsets);
	hashmap__free(h->samples);
	hashmap__free(h->raw_stacks);
	free(h->raw_key);
	free(h->loc_raw);
	arena_free(h);
	free(h);
}

static struct pf_hash *hash_new(struct profile *p)
{
	struct pf_hash *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->owner = p;
	h->strings = hashmap__new(string_key, h);
	h->functions = hashmap__new(NULL, NULL);
	h->mappings = hashmap__new(NULL, NULL);
	h->locations = hashmap__new(NULL, NULL);
	h->stacks = hashmap__new(stack_key, h);
	h->labelsets = hashmap__new(labelset_key, h);
	h->samples = hashmap__new(sample_key, h);
	h->raw_stacks = hashmap__new(raw_stack_key, h);
	if (!h->raw_stacks || !h->strings || !h->functions || !h->mappings || !h->locations ||
	    !h->stacks || !h->labelsets || !h->samples) {
		hash_free(h);
		return NULL;
	}
	return h;
}

struct profile *profile__new(void)
{
	struct profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->default_type = -1;
	p->hash = hash_new(p);
	if (!p->hash)
		goto err_free;
	/* Slot 0 of every 1-based table exists and means "none". */
	if (GROW(p->strings, p->cap_strings, 1) ||
	    GROW(p->mappings, p->cap_mappings, 1) ||
	    GROW(p->functions, p->cap_functions, 1) ||
	    GROW(p->locations, p->cap_locations, 1) ||
	    GROW(p->stacks, p->cap_stacks, 1) ||
	    GROW(p->labelsets, p->cap_labelsets, 1))
		goto err_free;
	p->strings[0] = "";
	p->nr_strings = p->nr_mappings = p->nr_functions = 1;
	p->nr_locations = p->nr_stacks = p->nr_labelsets = 1;
	return p;

err_free:
	profile__free(p);
	return NULL;
}

void profile__free(struct profile *p)
{
	uint32_t i;

	if (!p)
		return;
	for (i = 0; i < p->nr_locations; i++)
		free(p->locations[i].lines);
	free(p->strings);
	free(p->mappings);
	free(p->functions);
	free(p->locations);
	free(p->stacks);
	free(p->labelsets);
	free(p->samples);
	free(p->values);
	free(p->records);
	free(p->comments);
	hash_free(p->hash);
	free(p);
}

/* ---- strings ---- */

uint32_t profile__intern_len(struct profile *p, const char *s, size_t len)
{
	uint32_t id;
	char *copy;
	int err;

	if (!s || !len)
		return 0;
	if (len >= UINT32_MAX)
		return 0;
	id = hashmap__find(p->hash->strings, s, len);
	if (id)
		return id;
	if (p->nr_strings == UINT32_MAX || GROW(p->strings, p->cap_strings, p->nr_strings + 1))
		return 0;
	copy = pf_arena_alloc(p->hash, len + 1);
	if (!copy)
		return 0;
	memcpy(copy, s, len);
	copy[len] = '\0';
	id = p->nr_strings;
	p->strings[id] = copy;
	err = hashmap__find_or_insert(p->hash->strings, s, len, id, &id);
	if (err < 0)
		return 0;
	p->nr_strings++;
	return id;
}

uint32_t profile__intern(struct profile *p, const char *s)
{
	return s ? profile__intern_len(p, s, strlen(s)) : 0;
}

bool profile__find_str(const struct profile *p, const char *s, uint32_t *id)
{
	size_t len = s ? strlen(s) : 0;

	if (!len) {
		*id = 0;
		return true;
	}
	*id = hashmap__find(p->hash->strings, s, len);
	return *id != 0;
}

/* ---- sample types ---- */

int profile__add_type(struct profile *p, const char *type, const char *unit)
{
	uint32_t t, u;
	uint32_t i;

	if (!type || !*type)
		return -EINVAL;
	t = profile__intern(p, type);
	u = profile__intern(p, unit);
	if (!t || (unit && *unit && !u))
		return -ENOMEM;
	for (i = 0; i < p->nr_types; i++)
		if (p->types[i].type == t && p->types[i].unit == u)
			return (int)i;
	if (p->nr_types >= PF_MAX_TYPES)
		return -ENOSPC;
	if (pf_values_widen(p, p->nr_types + 1))
		return -ENOMEM;
	/* Existing samples already hold 0 in every unused column. */
	p->types[p->nr_types].type = t;
	p->types[p->nr_types].unit = u;
	return (int)p->nr_types++;
}

int pf_values_widen(struct profile *p, uint32_t nr_types)
{
	uint32_t stride = p->values_stride ? p->values_stride : PF_MIN_STRIDE;
	int64_t *nv;

	while (stride < nr_types)
		stride *= 2;
	if (stride == p->values_stride)
		return 0;
	if (!p->cap_samples) {
		p->values_stride = stride;
		return 0;
	}
	nv = calloc((size_t)p->cap_samples * stride, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->nr_samples; i++)
		memcpy(nv + (size_t)i * stride, profile__sample_values(p, i),
		       p->values_stride * sizeof(*nv));
	free(p->values);
	p->values = nv;
	p->values_stride = stride;
	return 0;
}

/*
 * "alloc" names the first type called alloc; "alloc/objects" names the one
 * with that unit too, for recordings that hold one type in several units.
 */
int profile__type_index(const struct profile *p, const char *type)
{
	const char *slash = strchr(type, '/');
	size_t len = slash ? (size_t)(slash - type) : strlen(type);
	uint32_t i;

	for (i = 0; i < p->nr_types; i++) {
		const char *t = profile__str(p, p->types[i].type);

		if (strlen(t) != len || strncmp(t, type, len))
			continue;
		if (!slash || !strcmp(profile__str(p, p->types[i].unit), slash + 1))
			return (int)i;
	}
	return -1;
}

/* ---- mappings, functions ---- */

uint32_t profile__add_mapping(struct profile *p, const struct pf_mapping *m)
{
	struct mapping_key k;
	uint32_t id;
	int ret;

	if (!m || m->filename >= p->nr_strings || m->build_id >= p->nr_strings)
		return 0;
	memset(&k, 0, sizeof(k));
	k.start = m->start;
	k.limit = m->limit;
	k.offset = m->offset;
	k.filename = m->filename;
	k.build_id = m->build_id;
	if (GROW(p->mappings, p->cap_mappings, p->nr_mappings + 1))
		return 0;
	ret = hashmap__find_or_insert(p->hash->mappings, &k, sizeof(k), p->nr_mappings, &id);
	if (ret < 0)
		return 0;
	if (ret == 0) {
		/* Same mapping seen again: learn what the new sight knows. */
		p->mappings[id].has_functions |= m->has_functions;
		return id;
	}
	p->mappings[id] = *m;
	p->nr_mappings++;
	return id;
}

uint32_t pf_function_intern_ids(struct profile *p, uint32_t name, uint32_t sys,
				    uint32_t file, int64_t start_line)
{
	uint32_t k[3] = { name, sys, file }, id;
	int ret;

	if (GROW(p->functions, p->cap_functions, p->nr_functions + 1))
		return 0;
	ret = hashmap__find_or_insert(p->hash->functions, k, sizeof(k), p->nr_functions, &id);
	if (ret < 0)
		return 0;
	if (ret == 0) {
		if (!p->functions[id].start_line)
			p->functions[id].start_line = start_line;
		return id;
	}
	p->functions[id].name = name;
	p->functions[id].system_name = sys;
	p->functions[id].filename = file;
	p->functions[id].start_line = start_line;
	p->nr_functions++;
	return id;
}

uint32_t profile__intern_function(struct profile *p, const char *name,
				  const char *system_name, const char *filename)
{
	uint32_t n = profile__intern(p, name);
	uint32_t s = profile__intern(p, system_name);
	uint32_t f = profile__intern(p, filename);

	if ((name && *name && !n) || (system_name && *system_name && !s) ||
	    (filename && *filename && !f))
		return 0;
	return pf_function_intern_ids(p, n, s, f, 0);
}

uint32_t profile__intern_function_full(struct profile *p, uint32_t name, uint32_t system_name,
				       uint32_t filename, int64_t start_line)
{
	if (name >= p->nr_strings || system_name >= p->nr_strings || filename >= p->nr_strings)
		return 0;
	return pf_function_intern_ids(p, name, system_name, filename, start_line);
}

/* ---- locations ---- */

static uint32_t location_new(struct profile *p, const void *key, size_t len, bool raw,
			     bool *created)
{
	struct pf_hash *h = p->hash;
	uint32_t id;
	int ret;

	*created = false;
	if (p->nr_locations == UINT32_MAX ||
	    GROW(p->locations, p->cap_locations, p->nr_locations + 1) ||
	    pf_grow((void **)&h->loc_raw, &h->cap_loc_raw, p->nr_locations + 1, 1))
		return 0;
	ret = hashmap__find_or_insert(h->locations, key, len, p->nr_locations, &id);
	if (ret <= 0)
		return ret < 0 ? 0 : id;
	memset(&p->locations[id], 0, sizeof(p->locations[id]));
	h->loc_raw[id] = raw;
	p->nr_locations++;
	*created = true;
	return id;
}

uint32_t profile__intern_address(struct profile *p, uint32_t pid, bool kernel, uint64_t address)
{
	struct raw_loc_key k;
	bool created;
	uint32_t id;

	memset(&k, 0, sizeof(k));
	k.tag = 'R';
	k.kernel = kernel;
	k.pid = kernel ? 0 : pid;
	k.address = address;
	id = location_new(p, &k, sizeof(k), true, &created);
	if (created) {
		p->locations[id].address = address;
		p->locations[id].pid = k.pid;
		p->locations[id].kernel = kernel;
	}
	return id;
}

/* Content key: tag, kernel, mapping, address, then (function, line) pairs. */
size_t pf_content_key(void *buf, bool kernel, uint64_t address, uint32_t mapping,
			  const struct pf_line *lines, uint32_t nr)
{
	unsigned char *b = buf;
	size_t off = 0;
	uint32_t i, tag = 'C' | (kernel ? 0x100 : 0);

	memcpy(b + off, &tag, 4); off += 4;
	memcpy(b + off, &mapping, 4); off += 4;
	memcpy(b + off, &address, 8); off += 8;
	for (i = 0; i < nr; i++) {
		memcpy(b + off, &lines[i].function, 4); off += 4;
		memcpy(b + off, &lines[i].line, 8); off += 8;
	}
	return off;
}

uint32_t profile__intern_location(struct profile *p, bool kernel, uint64_t address,
				  uint32_t mapping, const struct pf_line *lines, uint32_t nr_lines)
{
	unsigned char sbuf[16 + 12 * 16], *buf = sbuf;
	struct pf_location *l;
	bool created;
	size_t len;
	uint32_t i, id = 0;

	if (mapping >= p->nr_mappings || (nr_lines && !lines) || nr_lines > (1u << 20))
		return 0;
	for (i = 0; i < nr_lines; i++)
		if (!lines[i].function || lines[i].function >= p->nr_functions)
			return 0;
	if (nr_lines > 16) {
		buf = malloc(16 + 12 * (size_t)nr_lines);
		if (!buf)
			return 0;
	}
	len = pf_content_key(buf, kernel, address, mapping, lines, nr_lines);
	id = location_new(p, buf, len, false, &created);
	if (!created)
		goto out_free;
	l = &p->locations[id];
	l->address = address;
	l->mapping = mapping;
	l->kernel = kernel;
	l->symbolized = true;  /* nothing for the symbolizer to add */
	if (nr_lines) {
		l->lines = malloc(nr_lines * sizeof(*l->lines));
		if (!l->lines) {
			/* Keep the table consistent: a location without lines. */
			id = 0;
			goto out_free;
		}
		memcpy(l->lines, lines, nr_lines * sizeof(*l->lines));
		l->nr_lines = nr_lines;
	}
out_free:
	if (buf != sbuf)
		free(buf);
	return id;
}

uint32_t profile__intern_named_frame(struct profile *p, const char *func, const char *module,
				     bool kernel)
{
	struct pf_mapping m = { 0 };
	struct pf_line line = { 0 };
	uint32_t mid = 0;

	if (!func || !*func)
		func = "[unknown]";
	if ((!module || !*module) && kernel)
		module = PF_KERNEL_MODULE;
	if (module && *module) {
		m.filename = profile__intern(p, module);
		if (!m.filename)
			return 0;
		/* The functions of this mapping are already named: tell pprof
		 * not to symbolize it again. */
		m.has_functions = true;
		mid = profile__add_mapping(p, &m);
		if (!mid)
			return 0;
	}
	line.function = profile__intern_function(p, func, func, NULL);
	if (!line.function)
		return 0;
	return profile__intern_location(p, kernel, 0, mid, &line, 1);
}

int profile__location_add_line(struct profile *p, uint32_t loc, uint32_t function, int64_t line)
{
	struct pf_location *l;
	struct pf_line *nl;

	if (!loc || loc >= p->nr_locations || !function || function >= p->nr_functions)
		return -EINVAL;
	l = &p->locations[loc];
	if (l->nr_lines == UINT32_MAX)
		return -ENOSPC;
	nl = realloc(l->lines, (l->nr_lines + 1) * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl[l->nr_lines].function = function;
	nl[l->nr_lines].line = line;
	l->lines = nl;
	l->nr_lines++;
	return 0;
}

/* ---- stacks ---- */

uint32_t profile__intern_stack(struct profile *p, const uint32_t *locs, uint32_t nr)
{
	struct pf_stack *s;
	uint32_t i, id;
	size_t len = (size_t)nr * sizeof(*locs);
	int ret;

	if (nr && !locs)
		return 0;
	for (i = 0; i < nr; i++)
		if (!locs[i] || locs[i] >= p->nr_locations)
			return 0;
	id = hashmap__find(p->hash->stacks, locs, len);
	if (id)
		return id;
	if (p->nr_stacks == UINT32_MAX || GROW(p->stacks, p->cap_stacks, p->nr_stacks + 1))
		return 0;
	s = &p->stacks[p->nr_stacks];
	s->nr = nr;
	s->locs = pf_arena_alloc(p->hash, len ? len : 1);
	if (!s->locs)
		return 0;
	if (len)
		memcpy(s->locs, locs, len);
	ret = hashmap__find_or_insert(p->hash->stacks, locs, len, p->nr_stacks, &id);
	if (ret < 0)
		return 0;
	p->nr_stacks++;
	return id;
}

#define RAW_CACHE_MAX (1u << 17)

uint32_t profile__intern_raw_stack(struct profile *p, uint32_t pid,
				   const uint64_t *kernel_ips, uint32_t nr_kernel,
				   const uint64_t *user_ips, uint32_t nr_user)
{
	uint64_t skey[2 + 256], *key = skey;
	uint32_t sbuf[256], *locs = sbuf, n = 0, i, nk = 0, nu = 0, id = 0;
	size_t klen;

	while (nk < nr_kernel && kernel_ips && kernel_ips[nk])
		nk++;
	while (nu < nr_user && user_ips && user_ips[nu])
		nu++;
	if ((uint64_t)nk + nu > 256) {
		locs = malloc(((size_t)nk + nu) * sizeof(*locs));
		key = malloc(((size_t)nk + nu + 1) * sizeof(*key));
		if (!locs || !key)
			goto out_free;
	}
	/* Kernel stacks do not depend on the pid, but the user part does. */
	key[0] = (uint64_t)(nu ? pid : 0) << 32 | nk;
	if (nk)
		memcpy(key + 1, kernel_ips, nk * sizeof(*key));
	if (nu)
		memcpy(key + 1 + nk, user_ips, nu * sizeof(*key));
	klen = (1 + (size_t)nk + nu) * sizeof(*key);
	if (GROW(p->hash->raw_key, p->hash->nr_raw_key, 1 + nk + nu))
		goto out_free;
	id = hashmap__find(p->hash->raw_stacks, key, klen);
	if (id)
		goto out_free;

	for (i = 0; i < nk; i++) {
		locs[n] = profile__intern_address(p, 0, true, kernel_ips[i]);
		if (!locs[n++])
			goto out_free;
	}
	for (i = 0; i < nu; i++) {
		locs[n] = profile__intern_address(p, pid, false, user_ips[i]);
		if (!locs[n++])
			goto out_free;
	}
	id = profile__intern_stack(p, locs, n);
	if (id && hashmap__count(p->hash->raw_stacks) < RAW_CACHE_MAX) {
		uint32_t got;

		/* A failed insert only costs speed later. */
		hashmap__find_or_insert(p->hash->raw_stacks, key, klen, id, &got);
	}
out_free:
	if (locs != sbuf)
		free(locs);
	if (key != skey)
		free(key);
	return id;
}
