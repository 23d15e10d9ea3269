// SPDX-License-Identifier: MIT
/*
 * What the run cache keeps per file (run-cache.h): unwind tables
 * (unwind-cache.c) and the rules guess's scan (rules-choose.c).  Each is
 * read back exactly as kept; a kept file that is cut short, out of order,
 * of unknown kinds, writable by others or of a file changed moments ago is
 * not used; caching off keeps nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "core/rules.h"
#include "core/run-cache.h"
#include "core/unwind-cache.h"
#include "core/unwind-table.h"

/* Long installed, large tables (28k rows on Debian 12), changed long ago. */
#define LIBC	"/lib/x86_64-linux-gnu/libc.so.6"

struct fixture {
	char dir[64];
	int fd;				/* LIBC */
	struct unw_table parsed;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/peerscope-test-runcache-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(chmod(f->dir, 0700), 0);
	setenv("PEERSCOPE_CACHE_DIR", f->dir, 1);
	f->fd = open(LIBC, O_RDONLY | O_CLOEXEC);
	assert_true(f->fd >= 0);
	unw_table__init(&f->parsed);
	assert_int_equal(unw_table__load_fd(&f->parsed, f->fd), 0);
	assert_true(f->parsed.nr >= UNW_CACHE_MIN_ROWS);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	close(f->fd);
	unw_table__free(&f->parsed);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	unsetenv("PEERSCOPE_CACHE_DIR");
	free(f);
	return 0;
}

/* The path of the one file of dir whose name starts with prefix. */
static void find(const char *dir, const char *prefix, char *path, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix))) {
			snprintf(path, len, "%s/%s", dir, de->d_name);
			n++;
		}
	closedir(d);
	assert_int_equal(n, 1);
}

static void assert_same_table(const struct unw_table *a, const struct unw_table *b)
{
	assert_int_equal(a->nr, b->nr);
	assert_int_equal(a->nr_loads, b->nr_loads);
	assert_memory_equal(a->rows, b->rows, a->nr * sizeof(*a->rows));
	assert_memory_equal(a->loads, b->loads, a->nr_loads * sizeof(*a->loads));
	assert_string_equal(a->source, b->source);
	assert_int_equal(a->nr_fdes, b->nr_fdes);
	assert_int_equal(a->nr_unsupported, b->nr_unsupported);
	assert_int_equal(a->nr_plt, b->nr_plt);
}

/* Writes n bytes at off of path (the cache file, changed behind its back). */
static void poke(const char *path, off_t off, const void *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, n, off), (ssize_t)n);
	close(fd);
}

static off_t row_off(const struct unw_table *t, size_t i)
{
	/* the head is 72 bytes (unwind-cache.c), then the loads, then the rows */
	return 72 + t->nr_loads * sizeof(*t->loads) + i * sizeof(*t->rows);
}

static void test_unwind_kept_and_read_back(void **state)
{
	struct fixture *f = *state;
	struct unw_table t;
	char path[512];
	struct stat st;

	unw_table__init(&t);
	assert_int_equal(unw_cache__load(f->fd, &t), -ENOENT);
	assert_int_equal(unw_cache__store(f->fd, &f->parsed), 0);
	find(f->dir, "unwind-1-", path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(unw_cache__load(f->fd, &t), 0);
	assert_same_table(&t, &f->parsed);
	unw_table__free(&t);
}

static void test_unwind_bad_files_are_misses(void **state)
{
	struct fixture *f = *state;
	struct unw_row r0, r1, bad;
	struct unw_table t;
	char path[512];
	struct stat st;

	unw_table__init(&t);
	assert_int_equal(unw_cache__store(f->fd, &f->parsed), 0);
	find(f->dir, "unwind-1-", path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);

	/* cut short by one row */
	assert_int_equal(truncate(path, st.st_size - 16), 0);
	assert_int_equal(unw_cache__load(f->fd, &t), -ENOENT);
	assert_null(t.rows);
	assert_int_equal(unw_cache__store(f->fd, &f->parsed), 0);

	/* two rows swapped: the BPF side's binary search needs them in order */
	r0 = f->parsed.rows[100];
	r1 = f->parsed.rows[101];
	assert_true(r0.pc < r1.pc);
	poke(path, row_off(&f->parsed, 100), &r1, sizeof(r1));
	poke(path, row_off(&f->parsed, 101), &r0, sizeof(r0));
	assert_int_equal(unw_cache__load(f->fd, &t), -ENOENT);
	assert_int_equal(unw_cache__store(f->fd, &f->parsed), 0);

	/* a kind of row the BPF unwinder does not know */
	bad = r0;
	bad.cfa_type = 200;
	poke(path, row_off(&f->parsed, 100), &bad, sizeof(bad));
	assert_int_equal(unw_cache__load(f->fd, &t), -ENOENT);
	assert_int_equal(unw_cache__store(f->fd, &f->parsed), 0);

	/* another magic */
	poke(path, 0, "XXXX", 4);
	assert_int_equal(unw_cache__load(f->fd, &t), -ENOENT);
	assert_int_equal(unw_cache__store(f->fd, &f->parsed), 0);

	/* writable by others: not trusted */
	assert_int_equal(chmod(path, 0622), 0);
	assert_int_equal(unw_cache__load(f->fd, &t), -ENOENT);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(unw_cache__load(f->fd, &t), 0);
	assert_same_table(&t, &f->parsed);
	unw_table__free(&t);
}

static void test_unwind_what_is_not_kept(void **state)
{
	struct fixture *f = *state;
	char copy[128], cmd[256];
	struct unw_table t, small;
	int fd;

	/* a file changed moments ago: a write within the same tick keeps its times */
	snprintf(copy, sizeof(copy), "%s/libc-copy.so", f->dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s", LIBC, copy);
	assert_int_equal(system(cmd), 0);
	fd = open(copy, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(unw_cache__store(fd, &f->parsed), -EAGAIN);
	unw_table__init(&t);
	assert_int_equal(unw_cache__load(fd, &t), -ENOENT);
	close(fd);

	/* a small table is parsed each time */
	small = f->parsed;
	small.nr = UNW_CACHE_MIN_ROWS - 1;
	assert_int_equal(unw_cache__store(f->fd, &small), -EINVAL);

	/* caching off */
	setenv("PEERSCOPE_CACHE_DIR", "", 1);
	assert_int_equal(unw_cache__store(f->fd, &f->parsed), -ENOENT);
	assert_int_equal(unw_cache__load(f->fd, &t), -ENOENT);
}

/*
 * The guess reads a kept scan instead of the file: one that says every
 * needle is there makes libc look like the test node; a garbled one is
 * scanned again and kept right.
 */
static void test_guess_scan_kept(void **state)
{
	struct fixture *f = *state;
	uint32_t all = (1u << 18) - 1, none = 0;
	char path[512], why[256];

	assert_string_equal(path_rules__guess(0, LIBC, why, sizeof(why)), "default");
	find(f->dir, "guess-", path, sizeof(path));
	poke(path, 8, &all, sizeof(all));
	assert_string_equal(path_rules__guess(0, LIBC, why, sizeof(why)), "p2pnode");
	assert_int_equal(truncate(path, 11), 0);
	assert_string_equal(path_rules__guess(0, LIBC, why, sizeof(why)), "default");
	poke(path, 8, &none, sizeof(none));
	assert_string_equal(path_rules__guess(0, LIBC, why, sizeof(why)), "default");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unwind_kept_and_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind_bad_files_are_misses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind_what_is_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guess_scan_kept, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
