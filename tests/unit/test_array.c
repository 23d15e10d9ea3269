// SPDX-License-Identifier: MIT
/* Unit tests of the growing arrays (userspace/core/array.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/array.h"

static void test_grow_doubles(void **state)
{
	uint32_t *a = NULL, nr = 0, cap = 0;

	for (uint32_t i = 0; i < 1000; i++) {
		assert_int_equal(ARRAY_ROOM(a, nr, cap, 16), 0);
		a[nr++] = i;
	}
	assert_int_equal(cap, 1024);	/* 16, 32, ... 1024 */
	for (uint32_t i = 0; i < nr; i++)
		assert_int_equal(a[i], i);
	/* room already there: the capacity stays */
	assert_int_equal(array__grow((void **)&a, 5, cap, 16, sizeof(*a)), 1024);
	/* a size that overflows is refused, the array kept */
	assert_int_equal(array__grow((void **)&a, SIZE_MAX / 2, SIZE_MAX / 2, 16, 4), 0);
	assert_int_equal(a[999], 999);
	free(a);
}

/* kB of transparent huge pages backing [p, p + len), from /proc/self/smaps */
static long huge_kb(const void *p, size_t len)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + len, start, end;
	char line[256];
	long kb = -1, v;
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = start < hi && end > lo;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &v) == 1)
			kb = (kb < 0 ? 0 : kb) + v;
	}
	fclose(f);
	return kb;
}

/* the system gives huge pages on request ("[madvise]"), not to everyone */
static bool thp_on_request(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strstr(buf, "[madvise]") != NULL;
}

/* huge-page faults the kernel could not serve (memory too fragmented) */
static long thp_fallbacks(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "thp_fault_fallback %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void *touched_map(size_t len, bool hint)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_ptr_not_equal(p, MAP_FAILED);
	if (hint)
		array__advise_huge(p + 100, len - 100);	/* not aligned: the inside is used */
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
	return p;
}

/*
 * A table of 16 MiB advised, then filled: backed by huge pages; the same
 * table without the hint is not, so it is the hint that did it.  Where the
 * system gives huge pages to everyone or to no one, there is nothing to see.
 */
static void test_advise_huge(void **state)
{
	const size_t len = 16u << 20;
	void *with, *without;
	long kb_with, kb_without, fallbacks;

	if (!thp_on_request())
		skip();
	fallbacks = thp_fallbacks();
	with = touched_map(len, true);
	without = touched_map(len, false);
	kb_with = huge_kb(with, len);
	kb_without = huge_kb(without, len);
	munmap(with, len);
	munmap(without, len);
	if (kb_with < 0)
		skip();	/* no smaps */
	/* the hint was given but the kernel had no huge page to give: not ours */
	if (kb_with < 6 * 1024 && fallbacks >= 0 && thp_fallbacks() > fallbacks)
		skip();
	assert_int_equal(kb_without, 0);
	/* all but the unaligned ends: 6 MiB or more of the 16 even when memory is short */
	assert_true(kb_with >= 6 * 1024);
}

/* small tables are left as they are: a huge page for a few kB wastes memory */
static void test_advise_small(void **state)
{
	const size_t len = 2u << 20;
	void *p;

	if (!thp_on_request())
		skip();
	p = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_ptr_not_equal(p, MAP_FAILED);
	array__advise_huge(p, ARRAY_HUGE_MIN - 1);
	memset(p, 1, 2 * len);
	assert_true(huge_kb(p, 2 * len) <= 0);
	munmap(p, 2 * len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_doubles),
		cmocka_unit_test(test_advise_huge),
		cmocka_unit_test(test_advise_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
