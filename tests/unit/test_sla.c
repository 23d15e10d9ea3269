// SPDX-License-Identifier: MIT
/*
 * The SLAs to check (analysis/sla.c: --sla first, then the recording's
 * own) and a path's slowest operations (analysis/paths.c), from records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/records.h"
#include "analysis/paths.h"
#include "analysis/sla.h"

static void test_gather(void **state)
{
	struct profile *p = profile__new();
	struct rec_sla rec = { .spec = "dht.p99=2s,gossip.errors=1%" }, empty = { .spec = "" };
	const char *given[] = { "dht.p95=500ms" }, *bad_given[] = { "dht.p42=1s" };
	const char *bad = NULL;
	struct sla *s = NULL;
	char err[128];

	/* nothing given or recorded: nothing to check */
	assert_int_equal(sla__gather(p, NULL, 0, &s, &bad, err, sizeof(err)), 0);
	free(s);
	assert_int_equal(records__add_sla(p, &rec), 0);
	assert_int_equal(records__add_sla(p, &empty), 0);
	assert_int_equal(sla__gather(p, given, 1, &s, &bad, err, sizeof(err)), 3);
	assert_string_equal(s[0].text, "dht.p95=500ms");	/* given first */
	assert_int_equal(s[1].metric, SLA_P99);
	assert_int_equal(s[1].limit, 2000000000ULL);
	assert_string_equal(s[2].path, "gossip");
	assert_int_equal(s[2].limit, 100);			/* 1 % */
	free(s);
	/* a bad spec: which one, and why */
	assert_int_equal(sla__gather(p, bad_given, 1, &s, &bad, err, sizeof(err)), -EINVAL);
	assert_null(s);
	assert_string_equal(bad, "dht.p42=1s");
	assert_non_null(strstr(err, "unknown metric"));
	profile__free(p);
}

static void test_slowest(void **state)
{
	struct profile *p = profile__new();
	struct path_slowop out[2];
	static const uint64_t lat[] = { 5, 50, 20, 70 };

	for (int i = 0; i < 4; i++) {
		struct rec_slowop r = { .path = i == 3 ? "gossip" : "dht", .id = 100 + i,
					.latency_ns = lat[i], .start_ns = 1000 * i, .ok = "yes" };

		assert_int_equal(records__add_slowop(p, &r), 0);
	}
	/* slowest first, at most max, only the path's */
	assert_int_equal(paths__slowest(p, "dht", out, 2), 2);
	assert_int_equal(out[0].id, 101);
	assert_int_equal(out[0].latency_ns, 50);
	assert_true(out[0].has_id);
	assert_int_equal(out[1].id, 102);
	assert_int_equal(paths__slowest(p, "bootstrap", out, 2), 0);
	assert_false(paths__has_data(p));	/* slow operations alone: no path section */
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gather),
		cmocka_unit_test(test_slowest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
