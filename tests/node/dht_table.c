// SPDX-License-Identifier: GPL-2.0
/*
 * dht_table.c - XOR distance and the k-bucket routing table.
 *
 * The table takes its own lock: the dht-worker, the bootstrap thread and the
 * gossip mesh maintainer all read it.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "dht_table.h"

#define NOINLINE __attribute__((noinline))
#define SLOW_ROUNDS 512

bool dht_distance_expensive;

/*
 * The injected bottleneck: the same XOR recomputed one bit at a time, many
 * times over.  The volatile sink keeps the compiler from collapsing it.
 */
NOINLINE void dht_distance_slow(const uint8_t *a, const uint8_t *b, uint8_t *out)
{
	volatile uint8_t sink;

	for (int r = 0; r < SLOW_ROUNDS; r++) {
		for (int i = 0; i < ID_BITS; i++) {
			int byte = i / 8, bit = 7 - i % 8;
			uint8_t x = ((a[byte] >> bit) ^ (b[byte] >> bit)) & 1;

			if (x)
				out[byte] |= 1 << bit;
			else
				out[byte] &= ~(1 << bit);
			sink = out[byte];
		}
	}
	(void)sink;
}

NOINLINE void dht_distance(const uint8_t *a, const uint8_t *b, uint8_t *out)
{
	if (dht_distance_expensive) {
		dht_distance_slow(a, b, out);
		return;
	}
	for (int i = 0; i < ID_LEN; i++)
		out[i] = a[i] ^ b[i];
}

/* Number of leading bits a and b share; ID_BITS when equal. */
int id_cpl(const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < ID_LEN; i++) {
		uint8_t x = a[i] ^ b[i];

		if (x)
			return i * 8 + __builtin_clz(x) - 24;
	}
	return ID_BITS;
}

void id_to_hex(const uint8_t *id, char *hex)
{
	for (int i = 0; i < ID_LEN; i++)
		sprintf(hex + 2 * i, "%02x", id[i]);
}

int id_from_hex(uint8_t *id, const char *hex)
{
	if (strlen(hex) != 2 * ID_LEN)
		return -1;
	for (int i = 0; i < ID_LEN; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		id[i] = v;
	}
	return 0;
}

void rt_init(struct rtable *rt, const uint8_t *self)
{
	memset(rt, 0, sizeof(*rt));
	memcpy(rt->self, self, ID_LEN);
	rt->nbuckets = 1;
	pthread_mutex_init(&rt->lock, NULL);
}

static int bucket_of(const struct rtable *rt, const uint8_t *id)
{
	int cpl = id_cpl(rt->self, id);

	return cpl < rt->nbuckets - 1 ? cpl : rt->nbuckets - 1;
}

/* Split the last bucket: contacts sharing more bits with self move down one. */
static void rt_split(struct rtable *rt)
{
	int last = rt->nbuckets - 1;
	struct rt_bucket *old = &rt->b[last], *nb = &rt->b[last + 1];
	int keep = 0;

	rt->nbuckets++;
	nb->n = 0;
	for (int i = 0; i < old->n; i++) {
		if (id_cpl(rt->self, old->e[i].c.id) > last)
			nb->e[nb->n++] = old->e[i];
		else
			old->e[keep++] = old->e[i];
	}
	old->n = keep;
}

static int bucket_find(const struct rt_bucket *b, const uint8_t *id)
{
	for (int i = 0; i < b->n; i++)
		if (!memcmp(b->e[i].c.id, id, ID_LEN))
			return i;
	return -1;
}

static enum rt_result rt_insert_locked(struct rtable *rt, const struct contact *c)
{
	struct rt_bucket *b;
	int i;

	if (!memcmp(c->id, rt->self, ID_LEN))
		return RT_SELF;
	for (;;) {
		b = &rt->b[bucket_of(rt, c->id)];
		i = bucket_find(b, c->id);
		if (i >= 0) {
			/* Seen again: refresh address, move to the most-recent end. */
			struct rt_entry e = b->e[i];

			memmove(&b->e[i], &b->e[i + 1], (b->n - i - 1) * sizeof(e));
			e.c = *c;
			e.fails = 0;
			b->e[b->n - 1] = e;
			return RT_UPDATED;
		}
		if (b->n < DHT_K) {
			b->e[b->n].c = *c;
			b->e[b->n].fails = 0;
			b->n++;
			return RT_ADDED;
		}
		if (b == &rt->b[rt->nbuckets - 1] && rt->nbuckets < ID_BITS) {
			rt_split(rt);
			continue;
		}
		/*
		 * Full bucket far from us.  Kademlia prefers long-lived contacts,
		 * so the newcomer only gets in if the oldest one has gone stale.
		 */
		if (b->e[0].fails >= RT_STALE_FAILS) {
			memmove(&b->e[0], &b->e[1], (b->n - 1) * sizeof(b->e[0]));
			b->e[b->n - 1].c = *c;
			b->e[b->n - 1].fails = 0;
			return RT_EVICTED;
		}
		return RT_FULL;
	}
}

enum rt_result rt_insert(struct rtable *rt, const struct contact *c)
{
	enum rt_result r;

	pthread_mutex_lock(&rt->lock);
	r = rt_insert_locked(rt, c);
	pthread_mutex_unlock(&rt->lock);
	return r;
}

void rt_fail(struct rtable *rt, const uint8_t *id)
{
	struct rt_bucket *b;
	int i;

	pthread_mutex_lock(&rt->lock);
	b = &rt->b[bucket_of(rt, id)];
	i = bucket_find(b, id);
	if (i >= 0)
		b->e[i].fails++;
	pthread_mutex_unlock(&rt->lock);
}

struct ranked {
	uint8_t dist[ID_LEN];
	struct contact c;
};

static int ranked_cmp(const void *a, const void *b)
{
	return memcmp(((const struct ranked *)a)->dist, ((const struct ranked *)b)->dist, ID_LEN);
}

/* The max contacts closest to target by XOR distance, nearest first. */
int rt_closest(struct rtable *rt, const uint8_t *target, struct contact *out, int max)
{
	struct ranked *r;
	int n = 0;

	pthread_mutex_lock(&rt->lock);
	r = malloc(sizeof(*r) * (size_t)rt->nbuckets * DHT_K);
	if (!r) {
		pthread_mutex_unlock(&rt->lock);
		return 0;
	}
	for (int i = 0; i < rt->nbuckets; i++) {
		for (int j = 0; j < rt->b[i].n; j++) {
			r[n].c = rt->b[i].e[j].c;
			dht_distance(r[n].c.id, target, r[n].dist);
			n++;
		}
	}
	pthread_mutex_unlock(&rt->lock);
	qsort(r, n, sizeof(*r), ranked_cmp);
	if (n > max)
		n = max;
	for (int i = 0; i < n; i++)
		out[i] = r[i].c;
	free(r);
	return n;
}

int rt_all(struct rtable *rt, struct contact *out, int max)
{
	int n = 0;

	pthread_mutex_lock(&rt->lock);
	for (int i = 0; i < rt->nbuckets; i++)
		for (int j = 0; j < rt->b[i].n && n < max; j++)
			out[n++] = rt->b[i].e[j].c;
	pthread_mutex_unlock(&rt->lock);
	return n;
}

int rt_size(struct rtable *rt)
{
	int n = 0;

	pthread_mutex_lock(&rt->lock);
	for (int i = 0; i < rt->nbuckets; i++)
		n += rt->b[i].n;
	pthread_mutex_unlock(&rt->lock);
	return n;
}
