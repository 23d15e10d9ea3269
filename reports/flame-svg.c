// SPDX-License-Identifier: MIT
/* Interactive SVG flame graph; see flame-svg.h. */
#include "reports/flame-svg.h"
#include "analysis/flame-tree.h"
#include "reports/output.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_H		16	/* px per stack level */
#define FONT_SIZE	12
#define FONT_W		0.59	/* average glyph width / font size (Verdana-ish) */
#define XPAD		10
#define YPAD_TOP	56	/* title, subtitle, buttons */
#define YPAD_BOTTOM	40	/* details line, footer */
#define DEFAULT_WIDTH	1200
#define DEFAULT_MIN	0.001

/* FNV-1a: stable across runs and machines, unlike pointer-based hashes. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static uint32_t rgb(double r, double g, double b)
{
	return ((uint32_t)r & 0xff) << 16 | ((uint32_t)g & 0xff) << 8 | ((uint32_t)b & 0xff);
}

/* Category colours of synthetic frames "[reason]". */
static const struct {
	const char *name;
	uint32_t rgb;
} synth_colors[] = {
	{ "[lock]", 0xb482dc }, { "[net]", 0x64be64 }, { "[timer]", 0xa0aac8 },
	{ "[io]", 0xc8a06e },   { "[runq]", 0xf08cb4 }, { "[fault]", 0xe6dc64 },
	{ "[no stack]", 0xd2d2d2 }, { "[other]", 0xbebebe }, { "[idle]", 0xe6e6e6 },
};

/* The colour of a "[reason]" frame, 0 if name is none of them. */
static uint32_t reason_color(const char *name)
{
	for (size_t i = 0; i < sizeof(synth_colors) / sizeof(synth_colors[0]); i++)
		if (!strcmp(name, synth_colors[i].name))
			return synth_colors[i].rgb;
	return 0;
}

uint32_t flame_svg__default_color(const struct flame_tree *t, uint32_t node)
{
	const struct flame_node *n = &t->nodes[node];
	const char *name = flame_tree__name(t, node);
	uint32_t h = name_hash(name), c;
	/* three independent-looking fractions of one hash */
	double v1 = (h & 0xff) / 255.0, v2 = ((h >> 8) & 0xff) / 255.0,
	       v3 = ((h >> 16) & 0xff) / 255.0;

	/*
	 * Code whose time here is mostly blocked (off-CPU, run queue) takes
	 * the colour of its wait reason, washed out so the "[reason]" frame
	 * itself stands out; mixed reasons a blue-grey.  On-CPU code keeps
	 * the palettes below, so wall-clock graphs read at a glance.
	 */
	if (n->kind != FLAME_ROOT && n->kind != FLAME_SYNTH && n->blocked * 2 > n->total[0]) {
		double mix = 0.45 + 0.25 * v1, base = n->kind == FLAME_KERNEL ? 150 : 225;

		c = n->reason != FLAME_MIXED ? reason_color(flame_tree__name(t, n->reason)) : 0;
		if (!c)
			return rgb(140 + 40 * v1, 160 + 40 * v1, 190 + 40 * v2);
		return rgb(((c >> 16) & 0xff) * mix + base * (1 - mix),
			   ((c >> 8) & 0xff) * mix + base * (1 - mix),
			   (c & 0xff) * mix + base * (1 - mix));
	}
	switch (n->kind) {
	case FLAME_ROOT:
		return 0xd7d7d7;
	case FLAME_KERNEL:
		return rgb(100 + 60 * v1, 160 + 60 * v2, 230 + 25 * v3);
	case FLAME_INLINE:
		return rgb(50 + 60 * v1, 165 + 55 * v1, 165 + 55 * v2);
	case FLAME_SYNTH:
		if ((c = reason_color(name)))
			return c;
		return rgb(170 + 40 * v1, 170 + 40 * v1, 170 + 40 * v2);
	default:
		/* FlameGraph's "hot" palette */
		return rgb(205 + 50 * v3, 230 * v1, 55 * v2);
	}
}

uint32_t flame_svg__delta_color(double d)
{
	if (!isfinite(d) || d == 0)
		return 0xfafafa;
	if (d > 1)
		d = 1;
	if (d < -1)
		d = -1;
	if (d > 0)
		return rgb(255, 250 * (1 - d), 250 * (1 - d));
	return rgb(250 * (1 + d), 250 * (1 + d), 255);
}

static void write_label(FILE *f, const char *name, double w)
{
	size_t chars = (size_t)(w / (FONT_SIZE * FONT_W)), len = strlen(name);
	char buf[1024];

	if (chars < 3)
		return;
	if (len <= chars) {
		output__xml_str(f, name);
		return;
	}
	/* cut at a UTF-8 character boundary */
	chars -= 2;
	if (chars > sizeof(buf) - 1)
		chars = sizeof(buf) - 1;
	while (chars && ((unsigned char)name[chars] & 0xc0) == 0x80)
		chars--;
	memcpy(buf, name, chars);
	buf[chars] = '\0';
	output__xml_str(f, buf);
	fputs("..", f);
}

static void fmt_value(const struct flame_tree *t, int64_t v, char *buf, size_t len)
{
	if (!t->unit[0] || !strcmp(t->unit, "count")) {
		char n[OUTPUT_NUM_LEN];

		snprintf(buf, len, "%s %s", output__fmt_count(v, n, sizeof(n)),
			 t->type[0] ? t->type : "samples");
	} else {
		output__fmt_value(v, t->unit, buf, len);
	}
}

/*
 * The script: kept small and dependency-free.  Frames are <g class="f">
 * with data-x / data-w (offset and width in sample units) and data-d
 * (depth); geometry is recomputed from those on zoom.
 */
static const char script[] =
"var fg = { svg: null, frames: [], zoomed: null, matched: null };\n"
"function fg_name(g) { var t = g.querySelector('title').textContent;\n"
"  var i = t.lastIndexOf(' ('); return i < 0 ? t : t.substring(0, i); }\n"
"function fg_label(g, w) {\n"
"  var txt = g.querySelector('text'), name = g.fgname;\n"
"  var chars = Math.floor(w / (fg_font * 0.59));\n"
"  txt.setAttribute('x', +g.querySelector('rect').getAttribute('x') + 3);\n"
"  if (chars < 3) { txt.textContent = ''; return; }\n"
"  txt.textContent = name.length <= chars ? name : name.substring(0, chars - 2) + '..';\n"
"}\n"
"function fg_init(evt) {\n"
"  fg.svg = document.documentElement;\n"
"  fg.details = document.getElementById('details').firstChild;\n"
"  fg.matchedtxt = document.getElementById('matched');\n"
"  fg.unzoombtn = document.getElementById('unzoom');\n"
"  var gs = document.querySelectorAll('g.f');\n"
"  for (var i = 0; i < gs.length; i++) {\n"
"    var g = gs[i], r = g.querySelector('rect');\n"
"    g.fgx = +g.getAttribute('data-x'); g.fgw = +g.getAttribute('data-w');\n"
"    g.fgd = +g.getAttribute('data-d'); g.fgname = fg_name(g);\n"
"    g.fgox = r.getAttribute('x'); g.fgow = r.getAttribute('width');\n"
"    g.fgfill = r.getAttribute('fill');\n"
"    g.addEventListener('click', function (e) { fg_zoom(this); e.stopPropagation(); });\n"
"    g.addEventListener('mouseover', function () {\n"
"      fg.details.nodeValue = this.querySelector('title').textContent; });\n"
"    g.addEventListener('mouseout', function () { fg.details.nodeValue = ' '; });\n"
"    fg.frames.push(g);\n"
"  }\n"
"  fg.unzoombtn.addEventListener('click', fg_unzoom);\n"
"  document.getElementById('search').addEventListener('click', fg_search_prompt);\n"
"  window.addEventListener('keydown', function (e) {\n"
"    if ((e.ctrlKey || e.metaKey) && e.keyCode === 70) { e.preventDefault(); fg_search_prompt(); }\n"
"    else if (e.keyCode === 27) { fg_unzoom(); fg_reset_search(); }\n"
"  });\n"
"  var q = fg_params();\n"
"  /* z and u click like a user would, so the event wiring is exercised too */\n"
"  if (q.z !== undefined) { for (var i = 0; i < fg.frames.length; i++)\n"
"    if (fg.frames[i].fgname === q.z) { fg_click(fg.frames[i]); break; } }\n"
"  if (q.u) fg_click(fg.unzoombtn);\n"
"  if (q.s !== undefined && q.s !== '') fg_search(q.s);\n"
"  if (q.fgtest) fg_test_report();\n"
"}\n"
"function fg_click(e) { e.dispatchEvent(new MouseEvent('click', { bubbles: true })); }\n"
"function fg_params() {\n"
"  var r = {}, s = window.location.search.substring(1).split('&');\n"
"  for (var i = 0; i < s.length; i++) { if (!s[i]) continue;\n"
"    var kv = s[i].split('='); r[decodeURIComponent(kv[0])] =\n"
"      decodeURIComponent((kv[1] || '').replace(/\\+/g, ' ')); }\n"
"  return r;\n"
"}\n"
"function fg_zoom(g) {\n"
"  var zx = g.fgx, zw = g.fgw, zd = g.fgd, scale = fg_avail / zw;\n"
"  fg.zoomed = g; fg.unzoombtn.classList.remove('hide');\n"
"  for (var i = 0; i < fg.frames.length; i++) {\n"
"    var e = fg.frames[i], r = e.querySelector('rect');\n"
"    e.classList.remove('parent'); e.classList.remove('hide');\n"
"    if (e.fgd < zd && e.fgx <= zx && e.fgx + e.fgw >= zx + zw) {\n"
"      e.classList.add('parent'); r.setAttribute('x', fg_xpad);\n"
"      r.setAttribute('width', fg_avail); fg_label(e, fg_avail);\n"
"    } else if (e.fgd >= zd && e.fgx >= zx && e.fgx + e.fgw <= zx + zw) {\n"
"      var w = e.fgw * scale;\n"
"      r.setAttribute('x', fg_xpad + (e.fgx - zx) * scale); r.setAttribute('width', w);\n"
"      fg_label(e, w);\n"
"    } else { e.classList.add('hide'); }\n"
"  }\n"
"}\n"
"function fg_unzoom() {\n"
"  fg.zoomed = null; fg.unzoombtn.classList.add('hide');\n"
"  for (var i = 0; i < fg.frames.length; i++) {\n"
"    var e = fg.frames[i], r = e.querySelector('rect');\n"
"    e.classList.remove('parent'); e.classList.remove('hide');\n"
"    r.setAttribute('x', e.fgox); r.setAttribute('width', e.fgow); fg_label(e, +e.fgow);\n"
"  }\n"
"}\n"
"function fg_search_prompt() {\n"
"  if (fg.matched !== null) { fg_reset_search(); return; }\n"
"  var term = prompt('Search for (regular expression, e.g. ^tcp_ or lock):', '');\n"
"  if (term) fg_search(term);\n"
"}\n"
"function fg_reset_search() {\n"
"  fg.matched = null; fg.matchedtxt.textContent = ' ';\n"
"  for (var i = 0; i < fg.frames.length; i++) {\n"
"    var e = fg.frames[i]; e.querySelector('rect').setAttribute('fill', e.fgfill);\n"
"    e.classList.remove('match'); }\n"
"  document.getElementById('search').textContent = 'Search';\n"
"}\n"
"function fg_search(term) {\n"
"  var re; try { re = new RegExp(term); } catch (err) {\n"
"    re = new RegExp(term.replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&')); }\n"
"  fg_reset_search();\n"
"  var hits = [];\n"
"  for (var i = 0; i < fg.frames.length; i++) {\n"
"    var e = fg.frames[i];\n"
"    if (e.fgd === 0 || !re.test(e.fgname)) continue;\n"
"    e.querySelector('rect').setAttribute('fill', 'rgb(230,0,230)');\n"
"    e.classList.add('match'); hits.push(e);\n"
"  }\n"
"  /* Frames are nested or disjoint: count a match only outside the last one counted. */\n"
"  hits.sort(function (a, b) { return a.fgx - b.fgx || b.fgw - a.fgw; });\n"
"  var sum = 0, end = -1;\n"
"  for (var i = 0; i < hits.length; i++)\n"
"    if (hits[i].fgx >= end) { sum += hits[i].fgw; end = hits[i].fgx + hits[i].fgw; }\n"
"  fg.matched = { term: term, count: hits.length, value: sum,\n"
"    pct: fg_total ? 100 * sum / fg_total : 0 };\n"
"  fg.matchedtxt.textContent = 'Matched: ' + fg.matched.pct.toFixed(1) + '%';\n"
"  document.getElementById('search').textContent = 'Reset Search';\n"
"}\n"
"function fg_test_report() {\n"
"  var st = { zoomed: fg.zoomed ? fg.zoomed.fgname : null, visible: [], parents: [],\n"
"    matched: fg.matched };\n"
"  for (var i = 0; i < fg.frames.length; i++) { var e = fg.frames[i];\n"
"    if (e.classList.contains('hide')) continue;\n"
"    var o = { name: e.fgname, d: e.fgd,\n"
"      x: +e.querySelector('rect').getAttribute('x'),\n"
"      w: +e.querySelector('rect').getAttribute('width'),\n"
"      label: e.querySelector('text').textContent };\n"
"    if (e.classList.contains('parent')) st.parents.push(e.fgname);\n"
"    st.visible.push(o); }\n"
"  document.getElementById('fgtest').textContent = JSON.stringify(st);\n"
"}\n";

struct layout {
	const struct flame_tree *t;
	const struct flame_svg_opts *o;
	int64_t *x;		/* per node: offset in value units */
	int64_t *cursor;	/* per node: where the next child starts */
	int64_t min_value;
	int64_t total;
	uint32_t drawn, hidden, max_depth;
};

static int count_visit(const struct flame_tree *t, uint32_t n, void *ctx)
{
	struct layout *l = ctx;
	const struct flame_node *node = &t->nodes[n];
	int64_t v = node->total[l->o->slot];

	l->x[n] = l->cursor[node->parent];
	l->cursor[node->parent] += v;
	l->cursor[n] = l->x[n];
	/* min_value >= 1; nothing below a node is wider than it (hidden ones are counted apart) */
	if (v < l->min_value)
		return FLAME_WALK_SKIP;
	l->drawn++;
	if (node->depth > l->max_depth)
		l->max_depth = node->depth;
	return 0;
}

/* Nodes with a value under the threshold, in one pass over the array. */
static uint32_t count_hidden(const struct layout *l)
{
	const struct flame_tree *t = l->t;
	uint32_t hidden = 0;

	if (l->min_value <= 1)
		return 0;
	for (uint32_t n = 1; n < t->nr_nodes; n++) {
		int64_t v = t->nodes[n].total[l->o->slot];

		hidden += v > 0 && v < l->min_value;
	}
	return hidden;
}

struct draw {
	struct layout *l;
	FILE *f;
	int height;
	double avail;
};

static void draw_frame(struct draw *d, uint32_t n)
{
	const struct flame_tree *t = d->l->t;
	const struct flame_svg_opts *o = d->l->o;
	const struct flame_node *node = &t->nodes[n];
	int64_t v = node->total[o->slot];
	double x = XPAD + (double)d->l->x[n] / d->l->total * d->avail;
	double w = (double)v / d->l->total * d->avail;
	double y = o->inverted ? YPAD_TOP + node->depth * FRAME_H
			       : d->height - YPAD_BOTTOM - (node->depth + 1) * FRAME_H;
	const char *name = flame_tree__name(t, n);
	char val[64], note[256] = "";
	uint32_t c;

	if (!(o->color && o->color(t, n, o->color_ctx, &c)))
		c = o->delta ? flame_svg__delta_color(o->delta[n])
			     : flame_svg__default_color(t, n);
	fmt_value(t, v, val, sizeof(val));
	if (o->annotate)
		o->annotate(t, n, o->annotate_ctx, note, sizeof(note));
	fprintf(d->f, "<g class=\"f\" data-x=\"%" PRId64 "\" data-w=\"%" PRId64 "\" data-d=\"%u\">"
		"<title>", d->l->x[n], v, node->depth);
	output__xml_str(d->f, name);
	fprintf(d->f, " (%s, %.2f%%", val, 100.0 * v / d->l->total);
	if (note[0]) {
		fputs(", ", d->f);
		output__xml_str(d->f, note);
	}
	fprintf(d->f, ")</title><rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" "
		"fill=\"#%06x\" rx=\"2\"/><text x=\"%.1f\" y=\"%.1f\">",
		x, y, w, FRAME_H - 1, c, x + 3, y + FRAME_H - 4.5);
	write_label(d->f, name, w);
	fputs("</text></g>\n", d->f);
}

static int draw_visit(const struct flame_tree *t, uint32_t n, void *ctx)
{
	struct draw *d = ctx;
	int64_t v = t->nodes[n].total[d->l->o->slot];

	if (v < d->l->min_value)
		return FLAME_WALK_SKIP;
	draw_frame(d, n);
	return 0;
}

static void write_header(FILE *f, int width, int height, const char *title,
			 const char *subtitle)
{
	fprintf(f,
		"<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"onload=\"fg_init(evt)\" xmlns=\"http://www.w3.org/2000/svg\">\n"
		"<!-- Flame graph by peerscope.  Click a frame to zoom, Ctrl-F to search. -->\n"
		"<style type=\"text/css\">\n"
		"text { font-family: Verdana, sans-serif; font-size: %dpx; fill: #000; }\n"
		"g.f text { pointer-events: none; }\n"
		"g.f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }\n"
		"g.parent { opacity: 0.5; }\n"
		".hide { display: none; }\n"
		"#title { text-anchor: middle; font-size: 17px; }\n"
		"#subtitle { text-anchor: middle; fill: #555; }\n"
		"#search, #matched { text-anchor: end; }\n"
		"#unzoom, #search { cursor: pointer; }\n"
		"#footer { fill: #777; font-size: 10px; }\n"
		"</style>\n",
		width, height, width, height, FONT_SIZE);
	fprintf(f,
		"<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"#f8f8f8\"/>\n"
		"<text id=\"title\" x=\"%d\" y=\"24\">",
		width / 2);
	output__xml_str(f, title);
	fputs("</text>\n", f);
	if (subtitle) {
		fprintf(f, "<text id=\"subtitle\" x=\"%d\" y=\"42\">", width / 2);
		output__xml_str(f, subtitle);
		fputs("</text>\n", f);
	}
	fprintf(f,
		"<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"24\">Reset Zoom</text>\n"
		"<text id=\"search\" x=\"%d\" y=\"24\">Search</text>\n"
		"<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n"
		"<text id=\"matched\" x=\"%d\" y=\"%d\"> </text>\n"
		"<text id=\"fgtest\" class=\"hide\" x=\"0\" y=\"0\"></text>\n",
		XPAD, width - XPAD, XPAD, height - YPAD_BOTTOM + 16, width - XPAD,
		height - YPAD_BOTTOM + 16);
}

int flame_svg__write(FILE *f, const struct flame_tree *t, const struct flame_svg_opts *o)
{
	static const struct flame_svg_opts defaults;
	struct layout l = { .t = t };
	struct draw d = { .l = &l, .f = f };
	const char *title;
	double min_share;
	int width, height, err = 0;
	char tot[64];

	if (!f || !t || !t->finished)
		return -EINVAL;
	if (!o)
		o = &defaults;
	if (o->slot < 0 || o->slot >= FLAME_SLOTS)
		return -EINVAL;
	l.o = o;
	width = o->width > 0 ? o->width : DEFAULT_WIDTH;
	if (width < 2 * XPAD + 100)
		width = 2 * XPAD + 100;
	title = o->title ? o->title : o->inverted ? "Icicle Graph" : "Flame Graph";
	min_share = o->min_share == 0 ? DEFAULT_MIN : o->min_share < 0 ? 0 : o->min_share;
	l.total = t->nodes[0].total[o->slot];

	if (l.total <= 0) {
		height = YPAD_TOP + YPAD_BOTTOM + FRAME_H;
		write_header(f, width, height, title, o->subtitle);
		fprintf(f, "<text x=\"%d\" y=\"%d\">no samples of this type in the recording</text>\n"
			"<script type=\"text/ecmascript\"><![CDATA[\nfunction fg_init(evt) {}\n"
			"]]></script>\n</svg>\n", XPAD, YPAD_TOP + FRAME_H);
		goto out_flush;
	}
	l.x = calloc(t->nr_nodes, sizeof(*l.x));
	l.cursor = calloc(t->nr_nodes, sizeof(*l.cursor));
	if (!l.x || !l.cursor) {
		err = -ENOMEM;
		goto out_free;
	}
	/* the smallest value that is still drawn; at least one unit */
	l.min_value = (int64_t)ceil(min_share * l.total);
	if (l.min_value < 1)
		l.min_value = 1;
	flame_tree__walk(t, count_visit, NULL, &l);
	l.hidden = count_hidden(&l);
	d.avail = width - 2 * XPAD;
	d.height = height = YPAD_TOP + YPAD_BOTTOM + (l.max_depth + 1) * FRAME_H + 4;

	write_header(f, width, height, title, o->subtitle);
	fprintf(f, "<script type=\"text/ecmascript\"><![CDATA[\n"
		"var fg_total = %" PRId64 ", fg_avail = %.1f, fg_xpad = %d, fg_font = %d;\n%s"
		"]]></script>\n", l.total, d.avail, XPAD, FONT_SIZE, script);
	fputs("<g id=\"frames\">\n", f);
	draw_frame(&d, 0);
	flame_tree__walk(t, draw_visit, NULL, &d);
	fputs("</g>\n", f);

	fmt_value(t, l.total, tot, sizeof(tot));
	fprintf(f, "<text id=\"footer\" x=\"%d\" y=\"%d\">total %s; ", XPAD, height - 6, tot);
	if (l.hidden)
		fprintf(f, "%u frames hidden (narrower than %.2g %%); ", l.hidden,
			min_share * 100);
	fputs(o->delta ? "red: grew, blue: shrank" :
	      "warm: user, blue: kernel, aqua: inlined, other: [label] frames", f);
	if (o->footer) {
		fputs("; ", f);
		output__xml_str(f, o->footer);
	}
	fputs("</text>\n</svg>\n", f);
out_flush:
	if (fflush(f) || ferror(f))
		err = errno ? -errno : -EIO;
out_free:
	free(l.x);
	free(l.cursor);
	return err;
}
