// SPDX-License-Identifier: MIT
/* Unit tests of the profile model (userspace/core/profile.c) and its hash. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/profile.h"
#include "core/hashmap.h"

static void test_hashmap(void **state)
{
	struct hashmap *h = hashmap__new(NULL, NULL);
	uint32_t i, id;
	char key[32];

	assert_non_null(h);
	for (i = 1; i <= 100000; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		assert_int_equal(hashmap__find_or_insert(h, key, strlen(key), i, &id), 1);
		assert_int_equal(id, i);
	}
	for (i = 1; i <= 100000; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		assert_int_equal(hashmap__find(h, key, strlen(key)), i);
		assert_int_equal(hashmap__find_or_insert(h, key, strlen(key), 7, &id), 0);
		assert_int_equal(id, i);
	}
	assert_int_equal(hashmap__find(h, "nope", 4), 0);
	assert_int_equal(hashmap__find_or_insert(h, "", 0, 5, &id), 1);
	assert_int_equal(hashmap__find(h, "", 0), 5);
	assert_int_equal(hashmap__count(h), 100001);
	hashmap__free(h);
}

static void test_strings(void **state)
{
	struct profile *p = profile__new();
	uint32_t a, b, id;

	assert_non_null(p);
	assert_int_equal(p->nr_strings, 1);
	assert_string_equal(profile__str(p, 0), "");
	assert_int_equal(profile__intern(p, ""), 0);
	assert_int_equal(profile__intern(p, NULL), 0);
	a = profile__intern(p, "hello");
	b = profile__intern(p, "world");
	assert_int_not_equal(a, 0);
	assert_int_not_equal(a, b);
	assert_int_equal(profile__intern(p, "hello"), a);
	assert_int_equal(profile__intern_len(p, "hello world", 5), a);
	assert_string_equal(profile__str(p, b), "world");
	assert_string_equal(profile__str(p, 12345), "");
	assert_true(profile__find_str(p, "world", &id));
	assert_int_equal(id, b);
	assert_false(profile__find_str(p, "absent", &id));
	profile__free(p);
}

static void test_types_and_add(void **state)
{
	struct profile *p = profile__new();
	uint32_t l1, l2, st, st2, ls;
	int cpu, cnt, off, s;
	uint32_t locs[2];

	cnt = profile__add_type(p, "samples", "count");
	cpu = profile__add_type(p, "cpu", "nanoseconds");
	assert_int_equal(cnt, 0);
	assert_int_equal(cpu, 1);
	assert_int_equal(profile__add_type(p, "cpu", "nanoseconds"), 1);
	assert_int_equal(profile__type_index(p, "cpu"), 1);
	assert_int_equal(profile__type_index(p, "nope"), -1);
	assert_int_equal(profile__add_type(p, "", "x"), -EINVAL);

	l1 = profile__intern_address(p, 42, false, 0x1000);
	l2 = profile__intern_address(p, 42, false, 0x2000);
	assert_int_equal(profile__intern_address(p, 42, false, 0x1000), l1);
	assert_int_not_equal(profile__intern_address(p, 43, false, 0x1000), l1);
	/* Kernel frames ignore pid. */
	assert_int_equal(profile__intern_address(p, 1, true, 0xffff1000),
			 profile__intern_address(p, 2, true, 0xffff1000));
	assert_int_equal(p->locations[l1].pid, 42);
	assert_false(p->locations[l1].symbolized);

	locs[0] = l1;
	locs[1] = l2;
	st = profile__intern_stack(p, locs, 2);
	assert_int_not_equal(st, 0);
	assert_int_equal(profile__intern_stack(p, locs, 2), st);
	st2 = profile__intern_stack(p, locs, 1);
	assert_int_not_equal(st2, st);
	assert_int_not_equal(profile__intern_stack(p, NULL, 0), 0);
	locs[1] = 9999;
	assert_int_equal(profile__intern_stack(p, locs, 2), 0);

	s = profile__add(p, st, 0, cpu, 10);
	assert_int_equal(s, 0);
	assert_int_equal(profile__add(p, st, 0, cpu, 5), 0);
	assert_int_equal(profile__add(p, st, 0, cnt, 1), 0);
	assert_int_equal(profile__add(p, st2, 0, cpu, 7), 1);
	assert_int_equal(profile__add(p, st, 0, 5, 1), -EINVAL);
	assert_int_equal(profile__add(p, 0, 0, cpu, 1), -EINVAL);
	assert_int_equal(profile__value(p, 0, cpu), 15);
	assert_int_equal(profile__value(p, 0, cnt), 1);
	assert_int_equal(profile__total(p, cpu), 22);

	/* A type added after samples: a new zero column. */
	off = profile__add_type(p, "offcpu", "nanoseconds");
	assert_int_equal(off, 2);
	assert_int_equal(profile__value(p, 0, off), 0);
	assert_int_equal(profile__value(p, 1, off), 0);
	{
		int idx[2] = { off, cnt };
		int64_t v[2] = { 100, 2 };

		ls = profile__intern_labels(p, &(struct pf_label_kv){ .key = "tid", .num = 3 }, 1);
		assert_int_equal(profile__add_values(p, st, ls, idx, v, 2), 2);
		assert_int_equal(profile__add_values(p, st, ls, idx, v, 2), 2);
	}
	assert_int_equal(profile__value(p, 2, off), 200);
	assert_int_equal(profile__value(p, 2, cnt), 4);
	assert_int_equal(p->nr_samples, 3);

	/* Raw stacks: kernel then user, zero ips end each list. */
	{
		uint64_t k[3] = { 0xffff1000, 0xffff2000, 0 };
		uint64_t u[3] = { 0x1000, 0x3000, 0 };
		uint32_t rs = profile__intern_raw_stack(p, 42, k, 3, u, 3);

		assert_int_not_equal(rs, 0);
		assert_int_equal(p->stacks[rs].nr, 4);
		assert_true(p->locations[p->stacks[rs].locs[0]].kernel);
		assert_true(p->locations[p->stacks[rs].locs[1]].kernel);
		assert_int_equal(p->stacks[rs].locs[2], l1);
		assert_false(p->locations[p->stacks[rs].locs[3]].kernel);
		/* again: the cached raw key (rebuilt from the locations) matches */
		assert_int_equal(profile__intern_raw_stack(p, 42, k, 3, u, 3), rs);
		/* the user part depends on the pid, a kernel-only stack does not */
		assert_int_not_equal(profile__intern_raw_stack(p, 43, k, 3, u, 3), rs);
		rs = profile__intern_raw_stack(p, 42, k, 3, NULL, 0);
		assert_int_equal(profile__intern_raw_stack(p, 43, k, 3, NULL, 0), rs);
		assert_int_equal(p->stacks[rs].nr, 2);
	}
	{
		/* deeper than the on-stack buffers */
		uint64_t deep[300];
		uint32_t ds;

		for (int i = 0; i < 300; i++)
			deep[i] = 0x10000 + 16 * i;
		ds = profile__intern_raw_stack(p, 7, NULL, 0, deep, 300);
		assert_int_not_equal(ds, 0);
		assert_int_equal(p->stacks[ds].nr, 300);
		assert_int_equal(profile__intern_raw_stack(p, 7, NULL, 0, deep, 300), ds);
		assert_int_not_equal(profile__intern_raw_stack(p, 7, NULL, 0, deep, 299), ds);
	}
	for (int i = 0; i < PF_MAX_TYPES - 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "t%d", i);
		assert_true(profile__add_type(p, name, "count") >= 0);
	}
	assert_int_equal(profile__add_type(p, "onemore", "count"), -ENOSPC);
	/* the columns were re-laid out as types came: values stay put */
	assert_int_equal(profile__value(p, 0, cpu), 15);
	assert_int_equal(profile__value(p, 1, cpu), 7);
	assert_int_equal(profile__value(p, 2, off), 200);
	assert_int_equal(profile__value(p, 2, cnt), 4);
	assert_int_equal(profile__value(p, 2, PF_MAX_TYPES - 1), 0);
	assert_int_equal(profile__add(p, st2, 0, PF_MAX_TYPES - 1, 9), 1);
	assert_int_equal(profile__value(p, 1, PF_MAX_TYPES - 1), 9);
	assert_int_equal(profile__value(p, 1, cpu), 7);
	profile__free(p);
}

static void test_labels(void **state)
{
	struct profile *p = profile__new();
	struct pf_label_kv a[] = {
		{ .key = "thread", .str = "net-1" },
		{ .key = "pid", .num = 42 },
		{ .key = "path", .str = "dht" },
		{ .key = "bytes", .num = 10, .unit = "bytes" },
	};
	struct pf_label_kv b[] = { a[2], a[0], a[3], a[1] };
	uint32_t la, lb, lc;
	int64_t n;

	la = profile__intern_labels(p, a, 4);
	lb = profile__intern_labels(p, b, 4);
	assert_int_not_equal(la, 0);
	assert_int_equal(la, lb);
	lc = profile__intern_labels(p, a, 3);
	assert_int_not_equal(lc, la);
	assert_int_equal(profile__intern_labels(p, a, 0), 0);
	assert_int_equal(profile__intern_labels(p, &(struct pf_label_kv){ .key = "" }, 1), 0);
	assert_string_equal(profile__label_str(p, la, "path"), "dht");
	assert_string_equal(profile__label_str(p, la, "thread"), "net-1");
	assert_null(profile__label_str(p, la, "pid"));
	assert_null(profile__label_str(p, la, "nope"));
	assert_null(profile__label_str(p, 0, "path"));
	assert_true(profile__label_num(p, la, "pid", &n));
	assert_int_equal(n, 42);
	assert_true(profile__label_num(p, la, "bytes", &n));
	assert_int_equal(n, 10);
	assert_false(profile__label_num(p, la, "path", &n));
	assert_false(profile__label_num(p, lc, "bytes", &n));
	/* Sorted by key. */
	assert_string_equal(profile__str(p, p->labelsets[la].labels[0].key), "bytes");
	assert_string_equal(profile__str(p, p->labelsets[la].labels[3].key), "thread");
	assert_string_equal(profile__str(p, p->labelsets[la].labels[0].unit), "bytes");
	profile__free(p);
}

static void test_records(void **state)
{
	struct profile *p = profile__new();

	assert_int_equal(profile__add_record(p, "conn", "peer", "127.0.0.1:4001", "tx", "12",
					     NULL), 0);
	assert_int_equal(profile__add_record(p, "meta", NULL), 0);
	assert_int_equal(profile__add_record(p, "", "a", "b", NULL), -EINVAL);
	assert_int_equal(profile__add_record(p, "x", "", "b", NULL), -EINVAL);
	assert_int_equal(p->nr_records, 2);
	assert_string_equal(profile__str(p, p->records[0].kind), "conn");
	assert_int_equal(p->records[0].nr_fields, 2);
	assert_string_equal(profile__record_get(p, &p->records[0], "peer"), "127.0.0.1:4001");
	assert_string_equal(profile__record_get(p, &p->records[0], "tx"), "12");
	assert_null(profile__record_get(p, &p->records[0], "rx"));
	assert_int_equal(p->records[1].nr_fields, 0);
	{
		/* More fields than the on-stack buffers hold. */
		assert_int_equal(profile__add_record(p, "big", "a", "1", "b", "2", "c", "3",
			"d", "4", "e", "5", "f", "6", "g", "7", "h", "8", "i", "9", "j", "10",
			"k", "11", "l", "12", "m", "13", "n", "14", "o", "15", "p", "16",
			"q", "17", "r", "18", NULL), 0);
		assert_int_equal(p->records[2].nr_fields, 18);
		assert_string_equal(profile__record_get(p, &p->records[2], "r"), "18");
	}
	assert_int_equal(profile__add_comment(p, "hello"), 0);
	assert_int_equal(profile__add_comment(p, ""), -EINVAL);
	assert_int_equal(p->nr_comments, 1);
	assert_string_equal(profile__str(p, p->comments[0]), "hello");
	profile__free(p);
}

static void test_frame_names(void **state)
{
	struct profile *p = profile__new();
	struct pf_mapping m = { .start = 0x400000, .limit = 0x500000, .offset = 0x1000 };
	uint32_t mid, loc, f1, f2, nf, nk, nm;
	char buf[128];

	m.filename = profile__intern(p, "/usr/bin/p2pnode");
	mid = profile__add_mapping(p, &m);
	assert_int_equal(mid, 1);
	assert_int_equal(profile__add_mapping(p, &m), mid);

	loc = profile__intern_address(p, 7, false, 0x401234);
	assert_string_equal(profile__frame_name(p, loc, 0, buf, sizeof(buf)), "0x401234");
	p->locations[loc].mapping = mid;
	assert_string_equal(profile__frame_name(p, loc, 0, buf, sizeof(buf)), "p2pnode+0x2234");
	assert_int_equal(profile__frame_count(p, loc), 1);

	f1 = profile__intern_function(p, "inlined_fn", "_Z10inlined_fnv", "a.c");
	f2 = profile__intern_function(p, "caller", "caller", "a.c");
	assert_int_equal(profile__intern_function(p, "caller", "caller", "a.c"), f2);
	assert_int_equal(profile__location_add_line(p, loc, f1, 10), 0);
	assert_int_equal(profile__location_add_line(p, loc, f2, 20), 0);
	assert_int_equal(profile__location_add_line(p, loc, 999, 20), -EINVAL);
	assert_int_equal(profile__frame_count(p, loc), 2);
	assert_string_equal(profile__frame_name(p, loc, 0, buf, sizeof(buf)), "inlined_fn");
	assert_string_equal(profile__frame_name(p, loc, 1, buf, sizeof(buf)), "caller");

	loc = profile__intern_address(p, 0, true, 0xffffffff81000000ull);
	assert_string_equal(profile__frame_name(p, loc, 0, buf, sizeof(buf)), "[unknown]");

	nf = profile__intern_named_frame(p, "lock_wait", NULL, false);
	assert_int_equal(profile__intern_named_frame(p, "lock_wait", NULL, false), nf);
	nk = profile__intern_named_frame(p, "lock_wait", NULL, true);
	nm = profile__intern_named_frame(p, "lock_wait", "libc.so.6", false);
	assert_int_not_equal(nf, nk);
	assert_int_not_equal(nf, nm);
	assert_string_equal(profile__frame_name(p, nf, 0, buf, sizeof(buf)), "lock_wait");
	assert_string_equal(profile__frame_name(p, nk, 0, buf, sizeof(buf)), "lock_wait");
	assert_true(p->locations[nk].kernel);
	assert_string_equal(profile__str(p, p->mappings[p->locations[nk].mapping].filename),
			    PF_KERNEL_MODULE);
	assert_string_equal(profile__str(p, p->mappings[p->locations[nm].mapping].filename),
			    "libc.so.6");
	assert_int_equal(p->locations[nf].mapping, 0);
	nf = profile__intern_named_frame(p, NULL, NULL, false);
	assert_string_equal(profile__frame_name(p, nf, 0, buf, sizeof(buf)), "[unknown]");
	/* Truncation never overflows and never gives "". */
	assert_string_equal(profile__frame_name(p, nm, 0, buf, 4), "loc");
	assert_string_equal(profile__frame_name(p, 0, 0, buf, sizeof(buf)), "[unknown]");
	profile__free(p);
}

/* A small profile with two pids, kernel frames, labels, records. */
static struct profile *make_profile(int scale)
{
	struct profile *p = profile__new();
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	int cnt = profile__add_type(p, "samples", "count");
	uint64_t k[2] = { 0xffffffff81001000ull, 0xffffffff81002000ull };
	uint64_t u[3] = { 0x401000, 0x402000, 0x403000 };
	struct pf_label_kv kv[2] = { { .key = "path", .str = "dht" }, { .key = "pid", .num = 42 } };
	uint32_t s1 = profile__intern_raw_stack(p, 42, k, 2, u, 3);
	uint32_t s2 = profile__intern_raw_stack(p, 42, NULL, 0, u + 1, 2);
	uint32_t l1 = profile__intern_labels(p, kv, 2);
	uint32_t l2;

	kv[0].str = "gossip";
	l2 = profile__intern_labels(p, kv, 2);
	profile__add(p, s1, l1, cpu, 100 * scale);
	profile__add(p, s1, l1, cnt, 1 * scale);
	profile__add(p, s2, l2, cpu, 300 * scale);
	profile__add(p, s2, l2, cnt, 3 * scale);
	profile__add(p, s2, 0, cpu, 5 * scale);
	profile__add_record(p, "stats", "collector", "cpu", "drops", "0", NULL);
	profile__add_comment(p, "made by test");
	p->time_nanos = 1000;
	p->duration_nanos = 500;
	return p;
}

static void test_merge(void **state)
{
	struct profile *a = make_profile(1), *b = make_profile(2), *c = profile__new();
	int cpu;

	/* c has another type first: columns must be remapped. */
	assert_int_equal(profile__add_type(c, "wall", "nanoseconds"), 0);
	assert_int_equal(profile__merge(c, a), 0);
	b->time_nanos = 2000;
	assert_int_equal(profile__merge(c, b), 0);
	cpu = profile__type_index(c, "cpu");
	assert_int_equal(cpu, 1);
	assert_int_equal(profile__total(c, cpu), 3 * 405);
	assert_int_equal(profile__total(c, profile__type_index(c, "samples")), 3 * 4);
	assert_int_equal(profile__total(c, 0), 0);
	/* Same stacks and labels: no new samples. */
	assert_int_equal(c->nr_samples, a->nr_samples);
	assert_int_equal(c->nr_locations, a->nr_locations);
	assert_int_equal(c->nr_records, 2);
	assert_int_equal(c->nr_comments, 2);
	assert_int_equal(c->time_nanos, 1000);
	assert_int_equal(c->duration_nanos, 1500);
	assert_int_equal(profile__merge(c, c), -EINVAL);

	/* Named frames and symbolized locations merge by content. */
	{
		struct profile *d = profile__new();
		int t = profile__add_type(d, "samples", "count");
		uint32_t l = profile__intern_named_frame(d, "foo", "libx.so", false);
		uint32_t st = profile__intern_stack(d, &l, 1);
		uint32_t r = profile__intern_address(d, 42, false, 0x401000);

		d->locations[r].symbolized = true;
		profile__location_add_line(d, r, profile__intern_function(d, "main", "main", ""),
					   3);
		profile__add(d, st, 0, t, 9);
		assert_int_equal(profile__merge(c, d), 0);
		assert_int_equal(profile__merge(c, d), 0);
		assert_int_equal(profile__total(c, profile__type_index(c, "samples")), 30);
		/* The raw location of c got d's symbolization. */
		r = profile__intern_address(c, 42, false, 0x401000);
		assert_int_equal(c->locations[r].nr_lines, 1);
		assert_true(c->locations[r].symbolized);
		profile__free(d);
	}
	profile__free(a);
	profile__free(b);
	profile__free(c);
}

static bool keep_dht(const struct profile *p, uint32_t s, void *ctx)
{
	const char *path = profile__label_str(p, p->samples[s].labelset, "path");

	return path && !strcmp(path, ctx);
}

static void test_filter(void **state)
{
	struct profile *a = make_profile(1), *f, *g;
	int cpu = profile__type_index(a, "cpu");

	f = profile__filter(a, keep_dht, "dht");
	assert_non_null(f);
	assert_int_equal(f->nr_samples, 1);
	assert_int_equal(profile__total(f, cpu), 100);
	assert_int_equal(f->nr_records, 1);
	assert_int_equal(f->nr_comments, 1);
	assert_int_equal(f->nr_stacks, a->nr_stacks);
	assert_int_equal(f->nr_strings, a->nr_strings);
	assert_int_equal(f->samples[0].stack, a->samples[0].stack);
	assert_int_equal(f->time_nanos, a->time_nanos);
	/* Interning in the copy finds what was interned in the original. */
	assert_int_equal(profile__intern_address(f, 42, false, 0x401000),
			 profile__intern_address(a, 42, false, 0x401000));
	assert_int_equal(profile__intern(f, "dht"), profile__intern(a, "dht"));
	assert_int_equal(profile__add(f, a->samples[1].stack, a->samples[1].labelset, cpu, 1), 1);
	g = profile__clone(a);
	assert_int_equal(g->nr_samples, a->nr_samples);
	assert_int_equal(profile__total(g, cpu), profile__total(a, cpu));
	profile__free(g);
	profile__free(f);
	profile__free(a);
}

static void test_scale(void **state)
{
	struct profile *p = profile__new();
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	uint64_t u[16];
	struct timespec t0, t1;
	uint32_t i, j;
	int n = getenv("PF_SCALE") ? atoi(getenv("PF_SCALE")) : 200000;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < (uint32_t)n; i++) {
		struct pf_label_kv kv = { .key = "tid", .num = i % 64 };
		uint32_t st, ls;

		for (j = 0; j < 16; j++)
			u[j] = 0x400000 + ((i * 2654435761u) >> (j + 8)) % 4096 * 16 + j;
		st = profile__intern_raw_stack(p, 1 + i % 4, NULL, 0, u, 16);
		ls = profile__intern_labels(p, &kv, 1);
		assert_true(profile__add(p, st, ls, cpu, 1) >= 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(profile__total(p, cpu), n);
	if (getenv("PF_SCALE"))
		fprintf(stderr, "%d samples, %u stacks, %u locations: %.3f s\n", n,
			p->nr_stacks - 1, p->nr_locations - 1,
			(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	profile__free(p);
}

/* One type in two units: the bare name is the first, TYPE/UNIT picks. */
static void test_type_units(void **state)
{
	struct profile *p = profile__new();

	assert_int_equal(profile__add_type(p, "cpu", "nanoseconds"), 0);
	assert_int_equal(profile__add_type(p, "alloc", "bytes"), 1);
	assert_int_equal(profile__add_type(p, "alloc", "objects"), 2);
	assert_int_equal(profile__type_index(p, "alloc"), 1);
	assert_int_equal(profile__type_index(p, "alloc/objects"), 2);
	assert_int_equal(profile__type_index(p, "alloc/bytes"), 1);
	assert_int_equal(profile__type_index(p, "alloc/pages"), -1);
	assert_int_equal(profile__type_index(p, "cpu/nanoseconds"), 0);
	assert_int_equal(profile__type_index(p, "all"), -1);
	profile__free(p);
}

/* path of sample i: "dht" for the stacks the test says, else leave it */
static bool relabel_dht(const struct profile *p, uint32_t i, void *ctx, const char **v)
{
	const uint32_t *stack = ctx;

	v[0] = "dht";
	return p->samples[i].stack == *stack;
}

/* two labels at once; by stays as it is where the answer is NULL */
static bool relabel_two(const struct profile *p, uint32_t i, void *ctx, const char **v)
{
	v[0] = "gossip";
	v[1] = p->samples[i].stack == *(const uint32_t *)ctx ? "symbol" : NULL;
	return true;
}

static const char *const path_key[] = { "path" }, *const two_keys[] = { "path", "by" };

static bool relabelled_dht(const struct profile *p, uint32_t i, void *ctx)
{
	const char *v = profile__label_str(p, p->samples[i].labelset, "path");

	return v && !strcmp(v, "dht");
}

/*
 * Relabelling merges samples that come to share a key, keeps the index
 * right (a later add sums into the merged sample) and loses nothing that
 * a filter after it would count.
 */
static void test_relabel(void **state)
{
	struct profile *p = profile__new(), *f;
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	uint32_t loc = profile__intern_named_frame(p, "dht_lookup", NULL, false);
	uint32_t loc2 = profile__intern_named_frame(p, "main", NULL, false);
	uint32_t st = profile__intern_stack(p, &loc, 1), st2 = profile__intern_stack(p, &loc2, 1);
	struct pf_label_kv tid = { .key = "tid", .num = 7 };
	struct pf_label_kv both[2] = { tid, { .key = "path", .str = "dht" } };
	uint32_t plain = profile__intern_labels(p, &tid, 1);
	uint32_t labelled = profile__intern_labels(p, both, 2);

	assert_int_equal(profile__add(p, st, labelled, cpu, 5), 0);
	assert_int_equal(profile__add(p, st2, plain, cpu, 7), 1);
	assert_int_equal(profile__add(p, st, plain, cpu, 11), 2);
	/* sample 0 already says dht: only sample 2 changes */
	assert_int_equal(profile__relabel(p, path_key, 1, relabel_dht, &st), 1);
	/* sample 2 merged into sample 0 (same stack, now the same labels) */
	assert_int_equal(p->nr_samples, 2);
	assert_int_equal(p->samples[0].labelset, labelled);
	assert_int_equal(profile__value(p, 0, cpu), 16);
	assert_int_equal(p->samples[1].stack, st2);
	assert_int_equal(profile__value(p, 1, cpu), 7);
	/* the index knows the merged key */
	assert_int_equal(profile__add(p, st, labelled, cpu, 1), 0);
	assert_int_equal(profile__total(p, cpu), 24);
	f = profile__filter(p, relabelled_dht, NULL);
	assert_non_null(f);
	assert_int_equal(profile__total(f, cpu), 17);
	assert_int_equal(profile__relabel(p, path_key, 1, relabel_dht, &st2), 1);
	assert_string_equal(profile__label_str(p, p->samples[1].labelset, "path"), "dht");
	assert_int_equal(profile__label_num(p, p->samples[1].labelset, "tid", NULL), true);
	/* the same answers again change nothing */
	assert_int_equal(profile__relabel(p, path_key, 1, relabel_dht, &st2), 0);
	/* two keys: both set, or only the first where the second is NULL */
	assert_int_equal(profile__relabel(p, two_keys, 2, relabel_two, &st), 2);
	assert_int_equal(p->nr_samples, 2);
	assert_string_equal(profile__label_str(p, p->samples[0].labelset, "path"), "gossip");
	assert_string_equal(profile__label_str(p, p->samples[0].labelset, "by"), "symbol");
	assert_string_equal(profile__label_str(p, p->samples[1].labelset, "path"), "gossip");
	assert_null(profile__label_str(p, p->samples[1].labelset, "by"));
	assert_int_equal(profile__total(p, cpu), 24);
	assert_int_equal(profile__relabel(p, (const char *const[]){ "" }, 1, relabel_dht, &st),
			 -EINVAL);
	assert_int_equal(profile__relabel(p, two_keys, PROFILE_RELABEL_MAX_KEYS + 1, relabel_dht,
					  &st), -EINVAL);
	profile__free(f);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashmap),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_types_and_add),
		cmocka_unit_test(test_type_units),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_frame_names),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_relabel),
		cmocka_unit_test(test_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
