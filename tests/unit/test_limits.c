// SPDX-License-Identifier: MIT
/*
 * Unit tests of the input limits (core/input-limits.h, docs/limits.md):
 * each limit stops its parser with -EFBIG and says which limit, long names
 * are cut rather than refused, and a perf map is read only from a regular
 * file its owner alone may write.
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
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/input-limits.h"
#include "core/profile.h"
#include "format/pprof.h"
#include "core/sym-gopclntab.h"
#include "core/sym-perfmap.h"
#include "core/sym-table.h"
#include "core/symbolizer.h"

static char tmpdir[] = "/tmp/peerscope-limits-XXXXXX";

static int setup_dir(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? -1 : 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* A name longer than LIMIT_NAME_LEN is kept, cut to the limit. */
static void test_long_name_cut(void **state)
{
	size_t len = 3 * LIMIT_NAME_LEN;
	char *name = malloc(len);
	struct sym_table t;
	struct sym_entry *e;

	assert_non_null(name);
	memset(name, 'x', len);
	sym_table__init(&t);
	assert_int_equal(sym_table__add(&t, 0x1000, 0x10, 0, name, len, SYM_BIND_GLOBAL, 0), 0);
	sym_table__finish(&t);
	e = sym_table__lookup(&t, 0x1008);
	assert_non_null(e);
	assert_int_equal(strlen(sym_table__name(&t, e)), LIMIT_NAME_LEN);
	sym_table__free(&t);
	free(name);
}

/* A .gopclntab over the limit is refused before a byte of it is read. */
static void test_pclntab_too_large(void **state)
{
	size_t len = LIMIT_PCLNTAB_BYTES + 1;
	void *big = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct sym_table t;

	assert_true(big != MAP_FAILED);
	sym_table__init(&t);
	assert_int_equal(sym_gopclntab__load(big, len, 0x401000, &t), -EFBIG);
	assert_non_null(strstr(limit__why(), ".gopclntab"));
	assert_int_equal(t.nr, 0);
	sym_table__free(&t);
	munmap(big, len);
}

/* A recording whose stack is deeper than LIMIT_STACK_DEPTH is refused whole. */
static void test_pprof_stack_too_deep(void **state)
{
	uint32_t n = LIMIT_STACK_DEPTH + 1, *locs = calloc(n, sizeof(*locs)), st;
	struct profile *p = profile__new(), *back = profile__new();
	void *buf = NULL;
	size_t len = 0;
	int type;

	assert_non_null(locs);
	assert_non_null(p);
	assert_non_null(back);
	for (uint32_t i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "f%u", i);
		locs[i] = profile__intern_named_frame(p, name, "app", false);
	}
	type = profile__add_type(p, "samples", "count");
	st = profile__intern_stack(p, locs, n);
	assert_true(profile__add(p, st, 0, type, 1) >= 0);
	assert_int_equal(pprof__encode(p, &buf, &len), 0);
	assert_int_equal(pprof__decode(back, buf, len), -EFBIG);
	assert_non_null(strstr(limit__why(), "frames in a stack"));
	/* one frame less is fine */
	profile__free(p);
	p = profile__new();
	type = profile__add_type(p, "samples", "count");
	for (uint32_t i = 0; i < n - 1; i++)
		locs[i] = profile__intern_named_frame(p, "g", "app", false);
	st = profile__intern_stack(p, locs, n - 1);
	assert_true(profile__add(p, st, 0, type, 1) >= 0);
	free(buf);
	assert_int_equal(pprof__encode(p, &buf, &len), 0);
	assert_int_equal(pprof__decode(back, buf, len), 0);
	free(buf);
	free(locs);
	profile__free(p);
	profile__free(back);
}

/* A pid that is not running, so its perf map is all there is. */
static uint32_t unused_pid(void)
{
	char path[64];

	for (uint32_t pid = 3999999; pid > 3000000; pid--) {
		snprintf(path, sizeof(path), "/proc/%u", pid);
		if (access(path, F_OK))
			return pid;
	}
	return 0;
}

/* resolve 0x10010 of a gone pid whose perf map is set up by the caller */
static const char *jit_name(uint32_t pid)
{
	static char name[64];
	struct symbolizer_opts o = { .no_kernel = true, .perfmap_dir = tmpdir };
	struct symbolizer *s = symbolizer__new(&o);
	struct sym_frame f;

	assert_non_null(s);
	name[0] = '\0';
	if (!symbolizer__resolve(s, pid, false, 0x10010, &f) && f.name)
		snprintf(name, sizeof(name), "%s", f.name);
	symbolizer__free(s);
	return name;
}

/*
 * The perf map is the target's word only when it is a regular file its
 * owner alone may write: not a symlink (to a host file, say), not a file
 * anyone may write.
 */
static void test_perfmap_trust(void **state)
{
	uint32_t pid = unused_pid();
	char map[256], host[256];

	assert_true(pid != 0);
	snprintf(map, sizeof(map), "%s/perf-%u.map", tmpdir, pid);
	snprintf(host, sizeof(host), "%s/host-file", tmpdir);
	write_file(map, "10000 100 jit_func\n", 0644);
	assert_string_equal(jit_name(pid), "jit_func");

	assert_int_equal(chmod(map, 0666), 0);
	assert_string_equal(jit_name(pid), "");

	unlink(map);
	write_file(host, "10000 100 secret_of_the_host\n", 0600);
	assert_int_equal(symlink(host, map), 0);
	assert_string_equal(jit_name(pid), "");
	/* and the parser itself does not follow one either */
	{
		struct sym_perfmap m = {};

		assert_int_equal(sym_perfmap__load(&m, map), -ELOOP);
		sym_perfmap__free(&m);
	}
	unlink(map);
}

/* A perf map of a million lines, junk among them: read whole, in bounded memory. */
static void test_perfmap_million_lines(void **state)
{
	char path[256];
	struct sym_perfmap m = {};
	FILE *f;

	snprintf(path, sizeof(path), "%s/big.map", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 1000000; i++) {
		if (i % 1000 == 999)
			fwrite("\x01\xff junk \x00 line\n", 1, 15, f);	/* a NUL inside */
		else
			fprintf(f, "%x 10 fn_%d\n", 0x100000 + i * 8, i);	/* overlapping */
	}
	fclose(f);
	assert_int_equal(sym_perfmap__load(&m, path), 0);
	assert_true(m.syms.nr >= 999000 && m.syms.nr <= 1000000);
	assert_non_null(sym_table__lookup(&m.syms, 0x100000 + 500 * 8));
	sym_perfmap__free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_name_cut),
		cmocka_unit_test(test_pclntab_too_large),
		cmocka_unit_test(test_pprof_stack_too_deep),
		cmocka_unit_test(test_perfmap_trust),
		cmocka_unit_test(test_perfmap_million_lines),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
