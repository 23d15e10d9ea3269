// SPDX-License-Identifier: MIT
/*
 * Unit tests of the memory report section (reports/analysis/memory.c, reports/memory.c) on hand-built
 * recordings: per-path totals, bytes per operation from span counts, the
 * leak suspect named by its labelled sample, inclusive functions, the RSS
 * growth line, and silence on a recording without memory data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/memory.h"
#include "core/profile.h"
#include "reports/report.h"

static void add(struct profile *p, const int *t, const char *path, int64_t leak,
		const int64_t *v, const char *leaf, const char *caller)
{
	uint32_t locs[3], labels, stack;
	struct pf_label_kv kv[3] = {
		{ .key = "path", .str = path },
		{ .key = "pid", .num = 7 },
		{ .key = "leak", .num = leak },
	};

	locs[0] = profile__intern_named_frame(p, leaf, NULL, false);
	locs[1] = profile__intern_named_frame(p, caller, NULL, false);
	locs[2] = profile__intern_named_frame(p, "main", NULL, false);
	stack = profile__intern_stack(p, locs, 3);
	labels = profile__intern_labels(p, kv, leak ? 3 : 2);
	assert_true(profile__add_values(p, stack, labels, t, v, 5) >= 0);
}

static struct profile *mem_profile(void)
{
	struct profile *p = profile__new();
	int t[5];

	t[0] = profile__add_type(p, "alloc", "bytes");
	t[1] = profile__add_type(p, "alloc", "objects");
	t[2] = profile__add_type(p, "inuse", "bytes");
	t[3] = profile__add_type(p, "inuse", "objects");
	t[4] = profile__add_type(p, "fault", "pages");
	p->duration_nanos = 2000000000LL;
	add(p, t, "gossip", 0, (int64_t[]){ 8000, 80, 0, 0, 3 }, "gossip_copy", "gossip_forward");
	add(p, t, "gossip", 1, (int64_t[]){ 2000, 2, 2000, 2, 0 }, "leaky", "gossip_forward");
	add(p, t, "dht", 0, (int64_t[]){ 1000, 10, 100, 1, 5 }, "dht_node", "dht_lookup");
	profile__add_record(p, "alloc", "mode", "malloc", "allocator", "7:glibc", "calls", "184",
			    "sample", "1", "duty", "1.000", "est_overhead_ns", "1000000",
			    "est_slowdown", "0.0005", NULL);
	profile__add_record(p, "leak", "id", "1", "pid", "7", "tid", "7", "path", "gossip",
			    "inuse_bytes", "2000", "growth_bytes", "1500", "slope_bps", "750.0",
			    "r2", "0.9900", "points", "5", "confidence", "0.37", "level", "low", NULL);
	profile__add_record(p, "memgrowth", "pid", "7", "t_ns", "0", "rss_bytes", "1000000", NULL);
	profile__add_record(p, "memgrowth", "pid", "7", "t_ns", "2000000000", "rss_bytes",
			    "3000000", NULL);
	profile__add_record(p, "hist", "path", "gossip", "count", "100", NULL);
	return p;
}

static char *emit(struct profile *p, enum report_format fmt)
{
	struct report_opts o = { .top_n = 20, .width = 100 };
	struct report_out out;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	report_out__begin(&out, f, fmt, 100);
	assert_int_equal(report_memory__emit(p, &o, &out), 0);
	assert_int_equal(report_out__end(&out), 0);
	fclose(f);
	return buf;
}

static void test_json(void **state)
{
	struct profile *p = mem_profile();
	char *s = emit(p, REPORT_JSON);

	/* gossip first (most bytes), 10000 bytes over 100 operations */
	assert_non_null(strstr(s, "{\"name\": \"gossip\", \"alloc_bytes\": 10000, \"alloc_objects\": 82, "
				  "\"inuse_bytes\": 2000"));
	assert_non_null(strstr(s, "\"bytes_per_s\": 5000, \"ops\": 100, \"bytes_per_op\": 100}"));
	assert_non_null(strstr(s, "\"name\": \"dht\", \"alloc_bytes\": 1000"));
	/* the leak: named by the sample that carries its label */
	assert_non_null(strstr(s, "\"function\": \"leaky\", \"frames\": \"leaky < gossip_forward < main\""));
	assert_non_null(strstr(s, "\"inuse_bytes\": 2000, \"growth_bytes\": 1500"));
	assert_non_null(strstr(s, "\"level\": \"low\""));
	/* inclusive functions: gossip_forward holds both of its callees */
	assert_non_null(strstr(s, "{\"name\": \"gossip_forward\", \"alloc_bytes\": 10000"));
	assert_non_null(strstr(s, "{\"name\": \"main\", \"alloc_bytes\": 11000"));
	assert_non_null(strstr(s, "\"rss_bytes_per_s\": 1e+06") || strstr(s, "\"rss_bytes_per_s\": 1000000"));
	free(s);
	profile__free(p);
}

static void test_text(void **state)
{
	struct profile *p = mem_profile();
	char *s = emit(p, REPORT_TEXT);

	assert_non_null(strstr(s, "Memory\n------\n"));
	assert_non_null(strstr(s, "Suspected leaks"));
	assert_non_null(strstr(s, "leaky: "));
	assert_non_null(strstr(s, "low confidence"));
	free(s);
	s = emit(p, REPORT_MD);
	assert_non_null(strstr(s, "## Memory"));
	assert_non_null(strstr(s, "| gossip |"));
	free(s);
	profile__free(p);
}

static void test_absent(void **state)
{
	struct profile *p = profile__new();
	int t = profile__add_type(p, "cpu", "nanoseconds");
	char *s;

	(void)t;
	s = emit(p, REPORT_JSON);
	assert_null(strstr(s, "memory"));
	free(s);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
