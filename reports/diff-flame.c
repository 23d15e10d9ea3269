// SPDX-License-Identifier: MIT
/*
 * Differential flame graph: glue between diff.c's result and the flame
 * engineer's SVG writer (flame-svg.h already takes per-node deltas and a
 * width slot, so nothing here draws).
 */
#include <stdio.h>

#include "reports/diff-flame.h"
#include "reports/diff.h"
#include "reports/flame-folded.h"
#include "reports/flame-svg.h"
#include "analysis/flame-tree.h"

/* Tooltip: both shares of the frame (total) and its self change. */
static void annotate(const struct flame_tree *t, uint32_t n, void *ctx, char *buf, size_t len)
{
	const struct diff_result *r = ctx;
	const struct flame_node *node = &t->nodes[n];
	double b = node->total[0] * r->k[0], c = node->total[1] * r->k[1];
	double d = node->self[1] * r->k[1] - node->self[0] * r->k[0];

	snprintf(buf, len, "base %.2f%% -> new %.2f%%, self %+.2f pp", 100 * b, 100 * c, 100 * d);
}

int diff_flame__write_svg(FILE *f, const struct diff_result *r, const struct diff_flame_opts *o)
{
	struct flame_svg_opts so = {
		.title = o->title ? o->title : "Differential Flame Graph",
		.subtitle = o->subtitle,
		.width = o->width,
		.min_share = o->min_share,
		.slot = o->negate ? 0 : 1,
		.delta = r->node_delta,
		.annotate = annotate,
		.annotate_ctx = (void *)r,
		.footer = o->negate ? "widths: base" : "widths: new",
	};

	return flame_svg__write(f, r->tree, &so);
}

int diff_flame__write_folded(FILE *f, const struct diff_result *r)
{
	return flame_folded__write_diff(f, r->tree);
}
