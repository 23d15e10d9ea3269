// SPDX-License-Identifier: MIT
/*
 * Unit tests of the top-functions report (reports/analysis/top.c, reports/top.c) and of the report
 * plumbing (reports/report.c): self/total on a hand-built profile,
 * recursion counted once, kernel functions apart, the section outputs.
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

#include "flame_helpers.h"
#include "core/profile.h"
#include "format/recording.h"
#include "reports/report.h"
#include "reports/top.h"

/*
 *   main;a;a;b   3    (a recurses)
 *   main;a       2
 *   main;c       5
 *   main;c;write_[k]   1   (kernel write)
 *   main;write   4          (user write)
 */
static struct profile *sample_profile(int *t)
{
	struct profile *p = profile__new();

	*t = profile__add_type(p, "cpu", "nanoseconds");
	fh_add(p, *t, 3000, 0, "main", "a", "a", "b", NULL);
	fh_add(p, *t, 2000, 0, "main", "a", NULL);
	fh_add(p, *t, 5000, 0, "main", "c", NULL);
	fh_add(p, *t, 1000, 0, "main", "c", "write_[k]", NULL);
	fh_add(p, *t, 4000, 0, "main", "write", NULL);
	return p;
}

static const struct top_fn *find(const struct top_result *r, const char *name, bool kernel)
{
	for (uint32_t i = 0; i < r->nr; i++)
		if (!strcmp(r->fns[i].name, name) && r->fns[i].kernel == kernel)
			return &r->fns[i];
	return NULL;
}

static void test_self_total(void **state)
{
	int t;
	struct profile *p = sample_profile(&t);
	struct top_result r;
	const struct top_fn *fn;

	assert_int_equal(top__compute(p, t, false, &r), 0);
	assert_int_equal(r.grand_total, 15000);
	assert_int_equal(r.nr, 6);
	fn = find(&r, "a", false);
	assert_non_null(fn);
	assert_int_equal(fn->self, 2000);
	assert_int_equal(fn->total, 5000);	/* not 8000: recursion counted once */
	fn = find(&r, "main", false);
	assert_int_equal(fn->self, 0);
	assert_int_equal(fn->total, 15000);
	fn = find(&r, "c", false);
	assert_int_equal(fn->self, 5000);
	assert_int_equal(fn->total, 6000);
	assert_int_equal(find(&r, "write", true)->self, 1000);
	assert_int_equal(find(&r, "write", false)->self, 4000);
	assert_int_equal(find(&r, "b", false)->total, 3000);
	/* order: self desc, then total desc */
	assert_string_equal(r.fns[0].name, "c");
	assert_string_equal(r.fns[1].name, "write");
	assert_false(r.fns[1].kernel);
	assert_string_equal(r.fns[2].name, "b");
	assert_string_equal(r.fns[3].name, "a");
	assert_string_equal(r.fns[4].name, "write");
	assert_true(r.fns[4].kernel);
	assert_string_equal(r.fns[5].name, "main");
	top__free(&r);

	assert_int_equal(top__compute(p, t, true, &r), 0);
	assert_string_equal(r.fns[0].name, "main");
	assert_string_equal(r.fns[1].name, "c");	/* 6000 */
	assert_string_equal(r.fns[2].name, "a");	/* 5000 */
	top__free(&r);
	profile__free(p);
}

static char *emit(struct profile *p, enum report_format fmt, const struct report_opts *o)
{
	struct report_out out;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	report_out__begin(&out, f, fmt, 100);
	assert_int_equal(report_meta__emit(p, o, &out), 0);
	assert_int_equal(report_top__emit(p, o, &out), 0);
	assert_int_equal(report_out__end(&out), 0);
	fclose(f);
	return buf;
}

static void test_sections(void **state)
{
	int t;
	struct profile *p = sample_profile(&t);
	struct report_opts o = { .file = "x.pb.gz", .type_idx = t, .top_n = 3, .width = 100 };
	char *s;

	profile__add_record(p, "meta", "hostname", "h1", "pids", "12,34", "duration_s", "2.5",
			    "collectors", "cpu,offcpu", NULL);
	profile__add_record(p, "stats", "collector", "cpu", "events", "100", "map_full", "7",
			    NULL);

	s = emit(p, REPORT_TEXT, &o);
	assert_non_null(strstr(s, "Top functions by self (cpu)"));
	assert_non_null(strstr(s, "5 us  33.3 %       6 us  40.0 %  c\n"));
	assert_non_null(strstr(s, "cpu: 0 stack errors, 7 map full, 0 lost"));
	assert_non_null(strstr(s, "(3 more functions"));
	assert_null(strstr(s, "main\n"));	/* cut by --top 3 */
	for (char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		assert_true(strcspn(l, "\n") <= 100);
	free(s);

	s = emit(p, REPORT_MD, &o);
	assert_non_null(strstr(s, "## Top functions by self (cpu)"));
	assert_non_null(strstr(s, "| 5 us | 33.3 % | 6 us | 40.0 % | `c` |"));
	free(s);

	o.top_n = 0;
	s = emit(p, REPORT_JSON, &o);
	assert_true(!strncmp(s, "{\"schema\": \"peerscope.report/1\",\n\"meta\": {", 41));
	assert_non_null(strstr(s, "\"pids\": [12, 34]"));
	assert_non_null(strstr(s, "\"duration_s\": 2.5"));
	assert_non_null(strstr(s, "\"dropped\": 7"));
	assert_non_null(strstr(s, ",\n\"top\": {\"type\": \"cpu\""));
	assert_non_null(strstr(s, "{\"name\": \"write\", \"kernel\": true, \"self\": 1000, "
				  "\"self_share\": 0.0666667, \"total\": 1000"));
	assert_non_null(strstr(s, "\"nr_functions\": 6"));
	assert_string_equal(s + strlen(s) - 3, "\n}\n");
	free(s);
	profile__free(p);
}

static void test_pick_type_and_filter(void **state)
{
	struct profile *p = profile__new();
	int s = profile__add_type(p, "samples", "count");
	int c = profile__add_type(p, "cpu", "nanoseconds");
	struct pf_label_kv dht[] = { { "path", "dht" } }, gos[] = { { "path", "gossip" } };
	char buf[64];

	assert_int_equal(recording__pick_type(p, NULL), s);
	assert_int_equal(recording__pick_type(p, "cpu"), c);
	assert_int_equal(recording__pick_type(p, "nope"), -ENOENT);
	p->default_type = c;
	assert_int_equal(recording__pick_type(p, NULL), c);
	assert_string_equal(recording__type_list(p, buf, sizeof(buf)), "samples, cpu");

	fh_add(p, s, 1, profile__intern_labels(p, dht, 1), "main", "dht_lookup", NULL);
	fh_add(p, s, 2, profile__intern_labels(p, gos, 1), "main", "gossip_send", NULL);
	assert_int_equal(report__filter_path(&p, "dht"), 1);
	assert_int_equal(p->nr_samples, 1);
	assert_int_equal(profile__total(p, s), 1);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_total),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_pick_type_and_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
