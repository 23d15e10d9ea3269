// SPDX-License-Identifier: MIT
/*
 * The record codec (core/records.c): every kind survives a pprof write and
 * read with every field; recordings written before the encoding had a
 * version (histogram buckets by index) read back as the same buckets; the
 * comment escaping; the histogram bucket boundaries the BPF programs count
 * with (bpf/hist.h) are the ones userspace decodes with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "bpf/hist.h"
#include "core/names.h"
#include "core/profile.h"
#include "core/records.h"
#include "format/pprof.h"

/* ---- every kind, every field, through a pprof file ------------------------ */

/* A distinct value per field: n counts fields over all kinds. */
static char strs[256][48];

static void fill_STR(const char **v, int n)
{
	/* spaces, '=' and '%' must survive the escaping */
	snprintf(strs[n], sizeof(strs[n]), "s%d a=b %%%d\n", n, n);
	*v = strs[n];
}

static void fill_U64(uint64_t *v, int n)
{
	*v = n == 3 ? UINT64_MAX : 1000003ULL * n;
}

static void fill_I64(int64_t *v, int n)
{
	*v = -1000003LL * n;
}

static void fill_DBL(double *v, int n)
{
	*v = n / 3.0;	/* needs all 17 digits */
}

static void fill_HIST(struct rec_buckets *v, int n)
{
	v->nr = 0;
	rec_buckets__add(v, 0, n);
	rec_buckets__add(v, 1ULL << (n % 60), 7);
	rec_buckets__add(v, UINT64_MAX, 1);
}

static void same_STR(const char *a, const char *b)
{
	assert_non_null(b);
	assert_string_equal(a, b);
}

static void same_U64(uint64_t a, uint64_t b)
{
	assert_true(a == b);
}

static void same_I64(int64_t a, int64_t b)
{
	assert_true(a == b);
}

static void same_DBL(double a, double b)
{
	assert_true(a == b);
}

static void same_HIST(const struct rec_buckets *a, const struct rec_buckets *b)
{
	assert_int_equal(a->nr, b->nr);
	assert_memory_equal(a->v, b->v, a->nr * sizeof(a->v[0]));
}

#define ADDR_STR(x)	&(x)
#define ADDR_U64(x)	&(x)
#define ADDR_I64(x)	&(x)
#define ADDR_DBL(x)	&(x)
#define ADDR_HIST(x)	&(x)
#define VAL_STR(x)	(x)
#define VAL_U64(x)	(x)
#define VAL_I64(x)	(x)
#define VAL_DBL(x)	(x)
#define VAL_HIST(x)	&(x)

#define FILL(k, type, name)	fill_##type(ADDR_##type(r->name), (*n)++);
#define SAME(k, type, name)	same_##type(VAL_##type(a->name), VAL_##type(b->name));	\
				assert_true(REC_HAS(b, k, name));

#define KIND_FNS(kind)								\
	static void fill_##kind(struct rec_##kind *r, int *n)			\
	{									\
		memset(r, 0, sizeof(*r));					\
		REC_##kind(FILL, kind)						\
	}									\
	static void same_##kind(const struct rec_##kind *a,			\
				const struct rec_##kind *b)			\
	{									\
		REC_##kind(SAME, kind)						\
	}
REC_KINDS(KIND_FNS)

static void test_roundtrip_every_kind(void **state)
{
	struct profile *p = profile__new(), *q = profile__new();
	void *buf;
	size_t len;
	int n = 0;

#define ADD(kind) {								\
		struct rec_##kind r;						\
		fill_##kind(&r, &n);						\
		assert_int_equal(records__add_##kind(p, &r), 0);		\
		assert_int_equal(records__add_##kind(p, &r), 0);		\
	}
	REC_KINDS(ADD)
	assert_true(n < 256);
	assert_int_equal(pprof__encode(p, &buf, &len), 0);
	assert_int_equal(pprof__decode(q, buf, len), 0);
	free(buf);
	assert_int_equal(q->nr_records, 2 * REC_NR_KINDS);
	assert_int_equal(q->nr_comments, 0);	/* the version comment is not one */
	n = 0;
#define CHECK(kind) {								\
		struct rec_##kind want, got;					\
		uint32_t pos = 0, seen = 0;					\
		fill_##kind(&want, &n);						\
		while (records__next_##kind(q, &pos, &got)) {			\
			same_##kind(&want, &got);				\
			seen++;							\
		}								\
		assert_int_equal(seen, 2);					\
	}
	REC_KINDS(CHECK)
	profile__free(p);
	profile__free(q);
}

static int count_hist(const struct rec_hist *h, void *ctx)
{
	*(uint64_t *)ctx += h->count;
	return h->count == 5 ? 42 : 0;	/* non-zero stops */
}

static void test_foreach_and_absent(void **state)
{
	struct profile *p = profile__new();
	struct rec_counter c = { .status = "unsupported", .event = "cycles", .why = "no PMU" };
	struct rec_hist h = { .path = "dht", .count = 2 };
	uint64_t sum = 0;
	uint32_t pos = 0;

	assert_int_equal(records__add_hist(p, &h), 0);
	h.count = 5;
	assert_int_equal(records__add_hist(p, &h), 0);
	h.count = 100;
	assert_int_equal(records__add_hist(p, &h), 0);
	assert_int_equal(records__foreach_hist(p, count_hist, &sum), 42);
	assert_int_equal(sum, 7);
	/* NULL strings are left out; a record read back says what it had */
	assert_int_equal(records__add_counter(p, &c), 0);
	assert_true(records__next_counter(p, &pos, &c));
	assert_null(c.path);
	assert_string_equal(c.why, "no PMU");
	assert_true(REC_HAS(&c, counter, why));
	assert_false(REC_HAS(&c, counter, path));
	assert_false(records__next_counter(p, &pos, &c));
	pos = 0;
	assert_false(records__next_meta(p, &pos, &(struct rec_meta){}));
	profile__free(p);
}

/* ---- older encodings ------------------------------------------------------ */

static void test_version1_read(void **state)
{
	struct profile *p = profile__new();
	struct records_reader rd = RECORDS_READER_INIT;
	struct rec_hist *h = malloc(sizeof(*h));
	struct rec_runqlat *rq = malloc(sizeof(*rq));
	struct rec_sockhist *sh = malloc(sizeof(*sh));
	struct rec_alloc *a = malloc(sizeof(*a));
	struct rec_sockerr e;
	uint32_t pos = 0;

	/* as written before the version comment existed */
	assert_int_equal(records__decode(p, &rd, "peerscope:hist path=dht count=3 errors=1 "
					 "sum_ns=3000 max_ns=1000 unmatched=0 "
					 "buckets=111:2,32:1,640:9"), 1);
	assert_int_equal(records__decode(p, &rd, "peerscope:runqlat pid=7 tid=8 thread=w "
					 "count=3 total_ns=5000 buckets=0:1,10:2"), 1);
	assert_int_equal(records__decode(p, &rd, "peerscope:sockhist pid=7 proto=udp dir=tx "
					 "log2=0:1,64:3"), 1);
	assert_int_equal(records__decode(p, &rd, "peerscope:alloc mode=malloc duty=0.500 "
					 "scale=2.0000 alloc_call_ns=35 brk_bytes=-4096"), 1);
	assert_int_equal(records__decode(p, &rd, "peerscope:sockerr pid=7 errno=111 "
					 "error=ECONNREFUSED count=4"), 1);

	assert_true(records__next_hist(p, &pos, h));
	assert_int_equal(h->count, 3);
	/* log-linear index 111 is [992, 1024); 32 is [32, 34); 640 is past the end */
	assert_int_equal(h->buckets.nr, 2);
	assert_int_equal(h->buckets.v[0].low, 992);
	assert_int_equal(h->buckets.v[0].count, 2);
	assert_int_equal(h->buckets.v[1].low, 32);
	pos = 0;
	assert_true(records__next_runqlat(p, &pos, rq));
	/* log2 slot i was [2^i, 2^(i+1)) */
	assert_int_equal(rq->buckets.nr, 2);
	assert_int_equal(rq->buckets.v[0].low, 0);
	assert_int_equal(rq->buckets.v[1].low, 1024);
	assert_int_equal(rq->buckets.v[1].count, 2);
	pos = 0;
	assert_true(records__next_sockhist(p, &pos, sh));
	assert_int_equal(sh->buckets.nr, 2);
	assert_int_equal(sh->buckets.v[1].low, 64);
	assert_int_equal(sh->buckets.v[1].count, 3);
	pos = 0;
	assert_true(records__next_alloc(p, &pos, a));
	assert_true(a->duty == 0.5 && a->scale == 2.0 && a->alloc_call_ns == 35);
	assert_int_equal(a->brk_bytes, -4096);
	pos = 0;
	assert_true(records__next_sockerr(p, &pos, &e));
	assert_int_equal(e.errnum, 111);

	/* after a version 2 comment, buckets are lowest values already */
	assert_int_equal(records__decode(p, &rd, "peerscope:version 2"), 1);
	assert_int_equal(rd.version, 2);
	assert_int_equal(records__decode(p, &rd, "peerscope:hist path=gossip buckets=111:2"), 1);
	assert_true(records__next_hist(p, &pos, h));
	assert_string_equal(h->path, "gossip");
	assert_int_equal(h->buckets.v[0].low, 111);
	free(h);
	free(rq);
	free(sh);
	free(a);
	profile__free(p);
}

static void test_comment_text(void **state)
{
	struct profile *p = profile__new();
	struct records_reader rd = RECORDS_READER_INIT;
	char *s;

	profile__add_record(p, "conn", "peer", "127.0.0.1:4001", "note", "a b=c%d\n", NULL);
	s = records__encode(p, &p->records[0]);
	assert_string_equal(s, "peerscope:conn peer=127.0.0.1:4001 note=a%20b%3Dc%25d%0A");
	assert_int_equal(records__decode(p, &rd, s), 1);
	free(s);
	assert_int_equal(p->nr_records, 2);
	assert_string_equal(profile__record_get(p, &p->records[1], "note"), "a b=c%d\n");
	s = records__encode_version();
	assert_string_equal(s, "peerscope:version 2");
	free(s);
	/* Not ours, or malformed: plain comments. */
	assert_int_equal(records__decode(p, &rd, "hello"), 0);
	assert_int_equal(records__decode(p, &rd, "peerscope:"), 0);
	assert_int_equal(records__decode(p, &rd, "peerscope:x novalue"), 0);
	assert_int_equal(records__decode(p, &rd, "peerscope:x k=%zz"), 0);
	assert_int_equal(records__decode(p, &rd, "peerscope:x =v"), 0);
	assert_int_equal(records__decode(p, &rd, "peerscope:meta"), 1);
	assert_int_equal(p->records[2].nr_fields, 0);
	profile__free(p);
}

/* ---- the histogram codec shared with BPF ---------------------------------- */

static void test_hist_boundaries(void **state)
{
	/* log-linear: one bucket per value below 32, then 16 per power of two */
	assert_int_equal(hist_ll_bucket(0), 0);
	assert_int_equal(hist_ll_bucket(31), 31);
	assert_int_equal(hist_ll_bucket(32), 32);
	assert_int_equal(hist_ll_bucket(33), 32);
	assert_int_equal(hist_ll_bucket(34), 33);
	assert_int_equal(hist_ll_bucket(1000), 111);
	assert_int_equal(hist_ll_low(111), 992);
	assert_int_equal(hist_ll_width(111), 32);
	assert_int_equal(hist_ll_bucket(1ULL << 43), HIST_LL_BUCKETS - 1);
	assert_int_equal(hist_ll_bucket(UINT64_MAX), HIST_LL_BUCKETS - 1);
	for (uint32_t b = 0; b < HIST_LL_BUCKETS; b++) {
		uint64_t lo = hist_ll_low(b), w = hist_ll_width(b);

		assert_int_equal(hist_ll_bucket(lo), b);
		assert_int_equal(hist_ll_bucket(lo + w - 1), b);
		if (b + 1 < HIST_LL_BUCKETS)
			assert_true(hist_ll_low(b + 1) == lo + w);
		/* what reports use is what BPF counts with */
		assert_true(rec_ll_low(b) == lo && rec_ll_width(b) == w && rec_ll_bucket(lo) == b);
	}
	/* log2: 0, 1, 2-3, 4-7, ... */
	assert_int_equal(hist_log2_bucket(0), 0);
	assert_int_equal(hist_log2_bucket(1), 1);
	assert_int_equal(hist_log2_bucket(2), 2);
	assert_int_equal(hist_log2_bucket(3), 2);
	assert_int_equal(hist_log2_bucket(4), 3);
	assert_int_equal(hist_log2_bucket(UINT64_MAX), 64);
	for (uint32_t b = 1; b < 64; b++) {
		assert_int_equal(hist_log2_bucket(hist_log2_low(b)), b);
		assert_int_equal(hist_log2_bucket(hist_log2_low(b + 1) - 1), b);
	}
}

static void test_buckets_dense(void **state)
{
	static uint64_t dense[REC_LL_BUCKETS];
	struct rec_buckets *b = calloc(1, sizeof(*b));
	char buf[64];

	rec_buckets__add(b, 992, 2);
	rec_buckets__add(b, 1000, 3);	/* same bucket */
	rec_buckets__add(b, 5, 0);	/* empty: left out */
	assert_int_equal(b->nr, 2);
	assert_int_equal(rec_buckets__to_ll(b, dense), 5);
	assert_int_equal(dense[111], 5);
	assert_string_equal(rec_buckets__format(b, buf, sizeof(buf)), "992:2,1000:3");
	assert_string_equal(rec_buckets__format(b, buf, 6), "992:2");
	free(b);
}

/* ---- docs/format.md documents every kind and field ---------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (size_t got = 1; got;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static const char *docs;

static void documented(const char *name)
{
	char quoted[64];

	snprintf(quoted, sizeof(quoted), "`%s`", strcmp(name, "errnum") ? name : "errno");
	if (!strstr(docs, quoted))
		fail_msg("docs/format.md does not mention %s", quoted);
}

#define DOC_FIELD(k, type, name)	documented(#name);
#define DOC_KIND(kind)			documented(#kind); REC_##kind(DOC_FIELD, kind)

static void test_documented(void **state)
{
	char *text = slurp("docs/format.md");

	if (!text)
		skip();	/* not run from the source tree */
	docs = text;
	REC_KINDS(DOC_KIND)
	free(text);
}

/* ---- the shared names ----------------------------------------------------- */

static void test_names(void **state)
{
	assert_int_equal(reason__parse("lock"), REASON_LOCK);
	assert_int_equal(reason__parse("runq"), REASON_RUNQ);
	assert_int_equal(reason__parse("sleep"), -1);
	assert_int_equal(reason__parse(NULL), -1);
	assert_string_equal(reason__name(99), "other");
	assert_int_equal(wall_part__of_reason(REASON_RUNQ), WALL_RUNQ);
	assert_string_equal(wall_part_names[wall_part__of_reason(REASON_FAULT)], "fault");
	assert_string_equal(wall_part_names[WALL_IDLE], "idle");
	assert_int_equal(path_builtin__id("gossip"), PATH_GOSSIP);
	assert_int_equal(path_builtin__id("gossipx"), -1);
	assert_string_equal(path_builtin_names[PATH_OTHER], PATH_OTHER_NAME);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_every_kind),
		cmocka_unit_test(test_foreach_and_absent),
		cmocka_unit_test(test_version1_read),
		cmocka_unit_test(test_comment_text),
		cmocka_unit_test(test_hist_boundaries),
		cmocka_unit_test(test_buckets_dense),
		cmocka_unit_test(test_documented),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
