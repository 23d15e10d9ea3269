/* SPDX-License-Identifier: MIT */
/*
 * Building profiles by hand for the flame and top tests: stacks are given
 * root first as names; a name ending in "_[k]" is a kernel frame.
 */
#ifndef PEERSCOPE_TEST_FLAME_HELPERS_H
#define PEERSCOPE_TEST_FLAME_HELPERS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"

/* Adds value to column t for the stack of the NULL-terminated names. */
static inline int fh_add(struct profile *p, int t, int64_t value, uint32_t labelset, ...)
{
	uint32_t locs[64], n = 0;
	const char *name;
	va_list ap;

	va_start(ap, labelset);
	while ((name = va_arg(ap, const char *)) && n < 64) {
		size_t len = strlen(name);
		char buf[256];
		int kernel = len > 4 && !strcmp(name + len - 4, "_[k]");

		snprintf(buf, sizeof(buf), "%.*s", (int)(kernel ? len - 4 : len), name);
		locs[n++] = profile__intern_named_frame(p, buf, NULL, kernel);
	}
	va_end(ap);
	/* root first given, leaf first stored */
	for (uint32_t i = 0; i < n / 2; i++) {
		uint32_t x = locs[i];

		locs[i] = locs[n - 1 - i];
		locs[n - 1 - i] = x;
	}
	return profile__add(p, profile__intern_stack(p, locs, n), labelset, t, value);
}

/* Everything written to a memstream by fn, as a malloc()ed string. */
#define FH_CAPTURE(buf, expr)                                                   \
	do {                                                                    \
		size_t fh_len_;                                                 \
		FILE *f = open_memstream(&(buf), &fh_len_);                     \
		assert_non_null(f);                                             \
		assert_int_equal((expr), 0);                                    \
		fclose(f);                                                      \
	} while (0)

#endif /* PEERSCOPE_TEST_FLAME_HELPERS_H */
