/* SPDX-License-Identifier: MIT */
/*
 * Interactive flame graph as one self-contained SVG (no external files,
 * works offline and in headless Chromium):
 *
 * - click a frame to zoom into it; its ancestors stay visible, dimmed;
 *   "Reset Zoom" (or Escape) goes back;
 * - "Search" (or Ctrl-F) takes a regular expression (a plain substring
 *   when it does not compile), highlights matching frames and shows the
 *   share of all samples they cover, nested matches counted once;
 * - every frame has a tooltip (<title>): name, value, share of the total;
 * - frames narrower than opts.min_share of the total are left out to keep
 *   the file small, and the footer says how many.
 *
 * Colours are deterministic (a hash of the name): user frames warm
 * (red-yellow), kernel frames blue, inlined frames aqua, synthetic label
 * frames by category ([lock] purple, [net] green, [io] brown, [timer]
 * slate, [runq] pink, [fault] yellow, others grey).  A caller can replace
 * the colour of any node (opts.color) or give a per-node delta in -1..1
 * (opts.delta: red = grew, blue = shrank, white = same; the differential
 * flame graph).
 *
 * URL query parameters, for links and for tests: s=REGEX searches on load,
 * z=NAME zooms into the first frame of that name (document order), u=1
 * then clicks "Reset Zoom", and fgtest=1 writes the resulting state as
 * JSON into the text element #fgtest (see tests/flame/).
 */
#ifndef PEERSCOPE_FLAME_SVG_H
#define PEERSCOPE_FLAME_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct flame_tree;

struct flame_svg_opts {
	const char *title;	/* NULL: "Flame Graph" ("Icicle Graph" inverted) */
	const char *subtitle;	/* second line under the title, or NULL */
	int width;		/* image width in px; 0 = 1200 */
	bool inverted;		/* icicle: root at the top, stacks grow down */
	/*
	 * Frames narrower than this share of the total are not drawn
	 * (0 = 0.001, i.e. 0.1 %; negative = draw everything).
	 */
	double min_share;
	int slot;		/* value slot that gives widths (0 or 1) */
	/*
	 * Per-node colour override: return true with *rgb = 0xRRGGBB, or
	 * false for the default colour.  Called once per drawn frame.
	 */
	bool (*color)(const struct flame_tree *t, uint32_t node, void *ctx, uint32_t *rgb);
	void *color_ctx;
	/* Per-node deltas (indexed by node id, -1..1), or NULL. */
	const double *delta;
	/*
	 * Extra tooltip text after the value and share (e.g. "+12 %"): write
	 * into buf (plain text, escaped by the writer).  NULL for none.
	 */
	void (*annotate)(const struct flame_tree *t, uint32_t node, void *ctx, char *buf,
			 size_t len);
	void *annotate_ctx;
	const char *footer;	/* extra footer text, or NULL */
};

/*
 * Writes the finished tree t as SVG.  Returns 0 or a negative errno (-EIO
 * when writing failed).  A tree without samples gives a small SVG that says
 * so.
 */
int flame_svg__write(FILE *f, const struct flame_tree *t, const struct flame_svg_opts *o);

/* The default colour of a node (0xRRGGBB), for callbacks that fall back. */
uint32_t flame_svg__default_color(const struct flame_tree *t, uint32_t node);
/* The differential colour of a delta in -1..1. */
uint32_t flame_svg__delta_color(double delta);

#endif /* PEERSCOPE_FLAME_SVG_H */
