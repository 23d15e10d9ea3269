// SPDX-License-Identifier: MIT
/*
 * Unit tests of the flame graph side: call tree (reports/analysis/flame-tree.c),
 * folded writer (flame-folded.c), SVG (flame-svg.c) and output helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/flame-folded.h"
#include "reports/flame-svg.h"
#include "analysis/flame-tree.h"
#include "flame_helpers.h"
#include "reports/output.h"
#include "format/pprof.h"
#include "core/profile.h"

static struct flame_tree *build(const struct profile *p, int t)
{
	struct flame_tree_opts o = { .type_idx = t };
	int err = 0;
	struct flame_tree *tree = flame_tree__build(p, &o, &err);

	assert_non_null(tree);
	assert_int_equal(err, 0);
	return tree;
}

/* The order of visits and leaves, as "v:name" and "l:name". */
struct walk_log {
	char buf[256];
	const char *skip;
};

static int log_visit(const struct flame_tree *t, uint32_t n, void *ctx)
{
	struct walk_log *w = ctx;
	const char *name = flame_tree__name(t, n);

	snprintf(w->buf + strlen(w->buf), sizeof(w->buf) - strlen(w->buf), "v:%s ", name);
	return w->skip && !strcmp(name, w->skip) ? FLAME_WALK_SKIP : 0;
}

static void log_leave(const struct flame_tree *t, uint32_t n, void *ctx)
{
	struct walk_log *w = ctx;

	snprintf(w->buf + strlen(w->buf), sizeof(w->buf) - strlen(w->buf), "l:%s ",
		 flame_tree__name(t, n));
}

/* FLAME_WALK_SKIP passes over a node's children, not its siblings. */
static void test_walk_skip(void **state)
{
	static const char *const s1[] = { "a", "b", "c" }, *const s2[] = { "a", "d" },
				  *const s3[] = { "e", "f" };
	struct flame_tree *t = flame_tree__new();
	struct walk_log w = { .skip = NULL };

	(void)state;
	assert_non_null(t);
	assert_int_equal(flame_tree__add_stack(t, s1, NULL, 3, 1, 0), 0);
	assert_int_equal(flame_tree__add_stack(t, s2, NULL, 2, 1, 0), 0);
	assert_int_equal(flame_tree__add_stack(t, s3, NULL, 2, 1, 0), 0);
	assert_int_equal(flame_tree__finish(t), 0);
	assert_int_equal(flame_tree__walk(t, log_visit, log_leave, &w), 0);
	assert_string_equal(w.buf, "v:a v:b v:c l:c l:b v:d l:d l:a v:e v:f l:f l:e ");
	w = (struct walk_log){ .skip = "a" };
	assert_int_equal(flame_tree__walk(t, log_visit, log_leave, &w), 0);
	assert_string_equal(w.buf, "v:a l:a v:e v:f l:f l:e ");
	w = (struct walk_log){ .skip = "b" };
	assert_int_equal(flame_tree__walk(t, log_visit, log_leave, &w), 0);
	assert_string_equal(w.buf, "v:a v:b l:b v:d l:d l:a v:e v:f l:f l:e ");
	flame_tree__free(t);
}

static void test_tree_counts(void **state)
{
	struct profile *p = profile__new();
	int t = profile__add_type(p, "samples", "count");
	struct flame_tree *tree;
	uint32_t main_, foo, bar, ku, kk;

	fh_add(p, t, 5, 0, "main", "foo", "bar", NULL);
	fh_add(p, t, 3, 0, "main", "foo", NULL);
	fh_add(p, t, 2, 0, "main", "write", NULL);
	fh_add(p, t, 4, 0, "main", "write", "write_[k]", NULL);
	fh_add(p, t, 0, 0, "main", "zero", NULL);	/* no value: no node */
	tree = build(p, t);

	assert_int_equal(tree->nodes[0].total[0], 14);
	assert_int_equal(tree->max_depth, 3);
	main_ = flame_tree__find_child(tree, 0, "main", FLAME_USER);
	assert_int_not_equal(main_, 0);
	assert_int_equal(tree->nodes[main_].total[0], 14);
	assert_int_equal(tree->nodes[main_].self[0], 0);
	foo = flame_tree__find_child(tree, main_, "foo", FLAME_USER);
	assert_int_equal(tree->nodes[foo].total[0], 8);
	assert_int_equal(tree->nodes[foo].self[0], 3);
	bar = flame_tree__find_child(tree, foo, "bar", FLAME_USER);
	assert_int_equal(tree->nodes[bar].total[0], 5);
	assert_int_equal(tree->nodes[bar].self[0], 5);
	assert_int_equal(tree->nodes[bar].depth, 3);
	/* the kernel "write" is not the user "write" */
	ku = flame_tree__find_child(tree, main_, "write", FLAME_USER);
	kk = flame_tree__find_child(tree, ku, "write", FLAME_KERNEL);
	assert_int_not_equal(kk, 0);
	assert_int_equal(tree->nodes[ku].total[0], 6);
	assert_int_equal(tree->nodes[kk].total[0], 4);
	assert_int_equal(flame_tree__find_child(tree, main_, "zero", FLAME_USER), 0);
	/* children sorted by name */
	assert_int_equal(tree->nodes[main_].first_child, foo);
	assert_int_equal(tree->nodes[foo].next_sibling, ku);
	flame_tree__free(tree);
	profile__free(p);
}

static void test_tree_labels(void **state)
{
	struct profile *p = profile__new();
	int t = profile__add_type(p, "offcpu", "nanoseconds");
	struct pf_label_kv lock[] = { { "reason", "lock" }, { "thread", "w1" } };
	struct pf_label_kv net[] = { { "reason", "net" }, { "thread", "w2" } };
	struct flame_tree_opts o = { .type_idx = t, .leaf_label = "reason",
				     .root_label = "thread" };
	struct flame_tree *tree;
	char *out = NULL;
	int err = 0;

	fh_add(p, t, 100, profile__intern_labels(p, lock, 2), "main", "mutex_lock", NULL);
	fh_add(p, t, 50, profile__intern_labels(p, net, 2), "main", "recv", NULL);
	fh_add(p, t, 7, 0, "main", "recv", NULL);	/* no labels: no synthetic frame */
	fh_add(p, t, 9, 0, NULL);			/* no stack at all */
	tree = flame_tree__build(p, &o, &err);
	assert_non_null(tree);
	FH_CAPTURE(out, flame_folded__write(f, tree, 0));
	assert_string_equal(out,
			    "[no stack] 9\n"
			    "[w1];main;mutex_lock;[lock] 100\n"
			    "[w2];main;recv;[net] 50\n"
			    "main;recv 7\n");
	free(out);
	flame_tree__free(tree);
	profile__free(p);
}

/*
 * A worker's condition-variable wait and Go's sysmon sleep are waiting for
 * work: "[idle]", not "[lock]"; a contended mutex stays "[lock]", and
 * waiting for a CPU stays "[runq]" even on an idle stack.
 */
static void test_tree_idle_leaf(void **state)
{
	struct profile *p = profile__new();
	int t = profile__add_type(p, "wall", "nanoseconds");
	struct pf_label_kv lock[] = { { "reason", "lock" } };
	struct pf_label_kv runq[] = { { "reason", "runq" } };
	struct flame_tree_opts o = { .type_idx = t, .leaf_label = "reason", .idle_leaf = true };
	struct flame_tree *tree;
	char *out = NULL;
	int err = 0;
	uint32_t l = profile__intern_labels(p, lock, 1), r = profile__intern_labels(p, runq, 1);

	fh_add(p, t, 100, l, "start_thread", "worker", "pthread_cond_wait", NULL);
	fh_add(p, t, 40, l, "runtime.mstart", "runtime.sysmon", "runtime.notetsleep",
	       "runtime.futex", NULL);
	fh_add(p, t, 30, l, "main", "dht_lookup", "__lll_lock_wait", NULL);
	fh_add(p, t, 5, r, "start_thread", "worker", "pthread_cond_wait", NULL);
	tree = flame_tree__build(p, &o, &err);
	assert_non_null(tree);
	FH_CAPTURE(out, flame_folded__write(f, tree, 0));
	assert_string_equal(out,
			    "main;dht_lookup;__lll_lock_wait;[lock] 30\n"
			    "runtime.mstart;runtime.sysmon;runtime.notetsleep;runtime.futex;[idle] 40\n"
			    "start_thread;worker;pthread_cond_wait;[idle] 100\n"
			    "start_thread;worker;pthread_cond_wait;[runq] 5\n");
	free(out);
	flame_tree__free(tree);
	profile__free(p);
}

/* Waker edges (blocked stack, "-", waker stack) are cut at "-" unless asked for. */
static void test_tree_wakers(void **state)
{
	struct profile *p = profile__new();
	int t = profile__add_type(p, "offcpu", "nanoseconds");
	struct pf_label_kv lock[] = { { "reason", "lock" } };
	struct flame_tree_opts o = { .type_idx = t, .leaf_label = "reason" };
	struct flame_tree *tree;
	char *out = NULL;
	int err = 0;

	/* root first here: the waker's root, its leaf, "-", then the blocked stack */
	fh_add(p, t, 10, profile__intern_labels(p, lock, 1), "w_main", "w_unlock", PF_WAKER_SEP,
	       "main", "mutex_lock", NULL);
	fh_add(p, t, 5, profile__intern_labels(p, lock, 1), "main", "mutex_lock", NULL);
	tree = flame_tree__build(p, &o, &err);
	assert_non_null(tree);
	FH_CAPTURE(out, flame_folded__write(f, tree, 0));
	assert_string_equal(out, "main;mutex_lock;[lock] 15\n");
	free(out);
	flame_tree__free(tree);

	o.wakers = true;
	tree = flame_tree__build(p, &o, &err);
	assert_non_null(tree);
	FH_CAPTURE(out, flame_folded__write(f, tree, 0));
	assert_string_equal(out,
			    "main;mutex_lock;[lock] 5\n"
			    "main;mutex_lock;[lock];--;w_unlock;w_main 10\n");
	free(out);
	flame_tree__free(tree);
	profile__free(p);
}

static void test_folded_writer(void **state)
{
	struct profile *p = profile__new();
	int t = profile__add_type(p, "samples", "count");
	struct pf_label_kv a[] = { { "tid", NULL, 1 } }, b[] = { { "tid", NULL, 2 } };
	struct pf_line lines[2];
	uint32_t f_inner, f_outer, loc, root, stack[2];
	struct flame_tree *tree;
	char *out = NULL;

	/* out of order, and the same stack under two label sets: merged */
	fh_add(p, t, 2, profile__intern_labels(p, b, 1), "main", "b", "sys_read_[k]", NULL);
	fh_add(p, t, 1, 0, "main", "a", NULL);
	fh_add(p, t, 3, profile__intern_labels(p, a, 1), "main", "b", "sys_read_[k]", NULL);
	fh_add(p, t, 4, 0, "main", NULL);
	/* one location with an inlined call: outer() inlines inner() */
	f_inner = profile__intern_function(p, "inner", "inner", "x.c");
	f_outer = profile__intern_function(p, "outer", "outer", "x.c");
	lines[0] = (struct pf_line){ .function = f_inner, .line = 10 };	/* innermost first */
	lines[1] = (struct pf_line){ .function = f_outer, .line = 20 };
	loc = profile__intern_location(p, false, 0x1234, 0, lines, 2);
	root = profile__intern_named_frame(p, "main", NULL, false);
	stack[0] = loc;
	stack[1] = root;
	profile__add(p, profile__intern_stack(p, stack, 2), 0, t, 6);

	tree = build(p, t);
	FH_CAPTURE(out, flame_folded__write(f, tree, 0));
	assert_string_equal(out,
			    "main 4\n"
			    "main;a 1\n"
			    "main;b;sys_read_[k] 5\n"
			    "main;outer;inner_[i] 6\n");
	free(out);
	flame_tree__free(tree);
	profile__free(p);
}

/* The folded writer's output read back gives the same folded output. */
static void test_folded_roundtrip_pprof(void **state)
{
	struct profile *p = profile__new(), *q = profile__new();
	int t = profile__add_type(p, "cpu", "nanoseconds");
	char *a = NULL, *b = NULL;
	struct flame_tree *ta, *tb;
	void *buf;
	size_t len;

	fh_add(p, t, 1000, 0, "main", "loop", "tcp_sendmsg_[k]", "memcpy_[k]", NULL);
	fh_add(p, t, 3000, 0, "main", "loop", "hash", NULL);
	assert_int_equal(pprof__encode_gz(p, &buf, &len), 0);
	assert_int_equal(pprof__decode(q, buf, len), 0);
	free(buf);
	ta = build(p, t);
	tb = build(q, profile__type_index(q, "cpu"));
	FH_CAPTURE(a, flame_folded__write(f, ta, 0));
	FH_CAPTURE(b, flame_folded__write(f, tb, 0));
	assert_string_equal(a, b);
	assert_string_equal(a, "main;loop;hash 3000\nmain;loop;tcp_sendmsg_[k];memcpy_[k] 1000\n");
	free(a);
	free(b);
	flame_tree__free(ta);
	flame_tree__free(tb);
	profile__free(p);
	profile__free(q);
}

static void test_diff_slots(void **state)
{
	struct profile *base = profile__new(), *cur = profile__new();
	int tb = profile__add_type(base, "samples", "count");
	int tc = profile__add_type(cur, "samples", "count");
	struct flame_tree_opts ob = { .type_idx = tb }, oc = { .type_idx = tc };
	struct flame_tree *t = flame_tree__new();
	char *out = NULL;

	fh_add(base, tb, 10, 0, "main", "a", NULL);
	fh_add(base, tb, 5, 0, "main", "b", NULL);
	fh_add(cur, tc, 20, 0, "main", "a", NULL);
	fh_add(cur, tc, 1, 0, "main", "c", NULL);
	assert_int_equal(flame_tree__add_profile(t, base, &ob, 0), 0);
	assert_int_equal(flame_tree__add_profile(t, cur, &oc, 1), 0);
	assert_int_equal(flame_tree__add_profile(t, cur, &oc, 2), -EINVAL);
	assert_int_equal(flame_tree__finish(t), 0);
	FH_CAPTURE(out, flame_folded__write_diff(f, t));
	assert_string_equal(out, "main;a 10 20\nmain;b 5 0\nmain;c 0 1\n");
	free(out);
	flame_tree__free(t);
	profile__free(base);
	profile__free(cur);
}

static void test_svg_escaping(void **state)
{
	struct profile *p = profile__new();
	int t = profile__add_type(p, "samples", "count");
	struct flame_tree *tree;
	char *out = NULL;

	fh_add(p, t, 10, 0, "main", "std::vector<a&b, \"q\">::f('x')", NULL);
	fh_add(p, t, 10, 0, "main", "ctl\x01" "char", NULL);
	tree = build(p, t);
	FH_CAPTURE(out, flame_svg__write(f, tree, &(struct flame_svg_opts){
		.title = "<T&T>" }));
	assert_non_null(strstr(out, "std::vector&lt;a&amp;b, &quot;q&quot;&gt;::f(&apos;x&apos;)"));
	assert_null(strstr(out, "vector<a"));
	assert_null(strstr(out, "\"q\""));
	assert_non_null(strstr(out, "&lt;T&amp;T&gt;"));
	assert_null(strchr(out, '\x01'));
	assert_non_null(strstr(out, "</svg>\n"));
	/* tooltip: name, value, share */
	assert_non_null(strstr(out, "<title>main (20 samples, 100.00%)</title>"));
	free(out);
	flame_tree__free(tree);
	profile__free(p);
}

static void test_svg_elide_and_colours(void **state)
{
	struct profile *p = profile__new();
	int t = profile__add_type(p, "samples", "count");
	struct flame_tree *tree;
	char *out = NULL, *out2 = NULL;
	uint32_t m, u, k;

	fh_add(p, t, 100000, 0, "main", "big", NULL);
	fh_add(p, t, 1, 0, "main", "tiny", "tinier", NULL);	/* 0.001 %: hidden */
	fh_add(p, t, 500, 0, "main", "sys_[k]", NULL);
	tree = build(p, t);
	FH_CAPTURE(out, flame_svg__write(f, tree, NULL));
	assert_null(strstr(out, ">tiny"));
	assert_non_null(strstr(out, "2 frames hidden"));
	/* deterministic */
	FH_CAPTURE(out2, flame_svg__write(f, tree, NULL));
	assert_string_equal(out, out2);
	free(out2);
	out2 = NULL;
	/* everything with a negative minimum */
	FH_CAPTURE(out2, flame_svg__write(f, tree, &(struct flame_svg_opts){ .min_share = -1 }));
	assert_non_null(strstr(out2, "tinier"));
	assert_null(strstr(out2, "frames hidden"));

	m = flame_tree__find_child(tree, 0, "main", FLAME_USER);
	u = flame_tree__find_child(tree, m, "big", FLAME_USER);
	k = flame_tree__find_child(tree, m, "sys", FLAME_KERNEL);
	/* user warm (red dominant), kernel blue (blue dominant) */
	assert_true((flame_svg__default_color(tree, u) >> 16) > (flame_svg__default_color(tree, u) & 0xff));
	assert_true((flame_svg__default_color(tree, k) & 0xff) > (flame_svg__default_color(tree, k) >> 16));
	assert_int_equal(flame_svg__delta_color(1), 0xff0000);
	assert_int_equal(flame_svg__delta_color(-1), 0x0000ff);
	free(out);
	free(out2);
	flame_tree__free(tree);
	profile__free(p);
}

static bool color_cb(const struct flame_tree *t, uint32_t node, void *ctx, uint32_t *rgb)
{
	if (strcmp(flame_tree__name(t, node), "big"))
		return false;
	*rgb = 0x123456;
	return true;
}

static void test_svg_callbacks_inverted(void **state)
{
	struct profile *p = profile__new();
	int t = profile__add_type(p, "samples", "count");
	struct flame_tree *tree;
	char *out = NULL;

	fh_add(p, t, 10, 0, "main", "big", NULL);
	tree = build(p, t);
	FH_CAPTURE(out, flame_svg__write(f, tree, &(struct flame_svg_opts){
		.color = color_cb, .inverted = true }));
	assert_non_null(strstr(out, "fill=\"#123456\""));
	assert_non_null(strstr(out, "Icicle Graph"));
	/* inverted: the root is drawn at the top (smallest y) */
	assert_non_null(strstr(out, "data-d=\"0\"><title>all (10 samples, 100.00%)</title>"
				    "<rect x=\"10.0\" y=\"56\""));
	free(out);
	flame_tree__free(tree);
	profile__free(p);
}

/* Blocked code takes its wait reason's colour; on-CPU code keeps the hot palette. */
static void test_svg_reason_colours(void **state)
{
	struct profile *p = profile__new();
	int t = profile__add_type(p, "wall", "nanoseconds");
	struct pf_label_kv lock[] = { { "reason", "lock" } }, net[] = { { "reason", "net" } };
	struct flame_tree_opts o = { .type_idx = t, .leaf_label = "reason" };
	struct flame_tree *tree;
	uint32_t m, take, spin, io, c_take, c_spin, c_main, c_io;
	int err = 0;

	fh_add(p, t, 90, profile__intern_labels(p, lock, 1), "main", "take", "wait", NULL);
	fh_add(p, t, 10, 0, "main", "take", NULL);			/* on-CPU */
	fh_add(p, t, 50, 0, "main", "spin", NULL);			/* on-CPU */
	fh_add(p, t, 80, profile__intern_labels(p, net, 1), "main", "io", NULL);
	tree = flame_tree__build(p, &o, &err);
	assert_non_null(tree);
	m = flame_tree__find_child(tree, 0, "main", FLAME_USER);
	take = flame_tree__find_child(tree, m, "take", FLAME_USER);
	spin = flame_tree__find_child(tree, m, "spin", FLAME_USER);
	io = flame_tree__find_child(tree, m, "io", FLAME_USER);
	assert_int_equal(tree->nodes[take].blocked, 90);
	assert_int_equal(tree->nodes[m].blocked, 170);
	assert_int_equal(tree->nodes[spin].blocked, 0);
	assert_int_not_equal(tree->nodes[take].reason, FLAME_MIXED);
	assert_string_equal(flame_tree__name(tree, tree->nodes[take].reason), "[lock]");
	assert_int_equal(tree->nodes[m].reason, FLAME_MIXED);
	c_take = flame_svg__default_color(tree, take);
	c_spin = flame_svg__default_color(tree, spin);
	c_main = flame_svg__default_color(tree, m);
	c_io = flame_svg__default_color(tree, io);
	/* hot palette: red high, blue low; lock (purple) tint: blue high */
	assert_true(((c_spin >> 16) & 0xff) >= 205 && (c_spin & 0xff) <= 55);
	assert_true((c_take & 0xff) > 150);
	/* net (green) tint: green is its largest component */
	assert_true(((c_io >> 8) & 0xff) > ((c_io >> 16) & 0xff) && ((c_io >> 8) & 0xff) > (c_io & 0xff));
	/* mixed reasons: blue-grey, blue largest */
	assert_true((c_main & 0xff) > ((c_main >> 16) & 0xff));
	flame_tree__free(tree);
	profile__free(p);
}

static void test_svg_empty(void **state)
{
	struct flame_tree *tree = flame_tree__new();
	char *out = NULL;

	assert_int_equal(flame_tree__finish(tree), 0);
	FH_CAPTURE(out, flame_svg__write(f, tree, NULL));
	assert_non_null(strstr(out, "no samples"));
	assert_non_null(strstr(out, "</svg>"));
	free(out);
	flame_tree__free(tree);
}

static void test_output_helpers(void **state)
{
	char b[OUTPUT_NUM_LEN], *out = NULL;

	assert_string_equal(output__fmt_count(0, b, sizeof(b)), "0");
	assert_string_equal(output__fmt_count(999, b, sizeof(b)), "999");
	assert_string_equal(output__fmt_count(1000, b, sizeof(b)), "1,000");
	assert_string_equal(output__fmt_count(1234567, b, sizeof(b)), "1,234,567");
	assert_string_equal(output__fmt_count(-123456, b, sizeof(b)), "-123,456");
	assert_string_equal(output__fmt_ns(12.3e6, b, sizeof(b)), "12.3 ms");
	assert_string_equal(output__fmt_ns(850, b, sizeof(b)), "850 ns");
	assert_string_equal(output__fmt_ns(1.5e9, b, sizeof(b)), "1.5 s");
	assert_string_equal(output__fmt_pct(0.045, b, sizeof(b)), "4.5 %");
	assert_string_equal(output__fmt_bytes(1536, b, sizeof(b)), "1.5 KiB");
	assert_string_equal(output__fmt_value(3, "count", b, sizeof(b)), "3");
	assert_string_equal(output__fmt_value(2048, "bytes", b, sizeof(b)), "2 KiB");
	assert_string_equal(output__xml_escape("a<b>&\"'", b, sizeof(b)),
			    "a&lt;b&gt;&amp;&quot;&apos;");
	{
		size_t len;
		FILE *f = open_memstream(&out, &len);

		output__json_str(f, "q\"\\\n\x01\xff" "é");
		fclose(f);
	}
	assert_string_equal(out, "\"q\\\"\\\\\\n\\u0001\\ufffdé\"");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_skip),
		cmocka_unit_test(test_tree_counts),
		cmocka_unit_test(test_tree_labels),
		cmocka_unit_test(test_tree_idle_leaf),
		cmocka_unit_test(test_tree_wakers),
		cmocka_unit_test(test_folded_writer),
		cmocka_unit_test(test_folded_roundtrip_pprof),
		cmocka_unit_test(test_diff_slots),
		cmocka_unit_test(test_svg_escaping),
		cmocka_unit_test(test_svg_elide_and_colours),
		cmocka_unit_test(test_svg_callbacks_inverted),
		cmocka_unit_test(test_svg_reason_colours),
		cmocka_unit_test(test_svg_empty),
		cmocka_unit_test(test_output_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
