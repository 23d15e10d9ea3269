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
 * The same for room for want elements at once (a byte arena taking a whole
 * key): cap when it holds them, else *arr reallocated to cap (first when 0)
 * doubled until it does, and that capacity; 0 when out of memory.
 */
size_t array__reserve(void **arr, size_t want, size_t cap, size_t first, size_t elem);

/*
 * A table of bytes at p (ARRAY_HUGE_MIN or more) is about to be filled:
 * ask for transparent huge pages, so that it faults in 2 MiB at a time
 * instead of 4 KiB.  On a VM a fault costs microseconds: reading a 130 MB
 * folded file into one buffer took 32k of them, a tenth of `flame`'s
 * time.  Only a hint; where the system refuses it nothing changes.
 */
#define ARRAY_HUGE_MIN (4u << 20)
void array__advise_huge(void *p, size_t bytes);

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
