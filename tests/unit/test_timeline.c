// SPDX-License-Identifier: MIT
/* Unit tests of "where the time goes" per thread (reports/analysis/timeline.c, reports/timeline.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/rules.h"
#include "reports/report.h"
#include "reports/timeline.h"
#include "analysis/frames.h"

#define MS 1000000LL

/* frames leaf first, ';'-separated; "k:" marks a kernel frame */
static uint32_t stack_of(struct profile *p, const char *frames)
{
	uint32_t locs[64], n = 0;
	char *copy = strdup(frames), *tok, *save = NULL;

	for (tok = strtok_r(copy, ";", &save); tok && n < 64; tok = strtok_r(NULL, ";", &save)) {
		bool k = !strncmp(tok, "k:", 2);

		locs[n++] = profile__intern_named_frame(p, k ? tok + 2 : tok, NULL, k);
	}
	free(copy);
	return profile__intern_stack(p, locs, n);
}

static void add(struct profile *p, int tid, const char *thread, const char *reason,
		const char *waker, const char *frames, int col, int64_t v)
{
	struct pf_label_kv kv[5];
	uint32_t n = 0;

	kv[n++] = (struct pf_label_kv){ .key = "pid", .num = 100 };
	kv[n++] = (struct pf_label_kv){ .key = "tid", .num = tid };
	kv[n++] = (struct pf_label_kv){ .key = "thread", .str = thread };
	if (reason)
		kv[n++] = (struct pf_label_kv){ .key = "reason", .str = reason };
	if (waker)
		kv[n++] = (struct pf_label_kv){ .key = "waker", .str = waker };
	assert_true(profile__add(p, stack_of(p, frames), profile__intern_labels(p, kv, n), col,
				 v) >= 0);
}

struct cols {
	int cpu, off, runq;
};

static struct profile *sample_profile(struct cols *c)
{
	struct profile *p = profile__new();

	assert_non_null(p);
	c->cpu = profile__add_type(p, "cpu", "nanoseconds");
	c->off = profile__add_type(p, "offcpu", "nanoseconds");
	c->runq = profile__add_type(p, "runq", "nanoseconds");
	/* worker: 100 ms on CPU, 300 ms lock (200 of it with a waker), 50 ms runq */
	add(p, 11, "worker", NULL, NULL, "work;worker_main", c->cpu, 100 * MS);
	add(p, 11, "worker", "lock", NULL, "k:futex_wait;__lll_lock_wait;take;worker_main",
	    c->off, 100 * MS);
	add(p, 11, "worker", "lock", "dht-3",
	    "k:futex_wait;__lll_lock_wait;take;worker_main;-;k:futex_wake;dht_table_update;dht_main",
	    c->off, 200 * MS);
	add(p, 11, "worker", "runq", NULL, "work;worker_main", c->runq, 50 * MS);
	/* io thread: 1 s idle in epoll_wait, 20 ms net in recv, 10 ms timer, 5 ms fault */
	add(p, 12, "io", "net", NULL, "k:ep_poll;epoll_wait;loop", c->off, 1000 * MS);
	add(p, 12, "io", "net", NULL, "k:sk_wait_data;recv;loop", c->off, 20 * MS);
	add(p, 12, "io", "timer", NULL, "k:do_nanosleep;nanosleep;loop", c->off, 10 * MS);
	add(p, 12, "io", "fault", NULL, "k:handle_mm_fault;loop", c->off, 5 * MS);
	return p;
}

static void test_parts(void **state)
{
	struct cols c;
	struct profile *p = sample_profile(&c);
	struct timeline t;
	const struct tl_thread *w, *io;

	assert_int_equal(timeline__compute(p, NULL, &t), 0);
	assert_int_equal(t.nr, 2);
	assert_true(t.has_cpu && t.has_offcpu);
	/* sorted by wall: io (1035 ms) before worker (450 ms) */
	io = &t.threads[0];
	w = &t.threads[1];
	assert_string_equal(io->thread, "io");
	assert_int_equal(io->wall, 1035 * MS);
	/* an event loop in epoll_wait waits for work: idle, not network */
	assert_int_equal(io->ns[TL_IDLE], 1000 * MS);
	assert_int_equal(io->ns[TL_NET], 20 * MS);
	assert_int_equal(io->ns[TL_TIMER], 10 * MS);
	assert_int_equal(io->ns[TL_FAULT], 5 * MS);
	assert_int_equal(w->tid, 11);
	assert_int_equal(w->ns[TL_CPU], 100 * MS);
	/* waker edges are part of the blocked time, not on top of it */
	assert_int_equal(w->ns[TL_LOCK], 300 * MS);
	assert_int_equal(w->ns[TL_RUNQ], 50 * MS);
	assert_int_equal(w->wall, 450 * MS);
	/*
	 * the waker edge (200 ms) and the plain wait (100 ms) show as the same
	 * stack (waker frames are cut): one row of 300 ms, not two alike
	 */
	assert_int_equal(w->top[TL_LOCK][0].ns, 300 * MS);
	assert_int_equal(w->top[TL_LOCK][1].ns, 0);
	timeline__free(&t);
	profile__free(p);
}

/* --rules' idle lines decide what is idle, as they do in the paths section */
static void test_given_rules(void **state)
{
	struct cols c;
	struct profile *p = sample_profile(&c);
	struct path_rules *r;
	struct timeline t;
	char err[256];
	int w;

	r = path_rules__parse("dht = ^dht_\nidle = ^take$\n", "test", err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(timeline__compute(p, r, &t), 0);
	w = !strcmp(t.threads[0].thread, "worker") ? 0 : 1;
	/* the worker's 300 ms in take() are waiting for work under these rules */
	assert_int_equal(t.threads[w].ns[TL_IDLE], 300 * MS);
	assert_int_equal(t.threads[w].ns[TL_LOCK], 0);
	timeline__free(&t);
	path_rules__free(r);
	profile__free(p);
}

/*
 * path_by decides as it does in the Paths section (paths__wait_is_idle):
 * a wait for work inside a span is the operation's network wait, and a
 * sleep placed only by the thread's name is the thread's tick, idle.
 */
static void test_path_by(void **state)
{
	struct profile *p = profile__new();
	struct pf_label_kv kv[5] = {
		{ .key = "pid", .num = 100 }, { .key = "tid", .num = 21 },
		{ .key = "thread", .str = "dht" }, { .key = "reason", .str = "net" },
		{ .key = "path_by", .str = "span" },
	};
	struct timeline t;
	int off;

	assert_non_null(p);
	off = profile__add_type(p, "offcpu", "nanoseconds");
	assert_true(profile__add(p, stack_of(p, "k:ep_poll;epoll_wait;loop"),
				 profile__intern_labels(p, kv, 5), off, 40 * MS) >= 0);
	kv[3].str = "timer";
	kv[4].str = "thread";
	assert_true(profile__add(p, stack_of(p, "k:do_nanosleep;nanosleep;mesh_main"),
				 profile__intern_labels(p, kv, 5), off, 60 * MS) >= 0);
	assert_int_equal(timeline__compute(p, NULL, &t), 0);
	assert_int_equal(t.nr, 1);
	assert_int_equal(t.threads[0].ns[TL_NET], 40 * MS);
	assert_int_equal(t.threads[0].ns[TL_IDLE], 60 * MS);
	assert_int_equal(t.threads[0].ns[TL_TIMER], 0);
	timeline__free(&t);
	profile__free(p);
}

static void test_stack_str(void **state)
{
	struct profile *p = profile__new();
	char buf[256];
	uint32_t s;

	s = stack_of(p, "k:futex_wait;__lll_lock_wait;take;worker_main;-;k:futex_wake;dht_table_update");
	/* user frames only, cut at the waker separator */
	assert_string_equal(frames__stack_str(p, s, FRAMES_STR_USER_OR_KERNEL, buf, sizeof(buf)),
			    "__lll_lock_wait < take < worker_main");
	s = stack_of(p, "k:schedule;k:kthread");
	assert_string_equal(frames__stack_str(p, s, FRAMES_STR_USER_OR_KERNEL, buf, sizeof(buf)), "schedule < kthread");
	s = stack_of(p, "aaaaaaaaaa;bbbbbbbbbb;cccccccccc");
	assert_string_equal(frames__stack_str(p, s, FRAMES_STR_USER_OR_KERNEL, buf, 20), "aaaaaaaaaa < bbb...");
	profile__free(p);
}

static void test_samples_only(void **state)
{
	struct profile *p = profile__new();
	struct timeline t;
	int samples;

	/* a cpu-only recording read from folded stacks: counts x period */
	samples = profile__add_type(p, "samples", "count");
	p->period = 10 * MS;
	add(p, 5, "main", NULL, NULL, "f;main", samples, 3);
	assert_int_equal(timeline__compute(p, NULL, &t), 0);
	assert_int_equal(t.nr, 1);
	assert_false(t.has_offcpu);
	assert_int_equal(t.threads[0].ns[TL_CPU], 30 * MS);
	timeline__free(&t);
	profile__free(p);
}

static void test_section(void **state)
{
	struct cols c;
	struct profile *p = sample_profile(&c);
	struct report_opts o = { .top_n = 20, .width = 100 };
	struct report_out out;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	report_out__begin(&out, f, REPORT_JSON, 100);
	assert_int_equal(report_timeline__emit(p, &o, &out), 0);
	assert_int_equal(report_out__end(&out), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"timeline\": {\"threads\": [{\"pid\": 100, \"tid\": 12"));
	assert_non_null(strstr(buf, "\"lock\": 300000000"));
	assert_non_null(strstr(buf, "\"stack\": \"__lll_lock_wait < take < worker_main\""));
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	report_out__begin(&out, f, REPORT_TEXT, 100);
	assert_int_equal(report_timeline__emit(p, &o, &out), 0);
	report_out__end(&out);
	fclose(f);
	assert_non_null(strstr(buf, "Where the time goes"));
	assert_non_null(strstr(buf, "worker"));
	free(buf);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_given_rules),
		cmocka_unit_test(test_path_by),
		cmocka_unit_test(test_stack_str),
		cmocka_unit_test(test_samples_only),
		cmocka_unit_test(test_section),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
