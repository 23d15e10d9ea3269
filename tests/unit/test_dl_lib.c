// SPDX-License-Identifier: MIT
/*
 * Unit tests of binding a library on first use (userspace/core/dl-lib.c):
 * zlib's functions bound and called, and the two failures, a missing
 * library and a missing symbol, each with a reason that names it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "core/dl-lib.h"

/* Declared for its type only: no library defines it. */
const char *zlib_no_such_function(void);

static void test_bind_zlib(void **state)
{
	static struct {
		__typeof__(&zlibVersion) version;
		__typeof__(&crc32) crc32;
	} z;
	static const struct dl_sym syms[] = {
		DL_SYM(zlibVersion, z.version),
		DL_SYM(crc32, z.crc32),
	};
	struct dl_lib lib = DL_LIB("libz.so.1", syms);

	assert_int_equal(dl_lib__bind(&lib), 0);
	assert_non_null(z.version);
	assert_string_equal(z.version(), zlibVersion());
	assert_int_equal(z.crc32(0, (const Bytef *)"abc", 3), 0x352441c2);
	/* once: a second call answers from the first */
	assert_int_equal(dl_lib__bind(&lib), 0);
	assert_true(lib.tried);
}

static void test_missing_library(void **state)
{
	static struct {
		__typeof__(&zlibVersion) version;
	} z;
	static const struct dl_sym syms[] = { DL_SYM(zlibVersion, z.version) };
	struct dl_lib lib = DL_LIB("libpeerscope-none.so.9", syms);

	assert_int_equal(dl_lib__bind(&lib), -ELIBACC);
	assert_non_null(strstr(lib.why, "libpeerscope-none.so.9"));
	assert_null(strchr(lib.why, '\n'));
	assert_null(z.version);
	assert_int_equal(dl_lib__bind(&lib), -ELIBACC);
}

static void test_missing_symbol(void **state)
{
	static struct {
		__typeof__(&zlibVersion) version;
		__typeof__(&zlib_no_such_function) none;
	} z;
	static const struct dl_sym syms[] = {
		DL_SYM(zlibVersion, z.version),
		DL_SYM(zlib_no_such_function, z.none),
	};
	struct dl_lib lib = DL_LIB("libz.so.1", syms);

	assert_int_equal(dl_lib__bind(&lib), -ELIBBAD);
	assert_non_null(strstr(lib.why, "zlib_no_such_function"));
	/* all or nothing: the symbol found before the missing one is not kept */
	assert_null(z.version);
	assert_null(z.none);
	assert_int_equal(dl_lib__bind(&lib), -ELIBBAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_zlib),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_symbol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
