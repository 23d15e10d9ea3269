// SPDX-License-Identifier: MIT
/*
 * Open-addressing hash table; see hashmap.h.
 *
 * Each slot keeps the full 32-bit hash next to the id so that probing and
 * growing rarely touch the key bytes: a key comparison happens only when the
 * hashes already agree.
 */
#include "core/hashmap.h"
#include "core/array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HM_INLINE 16

/*
 * Keys up to HM_INLINE bytes (raw locations, samples, functions, short
 * strings) live in the slot itself: a lookup then touches one cache line
 * instead of also missing in the arena or the owner's arrays.
 */
struct hm_slot {
	uint32_t id;    /* 0 = empty */
	uint32_t hash;
	uint32_t len;
	uint32_t pad;
	union {
		uint64_t off;   /* key offset in the arena (copied long keys) */
		unsigned char inl[HM_INLINE];
	};
};

struct hashmap {
	struct hm_slot *slots;
	uint32_t mask;       /* capacity - 1 */
	uint32_t count;
	hashmap_key_fn key_fn;
	void *ctx;
	char *arena;
	size_t arena_len, arena_cap;
};

#define HM_MIN_CAP 64u

struct hashmap *hashmap__new(hashmap_key_fn key_fn, void *ctx)
{
	struct hashmap *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->slots = calloc(HM_MIN_CAP, sizeof(*h->slots));
	if (!h->slots) {
		free(h);
		return NULL;
	}
	h->mask = HM_MIN_CAP - 1;
	h->key_fn = key_fn;
	h->ctx = ctx;
	return h;
}

void hashmap__free(struct hashmap *h)
{
	if (!h)
		return;
	free(h->slots);
	free(h->arena);
	free(h);
}

void hashmap__set_ctx(struct hashmap *h, void *ctx)
{
	h->ctx = ctx;
}

uint32_t hashmap__count(const struct hashmap *h)
{
	return h->count;
}

static inline uint64_t rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t mix(uint64_t a, uint64_t b)
{
	/* 64x64->128 multiply-fold, as in wyhash: cheap and well mixed. */
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/*
 * Word-at-a-time hash.  Keys are mostly small arrays of ids, for which a
 * byte-wise FNV would spend most of the interning time.
 */
uint64_t hashmap__hash(const void *key, size_t len)
{
	const uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
	const unsigned char *p = key;
	uint64_t h = k0 ^ (len * k1);
	size_t i = 0;

	for (; i + 16 <= len; i += 16)
		h = mix(rd64(p + i) ^ k1, rd64(p + i + 8) ^ h);
	if (i + 8 <= len) {
		h = mix(rd64(p + i) ^ k1, h ^ k0);
		i += 8;
	}
	if (i < len) {
		uint64_t t = 0;

		memcpy(&t, p + i, len - i);
		h = mix(t ^ k1, h ^ 0x8ebc6af09c88c6e3ull);
	}
	return mix(h ^ k0, h ^ k1);
}

static const void *slot_key(const struct hashmap *h, const struct hm_slot *s)
{
	if (s->len <= HM_INLINE)
		return s->inl;
	if (h->key_fn)
		return h->key_fn(h->ctx, s->id);
	return h->arena + s->off;
}

static int hm_grow(struct hashmap *h)
{
	uint32_t ncap = (h->mask + 1) * 2, nmask = ncap - 1, i;
	struct hm_slot *ns;

	if (!ncap)
		return -ENOMEM;
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	array__advise_huge(ns, (size_t)ncap * sizeof(*ns));
	for (i = 0; i <= h->mask; i++) {
		const struct hm_slot *s = &h->slots[i];
		uint32_t j;

		if (!s->id)
			continue;
		for (j = s->hash & nmask; ns[j].id; j = (j + 1) & nmask)
			;
		ns[j] = *s;
	}
	free(h->slots);
	h->slots = ns;
	h->mask = nmask;
	return 0;
}

static inline uint32_t hm_hash32(const void *key, size_t len)
{
	return (uint32_t)hashmap__hash(key, len);
}

uint32_t hashmap__find(const struct hashmap *h, const void *key, size_t len)
{
	uint32_t hash, i;

	if (len > UINT32_MAX)
		return 0;
	hash = hm_hash32(key, len);
	for (i = hash & h->mask; h->slots[i].id; i = (i + 1) & h->mask) {
		const struct hm_slot *s = &h->slots[i];

		if (s->hash == hash && s->len == len &&
		    (!len || !memcmp(slot_key(h, s), key, len)))
			return s->id;
	}
	return 0;
}

int hashmap__find_or_insert(struct hashmap *h, const void *key, size_t len,
			    uint32_t new_id, uint32_t *id)
{
	struct hm_slot *s;
	uint32_t hash, i;

	if (!new_id || len > UINT32_MAX)
		return -EINVAL;
	hash = hm_hash32(key, len);
	for (i = hash & h->mask; h->slots[i].id; i = (i + 1) & h->mask) {
		s = &h->slots[i];
		if (s->hash == hash && s->len == len &&
		    (!len || !memcmp(slot_key(h, s), key, len))) {
			*id = s->id;
			return 0;
		}
	}
	/* Absent.  Grow first if this insert would pass 70 % load. */
	if ((uint64_t)(h->count + 1) * 10 > (uint64_t)(h->mask + 1) * 7) {
		if (hm_grow(h))
			return -ENOMEM;
		for (i = hash & h->mask; h->slots[i].id; i = (i + 1) & h->mask)
			;
	}
	s = &h->slots[i];
	if (len <= HM_INLINE) {
		memset(s->inl, 0, sizeof(s->inl));
		if (len)
			memcpy(s->inl, key, len);
	} else if (!h->key_fn) {
		if (h->arena_len + len > h->arena_cap) {
			size_t ncap = array__reserve((void **)&h->arena, h->arena_len + len,
						     h->arena_cap, 4096, 1);

			if (!ncap)
				return -ENOMEM;
			h->arena_cap = ncap;
		}
		if (len)
			memcpy(h->arena + h->arena_len, key, len);
		s->off = h->arena_len;
		h->arena_len += len;
	}
	s->id = new_id;
	s->hash = hash;
	s->len = (uint32_t)len;
	h->count++;
	*id = new_id;
	return 1;
}
