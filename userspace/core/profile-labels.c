// SPDX-License-Identifier: MIT
/*
 * The profile model: label sets, samples and profile__relabel(); see
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
	ls->labels = pf_arena_alloc(p->hash, len);
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

int pf_sample_find_or_add(struct profile *p, uint32_t stack, uint32_t labelset)
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
	if (pf_values_widen(p, p->nr_types))
		return -ENOMEM;
	cap = p->cap_samples;
	if (GROW(p->samples, p->cap_samples, p->nr_samples + 1))
		return -ENOMEM;
	if (p->cap_samples != cap || !p->values) {
		size_t stride = p->values_stride;
		int64_t *nv = realloc(p->values, (size_t)p->cap_samples * stride * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		memset(nv + (size_t)cap * stride, 0,
		       (size_t)(p->cap_samples - cap) * stride * sizeof(*nv));
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
	s = pf_sample_find_or_add(p, stack, labelset);
	if (s < 0)
		return s;
	profile__sample_values(p, s)[type_idx] += value;
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
	s = pf_sample_find_or_add(p, stack, labelset);
	if (s < 0)
		return s;
	for (i = 0; i < n; i++)
		profile__sample_values(p, s)[type_idx[i]] += values[i];
	return s;
}

int64_t profile__total(const struct profile *p, int type_idx)
{
	int64_t sum = 0;
	uint32_t i;

	if (type_idx < 0 || (uint32_t)type_idx >= p->nr_types)
		return 0;
	for (i = 0; i < p->nr_samples; i++)
		sum += profile__value(p, i, type_idx);
	return sum;
}

/* ---- relabelling ---- */

/*
 * The label set ls with string labels key_ids[k] set to val_ids[k] (other
 * labels kept); val_ids[k] 0 leaves key k as it is.  0 on ENOMEM.
 */
static uint32_t labelset_with(struct profile *p, uint32_t ls, const uint32_t *key_ids,
			      const uint32_t *val_ids, uint32_t nr_keys)
{
	const struct pf_labelset *set = ls ? &p->labelsets[ls] : NULL;
	uint32_t n = set ? set->nr : 0, out = 0, id;
	struct pf_label *l = calloc(n + nr_keys, sizeof(*l));

	if (!l)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = 0;

		while (k < nr_keys && (set->labels[i].key != key_ids[k] || !val_ids[k]))
			k++;
		if (k == nr_keys)
			l[out++] = set->labels[i];
	}
	for (uint32_t k = 0; k < nr_keys; k++) {
		if (val_ids[k])
			l[out++] = (struct pf_label){ .key = key_ids[k], .str = val_ids[k] };
	}
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
		int64_t *src = profile__sample_values(p, i);
		int64_t *dst = profile__sample_values(p, target[i]);

		if (target[i] == out) {
			p->samples[out].stack = p->samples[i].stack;
			p->samples[out].labelset = new_ls[i];
			if (out != i)
				memcpy(dst, src, p->values_stride * sizeof(*src));
			out++;
			continue;
		}
		for (uint32_t t = 0; t < p->values_stride; t++)
			dst[t] += src[t];
	}
	if (out < p->nr_samples)
		memset(profile__sample_values(p, out), 0,
		       (size_t)(p->nr_samples - out) * p->values_stride * sizeof(int64_t));
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

/* A sample's label set and the values it is given: many samples share both. */
struct relabel_key {
	uint32_t ls;
	uint32_t vals[PROFILE_RELABEL_MAX_KEYS];
};

/*
 * The new label set of sample i into *out, its own when value() leaves it.
 * Label sets are few next to samples: each (label set, values) is built
 * once and found again in seen.  0 or -ENOMEM.
 */
static int relabelled_set(struct profile *p, uint32_t i, const uint32_t *key_ids,
			  uint32_t nr_keys, profile_label_fn value, void *ctx,
			  struct hashmap *seen, uint32_t *out)
{
	const char *vals[PROFILE_RELABEL_MAX_KEYS] = { NULL };
	struct relabel_key key = { .ls = p->samples[i].labelset };
	bool any = false;

	*out = key.ls;
	if (!value(p, i, ctx, vals))
		return 0;
	for (uint32_t k = 0; k < nr_keys; k++) {
		if (!vals[k] || !*vals[k])
			continue;
		if (!(key.vals[k] = profile__intern(p, vals[k])))
			return -ENOMEM;
		any = true;
	}
	if (!any)
		return 0;
	*out = hashmap__find(seen, &key, sizeof(key));
	if (*out)
		return 0;
	*out = labelset_with(p, key.ls, key_ids, key.vals, nr_keys);
	if (!*out || hashmap__find_or_insert(seen, &key, sizeof(key), *out, out) < 0)
		return -ENOMEM;
	return 0;
}

int profile__relabel(struct profile *p, const char *const *keys, uint32_t nr_keys,
		     profile_label_fn value, void *ctx)
{
	uint32_t key_ids[PROFILE_RELABEL_MAX_KEYS], *new_ls;
	struct hashmap *seen;
	int changed = 0, err = -ENOMEM;

	if (!keys || !nr_keys || nr_keys > PROFILE_RELABEL_MAX_KEYS || !value)
		return -EINVAL;
	for (uint32_t k = 0; k < nr_keys; k++) {
		if (!keys[k] || !*keys[k])
			return -EINVAL;
		if (!(key_ids[k] = profile__intern(p, keys[k])))
			return -ENOMEM;
	}
	new_ls = malloc(((size_t)p->nr_samples + 1) * sizeof(*new_ls));
	seen = hashmap__new(NULL, NULL);
	if (!new_ls || !seen)
		goto out;
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		if (relabelled_set(p, i, key_ids, nr_keys, value, ctx, seen, &new_ls[i]))
			goto out;
		changed += new_ls[i] != p->samples[i].labelset;
	}
	err = changed ? samples_rekey(p, new_ls) : 0;
out:
	hashmap__free(seen);
	free(new_ls);
	return err ? err : changed;
}
