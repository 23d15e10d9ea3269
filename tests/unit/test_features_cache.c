// SPDX-License-Identifier: MIT
/*
 * The per-boot feature cache: what is written reads back the same; another
 * boot, kernel or set of privileges, a damaged file, or a file or directory
 * someone else could have written is not used (the caller then probes).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "collectors/features-cache.h"

struct fixture {
	char dir[64];
	char file[96];
	struct features_key key;
	struct kernel_features kf;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/peerscope-fc.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->file, sizeof(f->file), "%s/features", f->dir);
	snprintf(f->key.boot_id, sizeof(f->key.boot_id), "0a1b2c3d-boot");
	snprintf(f->key.kernel, sizeof(f->key.kernel), "6.18.0-test");
	f->key.euid = geteuid();
	f->key.cap_eff = 0x1fffeffffffULL;
	f->kf.tp_btf = f->kf.raw_tp = f->kf.ringbuf = f->kf.perf_read_value = true;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->file);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct kernel_features got;

	assert_int_equal(features_cache__read(f->dir, &f->key, &got), -ENOENT);
	assert_int_equal(features_cache__write(f->dir, &f->key, &f->kf), 0);
	memset(&got, 0xff, sizeof(got));
	got.btf = false;
	assert_int_equal(features_cache__read(f->dir, &f->key, &got), 0);
	assert_true(got.tp_btf);
	assert_false(got.fentry);
	assert_true(got.raw_tp);
	assert_true(got.ringbuf);
	assert_false(got.hw_pmu);
	assert_true(got.perf_read_value);
	assert_false(got.btf);	/* not a cached field: left alone */
}

static void test_other_key_is_stale(void **state)
{
	struct fixture *f = *state;
	struct kernel_features got = {};
	struct features_key k;

	assert_int_equal(features_cache__write(f->dir, &f->key, &f->kf), 0);
	k = f->key;
	k.boot_id[0] = 'f';
	assert_int_equal(features_cache__read(f->dir, &k, &got), -ESTALE);
	k = f->key;
	k.cap_eff = 0;
	assert_int_equal(features_cache__read(f->dir, &k, &got), -ESTALE);
	k = f->key;
	snprintf(k.kernel, sizeof(k.kernel), "6.18.1");
	assert_int_equal(features_cache__read(f->dir, &k, &got), -ESTALE);
	assert_false(got.tp_btf);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_damaged_file_is_ignored(void **state)
{
	struct fixture *f = *state;
	struct kernel_features got = {};
	char buf[1024];
	FILE *fp;
	size_t n;

	assert_int_equal(features_cache__write(f->dir, &f->key, &f->kf), 0);
	fp = fopen(f->file, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* truncated after the key */
	*strstr(buf, "raw_tp") = '\0';
	write_text(f->file, buf);
	assert_int_equal(features_cache__read(f->dir, &f->key, &got), -EINVAL);
	/* a value that is not 0 or 1, and trailing junk */
	assert_int_equal(features_cache__write(f->dir, &f->key, &f->kf), 0);
	fp = fopen(f->file, "a");
	fputs("extra 1\n", fp);
	fclose(fp);
	assert_int_equal(features_cache__read(f->dir, &f->key, &got), -EINVAL);
	assert_false(got.tp_btf);
}

static void test_writable_by_others_is_ignored(void **state)
{
	struct fixture *f = *state;
	struct kernel_features got = {};

	assert_int_equal(features_cache__write(f->dir, &f->key, &f->kf), 0);
	assert_int_equal(chmod(f->file, 0666), 0);
	assert_int_equal(features_cache__read(f->dir, &f->key, &got), -EPERM);
	assert_int_equal(chmod(f->file, 0600), 0);
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(features_cache__read(f->dir, &f->key, &got), -ENOENT);
	assert_int_equal(features_cache__write(f->dir, &f->key, &f->kf), -EPERM);
	assert_int_equal(chmod(f->dir, 0700), 0);
	assert_false(got.tp_btf);
}

static void test_key_of_this_system(void **state)
{
	struct features_key k;

	(void)state;
	assert_int_equal(features_cache__key(&k), 0);
	assert_int_equal(strlen(k.boot_id), 36);	/* a UUID */
	assert_true(k.kernel[0] != '\0');
	assert_int_equal(k.euid, geteuid());
}

static void test_cache_dir_from_environment(void **state)
{
	(void)state;
	unsetenv("PEERSCOPE_CACHE_DIR");
	assert_string_equal(run_cache__dir(), "/run/peerscope");
	setenv("PEERSCOPE_CACHE_DIR", "/var/tmp/x", 1);
	assert_string_equal(run_cache__dir(), "/var/tmp/x");
	setenv("PEERSCOPE_CACHE_DIR", "", 1);
	assert_null(run_cache__dir());
	unsetenv("PEERSCOPE_CACHE_DIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_key_is_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_file_is_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_by_others_is_ignored, setup, teardown),
		cmocka_unit_test(test_key_of_this_system),
		cmocka_unit_test(test_cache_dir_from_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
