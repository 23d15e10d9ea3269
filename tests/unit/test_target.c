// SPDX-License-Identifier: MIT
/* Unit tests of target handling (userspace/core/target.c) and the collector table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "collectors/collector.h"
#include "core/target.h"

static void test_parse_list(void **state)
{
	struct target t = {};
	const char *bad;

	assert_int_equal(target__parse(&t, "12,34,12,56", 64, &bad), 0);
	assert_int_equal(t.nr_pids, 3);	/* duplicate dropped */
	assert_int_equal(t.pids[0], 12);
	assert_int_equal(t.pids[1], 34);
	assert_int_equal(t.pids[2], 56);
	/* a second -p appends */
	assert_int_equal(target__parse(&t, "78", 64, &bad), 0);
	assert_int_equal(t.nr_pids, 4);
	target__free(&t);
	assert_null(t.pids);
	assert_int_equal(t.nr_pids, 0);
}

static void test_parse_bad(void **state)
{
	static const char *const bad_lists[] = {
		"", "x", "12x", "12,", ",12", "1,,2", "-1", "0", "99999999999", "1 2",
	};
	struct target t = {};
	const char *bad;

	for (size_t i = 0; i < sizeof(bad_lists) / sizeof(bad_lists[0]); i++) {
		assert_int_equal(target__parse(&t, bad_lists[i], 64, &bad), -EINVAL);
		target__free(&t);
	}
	assert_int_equal(target__parse(&t, "1,2,3", 2, &bad), -E2BIG);
	target__free(&t);
	/* bad points at the offending item */
	assert_int_equal(target__parse(&t, "5,6x", 64, &bad), -EINVAL);
	assert_string_equal(bad, "6x");
	target__free(&t);
}

static void test_self(void **state)
{
	uint32_t tgid = 0, *tids = NULL;
	char comm[32];
	int n;

	assert_int_equal(target__validate(getpid(), &tgid), 0);
	assert_int_equal(tgid, (uint32_t)getpid());
	assert_true(target__alive(getpid()));
	assert_int_equal(target__comm(getpid(), comm, sizeof(comm)), 0);
	assert_true(strlen(comm) > 0);
	assert_null(strchr(comm, '\n'));
	n = target__threads(getpid(), &tids);
	assert_true(n >= 1);
	assert_int_equal(tids[0] == (uint32_t)getpid() || n > 1, 1);
	free(tids);
}

static void test_gone(void **state)
{
	uint32_t tgid;
	siginfo_t info;
	pid_t child = fork();

	if (!child)
		_exit(0);
	/*
	 * A zombie is not alive, a reaped pid does not exist.  WNOWAIT waits
	 * for the exit and leaves the zombie: a fixed sleep was too short for
	 * the child to exit under valgrind on a loaded machine.
	 */
	assert_int_equal(waitid(P_PID, child, &info, WEXITED | WNOWAIT), 0);
	assert_false(target__alive(child));
	waitpid(child, NULL, 0);
	assert_int_equal(target__validate(child, &tgid), -ESRCH);
	assert_false(target__alive(child));
	assert_int_equal(target__validate(0x7ffffffe, &tgid), -ESRCH);
}

/* What record notes compares: exe, and reaped children's CPU growing. */
static void test_state(void **state)
{
	struct target_state before, after;
	char exe[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	pid_t child;

	assert_true(n > 0);
	exe[n] = '\0';
	assert_int_equal(target__state(getpid(), &before), 0);
	assert_true(before.alive);
	assert_string_equal(before.exe, exe);
	child = fork();
	if (!child) {
		struct timespec ts;

		do	/* 50 ms of CPU */
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		while (ts.tv_sec == 0 && ts.tv_nsec < 50000000);
		_exit(0);
	}
	waitpid(child, NULL, 0);
	assert_int_equal(target__state(getpid(), &after), 0);
	/* clock ticks: 50 ms is 4-6 ticks of 10 ms */
	assert_true(after.children_cpu_ns >= before.children_cpu_ns + 30000000);
	assert_int_equal(target__state(child, &after), -ESRCH);
	assert_false(after.alive);
}

static void test_table(void **state)
{
	int n = 0;

	for (int i = 0; collector_table[i]; i++, n++)
		assert_ptr_equal(collector__find(collector_table[i]->name), collector_table[i]);
	assert_true(n >= 1);
	assert_non_null(collector__find("cpu"));
	assert_null(collector__find("nope"));
	assert_string_equal(collector__path_name(NULL, 0), "other");
	assert_string_equal(collector__path_name(NULL, 1), "dht");
	assert_string_equal(collector__path_name(NULL, 2), "gossip");
	assert_string_equal(collector__path_name(NULL, 3), "bootstrap");
	assert_string_equal(collector__path_name(NULL, 12), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_list),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_gone),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
