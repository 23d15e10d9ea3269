/* SPDX-License-Identifier: MIT */
/*
 * Growing arrays: the one place that doubles a capacity and reallocates,
 * for the many tables that append one element at a time.
 */
#ifndef PEERSCOPE_ARRAY_H
#define PEERSCOPE_ARRAY_H

#include <errno.h>
#include <stddef.h>

/*
 * Room for element nr in *arr of capacity cap (elements of elem bytes):
 * cap when there is, else *arr reallocated to twice cap (first when 0) and
 * the new capacity; 0 when out of memory (*arr unchanged).
 */
size_t array__grow(void **arr, size_t nr, size_t cap, size_t first, size_t elem);

/*
 * Makes room to append arr[nr] (nr used of cap, any integer types; cap is
 * updated): 0 or -ENOMEM.
 */
#define ARRAY_ROOM(arr, nr, cap, first) __extension__ ({				\
	int err_ = 0;									\
											\
	if ((size_t)(nr) >= (size_t)(cap)) {	/* cap written only when it grows */	\
		size_t ncap_ = array__grow((void **)&(arr), (nr), (cap), (first),	\
					   sizeof(*(arr)));				\
											\
		if (ncap_)								\
			(cap) = ncap_;							\
		else									\
			err_ = -ENOMEM;							\
	}										\
	err_;										\
})

#endif /* PEERSCOPE_ARRAY_H */
