// SPDX-License-Identifier: MIT
/*
 * Unit tests of `peerscope stat`: its output (reports/stat.c, text and
 * JSON) on hand-made numbers, the per-path counter report section on
 * hand-made `counter` records, and the unsupported-event handling of the
 * command itself with perf_event_open replaced (core/pmu-events.h).
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
#include <sys/syscall.h>

#include "builtin.h"
#include "core/pmu-events.h"
#include "core/profile.h"
#include "reports/report.h"
#include "reports/stat.h"

/* open_memstream sets the buffer pointer at fflush/fclose: keep it here */
static char *cap_buf;

static FILE *capture_begin(size_t *len)
{
	cap_buf = NULL;
	return open_memstream(&cap_buf, len);
}

static const struct stat_event sample_events[] = {
	{ "task-clock", "TASK-CLOCK", true, true, NULL, { 2000000000, 1000, 1000 }, 2e9, 100 },
	{ "context-switches", "CONTEXT-SWITCHES", true, true, NULL, { 40, 1000, 1000 }, 40, 100 },
	{ "cycles", "CYCLES", false, true, NULL, { 2000000000, 1000, 500 }, 4e9, 50 },
	{ "instructions", "INSTRUCTIONS", false, true, NULL, { 3000000000, 1000, 500 }, 6e9, 50 },
	{ "cache-misses", "CACHE-MISSES", false, false,
	  "not supported on this machine (no hardware PMU in the kernel)", {}, 0, 0 },
};

static void test_text(void **state)
{
	double tv[] = { 2e9, 40, 4e9, 6e9, 0 };
	struct stat_thread thr = { 1234, "hot", false, tv };
	struct stat_view v = {
		.pid = 1234, .start_s = 0, .end_s = 1.0, .nr_threads_seen = 1,
		.nr_events = 5, .ev = sample_events, .nr_threads = 1, .thr = &thr,
	};
	size_t len;
	FILE *f = capture_begin(&len);
	char *buf;

	stat__print_text(f, &v);
	fclose(f);
	buf = cap_buf;
	assert_non_null(strstr(buf, "Performance counter stats for process 1234 (1 thread)"));
	assert_non_null(strstr(buf, "2000.00 msec task-clock"));
	assert_non_null(strstr(buf, "2.000 CPUs utilized"));
	assert_non_null(strstr(buf, "1.50 insn per cycle"));
	assert_non_null(strstr(buf, "(50.00%)"));		/* multiplexed: scaled and said */
	assert_non_null(strstr(buf, "6,000,000,000"));
	assert_non_null(strstr(buf, "<not supported>"));
	assert_non_null(strstr(buf, "20.000 /sec"));		/* 40 switches over 2 s on CPU */
	assert_non_null(strstr(buf, "hot-1234"));
	assert_non_null(strstr(buf, "1.000000000 seconds time elapsed"));
	free(buf);
}

static void test_json(void **state)
{
	struct stat_view v = {
		.pid = 0, .command = "sleep \"1\"", .start_s = 0, .end_s = 2.0,
		.nr_events = 5, .ev = sample_events,
	};
	size_t len;
	FILE *f = capture_begin(&len);
	char *buf;

	stat__print_json(f, &v);
	fclose(f);
	buf = cap_buf;
	assert_non_null(strstr(buf, "{\"schema\":\"peerscope.stat/1\",\"type\":\"total\""));
	assert_non_null(strstr(buf, "\"command\":\"sleep \\\"1\\\"\""));
	assert_non_null(strstr(buf, "\"name\":\"cycles\",\"base\":\"CYCLES\",\"software\":false,"
				    "\"supported\":true,\"unit\":\"count\",\"value\":4000000000,"
				    "\"raw\":2000000000,\"enabled_ns\":1000,\"running_ns\":500,"
				    "\"running_pct\":50}"));
	assert_non_null(strstr(buf, "\"supported\":false,\"why\":\"not supported on this machine "
				    "(no hardware PMU in the kernel)\""));
	assert_non_null(strstr(buf, "\"ipc\":1.5"));
	assert_non_null(strstr(buf, "\"cache_miss_pct\":null"));
	assert_non_null(strstr(buf, "\"cpus_utilized\":1"));
	assert_non_null(strstr(buf, "\"topdown\":null"));
	assert_int_equal(buf[len - 1], '\n');
	assert_null(memchr(buf, '\n', len - 1));	/* one line */
	free(buf);
}

static void test_json_topdown(void **state)
{
	const struct stat_event ev[] = {
		{ "slots", "SLOTS", false, true, NULL, { 1000, 1, 1 }, 1000, 100 },
		{ "topdown-retiring", "TOPDOWN-RETIRING", false, true, NULL, { 400, 1, 1 }, 400, 100 },
		{ "topdown-bad-spec", "TOPDOWN-BAD-SPEC", false, true, NULL, { 50, 1, 1 }, 50, 100 },
		{ "topdown-fe-bound", "TOPDOWN-FE-BOUND", false, true, NULL, { 250, 1, 1 }, 250, 100 },
		{ "topdown-be-bound", "TOPDOWN-BE-BOUND", false, true, NULL, { 300, 1, 1 }, 300, 100 },
	};
	struct stat_view v = { .pid = 7, .end_s = 1, .nr_events = 5, .ev = ev };
	size_t len;
	FILE *f = capture_begin(&len);
	char *buf;

	stat__print_json(f, &v);
	stat__print_text(f, &v);
	fclose(f);
	buf = cap_buf;
	assert_non_null(strstr(buf, "\"topdown\":{\"method\":\"perf-metrics\",\"frontend_bound\":0.25,"
				    "\"bad_speculation\":0.05,\"backend_bound\":0.3,\"retiring\":0.4,"
				    "\"flags\":[\"frontend_bound\",\"backend_bound\"]}"));
	assert_non_null(strstr(buf, "Top-down level 1 (perf-metrics method)"));
	assert_non_null(strstr(buf, "Backend Bound        30.0 %   <== above 20 %"));
	free(buf);
}

static void test_interval_text(void **state)
{
	struct stat_view v = {
		.pid = 1, .interval = true, .start_s = 1, .end_s = 2,
		.nr_events = 2, .ev = sample_events,
	};
	size_t len;
	FILE *f = capture_begin(&len);
	char *buf;

	stat__print_interval_text(f, &v, true);
	fclose(f);
	buf = cap_buf;
	assert_non_null(strstr(buf, "#          time             counts unit events"));
	assert_non_null(strstr(buf, "2.000000000            2000.00 msec task-clock"));
	assert_non_null(strstr(buf, "context-switches"));
	free(buf);
}

static void test_report_counters(void **state)
{
	struct profile *p = profile__new();
	struct report_opts o = { .width = 100 };
	struct report_out out;
	size_t len;
	FILE *f;
	char *buf;

	profile__add_record(p, "counter", "status", "ok", "pid", "10", "path", "dht",
			    "event", "cycles", "base", "CYCLES", "value", "4000", "raw", "2000",
			    "enabled_ns", "100", "running_ns", "50", "slices", "3", NULL);
	profile__add_record(p, "counter", "status", "ok", "pid", "10", "path", "dht",
			    "event", "instructions", "base", "INSTRUCTIONS", "value", "8000",
			    "raw", "8000", "enabled_ns", "100", "running_ns", "100", "slices", "3", NULL);
	profile__add_record(p, "counter", "status", "ok", "pid", "11", "path", "dht",
			    "event", "instructions", "base", "INSTRUCTIONS", "value", "2000",
			    "raw", "2000", "enabled_ns", "100", "running_ns", "100", "slices", "1", NULL);
	profile__add_record(p, "counter", "status", "ok", "pid", "10", "path", "gossip",
			    "event", "task-clock", "base", "TASK-CLOCK", "value", "5000000",
			    "raw", "5000000", "enabled_ns", "5000000", "running_ns", "5000000", NULL);
	profile__add_record(p, "counter", "status", "unsupported", "event", "cache-misses",
			    "why", "not supported on this machine (no hardware PMU in the kernel)", NULL);
	profile__add_record(p, "hist", "path", "dht", "count", "100", NULL);
	profile__add_record(p, "hist", "path", "gossip", "count", "10", NULL);

	f = capture_begin(&len);
	report_out__begin(&out, f, REPORT_TEXT, 100);
	assert_int_equal(report_counters__emit(p, &o, &out), 0);
	report_out__end(&out);
	fclose(f);
	buf = cap_buf;
	assert_non_null(strstr(buf, "Counters per path"));
	assert_non_null(strstr(buf, "IPC 2.50"));	/* (8000 + 2000) / 4000 */
	assert_non_null(strstr(buf, "100.0"));		/* 10000 instructions / 100 ops */
	assert_non_null(strstr(buf, "(50.0%)"));
	assert_non_null(strstr(buf, "cache-misses: not supported on this machine"));
	assert_non_null(strstr(buf, "500 us"));		/* 5 ms task-clock / 10 gossip ops */
	free(buf);

	f = capture_begin(&len);
	report_out__begin(&out, f, REPORT_JSON, 100);
	assert_int_equal(report_counters__emit(p, &o, &out), 0);
	report_out__end(&out);
	fclose(f);
	buf = cap_buf;
	assert_non_null(strstr(buf, "\"counters\": {\"paths\":[{\"path\":\"dht\",\"ops\":100,"));
	assert_non_null(strstr(buf, "{\"name\":\"instructions\",\"value\":10000,\"per_op\":100}"));
	assert_non_null(strstr(buf, "\"unsupported\":[{\"event\":\"cache-misses\""));
	free(buf);
	profile__free(p);
}

static void test_report_counters_none(void **state)
{
	struct profile *p = profile__new();
	struct report_opts o = { .width = 100 };
	struct report_out out;
	size_t len;
	FILE *f = capture_begin(&len);
	char *buf;

	report_out__begin(&out, f, REPORT_TEXT, 100);
	assert_int_equal(report_counters__emit(p, &o, &out), 0);
	assert_int_equal(out.nr_sections, 0);
	fclose(f);
	buf = cap_buf;
	free(buf);
	profile__free(p);
}

/* ---- the command, with perf_event_open replaced ------------------------ */

static int real_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
		     unsigned long flags)
{
	return syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

static int opens_hw;

/* No PMU: hardware events fail as the kernel fails them (ENOENT). */
static int fake_no_pmu(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
		       unsigned long flags)
{
	if (attr->type != PERF_TYPE_SOFTWARE) {
		opens_hw++;
		errno = ENOENT;
		return -1;
	}
	return real_open(attr, pid, cpu, group_fd, flags);
}

/* A "PMU" that counts task-clock for every hardware event, in groups. */
static int fake_pmu(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
		    unsigned long flags)
{
	struct perf_event_attr a = *attr;

	if (a.type != PERF_TYPE_SOFTWARE) {
		opens_hw++;
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_TASK_CLOCK;
	}
	return real_open(&a, pid, cpu, group_fd, flags);
}

static int run_stat(const char *out, ...)
{
	char *argv[32];
	va_list ap;
	int argc = 0;

	argv[argc++] = "stat";
	argv[argc++] = "-o";
	argv[argc++] = (char *)out;
	va_start(ap, out);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	return cmd_stat(argc, argv);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	if (f) {
		if (fread(buf, 1, 65535, f) == 0)
			buf[0] = '\0';
		fclose(f);
	}
	return buf;
}

static int need_perf(void **state)
{
	struct perf_event_attr a = { .type = PERF_TYPE_SOFTWARE, .size = sizeof(a),
				     .config = PERF_COUNT_SW_TASK_CLOCK, .disabled = 1 };
	int fd = real_open(&a, 0, -1, -1, 0);

	if (fd < 0)
		skip();	/* perf_event_paranoid forbids even software events here */
	close(fd);
	return 0;
}

static void test_cmd_unsupported(void **state)
{
	char path[] = "/tmp/peerscope-test-stat.XXXXXX";
	int fd = mkstemp(path);
	char *buf;

	need_perf(state);
	close(fd);
	pmu_perf_event_open = fake_no_pmu;

	/* --strict: fatal before the command runs */
	opens_hw = 0;
	assert_int_equal(run_stat(path, "-e", "task-clock,cycles", "--strict", "--", "true", NULL), 1);
	assert_int_equal(opens_hw, 1);			/* tried once, said once */

	/* nothing countable: exit 1 */
	assert_int_equal(run_stat(path, "-e", "cycles,instructions", "--", "true", NULL), 1);

	/* software still counted, exit 0, the event shown as unsupported */
	assert_int_equal(run_stat(path, "-e", "task-clock,cycles,page-faults", "--json", "--",
				  "true", NULL), 0);
	buf = slurp(path);
	assert_non_null(strstr(buf, "\"name\":\"cycles\",\"base\":\"CYCLES\",\"software\":false,"
				    "\"supported\":false,\"why\":\"not supported on this machine"));
	assert_non_null(strstr(buf, "\"name\":\"page-faults\""));
	assert_null(strstr(buf, "\"name\":\"page-faults\",\"base\":\"PAGE-FAULTS\",\"software\":true,"
				 "\"supported\":true,\"unit\":\"count\",\"value\":0,"));
	free(buf);

	/* usage errors */
	assert_int_equal(run_stat(path, "-e", "bogus-event", "--", "true", NULL), 2);
	assert_int_equal(run_stat(path, "-e", "task-clock", NULL), 2);
	assert_int_equal(run_stat(path, "-p", "1", "--", "true", NULL), 2);

	pmu_perf_event_open = real_open;
	unlink(path);
}

static void test_cmd_groups(void **state)
{
	char path[] = "/tmp/peerscope-test-stat.XXXXXX";
	int fd = mkstemp(path);
	char *buf;

	need_perf(state);
	close(fd);
	pmu_perf_event_open = fake_pmu;
	/* cycles+instructions is a group read with PERF_FORMAT_GROUP, inherited */
	assert_int_equal(run_stat(path, "-e", "cycles,instructions,task-clock", "--json", "--",
				  "sh", "-c", "i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done", NULL), 0);
	buf = slurp(path);
	assert_non_null(strstr(buf, "\"name\":\"cycles\",\"base\":\"CYCLES\",\"software\":false,"
				    "\"supported\":true"));
	/* both "hardware" events count the same task-clock: IPC about 1 */
	assert_non_null(strstr(buf, "\"ipc\":"));
	assert_null(strstr(buf, "\"ipc\":null"));
	free(buf);
	pmu_perf_event_open = real_open;
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_topdown),
		cmocka_unit_test(test_interval_text),
		cmocka_unit_test(test_report_counters),
		cmocka_unit_test(test_report_counters_none),
		cmocka_unit_test(test_cmd_unsupported),
		cmocka_unit_test(test_cmd_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
