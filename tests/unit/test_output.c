// SPDX-License-Identifier: MIT
/* The JSON writer and the number formatters every renderer shares. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"
#include "reports/output.h"

static char *buf;
static size_t len;

static struct json_writer *writer(enum json_style style)
{
	static struct json_writer w;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	json__init(&w, f, style);
	return &w;
}

static const char *done(struct json_writer *w)
{
	fclose(w->f);
	return buf;
}

static void test_spaced_with_breaks(void **state)
{
	struct json_writer *w = writer(JSON_SPACED);

	json__begin(w, '{');
	json__key(w, "name"); json__str(w, "dht \"x\"\n");
	json__key(w, "n"); json__int(w, -3);
	json__break(w, 2);
	json__key(w, "list");
	json__begin(w, '[');
	json__break(w, 4);
	json__begin(w, '{');
	json__key(w, "share"); json__fixed(w, 0.5, 4);
	json__end(w, '}');
	json__break(w, 4);
	json__begin(w, '{');
	json__end(w, '}');
	json__begin(w, '[');
	json__end(w, ']');
	json__end(w, ']');
	json__key(w, "ok"); json__bool(w, true);
	json__key(w, "none"); json__null(w);
	json__key(w, "nan"); json__num(w, NAN);
	json__break(w, 0);
	json__end(w, '}');
	assert_string_equal(done(w), "{\"name\": \"dht \\\"x\\\"\\n\", \"n\": -3,\n"
			    "  \"list\": [\n    {\"share\": 0.5000},\n    {}, []], \"ok\": true, "
			    "\"none\": null, \"nan\": null\n}");
	free(buf);
}

static void test_compact_and_external_key(void **state)
{
	struct json_writer *w = writer(JSON_COMPACT);

	json__begin(w, '{');
	json__key(w, "a"); json__uint(w, 18446744073709551615ULL);
	json__key_external(w, "b");
	fputs("[1,2]", w->f);	/* another writer's value */
	json__key(w, "c"); json__raw(w, "42");
	json__key(w, "d"); json__num(w, 1.25);
	json__end(w, '}');
	assert_string_equal(done(w), "{\"a\":18446744073709551615,\"b\":[1,2],\"c\":42,\"d\":1.25}");
	free(buf);
}

/* The two styles of each formatter, as the sections print them. */
struct every_kind {
	int i;
	int64_t i64;
	uint32_t u32;
	uint64_t u64;
	double d;
	bool b;
	const char *s, *none;
	char chars[8];
	struct { uint64_t inner; } nested;
};

/* Each member type is printed as its json__ call would; the table picks the kind. */
static void test_fields_table(void **state)
{
	static const struct json_field fields[] = {
		JSON_FIELD(struct every_kind, i, "i"),
		JSON_FIELD(struct every_kind, i64, "i64"),
		JSON_FIELD(struct every_kind, u32, "u32"),
		JSON_FIELD(struct every_kind, u64, "u64"),
		JSON_FIELD(struct every_kind, d, "d"),
		JSON_FIELD(struct every_kind, b, "b"),
		JSON_FIELD(struct every_kind, s, "s"),
		JSON_FIELD(struct every_kind, none, "none"),
		JSON_FIELD(struct every_kind, chars, "chars"),
		JSON_FIELD(struct every_kind, nested.inner, "inner"),
		JSON_FIXED(struct every_kind, d, "fixed", 3),
	};
	struct every_kind v = {
		.i = -7, .i64 = -5000000000LL, .u32 = 4000000000U, .u64 = 18446744073709551615ULL,
		.d = 0.25, .b = true, .s = "p\"2p", .none = NULL, .chars = "dht",
		.nested.inner = 9,
	};
	struct json_writer *w = writer(JSON_COMPACT);

	assert_int_equal(fields[8].kind, JSON_F_CHARS);
	assert_int_equal(fields[6].kind, JSON_F_STR);
	json__begin(w, '{');
	json__fields(w, fields, JSON_NR_FIELDS(fields), &v);
	json__end(w, '}');
	assert_string_equal(done(w),
		"{\"i\":-7,\"i64\":-5000000000,\"u32\":4000000000,"
		"\"u64\":18446744073709551615,\"d\":0.25,\"b\":true,"
		"\"s\":\"p\\\"2p\",\"none\":\"\",\"chars\":\"dht\",\"inner\":9,\"fixed\":0.250}");
	free(buf);

	w = writer(JSON_COMPACT);
	json__begin(w, '[');
	json__str_or_null(w, "a");
	json__str_or_null(w, NULL);
	json__end(w, ']');
	assert_string_equal(done(w), "[\"a\",null]");
	free(buf);

	/* an array of rows, the table from its second field on */
	static const struct json_field two[] = {
		JSON_FIELD(struct every_kind, i, "i"),
		JSON_FIELD(struct every_kind, i64, "i64"),
	};
	struct every_kind rows[2] = { { .i = 1, .i64 = 2 }, { .i = 3, .i64 = 4 } };

	w = writer(JSON_COMPACT);
	json__begin(w, '{');
	JSON_ROWS(w, "rows", two, 1, rows, 2);
	JSON_ROWS(w, "none", two, 0, rows, 0);
	json__end(w, '}');
	assert_string_equal(done(w), "{\"rows\":[{\"i64\":2},{\"i64\":4}],\"none\":[]}");
	free(buf);
}

static void test_units(void **state)
{
	char sh[64];

	/* long names keep their head and tail */
	assert_string_equal(units__shorten("abcdefghijklmnopqrstuvwxyz", 11, sh, sizeof(sh)),
			    "abcd...wxyz");
	assert_string_equal(units__shorten("short", 11, sh, sizeof(sh)), "short");

	char b[UNITS_LEN];

	assert_string_equal(units__ns(125e9, UNITS_NS_MINUTES, b, sizeof(b)), "2 min 5 s");
	assert_string_equal(units__ns(125e9, UNITS_NS_SECONDS, b, sizeof(b)), "125 s");
	assert_string_equal(units__ns(2.25e6, UNITS_NS_SECONDS, b, sizeof(b)), "2.25 ms");
	assert_string_equal(units__ns(850, UNITS_NS_MINUTES, b, sizeof(b)), "850 ns");
	/* values that round to 1000 of a unit move up instead of printing 1e+03 */
	assert_string_equal(units__ns(999.7e6, UNITS_NS_SECONDS, b, sizeof(b)), "1 s");
	assert_string_equal(units__ns(999.6e3, UNITS_NS_SECONDS, b, sizeof(b)), "1 ms");
	assert_string_equal(units__ns(999.4e3, UNITS_NS_SECONDS, b, sizeof(b)), "999 us");
	assert_string_equal(units__ns(999.7, UNITS_NS_MINUTES, b, sizeof(b)), "1 us");
	assert_string_equal(units__bytes(1000 * 1024.0, UNITS_BYTES_IEC, b, sizeof(b)), "1000 KiB");
	assert_string_equal(units__bytes(1023.6 * 1024, UNITS_BYTES_IEC, b, sizeof(b)), "1024 KiB");
	assert_string_equal(units__bytes(1536, UNITS_BYTES_IEC, b, sizeof(b)), "1.5 KiB");
	assert_string_equal(units__bytes(1536, UNITS_BYTES_SI, b, sizeof(b)), "1.5 kB");
	assert_string_equal(units__bytes(137500, UNITS_BYTES_SI, b, sizeof(b)), "137.5 kB");
	assert_string_equal(units__bytes(2.5e6, UNITS_BYTES_SI, b, sizeof(b)), "2.5 MB");
	assert_string_equal(units__bytes(12.3 * 1048576, UNITS_BYTES_IEC, b, sizeof(b)), "12.3 MiB");
	assert_string_equal(units__bytes(512, UNITS_BYTES_SI, b, sizeof(b)), "512 B");
	assert_string_equal(output__fmt_bytes(512, b, sizeof(b)), "512 B");
	assert_string_equal(output__fmt_ns(125e9, b, sizeof(b)), "2 min 5 s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spaced_with_breaks),
		cmocka_unit_test(test_compact_and_external_key),
		cmocka_unit_test(test_fields_table),
		cmocka_unit_test(test_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
