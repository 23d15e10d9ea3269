// SPDX-License-Identifier: GPL-2.0
/* seen_cache.c - two-generation message-id set for gossip de-duplication. */
#include <stdlib.h>
#include <string.h>

#include "seen_cache.h"

static uint32_t slot_of(uint64_t id, uint32_t mask)
{
	/* Message ids may be sequential: mix before masking. */
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (uint32_t)id & mask;
}

int seen_init(struct seen_cache *sc, uint32_t capacity)
{
	uint32_t size = 16;

	memset(sc, 0, sizeof(*sc));
	if (!capacity)
		return -1;
	/* Load factor at most 1/2 keeps probe chains short. */
	while (size < 2 * capacity)
		size *= 2;
	for (int g = 0; g < 2; g++) {
		sc->gen[g].slots = calloc(size, sizeof(uint64_t));
		if (!sc->gen[g].slots) {
			seen_free(sc);
			return -1;
		}
	}
	sc->capacity = capacity;
	sc->mask = size - 1;
	return 0;
}

void seen_free(struct seen_cache *sc)
{
	free(sc->gen[0].slots);
	free(sc->gen[1].slots);
	memset(sc, 0, sizeof(*sc));
}

static bool gen_contains(const struct seen_gen *g, uint64_t id, uint32_t mask)
{
	if (!id)
		return g->has_zero;
	for (uint32_t i = slot_of(id, mask);; i = (i + 1) & mask) {
		if (g->slots[i] == id)
			return true;
		if (!g->slots[i])
			return false;
	}
}

bool seen_contains(const struct seen_cache *sc, uint64_t id)
{
	return gen_contains(&sc->gen[0], id, sc->mask) ||
	       gen_contains(&sc->gen[1], id, sc->mask);
}

bool seen_check_add(struct seen_cache *sc, uint64_t id)
{
	struct seen_gen *g;

	if (seen_contains(sc, id))
		return true;
	g = &sc->gen[sc->cur];
	if (g->count >= sc->capacity) {
		/* Rotate: the older generation is forgotten wholesale. */
		sc->cur ^= 1;
		g = &sc->gen[sc->cur];
		memset(g->slots, 0, ((size_t)sc->mask + 1) * sizeof(uint64_t));
		g->count = 0;
		g->has_zero = false;
	}
	if (!id) {
		g->has_zero = true;
	} else {
		uint32_t i = slot_of(id, sc->mask);

		while (g->slots[i])
			i = (i + 1) & sc->mask;
		g->slots[i] = id;
	}
	g->count++;
	return false;
}
