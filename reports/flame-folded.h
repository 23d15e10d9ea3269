/* SPDX-License-Identifier: MIT */
/*
 * Folded-stack renderer: walks a flame tree and writes it with the folded
 * line codec (userspace/format/folded.h): FlameGraph's convention,
 * one line per distinct stack, frames root first separated by ';', a space,
 * the count.  Kernel frames get "_[k]", inlined frames "_[i]"; identical
 * stacks are merged (they are one node of the tree); lines come out in the
 * tree's sorted order (by frame name, frame by frame), so the output is the
 * same for the same profile whatever the sample order.
 */
#ifndef PEERSCOPE_FLAME_FOLDED_H
#define PEERSCOPE_FLAME_FOLDED_H

#include <stdio.h>

struct flame_tree;
struct profile;
struct flame_tree_opts;

/* Stacks of value slot `slot` of a finished tree.  0 or a negative errno. */
int flame_folded__write(FILE *f, const struct flame_tree *t, int slot);
/*
 * The differential form "stack base new" (difffolded) from slots 0 and 1:
 * every stack that ends in either slot, 0 where absent.
 */
int flame_folded__write_diff(FILE *f, const struct flame_tree *t);
/* Convenience: builds the tree of p with o and writes slot 0. */
int flame_folded__write_profile(FILE *f, const struct profile *p,
				const struct flame_tree_opts *o);

#endif /* PEERSCOPE_FLAME_FOLDED_H */
