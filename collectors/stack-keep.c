// SPDX-License-Identifier: MIT
/* Stacks a window's reset keeps (stack-keep.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "collectors/collector.h"
#include "collectors/stack-keep.h"
#include "collectors/unwinder.h"

int stack_keep__init(struct stack_keep *k, uint32_t max_entries)
{
	k->n = max_entries;
	k->bits = calloc(max_entries / 8 + 1, 1);
	return k->bits ? 0 : -ENOMEM;
}

void stack_keep__add(void *ctx, int32_t id)
{
	struct stack_keep *k = ctx;

	if (id >= 0 && !unwinder__owns_stack(id) && (uint32_t)id < k->n)
		k->bits[id / 8] |= 1u << (id % 8);
}

static bool kept(const void *key, void *ctx)
{
	const struct stack_keep *k = ctx;
	uint32_t id = *(const uint32_t *)key;

	return id < k->n && (k->bits[id / 8] & (1u << (id % 8)));
}

int stack_keep__clear_others(const struct stack_keep *k, int stacks_fd)
{
	return collector__clear_map_except(stacks_fd, kept, (void *)k);
}

void stack_keep__free(struct stack_keep *k)
{
	free(k->bits);
	k->bits = NULL;
}
