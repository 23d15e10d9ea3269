// SPDX-License-Identifier: MIT
/* Contributions summed per key (contrib.h). */
#include <errno.h>
#include <stdlib.h>

#include "analysis/contrib.h"
#include "core/array.h"

int contribs__add(struct contribs *c, uint32_t group, uint32_t part, uint32_t key,
		  int64_t value)
{
	if (!value)
		return 0;
	if (ARRAY_ROOM(c->v, c->nr, c->cap, 1024))
		return -ENOMEM;
	c->v[c->nr++] = (struct contrib){ group, part, key, value };
	return 0;
}

static int contrib_cmp(const void *a, const void *b)
{
	const struct contrib *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return 0;
}

void contribs__reduce(struct contribs *c, void (*fn)(void *ctx, const struct contrib *sum),
		      void *ctx)
{
	size_t i = 0;

	if (c->nr)
		qsort(c->v, c->nr, sizeof(*c->v), contrib_cmp);
	while (i < c->nr) {
		struct contrib sum = c->v[i];

		for (i++; i < c->nr && !contrib_cmp(&c->v[i], &sum); i++)
			sum.value += c->v[i].value;
		fn(ctx, &sum);
	}
}

void contribs__free(struct contribs *c)
{
	free(c->v);
	c->v = NULL;
	c->nr = c->cap = 0;
}
