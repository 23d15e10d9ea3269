// SPDX-License-Identifier: MIT
/*
 * collectors__finish() (collectors/finish.c): the wall column is computed
 * once after every drain, so the order the collectors drain in does not
 * change it.  The drains here add what the real cpu and offcpu drains add
 * (their sample types and values; the BPF maps are not needed for that):
 * cpu and off-CPU time on a shared thread stack, plus stacks only one of
 * them saw.  Before collectors__finish() the offcpu drain summed wall
 * itself and only got the cpu samples drained before it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "collectors/collector.h"
#include "core/profile.h"

struct fake_sample {
	const char *frame, *thread;
	int64_t value;
};

/* cpu: "samples" and "cpu" columns, as collectors/cpu.c adds them */
static const struct fake_sample cpu_samples[] = {
	{ "dht_lookup", "worker", 3000000 },
	{ "gossip_send", "worker", 5000000 },
	{ "main_loop", "main", 1000000 },
};
/* offcpu: blocked time of the same thread on a shared stack and its own */
static const struct fake_sample offcpu_samples[] = {
	{ "dht_lookup", "worker", 7000000 },
	{ "futex_wait", "worker", 11000000 },
};
static const struct fake_sample runq_samples[] = {
	{ "main_loop", "main", 2000000 },
	{ "gossip_send", "worker", 4000000 },
};

static int add(struct profile *p, const struct fake_sample *s, const int *types,
	       const int64_t *vals, uint32_t n)
{
	uint32_t loc = profile__intern_named_frame(p, s->frame, NULL, false);
	uint32_t stack = profile__intern_stack(p, &loc, 1);
	struct pf_label_kv kv = { .key = "thread", .str = s->thread };

	return profile__add_values(p, stack, profile__intern_labels(p, &kv, 1), types, vals, n);
}

static void drain_cpu(struct profile *p)
{
	int types[2] = { profile__add_type(p, "samples", "count"),
			 profile__add_type(p, "cpu", "nanoseconds") };

	for (size_t i = 0; i < sizeof(cpu_samples) / sizeof(cpu_samples[0]); i++) {
		int64_t vals[2] = { cpu_samples[i].value / 1000000, cpu_samples[i].value };

		assert_true(add(p, &cpu_samples[i], types, vals, 2) >= 0);
	}
}

static void drain_offcpu(struct profile *p)
{
	int off = profile__add_type(p, "offcpu", "nanoseconds");
	int runq = profile__add_type(p, "runq", "nanoseconds");

	assert_true(profile__add_type(p, "wall", "nanoseconds") >= 0);
	for (size_t i = 0; i < sizeof(offcpu_samples) / sizeof(offcpu_samples[0]); i++)
		assert_true(add(p, &offcpu_samples[i], &off, &offcpu_samples[i].value, 1) >= 0);
	for (size_t i = 0; i < sizeof(runq_samples) / sizeof(runq_samples[0]); i++)
		assert_true(add(p, &runq_samples[i], &runq, &runq_samples[i].value, 1) >= 0);
}

/* wall of the sample whose only frame is frame (its thread label is fixed above) */
static int64_t wall_of(const struct profile *p, const char *frame)
{
	int wall = profile__type_index(p, "wall");
	char buf[64];

	assert_true(wall >= 0);
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		const struct pf_stack *st = &p->stacks[p->samples[i].stack];

		if (st->nr == 1 && !strcmp(profile__frame_name(p, st->locs[0], 0, buf, sizeof(buf)), frame))
			return profile__value(p, i, wall);
	}
	fail_msg("no sample for %s", frame);
	return -1;
}

static struct profile *record(void (*first)(struct profile *), void (*second)(struct profile *))
{
	struct profile *p = profile__new();

	assert_non_null(p);
	first(p);
	second(p);
	assert_int_equal(collectors__finish(p, NULL), 0);
	return p;
}

static void test_wall_independent_of_drain_order(void **state)
{
	struct profile *a = record(drain_cpu, drain_offcpu);
	struct profile *b = record(drain_offcpu, drain_cpu);
	static const struct {
		const char *frame;
		int64_t wall;	/* cpu + offcpu + runq */
	} want[] = {
		{ "dht_lookup", 3000000 + 7000000 },
		{ "gossip_send", 5000000 + 4000000 },
		{ "main_loop", 1000000 + 2000000 },
		{ "futex_wait", 11000000 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(wall_of(a, want[i].frame), want[i].wall);
		assert_int_equal(wall_of(b, want[i].frame), want[i].wall);
	}
	profile__free(a);
	profile__free(b);
}

/* finish only fills a wall column the offcpu collector declared */
static void test_no_wall_without_offcpu(void **state)
{
	struct profile *p = profile__new();

	assert_non_null(p);
	drain_cpu(p);
	assert_int_equal(collectors__finish(p, NULL), 0);
	assert_int_equal(profile__type_index(p, "wall"), -1);
	assert_int_equal(p->nr_types, 2);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wall_independent_of_drain_order),
		cmocka_unit_test(test_no_wall_without_offcpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
