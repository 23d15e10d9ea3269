// SPDX-License-Identifier: MIT
/*
 * Unit tests of event parsing and encoding (core/pmu-events.c) on this
 * machine's libpfm4 PMUs (the generic "perf" PMU at least), the open-error
 * phrases through a fake perf_event_open, and listing.
 * test_pmu_force.c does the same against forced Intel PMUs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/pmu-events.h"

static int setup(void **state)
{
	return pmu_events__init();
}

static void test_software_events(void **state)
{
	struct pmu_event ev;
	char why[256];

	assert_int_equal(pmu_event__parse("task-clock", &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.attr.type, PERF_TYPE_SOFTWARE);
	assert_int_equal(ev.attr.config, PERF_COUNT_SW_TASK_CLOCK);
	assert_true(ev.software);
	assert_string_equal(ev.base, "TASK-CLOCK");
	assert_false(ev.attr.exclude_user || ev.attr.exclude_kernel);

	/* alias: same base name, so metrics find it either way */
	assert_int_equal(pmu_event__parse("cs", &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.attr.config, PERF_COUNT_SW_CONTEXT_SWITCHES);
	assert_string_equal(ev.base, "CONTEXT-SWITCHES");
	assert_string_equal(ev.name, "cs");

	assert_int_equal(pmu_event__parse("page-faults:u", &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.attr.config, PERF_COUNT_SW_PAGE_FAULTS);
	assert_false(ev.attr.exclude_user);
	assert_true(ev.attr.exclude_kernel);
	assert_string_equal(ev.base, "PAGE-FAULTS");

	assert_int_equal(pmu_event__parse("major-faults", &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.attr.config, PERF_COUNT_SW_PAGE_FAULTS_MAJ);
	assert_int_equal(pmu_event__parse("cpu-migrations:k", &ev, why, sizeof(why)), 0);
	assert_true(ev.attr.exclude_user);
	assert_false(ev.attr.exclude_kernel);
}

static void test_hardware_generic(void **state)
{
	struct pmu_event ev;
	char why[256];

	/* through libpfm4's perf PMU (or our fallback table): the generic event */
	assert_int_equal(pmu_event__parse("cycles", &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.attr.type, PERF_TYPE_HARDWARE);
	assert_int_equal(ev.attr.config, PERF_COUNT_HW_CPU_CYCLES);
	assert_false(ev.software);
	assert_string_equal(ev.base, "CYCLES");

	assert_int_equal(pmu_event__parse("cycles:u", &ev, why, sizeof(why)), 0);
	assert_true(ev.attr.exclude_kernel);
	assert_false(ev.attr.exclude_user);
	assert_string_equal(ev.base, "CYCLES");

	assert_int_equal(pmu_event__parse("instructions:k", &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.attr.config, PERF_COUNT_HW_INSTRUCTIONS);
	assert_true(ev.attr.exclude_user);
	assert_false(ev.attr.exclude_kernel);

	assert_int_equal(pmu_event__parse("branch-misses", &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.attr.config, PERF_COUNT_HW_BRANCH_MISSES);
	assert_string_equal(ev.base, "BRANCH-MISSES");
	assert_int_equal(pmu_event__parse("cache-references", &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.attr.config, PERF_COUNT_HW_CACHE_REFERENCES);
}

static void test_topdown_names(void **state)
{
	struct pmu_event ev;
	char why[256];

	assert_int_equal(pmu_event__parse("topdown-retiring", &ev, why, sizeof(why)), 0);
	assert_string_equal(ev.base, "TOPDOWN-RETIRING");
	assert_false(ev.software);
	if (!pmu_events__has_perf_metrics()) {
		/* the kernel's fixed encodings: event=0x00,umask=0x80 */
		assert_int_equal(ev.attr.type, PERF_TYPE_RAW);
		assert_int_equal(ev.attr.config, 0x8000);
		assert_int_equal(pmu_event__parse("slots", &ev, why, sizeof(why)), 0);
		assert_int_equal(ev.attr.config, 0x400);
		assert_int_equal(pmu_event__parse("topdown-be-bound", &ev, why, sizeof(why)), 0);
		assert_int_equal(ev.attr.config, 0x8300);
	}
}

static void test_unknown(void **state)
{
	struct pmu_event ev;
	char why[256] = "";

	assert_int_equal(pmu_event__parse("no-such-event", &ev, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "unknown event 'no-such-event'"));
	assert_non_null(strstr(why, "--list"));
	assert_int_equal(pmu_event__parse("task-clock:z", &ev, why, sizeof(why)), -EINVAL);
	assert_int_equal(pmu_event__parse("", &ev, why, sizeof(why)), -EINVAL);
}

static void test_list(void **state)
{
	struct pmu_event evs[PMU_MAX_EVENTS];
	char why[256];
	int nr;

	assert_int_equal(pmu_events__parse_list("task-clock,cs,,page-faults", evs, PMU_MAX_EVENTS,
						&nr, why, sizeof(why)), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(evs[2].name, "page-faults");
	assert_int_equal(pmu_events__parse_list("task-clock,bogus", evs, PMU_MAX_EVENTS, &nr, why,
						sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "bogus"));
	assert_int_equal(pmu_events__parse_list("", evs, PMU_MAX_EVENTS, &nr, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(pmu_events__parse_list("cs,cs,cs", evs, 2, &nr, why, sizeof(why)), -E2BIG);
}

static void test_base_name(void **state)
{
	char b[PMU_NAME_LEN];

	pmu_event__base_name("skl::UNHALTED_CORE_CYCLES:u", b, sizeof(b));
	assert_string_equal(b, "UNHALTED_CORE_CYCLES");
	pmu_event__base_name("MEM_LOAD_RETIRED.L3_MISS:k", b, sizeof(b));
	assert_string_equal(b, "MEM_LOAD_RETIRED:L3_MISS");
	pmu_event__base_name("idq_uops_not_delivered:core:c=1", b, sizeof(b));
	assert_string_equal(b, "IDQ_UOPS_NOT_DELIVERED:CORE");
	pmu_event__base_name("cycles", b, sizeof(b));
	assert_string_equal(b, "CYCLES");
}

static void test_open_errors(void **state)
{
	struct pmu_event hw, sw;
	char why[256];
	bool pmu = !access("/sys/bus/event_source/devices/cpu", F_OK) ||
		   !access("/sys/bus/event_source/devices/cpu_core", F_OK);

	assert_int_equal(pmu_event__parse("cycles", &hw, why, sizeof(why)), 0);
	assert_int_equal(pmu_event__parse("task-clock", &sw, why, sizeof(why)), 0);
	if (!pmu)
		assert_string_equal(pmu_event__open_error(&hw, ENOENT),
				    "not supported on this machine (no hardware PMU in the kernel)");
	else
		assert_non_null(strstr(pmu_event__open_error(&hw, ENOENT), "not supported on this machine"));
	assert_non_null(strstr(pmu_event__open_error(&sw, EOPNOTSUPP), "PMU driver"));
	assert_non_null(strstr(pmu_event__open_error(&hw, EACCES), "perf_event_paranoid"));
	assert_true(pmu_event__unsupported_errno(ENOENT));
	assert_true(pmu_event__unsupported_errno(EOPNOTSUPP));
	assert_false(pmu_event__unsupported_errno(EACCES));
}

static void test_listing(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int n;

	n = pmu_events__list(f, "task-clock");
	fclose(f);
	assert_true(n >= 1);
	assert_non_null(strstr(buf, "task-clock"));
	assert_non_null(strstr(buf, "time the task ran"));
	assert_null(strstr(buf, "page-faults OR"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_software_events),
		cmocka_unit_test(test_hardware_generic),
		cmocka_unit_test(test_topdown_names),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_base_name),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_listing),
	};
	int ret = cmocka_run_group_tests(tests, setup, NULL);

	pmu_events__fini();
	return ret;
}
