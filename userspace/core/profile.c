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
#include "core/hashmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

struct pf_hash {
	struct profile *owner;     /* key functions read the owner's arrays */
	struct hashmap *strings;   /* string bytes -> id (id 0 "" is not stored) */
	struct hashmap *functions; /* (name, system_name, filename) */
	struct hashmap *mappings;  /* (start, limit, offset, filename, build_id) */
	struct hashmap *locations; /* raw or content key, see above */
	struct hashmap *stacks;    /* location ids */
	struct hashmap *labelsets; /* sorted pf_label array */
	struct hashmap *samples;   /* (stack, labelset) -> sample index + 1 */
	/*
	 * (pid, nr kernel ips, ips...) -> stack id: collectors hand the same
	 * raw stacks over and over, and one lookup of the whole array beats one
	 * per frame.  Bounded, since it copies the ips.
	 */
	struct hashmap *raw_stacks;
	uint8_t *loc_raw;          /* per location: 1 = raw key */
	uint32_t cap_loc_raw;
	struct arena_chunk *arena;
};

#define ARENA_CHUNK (256u << 10)

static void *arena_alloc(struct pf_hash *h, size_t n)
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

/* Grows *arr (elements of size elem) so that it holds at least need. */
static int grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
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

#define GROW(arr, cap, need) grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* Key functions: the bytes an object was interned with. */
static const void *string_key(void *ctx, uint32_t id)
{
	return ((struct pf_hash *)ctx)->owner->strings[id];
}

static const void *stack_key(void *ctx, uint32_t id)
{
	return ((struct pf_hash *)ctx)->owner->stacks[id].locs;
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
	h->raw_stacks = hashmap__new(NULL, NULL);
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
	copy = arena_alloc(p->hash, len + 1);
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
	/* Existing samples already hold 0 in every unused column. */
	p->types[p->nr_types].type = t;
	p->types[p->nr_types].unit = u;
	return (int)p->nr_types++;
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

struct mapping_key {
	uint64_t start, limit, offset;
	uint32_t filename, build_id;
};

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

static uint32_t function_intern_ids(struct profile *p, uint32_t name, uint32_t sys,
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
	return function_intern_ids(p, n, s, f, 0);
}

uint32_t profile__intern_function_full(struct profile *p, uint32_t name, uint32_t system_name,
				       uint32_t filename, int64_t start_line)
{
	if (name >= p->nr_strings || system_name >= p->nr_strings || filename >= p->nr_strings)
		return 0;
	return function_intern_ids(p, name, system_name, filename, start_line);
}

/* ---- locations ---- */

struct raw_loc_key {
	uint8_t tag, kernel;
	uint16_t pad;
	uint32_t pid;
	uint64_t address;
};

static uint32_t location_new(struct profile *p, const void *key, size_t len, bool raw,
			     bool *created)
{
	struct pf_hash *h = p->hash;
	uint32_t id;
	int ret;

	*created = false;
	if (p->nr_locations == UINT32_MAX ||
	    GROW(p->locations, p->cap_locations, p->nr_locations + 1) ||
	    grow((void **)&h->loc_raw, &h->cap_loc_raw, p->nr_locations + 1, 1))
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
static size_t content_key(void *buf, bool kernel, uint64_t address, uint32_t mapping,
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
	len = content_key(buf, kernel, address, mapping, lines, nr_lines);
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
	s->locs = arena_alloc(p->hash, len ? len : 1);
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

/* ---- labels ---- */

static int label_cmp(const struct profile *p, const struct pf_label *a, const struct pf_label *b)
{
	int c;

	if (a->key != b->key) {
		c = strcmp(p->strings[a->key], p->strings[b->key]);
		if (c)
			return c;
	}
	if (a->str != b->str) {
		/* Numeric labels (str 0, "") sort before string ones. */
		return strcmp(p->strings[a->str], p->strings[b->str]);
	}
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	if (a->unit != b->unit)
		return strcmp(p->strings[a->unit], p->strings[b->unit]);
	return 0;
}

uint32_t profile__intern_label_ids(struct profile *p, const struct pf_label *in, uint32_t n)
{
	struct pf_label sbuf[16], *l = sbuf;
	struct pf_labelset *ls;
	uint32_t i, j, id = 0;
	size_t len;
	int ret;

	if (!n)
		return 0;
	if (n > (1u << 20))
		return 0;
	if (n > 16) {
		l = malloc(n * sizeof(*l));
		if (!l)
			return 0;
	}
	/* Zeroed first: the padding is part of the hashed key. */
	memset(l, 0, n * sizeof(*l));
	for (i = 0; i < n; i++) {
		if (!in[i].key || in[i].key >= p->nr_strings || in[i].str >= p->nr_strings ||
		    in[i].unit >= p->nr_strings)
			goto out_free;
		l[i].key = in[i].key;
		l[i].str = in[i].str;
		l[i].num = in[i].str ? 0 : in[i].num;
		l[i].unit = in[i].str ? 0 : in[i].unit;
	}
	/* Insertion sort: label sets are a handful of entries. */
	for (i = 1; i < n; i++) {
		struct pf_label t = l[i];

		for (j = i; j > 0 && label_cmp(p, &l[j - 1], &t) > 0; j--)
			l[j] = l[j - 1];
		l[j] = t;
	}
	len = n * sizeof(*l);
	id = hashmap__find(p->hash->labelsets, l, len);
	if (id)
		goto out_free;
	if (p->nr_labelsets == UINT32_MAX ||
	    GROW(p->labelsets, p->cap_labelsets, p->nr_labelsets + 1))
		goto out_free;
	ls = &p->labelsets[p->nr_labelsets];
	ls->labels = arena_alloc(p->hash, len);
	if (!ls->labels)
		goto out_free;
	memcpy(ls->labels, l, len);
	ls->nr = n;
	ret = hashmap__find_or_insert(p->hash->labelsets, l, len, p->nr_labelsets, &id);
	if (ret < 0) {
		id = 0;
		goto out_free;
	}
	p->nr_labelsets++;
out_free:
	if (l != sbuf)
		free(l);
	return id;
}

uint32_t profile__intern_labels(struct profile *p, const struct pf_label_kv *kv, uint32_t n)
{
	struct pf_label sbuf[16], *l = sbuf;
	uint32_t i, id = 0;

	if (!n || !kv)
		return 0;
	if (n > 16) {
		l = calloc(n, sizeof(*l));
		if (!l)
			return 0;
	}
	for (i = 0; i < n; i++) {
		if (!kv[i].key || !*kv[i].key)
			goto out_free;
		l[i].key = profile__intern(p, kv[i].key);
		l[i].str = kv[i].str ? profile__intern(p, kv[i].str) : 0;
		l[i].num = kv[i].num;
		l[i].unit = kv[i].str ? 0 : profile__intern(p, kv[i].unit);
		if (!l[i].key)
			goto out_free;
		/*
		 * An empty string label cannot be told from a numeric one in
		 * pprof (str index 0); keep it as a numeric 0 explicitly.
		 */
	}
	id = profile__intern_label_ids(p, l, n);
out_free:
	if (l != sbuf)
		free(l);
	return id;
}

static const struct pf_label *label_find(const struct profile *p, uint32_t labelset,
					 const char *key)
{
	const struct pf_labelset *ls;
	uint32_t k, i;

	if (!labelset || labelset >= p->nr_labelsets || !profile__find_str(p, key, &k) || !k)
		return NULL;
	ls = &p->labelsets[labelset];
	for (i = 0; i < ls->nr; i++)
		if (ls->labels[i].key == k)
			return &ls->labels[i];
	return NULL;
}

const char *profile__label_str(const struct profile *p, uint32_t labelset, const char *key)
{
	const struct pf_label *l = label_find(p, labelset, key);

	return l && l->str ? p->strings[l->str] : NULL;
}

bool profile__label_num(const struct profile *p, uint32_t labelset, const char *key,
			int64_t *num)
{
	const struct pf_label *l = label_find(p, labelset, key);

	if (!l || l->str)
		return false;
	if (num)
		*num = l->num;
	return true;
}

/* ---- samples ---- */

static int sample_find_or_add(struct profile *p, uint32_t stack, uint32_t labelset)
{
	struct pf_sample key = { .stack = stack, .labelset = labelset };
	uint32_t id, cap;
	int ret;

	if (!stack || stack >= p->nr_stacks || labelset >= p->nr_labelsets)
		return -EINVAL;
	id = hashmap__find(p->hash->samples, &key, sizeof(key));
	if (id)
		return (int)(id - 1);
	if (p->nr_samples >= INT32_MAX)
		return -ENOSPC;
	cap = p->cap_samples;
	if (GROW(p->samples, p->cap_samples, p->nr_samples + 1))
		return -ENOMEM;
	if (p->cap_samples != cap || !p->values) {
		int64_t *nv = realloc(p->values, (size_t)p->cap_samples * PF_MAX_TYPES *
					     sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		memset(nv + (size_t)cap * PF_MAX_TYPES, 0,
		       (size_t)(p->cap_samples - cap) * PF_MAX_TYPES * sizeof(*nv));
		p->values = nv;
	}
	p->samples[p->nr_samples] = key;
	ret = hashmap__find_or_insert(p->hash->samples, &key, sizeof(key), p->nr_samples + 1, &id);
	if (ret < 0)
		return ret;
	return (int)p->nr_samples++;
}

int profile__add(struct profile *p, uint32_t stack, uint32_t labelset, int type_idx,
		 int64_t value)
{
	int s;

	if (type_idx < 0 || (uint32_t)type_idx >= p->nr_types)
		return -EINVAL;
	s = sample_find_or_add(p, stack, labelset);
	if (s < 0)
		return s;
	p->values[(size_t)s * PF_MAX_TYPES + type_idx] += value;
	return s;
}

int profile__add_values(struct profile *p, uint32_t stack, uint32_t labelset,
			const int *type_idx, const int64_t *values, uint32_t n)
{
	uint32_t i;
	int s;

	for (i = 0; i < n; i++)
		if (type_idx[i] < 0 || (uint32_t)type_idx[i] >= p->nr_types)
			return -EINVAL;
	s = sample_find_or_add(p, stack, labelset);
	if (s < 0)
		return s;
	for (i = 0; i < n; i++)
		p->values[(size_t)s * PF_MAX_TYPES + type_idx[i]] += values[i];
	return s;
}

int64_t profile__total(const struct profile *p, int type_idx)
{
	int64_t sum = 0;
	uint32_t i;

	if (type_idx < 0 || (uint32_t)type_idx >= p->nr_types)
		return 0;
	for (i = 0; i < p->nr_samples; i++)
		sum += p->values[(size_t)i * PF_MAX_TYPES + type_idx];
	return sum;
}

/* ---- relabelling ---- */

/* The label set ls with string label key set to value (other labels kept). */
static uint32_t labelset_with(struct profile *p, uint32_t ls, const char *key, const char *value)
{
	const struct pf_labelset *set = ls ? &p->labelsets[ls] : NULL;
	uint32_t n = set ? set->nr : 0, k, out = 0, id;
	struct pf_label *l = calloc(n + 1, sizeof(*l));
	uint32_t key_id = profile__intern(p, key), val_id = profile__intern(p, value);

	if (!l || !key_id || (!val_id && *value)) {
		free(l);
		return 0;
	}
	for (k = 0; k < n; k++) {
		if (set->labels[k].key != key_id)
			l[out++] = set->labels[k];
	}
	l[out++] = (struct pf_label){ .key = key_id, .str = val_id };
	id = profile__intern_label_ids(p, l, out);
	free(l);
	return id;
}

/*
 * Re-keys every sample by new_ls[i], merging equal keys.  The new index is
 * built first (the only step that allocates), so a failure changes nothing;
 * then samples move down in place: a key's first sample goes to the next
 * free slot, which is never after it.  The new index copies its keys.
 */
static int samples_rekey(struct profile *p, const uint32_t *new_ls)
{
	struct hashmap *h = hashmap__new(NULL, NULL);
	uint32_t *target = malloc(((size_t)p->nr_samples + 1) * sizeof(*target));
	uint32_t next = 0, out = 0;

	if (!h || !target)
		goto nomem;
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		struct pf_sample key = { .stack = p->samples[i].stack, .labelset = new_ls[i] };
		uint32_t id;
		int ret = hashmap__find_or_insert(h, &key, sizeof(key), next + 1, &id);

		if (ret < 0)
			goto nomem;
		next += ret;
		target[i] = id - 1;
	}
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		int64_t *src = &p->values[(size_t)i * PF_MAX_TYPES];
		int64_t *dst = &p->values[(size_t)target[i] * PF_MAX_TYPES];

		if (target[i] == out) {
			p->samples[out].stack = p->samples[i].stack;
			p->samples[out].labelset = new_ls[i];
			if (out != i)
				memcpy(dst, src, PF_MAX_TYPES * sizeof(*src));
			out++;
			continue;
		}
		for (uint32_t t = 0; t < PF_MAX_TYPES; t++)
			dst[t] += src[t];
	}
	memset(&p->values[(size_t)out * PF_MAX_TYPES], 0,
	       (size_t)(p->nr_samples - out) * PF_MAX_TYPES * sizeof(int64_t));
	p->nr_samples = out;
	hashmap__free(p->hash->samples);
	p->hash->samples = h;
	free(target);
	return 0;

nomem:
	hashmap__free(h);
	free(target);
	return -ENOMEM;
}

int profile__relabel(struct profile *p, const char *key, profile_label_fn value, void *ctx)
{
	uint32_t *new_ls;
	int changed = 0, err;

	if (!key || !*key || !value)
		return -EINVAL;
	new_ls = malloc(((size_t)p->nr_samples + 1) * sizeof(*new_ls));
	if (!new_ls)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		const char *v = value(p, i, ctx);

		new_ls[i] = p->samples[i].labelset;
		if (!v)
			continue;
		new_ls[i] = labelset_with(p, p->samples[i].labelset, key, v);
		if (!new_ls[i]) {
			free(new_ls);
			return -ENOMEM;
		}
		changed++;
	}
	err = changed ? samples_rekey(p, new_ls) : 0;
	free(new_ls);
	return err ? err : changed;
}

/* ---- records, comments ---- */

static int record_add_ids(struct profile *p, uint32_t kind, const uint32_t *keys,
			  const uint32_t *vals, uint32_t n)
{
	struct pf_record *r;

	if (!kind)
		return -EINVAL;
	if (GROW(p->records, p->cap_records, p->nr_records + 1))
		return -ENOMEM;
	r = &p->records[p->nr_records];
	r->kind = kind;
	r->nr_fields = n;
	r->keys = r->vals = NULL;
	if (n) {
		r->keys = arena_alloc(p->hash, n * sizeof(uint32_t));
		r->vals = arena_alloc(p->hash, n * sizeof(uint32_t));
		if (!r->keys || !r->vals)
			return -ENOMEM;
		memcpy(r->keys, keys, n * sizeof(uint32_t));
		memcpy(r->vals, vals, n * sizeof(uint32_t));
	}
	p->nr_records++;
	return 0;
}

int profile__add_record_v(struct profile *p, const char *kind, const char *const *keys,
			  const char *const *vals, uint32_t n)
{
	uint32_t sk[16], sv[16], *k = sk, *v = sv, i, kid;
	int err = -ENOMEM;

	if (!kind || !*kind || (n && (!keys || !vals)))
		return -EINVAL;
	kid = profile__intern(p, kind);
	if (!kid)
		return -ENOMEM;
	if (n > 16) {
		k = malloc(n * sizeof(*k));
		v = malloc(n * sizeof(*v));
		if (!k || !v)
			goto out_free;
	}
	for (i = 0; i < n; i++) {
		if (!keys[i] || !*keys[i]) {
			err = -EINVAL;
			goto out_free;
		}
		k[i] = profile__intern(p, keys[i]);
		v[i] = profile__intern(p, vals[i]);
		if (!k[i] || (vals[i] && *vals[i] && !v[i]))
			goto out_free;
	}
	err = record_add_ids(p, kid, k, v, n);
out_free:
	if (k != sk)
		free(k);
	if (v != sv)
		free(v);
	return err;
}

int profile__add_record(struct profile *p, const char *kind, ...)
{
	const char *sk[16], *sv[16], **k = sk, **v = sv;
	uint32_t n = 0, cap = 16;
	va_list ap;
	int err;

	va_start(ap, kind);
	for (;;) {
		const char *key = va_arg(ap, const char *), *val;

		if (!key)
			break;
		val = va_arg(ap, const char *);
		if (!val)
			break;
		if (n == cap) {
			const char **nk, **nv;

			cap *= 2;
			nk = k == sk ? malloc(cap * sizeof(*nk)) : realloc(k, cap * sizeof(*nk));
			if (nk && k == sk)
				memcpy(nk, sk, sizeof(sk));
			if (nk)
				k = nk;
			nv = v == sv ? malloc(cap * sizeof(*nv)) : realloc(v, cap * sizeof(*nv));
			if (nv && v == sv)
				memcpy(nv, sv, sizeof(sv));
			if (nv)
				v = nv;
			if (!nk || !nv) {
				err = -ENOMEM;
				goto out_free;
			}
		}
		k[n] = key;
		v[n++] = val;
	}
	err = profile__add_record_v(p, kind, k, v, n);
out_free:
	va_end(ap);
	if (k != sk)
		free(k);
	if (v != sv)
		free(v);
	return err;
}

const char *profile__record_get(const struct profile *p, const struct pf_record *r,
				const char *key)
{
	uint32_t k, i;

	if (!r || !profile__find_str(p, key, &k) || !k)
		return NULL;
	for (i = 0; i < r->nr_fields; i++)
		if (r->keys[i] == k)
			return profile__str(p, r->vals[i]);
	return NULL;
}

static int comment_add_id(struct profile *p, uint32_t id)
{
	if (GROW(p->comments, p->cap_comments, p->nr_comments + 1))
		return -ENOMEM;
	p->comments[p->nr_comments++] = id;
	return 0;
}

int profile__add_comment(struct profile *p, const char *comment)
{
	uint32_t id;

	if (!comment || !*comment)
		return -EINVAL;
	id = profile__intern(p, comment);
	if (!id)
		return -ENOMEM;
	return comment_add_id(p, id);
}

/* ---- frame names ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

const char *profile__frame_name(const struct profile *p, uint32_t loc, uint32_t line,
				char *buf, size_t len)
{
	const struct pf_location *l;
	const struct pf_mapping *m = NULL;

	if (!buf || !len)
		return "";
	if (!loc || loc >= p->nr_locations) {
		snprintf(buf, len, "[unknown]");
		return buf;
	}
	l = &p->locations[loc];
	if (l->nr_lines) {
		const struct pf_function *f;

		if (line >= l->nr_lines)
			line = l->nr_lines - 1;
		f = &p->functions[l->lines[line].function];
		if (f->name) {
			snprintf(buf, len, "%s", p->strings[f->name]);
			return buf;
		}
		if (f->system_name) {
			snprintf(buf, len, "%s", p->strings[f->system_name]);
			return buf;
		}
	}
	if (l->mapping && l->mapping < p->nr_mappings)
		m = &p->mappings[l->mapping];
	if (l->kernel || !l->address) {
		/* Kernel frames without a symbol are folded together like perf
		 * does; their addresses would only scatter the graph. */
		snprintf(buf, len, "[unknown]");
	} else if (m && m->filename && l->address >= m->start) {
		snprintf(buf, len, "%s+0x%" PRIx64, base_name(p->strings[m->filename]),
			 l->address - m->start + m->offset);
	} else {
		snprintf(buf, len, "0x%" PRIx64, l->address);
	}
	return buf;
}

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

		mm->fn[i] = function_intern_ids(dst, map_str(dst, src, mm, f->name),
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
			err = record_add_ids(dst, map_str(dst, src, mm, r->kind), k, v,
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
		err = comment_add_id(dst, map_str(dst, src, mm, src->comments[i]));
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
		idx = sample_find_or_add(dst, st, ls);
		if (idx < 0) {
			err = idx;
			goto out_free;
		}
		dv = &dst->values[(size_t)idx * PF_MAX_TYPES];
		for (t = 0; t < src->nr_types; t++)
			dv[col[t]] += src->values[(size_t)i * PF_MAX_TYPES + t];
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
 * A copy with the same ids in every table, so that ids taken from p stay
 * valid in the copy; only the samples differ.
 */
static struct profile *profile_clone_tables(const struct profile *p)
{
	struct profile *np = profile__new();
	struct pf_hash *h;
	uint32_t i, id;

	if (!np)
		return NULL;
	h = np->hash;
	for (i = 1; i < p->nr_strings; i++) {
		size_t len = strlen(p->strings[i]);

		if (GROW(np->strings, np->cap_strings, i + 1))
			goto err_free;
		/* Strings with NUL inside (intern_len) would be cut here; they
		 * are never produced by peerscope's own writers. */
		np->strings[i] = arena_alloc(h, len + 1);
		if (!np->strings[i])
			goto err_free;
		memcpy(np->strings[i], p->strings[i], len + 1);
		np->nr_strings = i + 1;
		if (len && hashmap__find_or_insert(h->strings, p->strings[i], len, i, &id) < 0)
			goto err_free;
	}
	memcpy(np->types, p->types, sizeof(p->types));
	np->nr_types = p->nr_types;
	np->default_type = p->default_type;

	for (i = 1; i < p->nr_mappings; i++) {
		const struct pf_mapping *m = &p->mappings[i];
		struct mapping_key k = { 0 };

		if (GROW(np->mappings, np->cap_mappings, i + 1))
			goto err_free;
		np->mappings[i] = *m;
		np->nr_mappings = i + 1;
		k.start = m->start;
		k.limit = m->limit;
		k.offset = m->offset;
		k.filename = m->filename;
		k.build_id = m->build_id;
		if (hashmap__find_or_insert(h->mappings, &k, sizeof(k), i, &id) < 0)
			goto err_free;
	}
	for (i = 1; i < p->nr_functions; i++) {
		const struct pf_function *f = &p->functions[i];
		uint32_t k[3] = { f->name, f->system_name, f->filename };

		if (GROW(np->functions, np->cap_functions, i + 1))
			goto err_free;
		np->functions[i] = *f;
		np->nr_functions = i + 1;
		if (hashmap__find_or_insert(h->functions, k, sizeof(k), i, &id) < 0)
			goto err_free;
	}
	for (i = 1; i < p->nr_locations; i++) {
		const struct pf_location *l = &p->locations[i];
		struct pf_location *nl;
		unsigned char *key;
		size_t len;

		if (GROW(np->locations, np->cap_locations, i + 1) ||
		    grow((void **)&h->loc_raw, &h->cap_loc_raw, i + 1, 1))
			goto err_free;
		nl = &np->locations[i];
		*nl = *l;
		nl->lines = NULL;
		nl->nr_lines = 0;
		np->nr_locations = i + 1;
		if (l->nr_lines) {
			nl->lines = malloc(l->nr_lines * sizeof(*nl->lines));
			if (!nl->lines)
				goto err_free;
			memcpy(nl->lines, l->lines, l->nr_lines * sizeof(*nl->lines));
			nl->nr_lines = l->nr_lines;
		}
		h->loc_raw[i] = p->hash->loc_raw[i];
		key = malloc(16 + 12 * (size_t)l->nr_lines);
		if (!key)
			goto err_free;
		if (h->loc_raw[i]) {
			struct raw_loc_key rk = { .tag = 'R', .kernel = l->kernel, .pid = l->pid,
						  .address = l->address };

			len = sizeof(rk);
			memcpy(key, &rk, len);
		} else {
			len = content_key(key, l->kernel, l->address, l->mapping, l->lines,
					  l->nr_lines);
		}
		/* A location whose content changed after interning may now
		 * collide with another; the first keeps the key, which only
		 * affects future de-duplication. */
		if (hashmap__find_or_insert(h->locations, key, len, i, &id) < 0) {
			free(key);
			goto err_free;
		}
		free(key);
	}
	for (i = 1; i < p->nr_stacks; i++) {
		const struct pf_stack *s = &p->stacks[i];
		size_t len = (size_t)s->nr * sizeof(uint32_t);

		if (GROW(np->stacks, np->cap_stacks, i + 1))
			goto err_free;
		np->stacks[i].nr = s->nr;
		np->stacks[i].locs = arena_alloc(h, len ? len : 1);
		if (!np->stacks[i].locs)
			goto err_free;
		if (len)
			memcpy(np->stacks[i].locs, s->locs, len);
		np->nr_stacks = i + 1;
		if (hashmap__find_or_insert(h->stacks, s->locs, len, i, &id) < 0)
			goto err_free;
	}
	for (i = 1; i < p->nr_labelsets; i++) {
		const struct pf_labelset *s = &p->labelsets[i];
		size_t len = (size_t)s->nr * sizeof(struct pf_label);

		if (GROW(np->labelsets, np->cap_labelsets, i + 1))
			goto err_free;
		np->labelsets[i].nr = s->nr;
		np->labelsets[i].labels = arena_alloc(h, len ? len : 1);
		if (!np->labelsets[i].labels)
			goto err_free;
		memcpy(np->labelsets[i].labels, s->labels, len);
		np->nr_labelsets = i + 1;
		if (hashmap__find_or_insert(h->labelsets, s->labels, len, i, &id) < 0)
			goto err_free;
	}
	for (i = 0; i < p->nr_records; i++) {
		const struct pf_record *r = &p->records[i];

		if (record_add_ids(np, r->kind, r->keys, r->vals, r->nr_fields))
			goto err_free;
	}
	for (i = 0; i < p->nr_comments; i++)
		if (comment_add_id(np, p->comments[i]))
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
		s = sample_find_or_add(np, p->samples[i].stack, p->samples[i].labelset);
		if (s < 0) {
			profile__free(np);
			return NULL;
		}
		memcpy(&np->values[(size_t)s * PF_MAX_TYPES], &p->values[(size_t)i * PF_MAX_TYPES],
		       PF_MAX_TYPES * sizeof(int64_t));
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
