// SPDX-License-Identifier: MIT
/*
 * Event encoding against Intel PMUs that this machine may not have:
 * libpfm4 is forced to Skylake (LIBPFM_FORCE_PMU=skl, set before
 * pfm_initialize) and, in a child process, to Ice Lake.  Encodings are
 * the ones in Intel's SDM event tables (event | umask << 8).  Forcing
 * replaces libpfm4's generic "perf" PMU, so "cycles" then comes from our
 * own table of perf's generic names.
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
#include <sys/wait.h>

#include "core/pmu-events.h"
#include "core/pmu-metrics.h"

static void expect(const char *name, uint64_t config, bool excl_k, bool excl_u)
{
	struct pmu_event ev;
	char why[256] = "";

	if (pmu_event__parse(name, &ev, why, sizeof(why)))
		fail_msg("%s: %s", name, why);
	assert_int_equal(ev.attr.config, config);
	assert_int_equal(ev.attr.exclude_kernel, excl_k);
	assert_int_equal(ev.attr.exclude_user, excl_u);
	assert_false(ev.software);
}

static void test_skl_events(void **state)
{
	expect("MEM_LOAD_RETIRED:L3_MISS", 0x20d1, false, false);
	expect("IDQ_UOPS_NOT_DELIVERED:CORE", 0x019c, false, false);
	expect("UOPS_ISSUED:ANY", 0x010e, false, false);
	expect("UOPS_RETIRED:RETIRE_SLOTS", 0x02c2, false, false);
	expect("INT_MISC:RECOVERY_CYCLES", 0x010d, false, false);
	expect("skl::UNHALTED_CORE_CYCLES:u", 0x3c, true, false);
	expect("INSTRUCTION_RETIRED:k", 0xc0, false, true);
	assert_true(pmu_events__has_old_topdown());
}

static void test_skl_generic_fallback(void **state)
{
	struct pmu_event ev;
	char why[256];

	/* no libpfm4 perf PMU while forced: our table answers */
	assert_int_equal(pmu_event__parse("cycles", &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.attr.type, PERF_TYPE_HARDWARE);
	assert_int_equal(ev.attr.config, PERF_COUNT_HW_CPU_CYCLES);
	assert_int_equal(pmu_event__parse("task-clock", &ev, why, sizeof(why)), 0);
	assert_true(ev.software);
	assert_int_equal(pmu_event__parse("LLC_MISSES_NOPE", &ev, why, sizeof(why)), -ENOENT);
}

static void test_skl_topdown_group(void **state)
{
	const char *const *names = pmu_topdown__events(PMU_TD_SLOTS4);
	struct pmu_event evs[8];
	int leader[8], n = 0;
	char why[256];

	for (; names[n]; n++)
		assert_int_equal(pmu_event__parse(names[n], &evs[n], why, sizeof(why)), 0);
	assert_int_equal(n, 5);
	/* cycles and the four uop events are one group, led by cycles */
	assert_int_equal(pmu_metrics__group(evs, n, leader), 1);
	for (int i = 0; i < n; i++)
		assert_int_equal(leader[i], 0);
}

static void test_skl_listing(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_true(pmu_events__list(f, "L3_MISS") >= 1);
	fclose(f);
	assert_non_null(strstr(buf, "skl::MEM_LOAD_RETIRED"));
	assert_non_null(strstr(buf, ":L3_MISS"));
	free(buf);
}

/* Ice Lake in a child: libpfm4 reads LIBPFM_FORCE_PMU once per process. */
static void test_icl_events(void **state)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (!pid) {
		struct pmu_event ev;
		char why[256];
		int bad = 0;

		pmu_events__fini();
		setenv("LIBPFM_FORCE_PMU", "icl", 1);
		bad |= pmu_events__init() != 0;
		bad |= pmu_event__parse("TOPDOWN:SLOTS", &ev, why, sizeof(why)) != 0 ||
		       ev.attr.config != 0x0400;
		bad |= pmu_event__parse("MEM_LOAD_RETIRED:L3_MISS:u", &ev, why, sizeof(why)) != 0 ||
		       ev.attr.config != 0x20d1 || !ev.attr.exclude_kernel;
		bad |= pmu_event__parse("slots", &ev, why, sizeof(why)) != 0;
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skl_events),
		cmocka_unit_test(test_skl_generic_fallback),
		cmocka_unit_test(test_skl_topdown_group),
		cmocka_unit_test(test_skl_listing),
		cmocka_unit_test(test_icl_events),
	};
	int ret;

	/* before the first pfm_initialize() of this process */
	setenv("LIBPFM_FORCE_PMU", "skl", 1);
	if (pmu_events__init()) {
		fprintf(stderr, "libpfm4 cannot be forced to skl here\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	pmu_events__fini();
	return ret;
}
