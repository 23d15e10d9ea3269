// SPDX-License-Identifier: MIT
/*
 * Unit tests of core/pmu-metrics.c: grouping, multiplex scaling, group
 * reads, derived metrics and both top-down level-1 methods on counter
 * values with known answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "core/pmu-events.h"
#include "core/pmu-metrics.h"

#define EPS 1e-9

static void parse_all(const char *list, struct pmu_event *evs, int *nr)
{
	char why[256];

	if (pmu_events__parse_list(list, evs, PMU_MAX_EVENTS, nr, why, sizeof(why)))
		fail_msg("%s", why);
}

static void test_group_default_set(void **state)
{
	struct pmu_event evs[PMU_MAX_EVENTS];
	int leader[PMU_MAX_EVENTS], nr;

	parse_all("task-clock,context-switches,cycles,instructions,branches,branch-misses,"
		  "cache-references,cache-misses", evs, &nr);
	/* 2 software singles + 3 pairs */
	assert_int_equal(pmu_metrics__group(evs, nr, leader), 5);
	assert_int_equal(leader[0], 0);
	assert_int_equal(leader[1], 1);
	assert_int_equal(leader[2], 2);
	assert_int_equal(leader[3], 2);	/* instructions with cycles */
	assert_int_equal(leader[4], 4);
	assert_int_equal(leader[5], 4);	/* branch-misses with branches */
	assert_int_equal(leader[6], 6);
	assert_int_equal(leader[7], 6);
}

static void test_group_topdown_slots_leads(void **state)
{
	struct pmu_event evs[PMU_MAX_EVENTS];
	int leader[PMU_MAX_EVENTS], nr;

	/* written before slots: still grouped under it */
	parse_all("topdown-retiring,topdown-bad-spec,instructions,slots,topdown-fe-bound,"
		  "topdown-be-bound", evs, &nr);
	assert_int_equal(pmu_metrics__group(evs, nr, leader), 2);
	assert_int_equal(leader[3], 3);
	assert_int_equal(leader[0], 3);
	assert_int_equal(leader[1], 3);
	assert_int_equal(leader[4], 3);
	assert_int_equal(leader[5], 3);
	assert_int_equal(leader[2], 2);
}

static void test_group_unrelated_alone(void **state)
{
	struct pmu_event evs[PMU_MAX_EVENTS];
	int leader[PMU_MAX_EVENTS], nr;

	parse_all("cycles,bus-cycles,page-faults", evs, &nr);
	assert_int_equal(pmu_metrics__group(evs, nr, leader), 3);
}

static void test_scale(void **state)
{
	struct pmu_count c = { .value = 1000, .enabled = 200, .running = 100 };
	double pct;

	assert_float_equal(pmu_scale(&c, &pct), 2000, EPS);
	assert_float_equal(pct, 50, EPS);
	c = (struct pmu_count){ 1000, 1000, 1000 };
	assert_float_equal(pmu_scale(&c, &pct), 1000, EPS);
	assert_float_equal(pct, 100, EPS);
	c = (struct pmu_count){ 5, 1000, 0 };	/* never ran */
	assert_float_equal(pmu_scale(&c, &pct), 0, EPS);
	assert_float_equal(pct, 0, EPS);
	/* 83.2 % as perf shows it */
	c = (struct pmu_count){ 832, 1000, 832 };
	assert_float_equal(pmu_scale(&c, &pct), 1000, 1e-6);
	assert_float_equal(pct, 83.2, 1e-9);
	/* large counts do not overflow */
	c = (struct pmu_count){ 1ULL << 62, 3ULL << 40, 1ULL << 40 };
	assert_float_equal(pmu_scale(&c, NULL), 3.0 * (1ULL << 62), 1e6);
}

static void test_group_read(void **state)
{
	uint64_t buf[] = { 3, 1000, 500, 11, 22, 33 };
	struct pmu_count out[3];

	assert_int_equal(pmu_metrics__parse_group_read(buf, sizeof(buf), 3, out), 0);
	assert_int_equal(out[0].value, 11);
	assert_int_equal(out[2].value, 33);
	assert_int_equal(out[1].enabled, 1000);
	assert_int_equal(out[1].running, 500);
	assert_int_equal(pmu_metrics__parse_group_read(buf, sizeof(buf), 2, out), -EINVAL);
	assert_int_equal(pmu_metrics__parse_group_read(buf, 4 * sizeof(uint64_t), 3, out), -EINVAL);
}

static void test_derive(void **state)
{
	const struct pmu_reading r[] = {
		{ "TASK-CLOCK", 2e9, true },
		{ "CYCLES", 4e9, true },
		{ "INSTRUCTIONS", 6e9, true },
		{ "BRANCHES", 1e9, true },
		{ "BRANCH-MISSES", 2e7, true },
		{ "CACHE-REFERENCES", 1e6, true },
		{ "CACHE-MISSES", 2.5e5, true },
	};
	struct pmu_derived d;

	pmu_metrics__derive(r, 7, 1e9, &d);
	assert_true(d.has_ipc);
	assert_float_equal(d.ipc, 1.5, EPS);
	assert_float_equal(d.branch_miss_pct, 2.0, EPS);
	assert_float_equal(d.cache_miss_pct, 25.0, EPS);
	assert_true(d.has_cpus);
	assert_float_equal(d.cpus, 2.0, EPS);
	assert_int_equal(d.topdown.method, PMU_TD_NONE);
}

static void test_derive_missing(void **state)
{
	const struct pmu_reading r[] = {
		{ "TASK-CLOCK", 1e9, true },
		{ "CYCLES", 0, false },		/* unsupported */
		{ "INSTRUCTIONS", 5e9, true },
	};
	struct pmu_derived d;

	pmu_metrics__derive(r, 3, 0, &d);
	assert_false(d.has_ipc);
	assert_false(d.has_cpus);	/* no wall time given */
	assert_false(d.has_cache_miss);
}

static void test_topdown_perf_metrics(void **state)
{
	struct pmu_topdown td;
	const struct pmu_reading r[] = {
		{ "SLOTS", 1000, true },
		{ "TOPDOWN-RETIRING", 400, true },
		{ "TOPDOWN-BAD-SPEC", 50, true },
		{ "TOPDOWN-FE-BOUND", 250, true },
		{ "TOPDOWN-BE-BOUND", 300, true },
	};
	struct pmu_derived d;

	assert_int_equal(pmu_topdown__perf_metrics(1000, 400, 50, 250, 300, &td), 0);
	assert_int_equal(td.method, PMU_TD_PERF_METRICS);
	assert_float_equal(td.retiring, 0.40, EPS);
	assert_float_equal(td.bad_spec, 0.05, EPS);
	assert_float_equal(td.frontend, 0.25, EPS);
	assert_float_equal(td.backend, 0.30, EPS);
	assert_true(td.flag_frontend);		/* > 0.2 */
	assert_false(td.flag_bad_spec);		/* 0.05 <= 0.1 */
	assert_true(td.flag_backend);		/* > 0.2 */
	assert_false(td.flag_retiring);		/* <= 0.7 */

	pmu_metrics__derive(r, 5, 0, &d);
	assert_int_equal(d.topdown.method, PMU_TD_PERF_METRICS);
	assert_float_equal(d.topdown.backend, 0.30, EPS);

	/* raw PERF_METRICS: bytes retiring, bad, fe, be as fractions of 0xff */
	assert_int_equal(pmu_topdown__perf_metrics_raw(0x33331a4dULL /* be fe bad ret */, &td), 0);
	assert_float_equal(td.retiring, 0x4d / (double)(0x4d + 0x1a + 0x33 + 0x33), EPS);
	assert_float_equal(td.retiring + td.bad_spec + td.frontend + td.backend, 1.0, EPS);
	assert_int_equal(pmu_topdown__perf_metrics(0, 0, 0, 0, 0, &td), -EINVAL);
}

static void test_topdown_slots4(void **state)
{
	struct pmu_topdown td;
	const struct pmu_reading r[] = {
		{ "CYCLES", 1000, true },
		{ "IDQ_UOPS_NOT_DELIVERED:CORE", 400, true },
		{ "UOPS_ISSUED:ANY", 3000, true },
		{ "UOPS_RETIRED:RETIRE_SLOTS", 2900, true },
		{ "INT_MISC:RECOVERY_CYCLES", 25, true },
	};
	struct pmu_derived d;

	/* SLOTS 4000: FE 0.1, Bad (3000-2900+100)/4000 = 0.05, Ret 0.725, BE 0.125 */
	assert_int_equal(pmu_topdown__slots4(1000, 400, 3000, 2900, 25, &td), 0);
	assert_int_equal(td.method, PMU_TD_SLOTS4);
	assert_float_equal(td.frontend, 0.1, EPS);
	assert_float_equal(td.bad_spec, 0.05, EPS);
	assert_float_equal(td.retiring, 0.725, EPS);
	assert_float_equal(td.backend, 0.125, EPS);
	assert_false(td.flag_frontend);
	assert_false(td.flag_bad_spec);
	assert_false(td.flag_backend);
	assert_true(td.flag_retiring);		/* > 0.7 */

	pmu_metrics__derive(r, 5, 0, &d);
	assert_int_equal(d.topdown.method, PMU_TD_SLOTS4);
	assert_float_equal(d.topdown.retiring, 0.725, EPS);

	/* a backend-bound loop: few uops retired, nothing lost up front */
	assert_int_equal(pmu_topdown__slots4(1000, 100, 1000, 1000, 0, &td), 0);
	assert_float_equal(td.backend, 0.725, EPS);
	assert_true(td.flag_backend);
	/* clamped: measurement noise cannot go below 0 */
	assert_int_equal(pmu_topdown__slots4(1000, 0, 900, 1000, 0, &td), 0);
	assert_float_equal(td.bad_spec, 0, EPS);
	assert_int_equal(pmu_topdown__slots4(0, 1, 1, 1, 1, &td), -EINVAL);
}

static void test_topdown_events_lists(void **state)
{
	assert_string_equal(pmu_topdown__events(PMU_TD_PERF_METRICS)[0], "slots");
	assert_string_equal(pmu_topdown__events(PMU_TD_SLOTS4)[1], "IDQ_UOPS_NOT_DELIVERED:CORE");
	assert_null(pmu_topdown__events(PMU_TD_NONE));
	assert_string_equal(pmu_topdown__method_name(PMU_TD_SLOTS4), "slots4");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_default_set),
		cmocka_unit_test(test_group_topdown_slots_leads),
		cmocka_unit_test(test_group_unrelated_alone),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_group_read),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_derive_missing),
		cmocka_unit_test(test_topdown_perf_metrics),
		cmocka_unit_test(test_topdown_slots4),
		cmocka_unit_test(test_topdown_events_lists),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	pmu_events__fini();
	return ret;
}
