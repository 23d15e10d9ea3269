// SPDX-License-Identifier: MIT
/* Growing arrays (array.h): the slow path, out of line. */
#include <stdint.h>
#include <stdlib.h>

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
	return ncap;
}
