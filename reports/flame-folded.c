// SPDX-License-Identifier: MIT
/* Folded-stack writer; see flame-folded.h. */
#include "reports/flame-folded.h"
#include "analysis/flame-tree.h"
#include "format/folded.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * The walk keeps the current path as one growing line: len[d] is the
 * length of the prefix up to and including the frame at depth d.
 */
struct fold_ctx {
	FILE *f;
	int slot;		/* -1: diff form */
	char *line;
	size_t cap;
	size_t *len;		/* by depth */
	int err;
};

static enum folded_mark mark(uint8_t kind)
{
	switch (kind) {
	case FLAME_KERNEL: return FOLDED_KERNEL;
	case FLAME_INLINE: return FOLDED_INLINE;
	default: return FOLDED_PLAIN;
	}
}

static int fold_visit(const struct flame_tree *t, uint32_t n, void *ctx)
{
	struct fold_ctx *c = ctx;
	const struct flame_node *node = &t->nodes[n];
	const char *name = flame_tree__name(t, n);
	size_t at = node->depth > 1 ? c->len[node->depth - 1] : 0;
	size_t need = at + 1 + folded__frame_len(name, mark(node->kind)) + 1;
	char *w;

	if (need > c->cap) {
		size_t cap = need * 2;
		char *nl = realloc(c->line, cap);

		if (!nl)
			return c->err = -ENOMEM;
		c->line = nl;
		c->cap = cap;
	}
	w = c->line + at;
	if (node->depth > 1)
		*w++ = ';';
	w = folded__put_frame(w, name, mark(node->kind));
	c->len[node->depth] = w - c->line;

	if (c->slot >= 0) {
		if (node->self[c->slot] > 0)
			folded__write_line(c->f, c->line, c->len[node->depth],
					   &node->self[c->slot], 1);
	} else if (node->self[0] > 0 || node->self[1] > 0) {
		folded__write_line(c->f, c->line, c->len[node->depth], node->self, 2);
	}
	return 0;
}

static int fold(FILE *f, const struct flame_tree *t, int slot)
{
	struct fold_ctx c = { .f = f, .slot = slot };
	int err;

	if (!f || !t || !t->finished || slot >= FLAME_SLOTS)
		return -EINVAL;
	c.len = calloc(t->max_depth + 2, sizeof(*c.len));
	if (!c.len)
		return -ENOMEM;
	err = flame_tree__walk(t, fold_visit, NULL, &c);
	free(c.line);
	free(c.len);
	if (err)
		return err;
	if (fflush(f) || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

int flame_folded__write(FILE *f, const struct flame_tree *t, int slot)
{
	if (slot < 0)
		return -EINVAL;
	return fold(f, t, slot);
}

int flame_folded__write_diff(FILE *f, const struct flame_tree *t)
{
	return fold(f, t, -1);
}

int flame_folded__write_profile(FILE *f, const struct profile *p,
				const struct flame_tree_opts *o)
{
	struct flame_tree *t;
	int err = 0;

	t = flame_tree__build(p, o, &err);
	if (!t)
		return err;
	err = flame_folded__write(f, t, 0);
	flame_tree__free(t);
	return err;
}
