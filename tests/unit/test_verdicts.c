// SPDX-License-Identifier: MIT
/*
 * The verdict rules (reports/analysis/verdicts.c), one table row per rule:
 * a path's numbers, hand-set, and the verdict they must get.  Every rule
 * of the table has a row here.  Then the rule table against the table in
 * docs/guide.md, which is generated from it: run this binary with --doc to
 * print the table to paste.  (test_bottleneck.c tests the same rules end to
 * end, from profiles through the path decomposition.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/paths.h"
#include "analysis/verdicts.h"

#define S 1000000000LL
#define MS 1000000LL

struct row {
	const char *rule;	/* the title of the rule that must decide */
	struct path_stats ps;	/* busy_ns is summed by the test */
	bool no_offcpu;		/* recorded without the off-CPU collector */
	bool twice;		/* two paths with these numbers (host-wide starvation) */
	bool tail;
	const char *says;	/* part of the verdict's text */
};

/* 10 s recordings */
static const struct row rows[] = {
	{ "syscall / socket-write storm",
	  { .cpu_user_ns = 1 * S, .cpu_kernel_ns = 1 * S, .tx_msgs = 30000, .tx_bytes = 30000 * 40 },
	  .says = "3.0k writes/s averaging 40 B; kernel is 50 % of on-CPU. Batch the writes." },
	{ "syscall / socket-write storm",
	  { .cpu_user_ns = 1 * S, .cpu_kernel_ns = 1 * S, .runq_ns = 5 * S, .tx_msgs = 30000,
	    .tx_bytes = 30000 * 40 },
	  .says = "It also waits for a CPU 71 % of its wall time." },
	{ "run-queue starvation",
	  { .cpu_user_ns = 500 * MS, .runq_ns = 3 * S, .off_ns = { [PR_LOCK] = 1 * S } },
	  .says = "86 % of the time its threads were runnable they waited for a CPU" },
	{ "run-queue starvation",
	  { .cpu_user_ns = 200 * MS, .runq_ns = 600 * MS }, .twice = true,
	  .says = "as on every path: the host is short of CPU" },
	/* busy, but waiting for a CPU longer than running: the host, not the code */
	{ "run-queue starvation",
	  { .cpu_user_ns = 2 * S, .runq_ns = 3 * S }, .twice = true,
	  .says = "as on every path: the host is short of CPU, not this code." },
	{ "no bottleneck: little work",
	  { .cpu_user_ns = 50 * MS, .off_ns = { [PR_NET] = 50 * MS } },
	  .says = "little work here (0.010 threads busy" },
	{ "allocation-heavy",
	  { .cpu_user_ns = 3 * S, .alloc_cpu_ns = 1500 * MS, .alloc_bytes = 500000000,
	    .part = { [PART_ALLOC] = { .culprit = "frame_copy" } } },
	  .says = "50 % of on-CPU time is in the allocator, called from `frame_copy` "
		  "(50.0 MB/s allocated)" },
	{ "CPU-bound",
	  { .cpu_user_ns = 5 * S, .cpu_kernel_ns = 1 * S, .off_ns = { [PR_LOCK] = 1 * S },
	    .part = { [PART_CPU] = { .culprit = "dht_distance", .culprit_value = 3 * S } } },
	  .says = "86 % of wall time is on-CPU (0.60 CPUs; user 83 %, kernel 17 %), hottest "
		  "`dht_distance` (50 % of on-CPU)." },
	{ "lock wait",
	  { .cpu_user_ns = 500 * MS, .off_ns = { [PR_LOCK] = 5 * S },
	    .part = { [PART_OFF + PR_LOCK] = { .culprit = "mesh_update", .waker = "gossip_flush" } } },
	  .says = "91 % of wall time is lock wait in `mesh_update` (futex), woken by `gossip_flush`" },
	{ "I/O wait",
	  { .cpu_user_ns = 500 * MS, .off_ns = { [PR_IO] = 3 * S, [PR_FAULT] = 1 * S } },
	  .says = "89 % of wall time is I/O wait" },
	{ "sleeping (timers)",
	  { .cpu_user_ns = 500 * MS, .off_ns = { [PR_TIMER] = 6 * S } },
	  .says = "92 % of wall time is sleeping (timers)" },
	{ "network wait",
	  { .cpu_user_ns = 500 * MS, .off_ns = { [PR_NET] = 5 * S }, .has_spans = true,
	    .has_lat = true, .lat = { .count = 100, .p50_ns = 200 * MS, .p99_ns = 300 * MS } },
	  .says = "91 % of wall time is network wait (p50 200 ms, p99 300 ms)" },
	{ "network wait",
	  { .cpu_user_ns = 100 * MS, .has_spans = true, .has_lat = true,
	    .lat = { .count = 100, .p50_ns = 200 * MS, .p99_ns = 300 * MS } }, .no_offcpu = true,
	  .says = "network wait (likely): operations are slow (p50 200 ms, p99 300 ms)" },
	{ "network wait, latency tail",
	  { .cpu_user_ns = 500 * MS, .off_ns = { [PR_NET] = 500 * MS }, .has_spans = true,
	    .has_lat = true, .lat = { .count = 100, .errors = 3, .p50_ns = 20 * MS,
				      .p99_ns = 200 * MS } }, .tail = true,
	  .says = "latency tail: p99 200 ms is 10x p50 20 ms, 3 of 100 operations failed" },
	{ "CPU-bound",
	  { .cpu_user_ns = 6 * S, .has_spans = true, .has_lat = true,
	    .lat = { .count = 100, .p50_ns = 20 * MS, .p99_ns = 200 * MS } }, .tail = true,
	  .says = ". Latency tail: p99 200 ms is 10x p50 20 ms." },
	{ "no bottleneck: nothing stands out",
	  { .cpu_user_ns = 500 * MS, .off_ns = { [PR_LOCK] = 300 * MS, [PR_NET] = 300 * MS } },
	  .says = "nothing stands out (0.11 threads busy, on-CPU 45 %, run queue 0 %, largest "
		  "wait lock 27 %)" },
};

#define NR_ROWS (sizeof(rows) / sizeof(rows[0]))

static const struct verdict_rule_doc *rule_named(const char *title)
{
	const struct verdict_rule_doc *docs[32];
	unsigned int n = verdicts__rules(docs, 32);

	for (unsigned int i = 0; i < n && i < 32; i++) {
		if (!strcmp(docs[i]->title, title))
			return docs[i];
	}
	fail_msg("no rule titled '%s'", title);
	return NULL;
}

static void test_rows(void **state)
{
	for (size_t r = 0; r < NR_ROWS; r++) {
		const struct row *row = &rows[r];
		const struct verdict_rule_doc *rule = rule_named(row->rule);
		struct path_stats ps[2] = { row->ps, row->ps };
		struct path_report rep = {
			.paths = ps, .nr_paths = row->twice ? 2 : 1, .duration_ns = 10 * S,
			.has_cpu = true, .has_offcpu = !row->no_offcpu,
		};
		struct verdict v[2];

		for (int i = 0; i < 2; i++) {
			snprintf(ps[i].name, sizeof(ps[i].name), "p%d", i);
			ps[i].busy_ns = ps[i].cpu_user_ns + ps[i].cpu_kernel_ns + ps[i].runq_ns;
			for (int k = 0; k < PR_NR; k++)
				ps[i].busy_ns += ps[i].off_ns[k];
		}
		bottleneck__judge(&rep, NULL, v);
		if (v[0].kind != rule->kind || v[0].tail != row->tail || !strstr(v[0].text, row->says))
			fail_msg("row %zu (%s): got %s%s: %s", r, row->rule,
				 verdict_kind_names[v[0].kind], v[0].tail ? " (tail)" : "", v[0].text);
	}
}

/* Every rule of the table has a row above. */
static void test_every_rule_has_a_row(void **state)
{
	const struct verdict_rule_doc *docs[32];
	unsigned int n = verdicts__rules(docs, 32);

	assert_true(n > 5 && n <= 32);
	for (unsigned int i = 0; i < n; i++) {
		size_t r;

		for (r = 0; r < NR_ROWS && strcmp(rows[r].rule, docs[i]->title); r++)
			;
		if (r == NR_ROWS)
			fail_msg("rule '%s' has no row in test_verdicts.c", docs[i]->title);
	}
}

/* docs/guide.md, found from this file's path (the build runs in the tree's root) */
static char *read_guide(void)
{
	char path[512], *dir = strdup(__FILE__), *slash, *buf;
	FILE *f;
	long n;

	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, sizeof(path), "%s/../../docs/guide.md", slash ? dir : ".");
	free(dir);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s (run from the source tree's root)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	return buf;
}

static void test_guide_matches_table(void **state)
{
	char *guide = read_guide(), *table = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&table, &len);

	assert_non_null(m);
	verdicts__doc_table(m);
	fclose(m);
	if (!strstr(guide, table))
		fail_msg("docs/guide.md, \"What each verdict means\", is not the rule table of "
			 "reports/analysis/verdicts.c; paste the output of test_verdicts --doc:\n%s",
			 table);
	free(table);
	free(guide);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_every_rule_has_a_row),
		cmocka_unit_test(test_guide_matches_table),
	};

	if (argc > 1 && !strcmp(argv[1], "--doc")) {
		verdicts__doc_table(stdout);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
