// SPDX-License-Identifier: MIT
/*
 * The flight recorder's options and report: the defaults (10 s burst at
 * 499 Hz, 5 min cooldown), bad values refused with one line, durations as
 * the agent reads them, and an incident's report saying which trigger
 * fired with what value, with the sections rendered elsewhere embedded
 * whole (JSON) or after their headings (text).
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

#include "analysis/trigger.h"
#include "reports/incident.h"
#include "builtin.h"

static void test_options(void **state)
{
	struct agent_flight fl;
	char err[256];
	double s;

	(void)state;
	agent_flight__init(&fl);
	assert_true(fl.burst_s == 10 && fl.burst_freq == 499 && fl.cooldown_s == 300);
	assert_int_equal(agent_flight__option(&fl, FLIGHT_TRIGGER, "dht.p95>50ms", err, sizeof(err)), 0);
	assert_int_equal(agent_flight__option(&fl, FLIGHT_TRIGGER, "SIGUSR1", err, sizeof(err)), 0);
	assert_int_equal(fl.nr_trig, 2);
	assert_int_equal(agent_flight__option(&fl, FLIGHT_BURST, "2500ms", err, sizeof(err)), 0);
	assert_true(fl.burst_s == 2.5);
	assert_int_equal(agent_flight__option(&fl, FLIGHT_BURST, "0", err, sizeof(err)), 0);
	assert_int_equal(agent_flight__option(&fl, FLIGHT_COOLDOWN, "2m", err, sizeof(err)), 0);
	assert_true(fl.cooldown_s == 120);
	assert_int_equal(agent_flight__option(&fl, FLIGHT_BURST_FREQ, "997", err, sizeof(err)), 0);
	assert_int_equal(fl.burst_freq, 997);

	static const struct { enum agent_flight_opt opt; const char *arg; } bad[] = {
		{ FLIGHT_TRIGGER, "dht.p95" }, { FLIGHT_BURST, "-1s" }, { FLIGHT_BURST, "2h" },
		{ FLIGHT_BURST, "10 s" }, { FLIGHT_BURST_FREQ, "0" }, { FLIGHT_BURST_FREQ, "99x" },
		{ FLIGHT_BURST_FREQ, "" }, { FLIGHT_COOLDOWN, "nan" }, { FLIGHT_COOLDOWN, "5y" },
		{ FLIGHT_COOLDOWN, "1e300" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (agent_flight__option(&fl, bad[i].opt, bad[i].arg, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' accepted", bad[i].arg);
		assert_true(strlen(err) > 10);
		assert_null(strchr(err, '\n'));
	}
	for (int i = fl.nr_trig; i < AGENT_MAX_TRIGGERS; i++)
		assert_int_equal(agent_flight__option(&fl, FLIGHT_TRIGGER, "verdict", err, sizeof(err)), 0);
	assert_int_equal(agent_flight__option(&fl, FLIGHT_TRIGGER, "verdict", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "at most 16"));

	assert_int_equal(agent__parse_seconds("90", &s, false), 0);
	assert_true(s == 90);
	assert_int_equal(agent__parse_seconds("1h", &s, false), 0);
	assert_true(s == 3600);
	assert_int_equal(agent__parse_seconds("0", &s, false), -EINVAL);
	assert_int_equal(agent__parse_seconds("0s", &s, true), 0);
	assert_int_equal(agent__parse_seconds("5ms5", &s, true), -EINVAL);
}

static char *render(void (*fn)(FILE *, const struct incident_view *), const struct incident_view *iv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, iv);
	fclose(f);
	return buf;
}

static void test_report(void **state)
{
	struct trigger t;
	struct trigger_fire fire = { .t = &t, .path = "dht", .value = 63200000,
				     .threshold = 50000000,
				     .text = "dht p95 63.2 ms over 50 ms (dht.p95>50ms)" };
	struct incident_view iv = {
		.name = "20261204T110930Z-dht.p95", .time_ns = 1796382570000000000LL,
		.fire = &fire, .previous = "a.pb.gz", .current = "b.pb.gz", .burst_s = 10,
		.burst_freq = 499, .burst_file = "burst.pb.gz", .burst_state = "recording",
		.window_text = "PATHS ...\ndht  hottest `dht_distance_slow`\n",
		.window_json = "{\"schema\": \"peerscope.paths/1\"}\n",
	};
	char err[256], *txt, *json;

	(void)state;
	assert_int_equal(trigger__parse("dht.p95>50ms", &t, err, sizeof(err)), 0);
	txt = render(incident__text, &iv);
	assert_non_null(strstr(txt, "peerscope incident 20261204T110930Z-dht.p95\n"));
	assert_non_null(strstr(txt, "trigger   dht.p95>50ms fired: dht p95 63.2 ms over 50 ms"));
	assert_non_null(strstr(txt, "windows   a.pb.gz (previous), b.pb.gz (the one that fired)"));
	assert_non_null(strstr(txt, "burst     burst.pb.gz, 10 s at 499 Hz: recording"));
	assert_non_null(strstr(txt, "The window that fired\n\nPATHS"));
	assert_null(strstr(txt, "The burst\n"));
	json = render(incident__json, &iv);
	assert_non_null(strstr(json, "\"schema\": \"peerscope.incident/1\""));
	assert_non_null(strstr(json, "\"kind\": \"latency\""));
	assert_non_null(strstr(json, "\"metric\": \"p95\""));
	assert_non_null(strstr(json, "\"value\": 63200000"));
	assert_non_null(strstr(json, "\"threshold\": 50000000"));
	assert_non_null(strstr(json, "\"window_paths\": {\"schema\": \"peerscope.paths/1\"}"));
	assert_non_null(strstr(json, "\"burst_paths\": null"));
	assert_non_null(strstr(json, "\"windows\": {\"previous\": \"a.pb.gz\", "
				 "\"current\": \"b.pb.gz\"}"));
	assert_non_null(strstr(json, "\"burst\": {\"file\": \"burst.pb.gz\", \"seconds\": 10, "
				 "\"freq\": 499, \"state\": \"recording\"}"));
	assert_string_equal(json + strlen(json) - 2, "}\n");
	free(txt);
	free(json);

	/* no windows kept, no burst */
	iv.previous = iv.current = iv.burst_file = "";
	iv.burst_state = "--burst 0";
	txt = render(incident__text, &iv);
	assert_non_null(strstr(txt, "windows   none (previous), none (the one that fired)"));
	assert_non_null(strstr(txt, "burst     none: --burst 0"));
	free(txt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
