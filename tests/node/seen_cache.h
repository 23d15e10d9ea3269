/* SPDX-License-Identifier: GPL-2.0 */
/*
 * seen_cache.h - bounded set of recently seen gossip message ids.
 *
 * Two generations of open-addressed tables: inserts go to the current one;
 * when it holds `capacity` ids it becomes the previous generation and the
 * old previous one is dropped.  An id is remembered for at least `capacity`
 * further inserts, memory stays fixed, and there are no tombstones.
 * Not thread-safe: the caller locks.
 */
#ifndef P2P_SEEN_CACHE_H
#define P2P_SEEN_CACHE_H

#include <stdbool.h>
#include <stdint.h>

struct seen_gen {
	uint64_t *slots;	/* 0 = empty; id 0 is tracked in has_zero */
	uint32_t count;
	bool has_zero;
};

struct seen_cache {
	struct seen_gen gen[2];
	int cur;
	uint32_t capacity, mask;
};

int seen_init(struct seen_cache *sc, uint32_t capacity);
void seen_free(struct seen_cache *sc);
bool seen_contains(const struct seen_cache *sc, uint64_t id);
/* true if id was already there; otherwise remembers it and returns false */
bool seen_check_add(struct seen_cache *sc, uint64_t id);

#endif
