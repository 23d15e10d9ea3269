// SPDX-License-Identifier: GPL-2.0
/* Unit tests: tests/node/dht_table.c - XOR distance and the k-bucket routing table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dht_table.h"

static uint64_t seed = 12345;

static uint8_t rnd8(void)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return seed >> 56;
}

/* An id sharing exactly cpl leading bits with the all-zero self id. */
static void id_with_cpl(uint8_t *id, int cpl)
{
	for (int i = 0; i < ID_LEN; i++)
		id[i] = rnd8();
	for (int b = 0; b < cpl; b++)
		id[b / 8] &= ~(0x80 >> (b % 8));
	id[cpl / 8] |= 0x80 >> (cpl % 8);
}

static struct contact contact_with_cpl(int cpl)
{
	struct contact c = { .ip = 0x0100007f, .udp_port = 4000, .tcp_port = 5000 };

	id_with_cpl(c.id, cpl);
	return c;
}

static const uint8_t zero[ID_LEN];

static void test_distance(void **state)
{
	uint8_t a[ID_LEN], b[ID_LEN], d1[ID_LEN], d2[ID_LEN], slow[ID_LEN];

	for (int i = 0; i < ID_LEN; i++) {
		a[i] = rnd8();
		b[i] = rnd8();
	}
	dht_distance(a, b, d1);
	dht_distance(b, a, d2);
	assert_memory_equal(d1, d2, ID_LEN);		/* symmetric */
	for (int i = 0; i < ID_LEN; i++)
		assert_int_equal(d1[i], a[i] ^ b[i]);
	dht_distance(a, a, d1);
	assert_memory_equal(d1, zero, ID_LEN);		/* d(x, x) = 0 */
	/* the injected slow path computes the same thing */
	dht_distance(a, b, d1);
	dht_distance_slow(a, b, slow);
	assert_memory_equal(d1, slow, ID_LEN);
}

static void test_cpl_and_hex(void **state)
{
	uint8_t id[ID_LEN], back[ID_LEN];
	char hex[41];

	for (int cpl = 0; cpl < ID_BITS; cpl += 7) {
		id_with_cpl(id, cpl);
		assert_int_equal(id_cpl(zero, id), cpl);
	}
	assert_int_equal(id_cpl(zero, zero), ID_BITS);
	id_to_hex(id, hex);
	assert_int_equal(strlen(hex), 40);
	assert_int_equal(id_from_hex(back, hex), 0);
	assert_memory_equal(id, back, ID_LEN);
	assert_int_equal(id_from_hex(back, "abc"), -1);
	assert_int_equal(id_from_hex(back, "zz00000000000000000000000000000000000000"), -1);
}

static void test_insert_update_self(void **state)
{
	struct rtable rt;
	struct contact a = contact_with_cpl(0), b = contact_with_cpl(0), self = { 0 };

	rt_init(&rt, zero);
	assert_int_equal(rt_insert(&rt, &self), RT_SELF);
	assert_int_equal(rt_insert(&rt, &a), RT_ADDED);
	assert_int_equal(rt_insert(&rt, &b), RT_ADDED);
	a.udp_port = 4001;
	assert_int_equal(rt_insert(&rt, &a), RT_UPDATED);
	assert_int_equal(rt_size(&rt), 2);
	/* updated entries move to the most-recently-seen end, with the new address */
	assert_memory_equal(rt.b[0].e[1].c.id, a.id, ID_LEN);
	assert_int_equal(rt.b[0].e[1].c.udp_port, 4001);
	assert_memory_equal(rt.b[0].e[0].c.id, b.id, ID_LEN);
}

static void test_split(void **state)
{
	struct rtable rt;
	struct contact c;

	rt_init(&rt, zero);
	/* k contacts far away plus k close ones: the bucket covering self must split */
	for (int i = 0; i < DHT_K; i++) {
		c = contact_with_cpl(0);
		assert_int_equal(rt_insert(&rt, &c), RT_ADDED);
	}
	assert_int_equal(rt.nbuckets, 1);
	for (int i = 0; i < DHT_K; i++) {
		c = contact_with_cpl(3);
		assert_int_equal(rt_insert(&rt, &c), RT_ADDED);
	}
	assert_true(rt.nbuckets >= 2);
	assert_int_equal(rt_size(&rt), 2 * DHT_K);
	/* every contact sits in the bucket its prefix says */
	for (int i = 0; i < rt.nbuckets; i++) {
		for (int j = 0; j < rt.b[i].n; j++) {
			int cpl = id_cpl(zero, rt.b[i].e[j].c.id);

			assert_int_equal(cpl < rt.nbuckets - 1 ? cpl : rt.nbuckets - 1, i);
		}
	}
}

static void test_full_then_evict_stale(void **state)
{
	struct rtable rt;
	struct contact far[DHT_K], extra, close;

	rt_init(&rt, zero);
	for (int i = 0; i < DHT_K; i++) {
		far[i] = contact_with_cpl(0);
		rt_insert(&rt, &far[i]);
	}
	close = contact_with_cpl(5);
	assert_int_equal(rt_insert(&rt, &close), RT_ADDED);	/* forces a split */
	assert_true(rt.nbuckets >= 2);
	/* the far bucket no longer covers self: full means full, not split */
	extra = contact_with_cpl(0);
	assert_int_equal(rt_insert(&rt, &extra), RT_FULL);
	/* ... until its least-recently-seen entry goes stale */
	for (int i = 0; i < RT_STALE_FAILS; i++)
		rt_fail(&rt, far[0].id);
	assert_int_equal(rt_insert(&rt, &extra), RT_EVICTED);
	assert_int_equal(rt.b[0].n, DHT_K);
	for (int j = 0; j < rt.b[0].n; j++)
		assert_memory_not_equal(rt.b[0].e[j].c.id, far[0].id, ID_LEN);
	assert_memory_equal(rt.b[0].e[DHT_K - 1].c.id, extra.id, ID_LEN);
}

static int cmp_dist(const uint8_t *target, const struct contact *a, const struct contact *b)
{
	uint8_t da[ID_LEN], db[ID_LEN];

	dht_distance(a->id, target, da);
	dht_distance(b->id, target, db);
	return memcmp(da, db, ID_LEN);
}

static void test_closest_k(void **state)
{
	static struct contact all[ID_BITS * DHT_K];
	struct contact out[DHT_K], c;
	uint8_t self[ID_LEN], target[ID_LEN];
	struct rtable rt;
	int n, got;

	for (int i = 0; i < ID_LEN; i++) {
		self[i] = rnd8();
		target[i] = rnd8();
	}
	rt_init(&rt, self);
	for (int i = 0; i < 300; i++) {
		for (int j = 0; j < ID_LEN; j++)
			c.id[j] = rnd8();
		rt_insert(&rt, &c);
	}
	got = rt_closest(&rt, target, out, DHT_K);
	assert_int_equal(got, DHT_K);
	for (int i = 1; i < got; i++)
		assert_true(cmp_dist(target, &out[i - 1], &out[i]) < 0);
	/* nothing in the table is closer than the last one returned */
	n = rt_all(&rt, all, ID_BITS * DHT_K);
	assert_int_equal(n, rt_size(&rt));
	for (int i = 0; i < n; i++) {
		bool in_out = false;

		for (int j = 0; j < got; j++)
			in_out |= !memcmp(all[i].id, out[j].id, ID_LEN);
		if (!in_out)
			assert_true(cmp_dist(target, &all[i], &out[got - 1]) > 0);
	}
	/* asking for more than there are returns them all */
	assert_int_equal(rt_closest(&rt, target, all, ID_BITS * DHT_K), n);
}

static void test_closest_empty(void **state)
{
	struct rtable rt;
	struct contact out[DHT_K];

	rt_init(&rt, zero);
	assert_int_equal(rt_closest(&rt, zero, out, DHT_K), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_cpl_and_hex),
		cmocka_unit_test(test_insert_update_self),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_full_then_evict_stale),
		cmocka_unit_test(test_closest_k),
		cmocka_unit_test(test_closest_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
