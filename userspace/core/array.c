// SPDX-License-Identifier: MIT
/* Growing arrays (array.h): the slow path, out of line. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "core/array.h"

size_t array__grow(void **arr, size_t nr, size_t cap, size_t first, size_t elem)
{
	size_t ncap;
	void *n;

	if (nr < cap)
		return cap;
	ncap = cap ? cap * 2 : first;
	if (ncap <= cap || ncap > SIZE_MAX / elem)
		return 0;
	n = realloc(*arr, ncap * elem);
	if (!n)
		return 0;
	*arr = n;
	if (ncap * elem >= ARRAY_HUGE_MIN)
		array__advise_huge(n, ncap * elem);
	return ncap;
}

void array__advise_huge(void *p, size_t bytes)
{
	const uintptr_t huge = 2u << 20;
	uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);

	if (bytes >= ARRAY_HUGE_MIN && hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}
