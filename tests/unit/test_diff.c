// SPDX-License-Identifier: MIT
/*
 * Unit tests of peerscope diff (reports/analysis/diff.c, diff-paths.c;
 * reports/diff-print.c, diff-flame.c):
 * known answers on hand-built profiles with a planted change.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/diff-flame.h"
#include "reports/diff.h"
#include "analysis/flame-tree.h"
#include "flame_helpers.h"
#include "core/profile.h"
#include "core/records.h"

#define NR_FUNCS 10

static const char *const funcs[NR_FUNCS] = {
	"parse_msg", "encode_frame", "hash_block", "route_table_walk", "planted_slow",
	"serialize", "checksum", "queue_push", "timer_tick", "log_line",
};

/*
 * NR_FUNCS leaves of `each` samples under main;worker;caller_<i>, with
 * planted_slow scaled by `planted` and everything by `scale`.
 */
static struct profile *make(int64_t each, double planted, int64_t scale)
{
	struct profile *p = profile__new();
	int t = profile__add_type(p, "samples", "count");

	assert_non_null(p);
	for (int i = 0; i < NR_FUNCS; i++) {
		char caller[32];
		int64_t v = each * scale;

		if (!strcmp(funcs[i], "planted_slow"))
			v = (int64_t)(v * planted);
		snprintf(caller, sizeof(caller), "caller_%d", i);
		assert_true(fh_add(p, t, v, 0, "main", "worker", caller, funcs[i], NULL) >= 0);
	}
	return p;
}

static void compute(struct profile *b, struct profile *n, struct diff_opts *o,
		    struct diff_result *r)
{
	assert_int_equal(diff__compute(b, n, o, r), 0);
}

static const char *fname(const struct diff_result *r, uint32_t idx, char *buf)
{
	return diff__func_name(r, &r->funcs.v[idx], buf, 128);
}

static void test_z(void **state)
{
	(void)state;
	assert_true(diff__z(50, 100, 50, 100, false) == 0);
	assert_true(diff__z(0, 100, 0, 100, false) == 0);
	/* p = 0.15, se = sqrt(0.15 * 0.85 * 0.02) = 0.0505 */
	assert_true(fabs(diff__z(10, 100, 20, 100, false) - 1.980) < 0.01);
	assert_true(diff__z(20, 100, 10, 100, false) < 0);
	/* rates 0.1 and 0.2 per op over 1000 ops: pooled 0.15, se = sqrt(0.15 * 0.002) */
	assert_true(fabs(diff__z(100, 1000, 200, 1000, true) - 5.774) < 0.01);
	assert_true(diff__z(10, 0, 10, 100, false) == 0);
}

static void test_quantum(void **state)
{
	struct profile *p = profile__new();
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	int s = profile__add_type(p, "samples", "count");
	int off = profile__add_type(p, "offcpu", "nanoseconds");

	(void)state;
	fh_add(p, cpu, 30000000, 0, "a", NULL);
	fh_add(p, s, 3, 0, "a", NULL);
	fh_add(p, off, 1000, 0, "b", NULL);
	fh_add(p, off, 3000, 0, "c", NULL);
	assert_true(diff__quantum(p, s) == 1);
	assert_true(diff__quantum(p, cpu) == 10000000);
	/* no count: one event per pprof sample */
	assert_true(diff__quantum(p, off) == 2000);
	p->period_type.type = profile__intern(p, "cpu");
	p->period = 5000000;
	assert_true(diff__quantum(p, cpu) == 5000000);
	profile__free(p);
}

/* The planted function is first, by SELF; its caller is context, not a regression. */
static void test_planted_first(void **state)
{
	struct profile *b = make(1000, 1, 1), *n = make(1000, 1.3, 1);
	struct diff_result r;
	struct diff_opts o;
	char name[128];

	(void)state;
	diff__defaults(&o);
	o.fail_above = 0.10;
	compute(b, n, &o, &r);
	assert_int_equal(r.funcs.nr_grew, 1);
	assert_string_equal(fname(&r, r.funcs.grew[0], name), "planted_slow");
	assert_true(r.funcs.v[r.funcs.grew[0]].self.z > 3);
	assert_true(fabs(r.funcs.v[r.funcs.grew[0]].self.share[0] - 0.1) < 1e-9);
	/* its caller is listed by total only */
	assert_true(r.funcs.nr_grew_total >= 1);
	assert_string_equal(fname(&r, r.funcs.grew_total[0], name), "caller_4");
	/* others lost ~0.3 pp each: below min_delta, hidden */
	assert_int_equal(r.funcs.nr_shrank, 0);
	assert_true(r.funcs.hidden >= NR_FUNCS - 1);
	assert_int_equal(r.nr_stacks_grew, 1);
	assert_true(r.nr_fails >= 1);
	assert_non_null(strstr(r.fails[0].what, "planted_slow"));
	/* its node is the reddest */
	for (uint32_t i = 1; i < r.tree->nr_nodes; i++)
		if (!strcmp(flame_tree__name(r.tree, i), "planted_slow"))
			assert_true(r.node_delta[i] == 1);
	diff__free(&r);
	profile__free(b);
	profile__free(n);
}

/*
 * A virtualisation frame that grows (the hypervisor's time, with the host's
 * load) is listed but fails no --fail-above; the same growth in the node's
 * own kernel code does.
 */
static void test_vm_frame_no_failure(void **state)
{
	const char *leaves[2] = { "pvm_irq_enable_[k]", "udp_sendmsg_[k]" };

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct profile *b = make(1000, 1, 1), *n = make(1000, 1, 1);
		int tb = profile__type_index(b, "samples"), tn = profile__type_index(n, "samples");
		struct diff_result r;
		struct diff_opts o;
		char name[128];

		assert_true(fh_add(b, tb, 1000, 0, "main", "worker", "syscall", leaves[k], NULL) >= 0);
		assert_true(fh_add(n, tn, 2000, 0, "main", "worker", "syscall", leaves[k], NULL) >= 0);
		diff__defaults(&o);
		o.fail_above = 0.10;
		compute(b, n, &o, &r);
		assert_true(r.funcs.nr_grew >= 1);
		assert_string_equal(fname(&r, r.funcs.grew[0], name), leaves[k]);
		if (k == 0)
			assert_int_equal(r.nr_fails, 0);
		else
			assert_true(r.nr_fails >= 1 && strstr(r.fails[0].what, "udp_sendmsg"));
		diff__free(&r);
		profile__free(b);
		profile__free(n);
	}
}

static void test_identical_and_volume(void **state)
{
	struct profile *b = make(1000, 1, 1), *n = make(1000, 1, 1);
	struct profile *b2 = make(1000, 1, 1), *n2 = make(1000, 1, 2);
	struct diff_result r;
	struct diff_opts o;

	(void)state;
	diff__defaults(&o);
	o.fail_above = 0.10;
	compute(b, n, &o, &r);
	assert_int_equal(r.funcs.nr_grew + r.funcs.nr_shrank, 0);
	assert_int_equal(r.nr_fails, 0);
	assert_int_equal(r.funcs.hidden, 0);
	diff__free(&r);
	/* x2 every count: same shares */
	compute(b2, n2, &o, &r);
	assert_int_equal(r.total[1], 2 * r.total[0]);
	assert_int_equal(r.funcs.nr_grew + r.funcs.nr_shrank, 0);
	assert_int_equal(r.nr_fails, 0);
	diff__free(&r);
	profile__free(b);
	profile__free(n);
	profile__free(b2);
	profile__free(n2);
}

/* A 30 % growth of a function that is 10 % of the total, with few samples: noise. */
static void test_small_counts_are_noise(void **state)
{
	struct profile *b = make(10, 1, 1), *n = make(10, 1.3, 1);
	struct diff_result r;
	struct diff_opts o;

	(void)state;
	diff__defaults(&o);
	o.fail_above = 0.10;
	compute(b, n, &o, &r);
	assert_int_equal(r.funcs.nr_grew, 0);
	assert_int_equal(r.nr_fails, 0);
	assert_true(r.funcs.hidden > 0);
	diff__free(&r);
	profile__free(b);
	profile__free(n);
}

/* A span "hist" record: count operations spread over log-linear buckets from bucket_lo. */
static void add_hist(struct profile *p, const char *path, uint64_t count, uint32_t bucket_lo,
		     uint32_t spread)
{
	static struct rec_hist h;

	h = (struct rec_hist){ .path = path, .count = count };
	for (uint32_t i = 0; i < spread; i++)
		rec_buckets__add(&h.buckets, rec_ll_low(bucket_lo + i), count / spread);
	assert_int_equal(records__add_hist(p, &h), 0);
}

/* Per operation: twice the ops for twice the work is no change; twice the work per op is. */
static void test_per_op(void **state)
{
	struct profile *b = make(1000, 1, 1), *n = make(1000, 1, 2);
	struct profile *b2 = make(1000, 1, 1), *n2 = make(1000, 1, 1);
	struct diff_result r;
	struct diff_opts o;
	char name[128];

	(void)state;
	diff__defaults(&o);
	o.per_op = true;
	o.fail_above = 0.10;
	add_hist(b, "dht", 1000, 300, 16);
	add_hist(n, "dht", 2000, 300, 16);
	compute(b, n, &o, &r);
	assert_int_equal(r.norm, DIFF_NORM_OPS);
	assert_int_equal(r.funcs.nr_grew + r.funcs.nr_shrank, 0);
	diff__free(&r);

	/* same ops, planted_slow doubled per op: +100 % of its base cost */
	add_hist(b2, "dht", 1000, 300, 16);
	add_hist(n2, "dht", 1000, 300, 16);
	profile__free(n2);
	n2 = make(1000, 2, 1);
	add_hist(n2, "dht", 1000, 300, 16);
	compute(b2, n2, &o, &r);
	assert_true(r.funcs.nr_grew >= 1);
	assert_string_equal(fname(&r, r.funcs.grew[0], name), "planted_slow");
	assert_true(fabs(r.funcs.v[r.funcs.grew[0]].self.share[1] - 0.2) < 1e-9);
	/* per op nothing else shrank (by total, everything else would have) */
	assert_int_equal(r.funcs.nr_shrank, 0);
	diff__free(&r);

	/* without spans in one: falls back to totals */
	profile__free(b);
	b = make(1000, 1, 1);
	compute(b, n2, &o, &r);
	assert_int_equal(r.norm, DIFF_NORM_TOTAL);
	assert_true(r.per_op_refused);
	diff__free(&r);
	profile__free(b);
	profile__free(n);
	profile__free(b2);
	profile__free(n2);
}

/* Latency: a shift of the dht histogram by 16 buckets (x2) fails; the same histogram does not. */
static void test_latency(void **state)
{
	struct profile *b = make(1000, 1, 1), *n = make(1000, 1, 1);
	struct profile *b2 = make(1000, 1, 1), *n2 = make(1000, 1, 1);
	struct diff_result r;
	struct diff_opts o;
	const struct diff_path *dp = NULL;

	(void)state;
	diff__defaults(&o);
	o.fail_above = 0.10;
	add_hist(b, "dht", 1600, 300, 16);
	add_hist(n, "dht", 1600, 316, 16);
	compute(b, n, &o, &r);
	for (uint32_t i = 0; i < r.nr_paths; i++)
		if (!strcmp(r.paths[i].name, "dht"))
			dp = &r.paths[i];
	assert_non_null(dp);
	assert_true(dp->lat.known);
	assert_true(dp->lat.p95[1] > dp->lat.p95[0] * 1.8);
	assert_true(dp->lat.z95 > 3);
	assert_true(dp->lat.regressed);
	assert_true(dp->regressed);
	assert_true(r.nr_fails >= 1);
	diff__free(&r);

	add_hist(b2, "dht", 1600, 300, 16);
	add_hist(n2, "dht", 3200, 300, 16);
	compute(b2, n2, &o, &r);
	assert_int_equal(r.nr_fails, 0);
	diff__free(&r);
	profile__free(b);
	profile__free(n);
	profile__free(b2);
	profile__free(n2);
}

/* --path: only that path's samples are compared; dht_ frames are dht by the default rules. */
static void test_path_filter(void **state)
{
	struct profile *b = profile__new(), *n = profile__new();
	int tb = profile__add_type(b, "samples", "count");
	int tn = profile__add_type(n, "samples", "count");
	struct diff_result r;
	struct diff_opts o;
	char name[128];

	(void)state;
	fh_add(b, tb, 1000, 0, "main", "dht_lookup", "dht_distance_slow", NULL);
	fh_add(b, tb, 1000, 0, "main", "dht_lookup", "dht_encode", NULL);
	fh_add(b, tb, 5000, 0, "main", "gossip_publish", "memcpy_[k]", NULL);
	fh_add(n, tn, 3000, 0, "main", "dht_lookup", "dht_distance_slow", NULL);
	fh_add(n, tn, 1000, 0, "main", "dht_lookup", "dht_encode", NULL);
	fh_add(n, tn, 5000, 0, "main", "gossip_publish", "memcpy_[k]", NULL);
	diff__defaults(&o);
	o.path = "dht";
	compute(b, n, &o, &r);
	assert_int_equal(r.total[0], 2000);
	assert_int_equal(r.total[1], 4000);
	assert_string_equal(fname(&r, r.funcs.grew[0], name), "dht_distance_slow");
	/* only the dht path is listed */
	assert_int_equal(r.nr_paths, 1);
	assert_string_equal(r.paths[0].name, "dht");
	assert_string_equal(r.paths[0].top_name, "dht_distance_slow");
	diff__free(&r);
	profile__free(b);
	profile__free(n);
}

static void test_kernel_names_and_output(void **state)
{
	struct profile *b = profile__new(), *n = profile__new();
	int tb = profile__add_type(b, "samples", "count");
	int tn = profile__add_type(n, "samples", "count");
	struct diff_result r;
	struct diff_opts o;
	struct diff_files files = { "a", "b", "pprof", "pprof" };
	struct diff_flame_opts fo = { 0 };
	char name[128], stack[256], *buf = NULL;

	(void)state;
	fh_add(b, tb, 1000, 0, "main", "write", "tcp_sendmsg_[k]", NULL);
	fh_add(b, tb, 1000, 0, "main", "vanished", NULL);
	fh_add(n, tn, 3000, 0, "main", "write", "tcp_sendmsg_[k]", NULL);
	fh_add(n, tn, 10, 0, "main", "vanished", NULL);
	diff__defaults(&o);
	o.fail_above = 0.10;
	compute(b, n, &o, &r);
	assert_string_equal(fname(&r, r.funcs.grew[0], name), "tcp_sendmsg_[k]");
	assert_string_equal(fname(&r, r.funcs.shrank[0], name), "vanished");
	assert_string_equal(diff__stack_name(r.tree, r.stacks[0].node, stack, sizeof(stack)),
			    "main;write;tcp_sendmsg_[k]");

	FH_CAPTURE(buf, diff_flame__write_folded(f, &r));
	assert_non_null(strstr(buf, "main;write;tcp_sendmsg_[k] 1000 3000\n"));
	assert_non_null(strstr(buf, "main;vanished 1000 10\n"));
	free(buf);
	buf = NULL;
	FH_CAPTURE(buf, diff_flame__write_svg(f, &r, &fo));
	assert_non_null(strstr(buf, "<svg"));
	assert_non_null(strstr(buf, "fill=\"#ff0000\""));	/* the biggest growth */
	assert_non_null(strstr(buf, "widths: new"));
	free(buf);
	buf = NULL;
	fo.negate = true;
	FH_CAPTURE(buf, diff_flame__write_svg(f, &r, &fo));
	assert_non_null(strstr(buf, "widths: base"));
	assert_non_null(strstr(buf, ">vanished<"));	/* wide enough to be labelled in base */
	free(buf);
	buf = NULL;

	FH_CAPTURE(buf, diff__print(f, &r, &files, REPORT_TEXT));
	assert_non_null(strstr(buf, "tcp_sendmsg_[k]"));
	assert_non_null(strstr(buf, "REGRESSION beyond 10 %"));
	free(buf);
	buf = NULL;
	FH_CAPTURE(buf, diff__print(f, &r, &files, REPORT_MD));
	assert_non_null(strstr(buf, "| 1 | `tcp_sendmsg_[k]` |"));
	free(buf);
	buf = NULL;
	FH_CAPTURE(buf, diff__print(f, &r, &files, REPORT_JSON));
	assert_non_null(strstr(buf, "\"schema\":\"peerscope.diff/1\""));
	assert_non_null(strstr(buf, "\"regressed\":true}"));
	assert_non_null(strstr(buf, "\"grew\":[{\"name\":\"tcp_sendmsg_[k]\",\"kernel\":true"));
	free(buf);
	diff__free(&r);
	profile__free(b);
	profile__free(n);
}

static void test_missing_type(void **state)
{
	struct profile *b = make(100, 1, 1), *n = profile__new();
	struct diff_result r;
	struct diff_opts o;

	(void)state;
	profile__add_type(n, "cpu", "nanoseconds");
	fh_add(n, 0, 100, 0, "main", NULL);
	diff__defaults(&o);
	assert_int_equal(diff__compute(b, n, &o, &r), -ENOENT);
	o.type = "offcpu";
	assert_int_equal(diff__compute(b, n, &o, &r), -ENOENT);
	profile__free(b);
	profile__free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_z),
		cmocka_unit_test(test_quantum),
		cmocka_unit_test(test_planted_first),
		cmocka_unit_test(test_identical_and_volume),
		cmocka_unit_test(test_vm_frame_no_failure),
		cmocka_unit_test(test_small_counts_are_noise),
		cmocka_unit_test(test_per_op),
		cmocka_unit_test(test_latency),
		cmocka_unit_test(test_path_filter),
		cmocka_unit_test(test_kernel_names_and_output),
		cmocka_unit_test(test_missing_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
