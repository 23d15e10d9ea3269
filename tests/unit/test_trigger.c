// SPDX-License-Identifier: MIT
/*
 * The flight recorder's triggers: every spec form parses into what it
 * says, hostile specs are refused with one line, and each kind fires on a
 * known window (and only then): latency over its limit, a path's on-CPU
 * share over its threshold, a verdict that changed since the last window.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analysis/paths.h"
#include "analysis/trigger.h"

static void test_parse_forms(void **state)
{
	struct trigger t;
	char err[256];

	(void)state;
	assert_int_equal(trigger__parse("dht.p95>50ms", &t, err, sizeof(err)), 0);
	assert_int_equal(t.kind, TRIG_LATENCY);
	assert_string_equal(t.lat.path, "dht");
	assert_int_equal(t.lat.metric, SLA_P95);
	assert_int_equal(t.lat.limit, 50000000);
	assert_string_equal(t.text, "dht.p95>50ms");

	assert_int_equal(trigger__parse("bootstrap.max>2s", &t, err, sizeof(err)), 0);
	assert_int_equal(t.lat.metric, SLA_MAX);
	assert_int_equal(t.lat.limit, 2000000000ULL);
	assert_int_equal(trigger__parse("dht.errors>5%", &t, err, sizeof(err)), 0);
	assert_int_equal(t.lat.metric, SLA_ERRORS);

	assert_int_equal(trigger__parse("gossip.cpu>0.5", &t, err, sizeof(err)), 0);
	assert_int_equal(t.kind, TRIG_CPU);
	assert_string_equal(t.path, "gossip");
	assert_true(t.share == 0.5);
	assert_int_equal(trigger__parse("gossip.cpu>25%", &t, err, sizeof(err)), 0);
	assert_true(t.share == 0.25);

	assert_int_equal(trigger__parse("verdict", &t, err, sizeof(err)), 0);
	assert_int_equal(t.kind, TRIG_VERDICT);
	assert_string_equal(t.path, "");
	assert_int_equal(trigger__parse("dht.verdict", &t, err, sizeof(err)), 0);
	assert_int_equal(t.kind, TRIG_VERDICT);
	assert_string_equal(t.path, "dht");

	assert_int_equal(trigger__parse("SIGUSR1", &t, err, sizeof(err)), 0);
	assert_int_equal(t.kind, TRIG_SIGNAL);
	assert_int_equal(trigger__parse("sigusr1", &t, err, sizeof(err)), 0);
	assert_int_equal(t.kind, TRIG_SIGNAL);
}

static void test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"", "dht", "dht.p95", "dht.p95=50ms", "dht.p95>", "dht.p95>-1ms", "dht.p95>nan",
		"dht.p95>1e30s", "dht.p42>5ms", "dht.p95>5parsecs", ".p95>5ms", "d/ht.p95>5ms",
		"dht.p95>5ms,gossip.p95>5ms", "dht .p95>5ms", "gossip.cpu>1.5", "gossip.cpu>-0.1",
		"gossip.cpu>nan", "gossip.cpu>150%", "gossip.cpu>", "gossip.cpu>0.5x",
		"gossip.cpu<0.5", "verdicts", "dht.verdict>1", "SIGUSR2", "dht.p95>5ms\n",
		"a-path-name-of-more-than-thirty-one.p95>5ms", "dht.p95>\xff",
		"dht.p95>1000000000000000000000000000000000000000000000000000000000000000000ms",
	};
	struct trigger t;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (trigger__parse(bad[i], &t, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' parsed", bad[i]);
		/* one line, saying something */
		assert_true(strlen(err) > 10);
		assert_null(strchr(err, '\n'));
	}
	/* a short error buffer is never overrun */
	assert_int_equal(trigger__parse("x", &t, err, 8), -EINVAL);
	assert_int_equal(strlen(err), 7);
}

/* dht: 40 ops, p95 60 ms, 3 s on-CPU; gossip 1 s on-CPU */
static struct path_stats paths[2];
static struct path_report rep = { .paths = paths, .nr_paths = 2 };

static void window(uint64_t p95_ns)
{
	memset(paths, 0, sizeof(paths));
	snprintf(paths[0].name, sizeof(paths[0].name), "dht");
	paths[0].has_lat = true;
	paths[0].lat = (struct path_latency){ .count = 40, .errors = 4, .p95_ns = p95_ns,
					      .p50_ns = p95_ns / 4 };
	paths[0].cpu_user_ns = 2500000000;
	paths[0].cpu_kernel_ns = 500000000;
	snprintf(paths[1].name, sizeof(paths[1].name), "gossip");
	paths[1].cpu_user_ns = 1000000000;
}

static void test_eval_latency_cpu(void **state)
{
	struct verdict v[2] = { { .kind = V_NONE }, { .kind = V_NONE } };
	struct trigger t[3];
	struct trigger_fire f;
	char err[256];

	(void)state;
	assert_int_equal(trigger__parse("dht.p95>50ms", &t[0], err, sizeof(err)), 0);
	assert_int_equal(trigger__parse("gossip.cpu>0.3", &t[1], err, sizeof(err)), 0);
	assert_int_equal(trigger__parse("dht.errors>5%", &t[2], err, sizeof(err)), 0);

	window(40000000);
	assert_false(trigger__eval(&t[0], &rep, v, NULL, &f));
	window(50000000);			/* at the limit: not over it */
	assert_false(trigger__eval(&t[0], &rep, v, NULL, &f));
	window(60000000);
	assert_true(trigger__eval(&t[0], &rep, v, NULL, &f));
	assert_ptr_equal(f.t, &t[0]);
	assert_string_equal(f.path, "dht");
	assert_string_equal(f.reason, "dht.p95");
	assert_true(f.value == 60000000 && f.threshold == 50000000);
	assert_non_null(strstr(f.text, "dht p95 60"));
	assert_non_null(strstr(f.text, "over 50"));

	/* no operations: nothing to judge */
	paths[0].lat.count = 0;
	assert_false(trigger__eval(&t[0], &rep, v, NULL, &f));

	/* gossip: 1 s of 4 s on-CPU = 25 % */
	window(1);
	assert_false(trigger__eval(&t[1], &rep, v, NULL, &f));
	paths[1].cpu_kernel_ns = 1000000000;	/* 2 of 5 s: 40 % */
	assert_true(trigger__eval(&t[1], &rep, v, NULL, &f));
	assert_string_equal(f.reason, "gossip.cpu");
	assert_true(f.value > 0.399 && f.value < 0.401);
	assert_non_null(strstr(f.text, "40.0%"));

	/* errors: 4 of 40 = 10 % > 5 % */
	assert_true(trigger__eval(&t[2], &rep, v, NULL, &f));
	assert_true(f.value == 10 && f.threshold == 5);
	assert_string_equal(f.reason, "dht.errors");

	/* the first that fires, in the order given */
	window(60000000);
	assert_int_equal(trigger__first(t, 3, &rep, v, NULL, &f), 0);
	window(1);
	assert_int_equal(trigger__first(t, 2, &rep, v, NULL, &f), -1);

	/* a path the window does not have */
	rep.nr_paths = 1;
	assert_false(trigger__eval(&t[1], &rep, v, NULL, &f));
	rep.nr_paths = 2;
}

static void test_eval_verdict(void **state)
{
	struct verdict v[2] = { { .kind = V_NONE }, { .kind = V_IDLE } };
	struct trigger_state st = {};
	struct trigger any, gossip, sig;
	struct trigger_fire f;
	char err[256];

	(void)state;
	assert_int_equal(trigger__parse("verdict", &any, err, sizeof(err)), 0);
	assert_int_equal(trigger__parse("gossip.verdict", &gossip, err, sizeof(err)), 0);
	window(1);
	/* no previous window: no change */
	v[0].kind = V_CPU;
	assert_false(trigger__eval(&any, &rep, v, &st, &f));
	v[0].kind = V_NONE;
	trigger_state__update(&st, &rep, v);
	assert_false(trigger__eval(&any, &rep, v, &st, &f));

	v[0].kind = V_CPU;
	v[0].share = 0.82;
	assert_true(trigger__eval(&any, &rep, v, &st, &f));
	assert_string_equal(f.path, "dht");
	assert_int_equal(f.was, V_NONE);
	assert_int_equal(f.now, V_CPU);
	assert_string_equal(f.reason, "verdict-dht-cpu");
	assert_non_null(strstr(f.text, "dht verdict cpu (was none), 82%"));
	assert_false(trigger__eval(&gossip, &rep, v, &st, &f));

	/* the same verdict again, or back to none or idle: no change worth an incident */
	trigger_state__update(&st, &rep, v);
	assert_false(trigger__eval(&any, &rep, v, &st, &f));
	v[0].kind = V_IDLE;
	assert_false(trigger__eval(&any, &rep, v, &st, &f));

	/* signals fire only through trigger__signal */
	assert_int_equal(trigger__parse("SIGUSR1", &sig, err, sizeof(err)), 0);
	assert_false(trigger__eval(&sig, &rep, v, &st, &f));
	trigger__signal(&sig, &f);
	assert_string_equal(f.reason, "SIGUSR1");

	/* a path name no directory may hold is made harmless */
	snprintf(paths[1].name, sizeof(paths[1].name), "../x y");
	v[1].kind = V_LOCK;
	assert_true(trigger__eval(&any, &rep, v, &st, &f));
	assert_string_equal(f.reason, "verdict-.._x_y-lock");
	assert_null(strchr(f.reason, '/'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_eval_latency_cpu),
		cmocka_unit_test(test_eval_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
