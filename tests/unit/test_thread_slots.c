// SPDX-License-Identifier: MIT
/*
 * Maps keyed by thread are sized to the targets' threads: room for four
 * times as many as they have now plus 2048, a power of two, never above
 * PS_MAX_THREADS (which the agent, whose targets come and go, gets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/types.h>

#include "collectors/shared-maps.h"
#include "bpf/peerscope.h"

static void test_small_node(void **state)
{
	(void)state;
	assert_int_equal(shared_maps__thread_slots(0), 2048);
	assert_int_equal(shared_maps__thread_slots(2), 4096);	/* 2056 */
	assert_int_equal(shared_maps__thread_slots(40), 4096);	/* a Go node: 2208 */
	assert_int_equal(shared_maps__thread_slots(600), 8192);	/* 4448 */
}

static void test_room_and_ceiling(void **state)
{
	(void)state;
	for (uint64_t n = 0; n < 200000; n += n < 100 ? 1 : 97) {
		uint32_t slots = shared_maps__thread_slots(n);

		assert_true((slots & (slots - 1)) == 0);
		assert_true(slots <= PS_MAX_THREADS);
		if (4 * n + 2048 <= PS_MAX_THREADS)
			assert_true(slots >= 4 * n + 2048);
		else
			assert_int_equal(slots, PS_MAX_THREADS);
	}
	assert_int_equal(shared_maps__thread_slots(UINT64_MAX), PS_MAX_THREADS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_node),
		cmocka_unit_test(test_room_and_ceiling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
