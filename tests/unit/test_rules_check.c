// SPDX-License-Identifier: MIT
/* path_rules__target_hits on this very process: its own symbols are known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <errno.h>

#include "core/rules-check.h"
#include "core/symbolizer.h"

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
	assert_int_equal(path_rules__check_target(r, NULL, getpid(), true, &h), 0);
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
	assert_int_equal(path_rules__check_target(r, NULL, getpid(), false, &h), 0);
	assert_int_equal(rules_hits__total(&h), 0);
	path_rules__free(r);
}

/*
 * record checks the guess against the files its symbolizer parsed already:
 * the same modules and the same answers as parsing them here.
 */
static void test_hits_from_symbolizer(void **state)
{
	struct path_rules *r = parse("dht = ^peerscope_probe_dht_lookup$\ngossip = ^cmocka_run_group_tests$|^_cmocka_run_group_tests$\n");
	struct symbolizer_opts so = { .no_kernel = true };
	struct symbolizer *s = symbolizer__new(&so);
	struct rules_hits own, parsed;

	assert_non_null(s);
	peerscope_probe_dht_lookup();
	/* a pid never added: nothing parsed to read */
	assert_int_equal(path_rules__check_target(r, s, getpid(), true, &parsed), -ENOENT);
	assert_int_equal(symbolizer__add_pid(s, getpid()), 0);
	assert_int_equal(path_rules__check_target(r, NULL, getpid(), false, &own), 0);
	assert_int_equal(path_rules__check_target(r, s, getpid(), false, &parsed), 0);
	assert_int_equal(parsed.per_path[PATH_DHT], 1);
	assert_string_equal(parsed.example[PATH_DHT], "peerscope_probe_dht_lookup");
	assert_true(parsed.per_path[PATH_GOSSIP] >= 1);
	assert_int_equal(parsed.modules, own.modules);
	/* the symbolizer also reads installed debug files: fewer modules go unnamed */
	assert_true(parsed.stripped_modules <= own.stripped_modules);
	/* first_only stops at the first match, as it does on its own files */
	assert_int_equal(path_rules__check_target(r, s, getpid(), true, &parsed), 0);
	assert_true(parsed.any);
	assert_int_equal(rules_hits__total(&parsed), 1);
	symbolizer__free(s);
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
		cmocka_unit_test(test_hits_from_symbolizer),
		cmocka_unit_test(test_hits_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
