// SPDX-License-Identifier: MIT
/*
 * The cpu collector's maps are sized to the samples of a few drain
 * intervals: small for record's 1 s flush at the default rate, the fixed
 * maximum for fast rates, many CPUs or the agent's long windows, and the
 * maximum when the interval is not known.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/types.h>

#include "collectors/cpu.h"
#include "bpf/cpu.h"

static void test_default_record(void **state)
{
	(void)state;
	/* 99 Hz x 2 CPUs x 1 s x 8 = 1584 samples: the floor */
	assert_int_equal(cpu__map_entries(99, 2, 1.0, CPU_STACK_ENTRIES), 2048);
	assert_int_equal(cpu__map_entries(99, 2, 1.0, CPU_COUNT_ENTRIES), 2048);
	/* 99 x 8 x 8 = 6336 */
	assert_int_equal(cpu__map_entries(99, 8, 1.0, CPU_STACK_ENTRIES), 8192);
}

static void test_room_for_every_sample(void **state)
{
	static const int freqs[] = { 1, 19, 99, 499, 999, 4999 };
	static const int cpus[] = { 1, 2, 4, 16, 64 };
	static const double drains[] = { 0.5, 1.0, 60.0 };

	(void)state;
	for (unsigned f = 0; f < sizeof(freqs) / sizeof(*freqs); f++)
		for (unsigned c = 0; c < sizeof(cpus) / sizeof(*cpus); c++)
			for (unsigned d = 0; d < sizeof(drains) / sizeof(*drains); d++) {
				double need = 8.0 * freqs[f] * cpus[c] * drains[d];
				uint32_t n = cpu__map_entries(freqs[f], cpus[c], drains[d],
							      CPU_COUNT_ENTRIES);

				/* a power of two, never above the maximum */
				assert_int_equal(n & (n - 1), 0);
				assert_true(n <= CPU_COUNT_ENTRIES);
				/* room for it all, or the maximum when that is more */
				assert_true(n >= need || n == CPU_COUNT_ENTRIES);
				/* and not twice what it needs above the floor */
				assert_true(n == 2048 || n < 2 * need);
			}
}

static void test_fast_or_long_is_the_maximum(void **state)
{
	(void)state;
	assert_int_equal(cpu__map_entries(999, 2, 1.0, CPU_STACK_ENTRIES), CPU_STACK_ENTRIES);
	/* the agent: 19 Hz x 2 CPUs x a 60 s window x 8 = 18240 */
	assert_int_equal(cpu__map_entries(19, 2, 60.0, CPU_STACK_ENTRIES), CPU_STACK_ENTRIES);
	assert_int_equal(cpu__map_entries(19, 2, 60.0, CPU_COUNT_ENTRIES), 32768);
}

static void test_unknown_is_the_maximum(void **state)
{
	(void)state;
	assert_int_equal(cpu__map_entries(99, 2, 0, CPU_STACK_ENTRIES), CPU_STACK_ENTRIES);
	assert_int_equal(cpu__map_entries(0, 2, 1.0, CPU_COUNT_ENTRIES), CPU_COUNT_ENTRIES);
	assert_int_equal(cpu__map_entries(99, -1, 1.0, CPU_COUNT_ENTRIES), CPU_COUNT_ENTRIES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_record),
		cmocka_unit_test(test_room_for_every_sample),
		cmocka_unit_test(test_fast_or_long_is_the_maximum),
		cmocka_unit_test(test_unknown_is_the_maximum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
