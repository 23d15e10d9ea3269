/* SPDX-License-Identifier: MIT */
/*
 * Contributions: (group, part, key) -> value, collected while walking the
 * samples and summed per key afterwards, so that each part's top stacks or
 * culprits are found with one sort instead of a table per part.  The paths
 * analysis groups by path, the timeline by thread.
 */
#ifndef PEERSCOPE_ANALYSIS_CONTRIB_H
#define PEERSCOPE_ANALYSIS_CONTRIB_H

#include <stddef.h>
#include <stdint.h>

struct contrib {
	uint32_t group, part;
	uint32_t key;		/* a stack id, a string id ... */
	int64_t value;
};

struct contribs {
	struct contrib *v;
	size_t nr, cap;
};

/* Adds one contribution (a zero value is not kept); 0 or -ENOMEM. */
int contribs__add(struct contribs *c, uint32_t group, uint32_t part, uint32_t key,
		  int64_t value);
/*
 * Sorts by (group, part, key), sums equal keys and hands each sum to fn, in
 * that order.
 */
void contribs__reduce(struct contribs *c, void (*fn)(void *ctx, const struct contrib *sum),
		      void *ctx);
void contribs__free(struct contribs *c);

#endif /* PEERSCOPE_ANALYSIS_CONTRIB_H */
