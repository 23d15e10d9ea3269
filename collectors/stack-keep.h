/* SPDX-License-Identifier: MIT */
/*
 * A window's reset of a collector's own stack map (BPF_MAP_TYPE_STACK_TRACE,
 * frame-pointer stacks) in the agent: the entries the reset leaves for the
 * next window (open waits, traffic counted after the drain) still name
 * their stacks by id, so those ids stay and every other stack goes.
 * Without it such an entry came back in the next window with no stack, or
 * with whichever stack had taken its bucket since.
 */
#ifndef PEERSCOPE_STACK_KEEP_H
#define PEERSCOPE_STACK_KEEP_H

#include <stdint.h>

struct stack_keep {
	uint8_t *bits;	/* one per id of the map */
	uint32_t n;	/* the map's max_entries */
};

/* An empty set for a stack map of max_entries ids; 0 or -ENOMEM. */
int stack_keep__init(struct stack_keep *k, uint32_t max_entries);
/* Keeps stack id (void *ctx: a struct stack_keep), ignoring negative ids
 * and ids of the unwinder's store, which unwinder__trim() looks after. */
void stack_keep__add(void *k, int32_t id);
/* Delete every stack of the map but the kept ones; 0 or a negative errno. */
int stack_keep__clear_others(const struct stack_keep *k, int stacks_fd);
void stack_keep__free(struct stack_keep *k);

#endif /* PEERSCOPE_STACK_KEEP_H */
