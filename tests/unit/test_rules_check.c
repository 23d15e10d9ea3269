// SPDX-License-Identifier: MIT
/* path_rules__target_hits on this very process: its own symbols are known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/rules-check.h"

/* a symbol of this executable the rules below look for */
__attribute__((noinline)) void peerscope_probe_dht_lookup(void)
{
	__asm__ volatile("");
}

static struct path_rules *parse(const char *text)
{
	char err[128];
	struct path_rules *r = path_rules__parse(text, "t", err, sizeof(err));

	assert_non_null(r);
	return r;
}

static void test_hits_own_symbols(void **state)
{
	struct path_rules *r = parse("dht = ^peerscope_probe_dht_lookup$\ngossip = ^cmocka_run_group_tests$|^_cmocka_run_group_tests$\n");
	struct rules_hits h;

	peerscope_probe_dht_lookup();
	assert_int_equal(path_rules__target_hits(r, getpid(), &h), 0);
	assert_int_equal(h.per_path[PATH_DHT], 1);
	assert_string_equal(h.example[PATH_DHT], "peerscope_probe_dht_lookup");
	/* libcmocka is a mapped module too */
	assert_true(h.per_path[PATH_GOSSIP] >= 1);
	assert_true(h.modules >= 2);
	assert_true(h.symbols > 100);
	assert_int_equal(rules_hits__total(&h), h.per_path[PATH_DHT] + h.per_path[PATH_GOSSIP]);
	/* first_only: one match is enough to know there is one */
	assert_int_equal(path_rules__check_target(r, getpid(), true, &h), 0);
	assert_true(h.any);
	assert_int_equal(rules_hits__total(&h), 1);
	path_rules__free(r);
}

static void test_hits_none(void **state)
{
	struct path_rules *r = parse("dht = ^no_such_function_anywhere_42$\n");
	struct rules_hits h;

	assert_int_equal(path_rules__target_hits(r, getpid(), &h), 0);
	assert_int_equal(rules_hits__total(&h), 0);
	assert_true(h.symbols > 100);
	assert_false(h.demangle);
	/* the same, with the warning record and rules --guess print */
	assert_int_equal(path_rules__check_target(r, getpid(), false, &h), 0);
	assert_int_equal(rules_hits__total(&h), 0);
	path_rules__free(r);
}

static void test_hits_gone(void **state)
{
	struct path_rules *r = parse("dht = x\n");
	struct rules_hits h;

	/* pid_max is at most 2^22: this pid cannot exist */
	assert_true(path_rules__target_hits(r, 0x7ffffff0, &h) < 0);
	path_rules__free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hits_own_symbols),
		cmocka_unit_test(test_hits_none),
		cmocka_unit_test(test_hits_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
