// SPDX-License-Identifier: MIT
/* Unit tests of the port rules (userspace/core/ports.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <linux/types.h>

#include "core/ports.h"
#include "bpf/peerscope.h"

static void test_parse_and_match(void **state)
{
	struct port_rules r;
	char err[256];
	const struct port_rule *m;

	port_rules__init(&r);
	assert_int_equal(port_rules__parse(&r, "dht=udp:4000-4100,gossip=tcp:5000-5100", err,
					   sizeof(err)), 0);
	/* repeated option: appended */
	assert_int_equal(port_rules__parse(&r, "metrics=9090, rpc=any:7000-7001", err, sizeof(err)), 0);
	assert_int_equal(r.nr, 4);

	assert_string_equal(r.rules[0].name, "dht");
	assert_int_equal(r.rules[0].path_id, PS_PATH_DHT);
	assert_int_equal(r.rules[0].proto, PORT_UDP);
	assert_int_equal(r.rules[0].lo, 4000);
	assert_int_equal(r.rules[0].hi, 4100);
	assert_int_equal(r.rules[1].path_id, PS_PATH_GOSSIP);
	/* user names get ids after bootstrap, in order of appearance */
	assert_int_equal(r.rules[2].path_id, PS_PATH_BOOTSTRAP + 1);
	assert_int_equal(r.rules[2].proto, PORT_ANY);
	assert_int_equal(r.rules[2].lo, 9090);
	assert_int_equal(r.rules[2].hi, 9090);
	assert_int_equal(r.rules[3].path_id, PS_PATH_BOOTSTRAP + 2);

	/* local or peer port, protocol must match */
	m = port_rules__match(&r, PORT_UDP, 4001, 50000);
	assert_non_null(m);
	assert_string_equal(m->name, "dht");
	m = port_rules__match(&r, PORT_UDP, 50000, 4100);
	assert_string_equal(m->name, "dht");
	assert_null(port_rules__match(&r, PORT_TCP, 4001, 50000));
	assert_null(port_rules__match(&r, PORT_UDP, 3999, 4101));
	m = port_rules__match(&r, PORT_TCP, 41000, 5000);
	assert_string_equal(m->name, "gossip");
	m = port_rules__match(&r, PORT_TCP, 9090, 1);
	assert_string_equal(m->name, "metrics");
	m = port_rules__match(&r, PORT_UDP, 9090, 1);
	assert_string_equal(m->name, "metrics");
	/* port 0 (unknown) never matches */
	assert_null(port_rules__match(&r, PORT_UDP, 0, 0));
	port_rules__free(&r);
}

static void test_same_name_same_id(void **state)
{
	struct port_rules r;
	char err[256];

	port_rules__init(&r);
	assert_int_equal(port_rules__parse(&r, "p2p=udp:1000,p2p=tcp:2000,x=3", err, sizeof(err)), 0);
	assert_int_equal(r.rules[0].path_id, r.rules[1].path_id);
	assert_int_not_equal(r.rules[0].path_id, r.rules[2].path_id);
	port_rules__free(&r);
}

static void test_errors(void **state)
{
	static const char *const bad[] = {
		"dht", "dht=", "=udp:1", "dht=udp:", "dht=sctp:1", "dht=udp:70000",
		"dht=udp:5-4", "dht=udp:1-", "dht=udp:-1", "dht=udp:1x", "bad name=1",
		"dht=udp:1-2-3",
	};
	struct port_rules r;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		port_rules__init(&r);
		err[0] = '\0';
		assert_int_equal(port_rules__parse(&r, bad[i], err, sizeof(err)), -EINVAL);
		assert_true(strlen(err) > 0);
		port_rules__free(&r);
	}
	/* the message names the rule */
	port_rules__init(&r);
	port_rules__parse(&r, "ok=1,dht=udp:99999", err, sizeof(err));
	assert_non_null(strstr(err, "dht=udp:99999"));
	port_rules__free(&r);
}

static void test_format(void **state)
{
	struct port_rules r;
	char err[256], buf[64];

	port_rules__init(&r);
	assert_int_equal(port_rules__parse(&r, "a=udp:1-2,b=tcp:5,c=0-65535", err, sizeof(err)), 0);
	assert_string_equal(port_rule__format(&r.rules[0], buf, sizeof(buf)), "udp:1-2");
	assert_string_equal(port_rule__format(&r.rules[1], buf, sizeof(buf)), "tcp:5");
	assert_string_equal(port_rule__format(&r.rules[2], buf, sizeof(buf)), "any:0-65535");
	port_rules__free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_match),
		cmocka_unit_test(test_same_name_same_id),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
