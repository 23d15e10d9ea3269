/* SPDX-License-Identifier: MIT */
/*
 * The call tree behind flame graphs, folded output and the top-functions
 * report: every distinct root-to-frame path of a profile is one node, with
 * the value of the samples that pass through it (total) and end in it
 * (self).
 *
 * Two value slots per node let a differential view (diff) put a base and a
 * new profile in one tree: flame_tree__add_profile(t, base, o, 0) and
 * flame_tree__add_profile(t, cur, o, 1), then widths from one slot and
 * colours from the difference (flame-svg.h).
 *
 * Siblings are identified by (name, kind): a kernel and a user frame of the
 * same name stay apart.  After flame_tree__finish() children are sorted by
 * name then kind, which makes every output built on the tree deterministic.
 */
#ifndef PEERSCOPE_FLAME_TREE_H
#define PEERSCOPE_FLAME_TREE_H

#include <stdbool.h>
#include <stdint.h>

struct profile;
struct hashmap;

enum flame_kind {
	FLAME_ROOT = 0,		/* node 0, "all" */
	FLAME_USER,
	FLAME_KERNEL,		/* "_[k]" in folded output */
	FLAME_INLINE,		/* an inlined call (not the outermost line of a location): "_[i]" */
	FLAME_SYNTH,		/* made up from a label ("[lock]", "[dht]") or "[no stack]" */
};

#define FLAME_SLOTS 2

struct flame_node {
	uint32_t name;		/* name id: flame_tree__name() */
	uint32_t parent;	/* 0 for children of the root (and for the root) */
	uint32_t first_child;	/* 0 = none (node 0 is never a child) */
	uint32_t next_sibling;	/* 0 = last */
	uint32_t depth;		/* root 0, its children 1, ... */
	uint8_t kind;		/* enum flame_kind */
	uint8_t nr_children;	/* saturates at 255; private (child lookup) */
	int64_t total[FLAME_SLOTS];	/* samples through this node */
	int64_t self[FLAME_SLOTS];	/* samples ending here */
	/*
	 * Of total[0], the part that ends in a leaf label frame (off-CPU time
	 * with its "[reason]"), and that frame's name id: 0 none yet,
	 * FLAME_MIXED when several.  Lets the SVG colour blocked code by why
	 * it blocked.
	 */
	int64_t blocked;
	uint32_t reason;
};

#define FLAME_MIXED UINT32_MAX

struct flame_tree {
	struct flame_node *nodes;	/* nodes[0] is the root */
	uint32_t nr_nodes, cap_nodes;
	char **names;			/* name ids 0.. ; names[0] = "all" */
	uint32_t nr_names, cap_names;
	uint32_t max_depth;		/* deepest node's depth (after finish) */
	/* what the values are, from the first profile added: "cpu", "nanoseconds" */
	char type[32], unit[32];
	bool finished;
	struct hashmap *name_map;	/* private */
	struct hashmap *child_map;	/* private */
};

/* How samples become stacks. */
struct flame_tree_opts {
	int type_idx;			/* value column of the profile */
	/*
	 * Label keys whose value becomes a synthetic frame "[value]": above
	 * the stack (root side, e.g. "thread" or "path": one tower per value)
	 * and/or below it (leaf side, e.g. "reason" for off-CPU time: the
	 * leaf-most frame says why the thread was blocked).  Samples without
	 * the label get no such frame.  NULL for none.
	 */
	const char *root_label;
	const char *leaf_label;
	/* Leave kernel frames out (user stacks only). */
	bool no_kernel;
	/*
	 * Off-CPU waker edges (a "-" frame, then the waker's stack): by
	 * default the waker part is cut off; with wakers it is drawn above
	 * the blocked stack after a "--" frame, leaf first (FlameGraph's
	 * offwaketime layout).
	 */
	bool wakers;
	/*
	 * With leaf_label: off-CPU time of a stack that waits for work (an
	 * idle worker, an event loop, a runtime's idle thread: frames__is_idle
	 * with the recording's own idle rules) gets the leaf frame "[idle]"
	 * instead of its reason, so that idle waits do not read as "[lock]".
	 */
	bool idle_leaf;
};

/* An empty tree (just the root). NULL on ENOMEM. */
struct flame_tree *flame_tree__new(void);
void flame_tree__free(struct flame_tree *t);

/*
 * Adds every sample of p with a positive value in column o->type_idx to
 * value slot `slot` (0 or 1).  Stacks are walked root first; a location with
 * inlined lines gives its outermost function first and the inlined ones
 * below it (FLAME_INLINE).  An empty stack becomes the frame "[no stack]".
 * Returns 0 or a negative errno (-EINVAL for a bad column or slot).
 */
int flame_tree__add_profile(struct flame_tree *t, const struct profile *p,
			    const struct flame_tree_opts *o, int slot);
/*
 * Adds one stack given as names root first; kinds may be NULL (all user).
 * value goes to slot.  For tests and for readers of other formats.
 */
int flame_tree__add_stack(struct flame_tree *t, const char *const *names,
			  const uint8_t *kinds, uint32_t n, int64_t value, int slot);
/* Sorts children (name, then kind) and sets max_depth.  Call once before output. */
int flame_tree__finish(struct flame_tree *t);

/* new + add_profile(slot 0) + finish.  NULL with *err set on failure. */
struct flame_tree *flame_tree__build(const struct profile *p, const struct flame_tree_opts *o,
				     int *err);

static inline const char *flame_tree__name(const struct flame_tree *t, uint32_t node)
{
	return t->names[t->nodes[node].name];
}

/* The child of parent with this name and kind, or 0. */
uint32_t flame_tree__find_child(const struct flame_tree *t, uint32_t parent, const char *name,
				uint8_t kind);

/*
 * Pre-order walk (parent before children, children in sorted order):
 * visit() is called with each node except the root; returning
 * FLAME_WALK_SKIP passes over the node's children, any other non-zero
 * value stops the walk with that value.  leave(), if given, is called
 * after a node's children (or after the node itself when they are
 * skipped).  Iterative: deep stacks cannot overflow the C stack.
 *
 * Values are positive, so no node's total exceeds its parent's: a visit
 * that draws only nodes above a threshold can skip below the first node
 * under it, which on a tree of a million nodes is most of the walk.
 */
#define FLAME_WALK_SKIP INT32_MAX

int flame_tree__walk(const struct flame_tree *t,
		     int (*visit)(const struct flame_tree *t, uint32_t node, void *ctx),
		     void (*leave)(const struct flame_tree *t, uint32_t node, void *ctx),
		     void *ctx);

#endif /* PEERSCOPE_FLAME_TREE_H */
