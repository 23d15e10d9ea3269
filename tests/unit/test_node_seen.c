// SPDX-License-Identifier: GPL-2.0
/* Unit tests: tests/node/seen_cache.c - the gossip de-duplication set. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "seen_cache.h"

static void test_first_then_dup(void **state)
{
	struct seen_cache sc;

	assert_int_equal(seen_init(&sc, 64), 0);
	assert_false(seen_contains(&sc, 42));
	assert_false(seen_check_add(&sc, 42));
	assert_true(seen_check_add(&sc, 42));
	assert_true(seen_contains(&sc, 42));
	assert_false(seen_check_add(&sc, 43));
	seen_free(&sc);
}

static void test_zero_id(void **state)
{
	struct seen_cache sc;

	assert_int_equal(seen_init(&sc, 8), 0);
	assert_false(seen_contains(&sc, 0));
	assert_false(seen_check_add(&sc, 0));
	assert_true(seen_check_add(&sc, 0));
	seen_free(&sc);
}

static void test_bad_capacity(void **state)
{
	struct seen_cache sc;

	assert_int_equal(seen_init(&sc, 0), -1);
}

/* Ids are remembered for at least `capacity` further inserts, then forgotten. */
static void test_bounded_memory(void **state)
{
	const uint32_t cap = 100;
	struct seen_cache sc;

	assert_int_equal(seen_init(&sc, cap), 0);
	for (uint64_t id = 1; id <= cap; id++)
		assert_false(seen_check_add(&sc, id));
	for (uint64_t id = 1; id <= cap; id++)
		assert_true(seen_contains(&sc, id));
	for (uint64_t id = cap + 1; id <= 2 * cap; id++)
		assert_false(seen_check_add(&sc, id));
	/* the last `capacity` inserts are always there */
	for (uint64_t id = cap + 1; id <= 2 * cap; id++)
		assert_true(seen_contains(&sc, id));
	for (uint64_t id = 2 * cap + 1; id <= 3 * cap; id++)
		assert_false(seen_check_add(&sc, id));
	/* two generations later the first ones are gone */
	for (uint64_t id = 1; id <= cap; id++)
		assert_false(seen_contains(&sc, id));
	for (uint64_t id = 2 * cap + 1; id <= 3 * cap; id++)
		assert_true(seen_contains(&sc, id));
	seen_free(&sc);
}

/* Ids that differ only in high bits, as node-prefixed message ids do. */
static void test_structured_ids(void **state)
{
	struct seen_cache sc;

	assert_int_equal(seen_init(&sc, 4096), 0);
	for (uint64_t node = 1; node <= 50; node++)
		for (uint64_t seq = 1; seq <= 40; seq++)
			assert_false(seen_check_add(&sc, node << 40 | seq));
	for (uint64_t node = 1; node <= 50; node++)
		for (uint64_t seq = 1; seq <= 40; seq++)
			assert_true(seen_check_add(&sc, node << 40 | seq));
	assert_false(seen_contains(&sc, 51ULL << 40 | 1));
	seen_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_then_dup),
		cmocka_unit_test(test_zero_id),
		cmocka_unit_test(test_bad_capacity),
		cmocka_unit_test(test_bounded_memory),
		cmocka_unit_test(test_structured_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
