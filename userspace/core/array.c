// SPDX-License-Identifier: MIT
/* Growing arrays (array.h): the slow path, out of line. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "core/array.h"

size_t array__reserve(void **arr, size_t want, size_t cap, size_t first, size_t elem)
{
	size_t ncap = cap ? cap : first;
	void *n;

	if (want <= cap)
		return cap;
	if (!ncap)
		return 0;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2)
			return 0;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		return 0;
	n = realloc(*arr, ncap * elem);
	if (!n)
		return 0;
	*arr = n;
	array__advise_huge(n, ncap * elem);
	return ncap;
}

size_t array__grow(void **arr, size_t nr, size_t cap, size_t first, size_t elem)
{
	return nr < SIZE_MAX ? array__reserve(arr, nr + 1, cap, first, elem) : 0;
}

void array__advise_huge(void *p, size_t bytes)
{
	const uintptr_t huge = 2u << 20;
	uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);

	if (bytes >= ARRAY_HUGE_MIN && hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

