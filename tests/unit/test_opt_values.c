// SPDX-License-Identifier: MIT
/*
 * Unit tests of record's numeric option values (userspace/core/opt-values.c):
 * what each accepts, and the values the fuzzer found that once slipped
 * through (nan, inf) or overflowed a cast (tests/fuzz/regress/record_opts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/opt-values.h"

static void test_accepted(void **state)
{
	unsigned n;
	uint64_t ns;
	double d;
	int hz;

	assert_int_equal(opt__freq("99", &hz), 0);
	assert_int_equal(hz, 99);
	assert_int_equal(opt__seconds("0.5", &d), 0);
	assert_true(d == 0.5);
	assert_int_equal(opt__count("16", &n), 0);
	assert_int_equal(n, 16);
	assert_int_equal(opt__fraction("1", &d), 0);
	assert_true(d == 1);
	assert_int_equal(opt__time_ns("10ms", &ns), 0);
	assert_int_equal(ns, 10000000);
	assert_int_equal(opt__time_ns("500", &ns), 0);	/* bare: microseconds */
	assert_int_equal(ns, 500000);
	assert_int_equal(opt__time_ns("2s", &ns), 0);
	assert_int_equal(ns, 2000000000);
}

static void test_refused(void **state)
{
	static const char *bad_freq[] = { "0", "100001", "9.5", "", "99x", "nan", "inf" };
	static const char *bad_secs[] = { "0", "-1", "nan", "inf", "1e999", "x" };
	static const char *bad_count[] = { "0", "1.5", "nan", "4294967296", "1e20" };
	static const char *bad_frac[] = { "0", "1.01", "nan", "-inf" };
	static const char *bad_time[] = { "-1ms", "1h", "nan", "inf", "1e300s", "18446744073709551616ns" };
	unsigned n;
	uint64_t ns;
	double d;
	int hz;

	for (size_t i = 0; i < sizeof(bad_freq) / sizeof(*bad_freq); i++)
		assert_int_not_equal(opt__freq(bad_freq[i], &hz), 0);
	for (size_t i = 0; i < sizeof(bad_secs) / sizeof(*bad_secs); i++)
		assert_int_not_equal(opt__seconds(bad_secs[i], &d), 0);
	for (size_t i = 0; i < sizeof(bad_count) / sizeof(*bad_count); i++)
		assert_int_not_equal(opt__count(bad_count[i], &n), 0);
	for (size_t i = 0; i < sizeof(bad_frac) / sizeof(*bad_frac); i++)
		assert_int_not_equal(opt__fraction(bad_frac[i], &d), 0);
	for (size_t i = 0; i < sizeof(bad_time) / sizeof(*bad_time); i++)
		assert_int_not_equal(opt__time_ns(bad_time[i], &ns), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
