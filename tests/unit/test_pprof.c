// SPDX-License-Identifier: MIT
/*
 * Unit tests of the format layer: pprof I/O (userspace/format/pprof.c),
 * folded stacks (folded.c) and loading a recording of either format
 * (recording.c).
 *
 * With PEERSCOPE_PPROF_OUT=FILE set, the rich test profile is also written
 * to FILE, for tests/integration/test_pprof_go.sh to check with Go's pprof;
 * with PEERSCOPE_PPROF_IN=FILE (Go's re-encoding of it), that file must read
 * back as the same profile.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/profile.h"
#include "format/pprof.h"
#include "format/folded.h"
#include "format/recording.h"

/*
 * A profile with a bit of everything: three sample types, a main binary that
 * is not the first mapping added, a library, inlined lines, raw and named
 * kernel frames, an unsymbolized user frame, string/numeric labels with
 * units, records whose values need escaping, plain comments.
 */
static struct profile *rich_profile(void)
{
	struct profile *p = profile__new();
	struct pf_mapping libc = { .start = 0x7f0000000000, .limit = 0x7f0000100000,
				   .offset = 0x28000, .has_functions = true };
	struct pf_mapping exe = { .start = 0x555555554000, .limit = 0x555555600000 };
	uint32_t mlibc, mexe, fmain, fhandle, finl, fmemcpy, fk;
	uint32_t lmain, lhandle, lmemcpy, lk_raw, lk_sym, lnamed, lknamed, lunsym;
	int cpu, cnt, off;

	cpu = profile__add_type(p, "cpu", "nanoseconds");
	cnt = profile__add_type(p, "samples", "count");
	libc.filename = profile__intern(p, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	libc.build_id = profile__intern(p, "deadbeef01");
	mlibc = profile__add_mapping(p, &libc);
	exe.filename = profile__intern(p, "/work/build/p2pnode");
	exe.build_id = profile__intern(p, "abc123");
	mexe = profile__add_mapping(p, &exe);

	fmain = profile__intern_function(p, "main", "main", "node.c");
	fhandle = profile__intern_function(p, "dht_handle", "dht_handle", "dht.c");
	finl = profile__intern_function(p, "hash_key", "hash_key", "hash.h");
	fmemcpy = profile__intern_function(p, "__memcpy_avx", "__memcpy_avx", "");
	fk = profile__intern_function(p, "tcp_sendmsg", "tcp_sendmsg", "");

	lmain = profile__intern_address(p, 100, false, 0x555555555100);
	p->locations[lmain].mapping = mexe;
	p->locations[lmain].symbolized = true;
	profile__location_add_line(p, lmain, fmain, 42);
	lhandle = profile__intern_address(p, 100, false, 0x555555556200);
	p->locations[lhandle].mapping = mexe;
	p->locations[lhandle].symbolized = true;
	profile__location_add_line(p, lhandle, finl, 7);     /* inlined into */
	profile__location_add_line(p, lhandle, fhandle, 120); /* the caller */
	lmemcpy = profile__intern_address(p, 100, false, 0x7f0000001234);
	p->locations[lmemcpy].mapping = mlibc;
	profile__location_add_line(p, lmemcpy, fmemcpy, 0);
	lunsym = profile__intern_address(p, 100, false, 0x7f0000009999);
	p->locations[lunsym].mapping = mlibc;
	lk_raw = profile__intern_address(p, 0, true, 0xffffffff81234567ull);
	lk_sym = profile__intern_address(p, 0, true, 0xffffffff81000010ull);
	profile__location_add_line(p, lk_sym, fk, 0);
	lnamed = profile__intern_named_frame(p, "[lock wait]", NULL, false);
	lknamed = profile__intern_named_frame(p, "schedule", NULL, true);

	{
		uint32_t s1[] = { lk_raw, lk_sym, lmemcpy, lhandle, lmain };
		uint32_t s2[] = { lhandle, lmain };
		uint32_t s3[] = { lknamed, lnamed, lunsym, lmain };
		struct pf_label_kv kv1[] = {
			{ .key = "path", .str = "dht" },
			{ .key = "pid", .num = 100 },
			{ .key = "thread", .str = "net worker" },
			{ .key = "bytes", .num = 512, .unit = "bytes" },
		};
		struct pf_label_kv kv2[] = { { .key = "path", .str = "gossip" },
					     { .key = "tid", .num = -3 } };
		uint32_t st1 = profile__intern_stack(p, s1, 5);
		uint32_t st2 = profile__intern_stack(p, s2, 2);
		uint32_t st3 = profile__intern_stack(p, s3, 4);
		uint32_t ls1 = profile__intern_labels(p, kv1, 4);
		uint32_t ls2 = profile__intern_labels(p, kv2, 2);

		profile__add(p, st1, ls1, cpu, 30303030);
		profile__add(p, st1, ls1, cnt, 3);
		profile__add(p, st2, ls2, cpu, 10101010);
		profile__add(p, st2, ls2, cnt, 1);
		profile__add(p, st2, 0, cnt, 7);
		off = profile__add_type(p, "offcpu", "nanoseconds");
		profile__add(p, st3, ls2, off, 5000000000ll);
		profile__add(p, profile__intern_stack(p, NULL, 0), 0, cnt, 2);
	}
	profile__add_record(p, "meta", "hostname", "node-1", "version", "0.1",
			    "command", "record -F 99 -p 100 -- sleep=1%", "exe",
			    "/work/build/p2pnode", NULL);
	profile__add_record(p, "stats", "collector", "cpu", "map_full", "0", "lost", "12", NULL);
	profile__add_record(p, "odd", "nl", "a\nb\tc", "empty", "", NULL);
	profile__add_comment(p, "plain comment with spaces = and %");
	p->time_nanos = 1700000000123456789ll;
	p->duration_nanos = 5000000000ll;
	p->period_type.type = profile__intern(p, "cpu");
	p->period_type.unit = profile__intern(p, "nanoseconds");
	p->period = 10101010;
	p->default_type = cpu;
	(void)cnt;
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A canonical text of everything that must survive a round trip,
 * independent of ids and order.
 */
static char *describe(const struct profile *p)
{
	char **lines = calloc(p->nr_samples + p->nr_records + p->nr_comments + 8, sizeof(char *));
	size_t n = 0, total = 0, i;
	char *out, *o;
	char *buf;
	size_t sz;
	FILE *f;
	uint32_t s, j, k;

	for (s = 0; s < p->nr_samples; s++) {
		const struct pf_stack *st = &p->stacks[p->samples[s].stack];
		const struct pf_labelset *ls = &p->labelsets[p->samples[s].labelset];

		f = open_memstream(&buf, &sz);
		for (j = 0; j < st->nr; j++) {
			uint32_t loc = st->locs[j];

			for (k = 0; k < profile__frame_count(p, loc); k++) {
				char name[256];

				fprintf(f, "%s%s;", profile__frame_name(p, loc, k, name, sizeof(name)),
					p->locations[loc].kernel ? "[k]" : "");
			}
			/* Kernel frames gain the [kernel.kallsyms] mapping in a file. */
			if (p->locations[loc].mapping && !p->locations[loc].kernel)
				fprintf(f, "@%s;", profile__str(p,
					p->mappings[p->locations[loc].mapping].filename));
		}
		fprintf(f, " |");
		for (j = 0; p->samples[s].labelset && j < ls->nr; j++) {
			const struct pf_label *l = &ls->labels[j];

			if (l->str)
				fprintf(f, " %s=%s", profile__str(p, l->key), profile__str(p, l->str));
			else
				fprintf(f, " %s=#%" PRId64 "%s", profile__str(p, l->key), l->num,
					profile__str(p, l->unit));
		}
		fprintf(f, " |");
		for (j = 0; j < p->nr_types; j++)
			if (profile__value(p, s, j))
				fprintf(f, " %s/%s=%" PRId64, profile__str(p, p->types[j].type),
					profile__str(p, p->types[j].unit), profile__value(p, s, j));
		fclose(f);
		lines[n++] = buf;
	}
	qsort(lines, n, sizeof(*lines), cmp_str);
	for (s = 0; s < p->nr_records; s++) {
		const struct pf_record *r = &p->records[s];

		f = open_memstream(&buf, &sz);
		fprintf(f, "record %s:", profile__str(p, r->kind));
		for (j = 0; j < r->nr_fields; j++)
			fprintf(f, " [%s]=[%s]", profile__str(p, r->keys[j]),
				profile__str(p, r->vals[j]));
		fclose(f);
		lines[n++] = buf;
	}
	for (s = 0; s < p->nr_comments; s++) {
		f = open_memstream(&buf, &sz);
		fprintf(f, "comment %s", profile__str(p, p->comments[s]));
		fclose(f);
		lines[n++] = buf;
	}
	f = open_memstream(&buf, &sz);
	fprintf(f, "types");
	for (j = 0; j < p->nr_types; j++)
		fprintf(f, " %s/%s", profile__str(p, p->types[j].type),
			profile__str(p, p->types[j].unit));
	fprintf(f, " default=%d time=%" PRId64 " dur=%" PRId64 " period=%s/%s:%" PRId64,
		p->default_type, p->time_nanos, p->duration_nanos,
		profile__str(p, p->period_type.type), profile__str(p, p->period_type.unit),
		p->period);
	fclose(f);
	lines[n++] = buf;

	for (i = 0; i < n; i++)
		total += strlen(lines[i]) + 1;
	out = o = malloc(total + 1);
	for (i = 0; i < n; i++) {
		o = stpcpy(o, lines[i]);
		*o++ = '\n';
		free(lines[i]);
	}
	*o = '\0';
	free(lines);
	return out;
}

static void assert_same(const struct profile *a, const struct profile *b)
{
	char *da = describe(a), *db = describe(b);

	if (strcmp(da, db))
		fprintf(stderr, "--- expected\n%s--- got\n%s", da, db);
	assert_string_equal(da, db);
	free(da);
	free(db);
}

static void test_roundtrip_plain(void **state)
{
	struct profile *p = rich_profile(), *q = profile__new();
	void *buf;
	size_t len;

	assert_int_equal(pprof__encode(p, &buf, &len), 0);
	assert_int_equal(pprof__decode(q, buf, len), 0);
	assert_same(p, q);
	/* Kernel-ness, main mapping first, build ids, inline order. */
	assert_string_equal(profile__str(q, q->mappings[1].filename), "/work/build/p2pnode");
	assert_string_equal(profile__str(q, q->mappings[1].build_id), "abc123");
	assert_int_equal(q->mappings[1].start, 0x555555554000);
	{
		uint32_t i, nk = 0, inl = 0;
		char name[64];

		for (i = 1; i < q->nr_locations; i++) {
			nk += q->locations[i].kernel;
			if (q->locations[i].nr_lines == 2) {
				inl++;
				assert_string_equal(profile__frame_name(q, i, 0, name, sizeof(name)),
						    "hash_key");
				assert_string_equal(profile__frame_name(q, i, 1, name, sizeof(name)),
						    "dht_handle");
				assert_int_equal(q->locations[i].lines[1].line, 120);
			}
		}
		assert_int_equal(nk, 3);
		assert_int_equal(inl, 1);
	}
	assert_string_equal(profile__record_get(q, &q->records[0], "command"),
			    "record -F 99 -p 100 -- sleep=1%");
	assert_string_equal(profile__record_get(q, &q->records[2], "nl"), "a\nb\tc");
	assert_string_equal(profile__record_get(q, &q->records[2], "empty"), "");
	free(buf);
	profile__free(p);
	profile__free(q);
}

static void test_roundtrip_gzip_file(void **state)
{
	struct profile *p = rich_profile(), *q = profile__new(), *r;
	char dir[] = "/tmp/pf-test-XXXXXX", path[128];
	const char *out = getenv("PEERSCOPE_PPROF_OUT");
	unsigned char magic[2];
	struct dirent *de;
	FILE *f;
	DIR *d;
	int n = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rec.pb.gz", dir);
	assert_int_equal(pprof__write(p, path), 0);
	/* Only the final file: the temporary one was renamed. */
	d = opendir(dir);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 1);
	f = fopen(path, "rb");
	assert_int_equal(fread(magic, 1, 2, f), 2);
	fclose(f);
	assert_int_equal(magic[0], 0x1f);
	assert_int_equal(magic[1], 0x8b);
	assert_int_equal(pprof__read(q, path), 0);
	assert_same(p, q);

	/*
	 * Reading into a non-empty profile merges.  (Raw locations of a live
	 * profile carry pids that a file does not: those stay apart.)
	 */
	r = profile__new();
	assert_int_equal(pprof__read(r, path), 0);
	assert_int_equal(pprof__read(r, path), 0);
	assert_int_equal(profile__total(r, profile__type_index(r, "cpu")),
			 2 * profile__total(p, profile__type_index(p, "cpu")));
	assert_int_equal(r->nr_samples, p->nr_samples);
	profile__free(r);

	assert_int_equal(pprof__read(q, "/nonexistent/x.pb.gz"), -ENOENT);
	assert_int_equal(pprof__write(p, "/nonexistent/x.pb.gz"), -ENOENT);
	unlink(path);
	rmdir(dir);
	if (out)
		assert_int_equal(pprof__write(p, out), 0);
	profile__free(p);
	profile__free(q);
}

static bool has_frames(const struct profile *p, uint32_t s, void *ctx)
{
	return p->stacks[p->samples[s].stack].nr > 0;
}

static void test_go_reencoded(void **state)
{
	const char *in = getenv("PEERSCOPE_PPROF_IN");
	struct profile *p, *q, *r;

	if (!in)
		skip();
	/* Go's pprof drops samples without frames when it re-encodes. */
	r = rich_profile();
	p = profile__filter(r, has_frames, NULL);
	profile__free(r);
	q = profile__new();
	assert_int_equal(pprof__read(q, in), 0);
	assert_same(p, q);
	profile__free(p);
	profile__free(q);
}

static void test_empty(void **state)
{
	struct profile *p = profile__new(), *q = profile__new();
	void *buf;
	size_t len;

	assert_int_equal(pprof__encode_gz(p, &buf, &len), 0);
	assert_int_equal(pprof__decode(q, buf, len), 0);
	assert_int_equal(q->nr_samples, 0);
	assert_int_equal(q->nr_types, 0);
	free(buf);
	assert_int_equal(pprof__decode(q, "", 0), -EBADMSG);
	profile__free(p);
	profile__free(q);
}

static bool ok_error(int ret)
{
	return ret == 0 || ret == -EBADMSG || ret == -EINVAL || ret == -ENOSPC || ret == -EFBIG;
}

static void test_corrupt(void **state)
{
	struct profile *p = rich_profile(), *q;
	unsigned char *buf, *gz, *c;
	size_t len, gzlen, i;
	int iters = getenv("PF_FUZZ") ? atoi(getenv("PF_FUZZ")) : 3000, ret, fails = 0;

	assert_int_equal(pprof__encode(p, (void **)&buf, &len), 0);
	assert_int_equal(pprof__encode_gz(p, (void **)&gz, &gzlen), 0);
	c = malloc(len > gzlen ? len : gzlen);

	/* Every truncation of the gzip file fails (the trailer guards it). */
	for (i = 0; i < gzlen; i++) {
		q = profile__new();
		memcpy(c, gz, i);
		ret = pprof__decode(q, c, i);
		assert_true(ret == -EBADMSG || (i < 2 && ret == -EBADMSG));
		assert_int_equal(q->nr_samples, 0);
		profile__free(q);
	}
	/* Truncated plain input never crashes; most prefixes fail. */
	for (i = 0; i < len; i++) {
		q = profile__new();
		memcpy(c, buf, i);
		ret = pprof__decode(q, c, i);
		assert_true(ok_error(ret));
		fails += ret != 0;
		profile__free(q);
	}
	assert_true(fails > (int)len / 2);
	/* A varint cut in its middle. */
	{
		unsigned char bad[] = { 0x48, 0xff, 0xff };

		q = profile__new();
		assert_int_equal(pprof__decode(q, bad, sizeof(bad)), -EBADMSG);
		profile__free(q);
	}
	/* Random byte corruptions, plain and gzip. */
	srandom(1234);
	for (int it = 0; it < iters; it++) {
		bool use_gz = it & 1;
		size_t n = use_gz ? gzlen : len;
		int flips = 1 + random() % 4;

		memcpy(c, use_gz ? gz : buf, n);
		for (int k = 0; k < flips; k++)
			c[random() % n] ^= 1 + random() % 255;
		q = profile__new();
		ret = pprof__decode(q, c, n);
		assert_true(ok_error(ret));
		profile__free(q);
	}
	free(c);
	free(buf);
	free(gz);
	profile__free(p);
}

static void test_folded(void **state)
{
	const char *text =
		"# comment\n"
		"main;dht_handle;tcp_sendmsg_[k];copy_user_[k] 10\n"
		"main;dht_handle 5\r\n"
		"\n"
		"main;operator new(unsigned long) 2.6\n"
		"main;dht_handle 1\n"
		"main;;gossip_[j] 4";
	struct profile *p = profile__new();
	size_t bad = 0;
	char name[64];
	uint32_t i, st;
	int t;

	assert_int_equal(folded__read_buf(p, text, strlen(text), NULL, NULL, &bad), 0);
	t = profile__type_index(p, "samples");
	assert_int_equal(t, 0);
	assert_int_equal(p->nr_samples, 4);
	assert_int_equal(profile__total(p, t), 23);
	st = p->samples[0].stack;
	assert_int_equal(p->stacks[st].nr, 4);
	/* Leaf first. */
	assert_string_equal(profile__frame_name(p, p->stacks[st].locs[0], 0, name, sizeof(name)),
			    "copy_user");
	assert_true(p->locations[p->stacks[st].locs[0]].kernel);
	assert_true(p->locations[p->stacks[st].locs[1]].kernel);
	assert_false(p->locations[p->stacks[st].locs[2]].kernel);
	assert_string_equal(profile__frame_name(p, p->stacks[st].locs[3], 0, name, sizeof(name)),
			    "main");
	assert_int_equal(profile__value(p, 1, t), 6);
	assert_int_equal(profile__value(p, 2, t), 3);
	st = p->samples[2].stack;
	assert_string_equal(profile__frame_name(p, p->stacks[st].locs[0], 0, name, sizeof(name)),
			    "operator new(unsigned long)");
	st = p->samples[3].stack;
	assert_int_equal(p->stacks[st].nr, 2);
	assert_string_equal(profile__frame_name(p, p->stacks[st].locs[0], 0, name, sizeof(name)),
			    "gossip_[j]");

	/* Kernel frames survive a pprof round trip. */
	{
		struct profile *q = profile__new();
		void *buf;
		size_t len;

		assert_int_equal(pprof__encode(p, &buf, &len), 0);
		assert_int_equal(pprof__decode(q, buf, len), 0);
		assert_same(p, q);
		for (i = 1; i < q->nr_locations; i++)
			if (q->locations[i].kernel)
				assert_int_equal(strcmp(profile__str(q,
					q->mappings[q->locations[i].mapping].filename),
					PF_KERNEL_MODULE), 0);
		free(buf);
		profile__free(q);
	}
	assert_int_equal(folded__read_buf(p, "main;x\n", 7, NULL, NULL, &bad), -EBADMSG);
	assert_int_equal(bad, 1);
	assert_int_equal(folded__read_buf(p, "a 1\nb x1\n", 9, NULL, NULL, &bad), -EBADMSG);
	assert_int_equal(bad, 2);
	assert_int_equal(folded__read_buf(p, "a -1\n", 5, NULL, NULL, &bad), -EBADMSG);
	profile__free(p);
}

/*
 * Each distinct frame text is interned once per parse (a cache keyed by the
 * frame's bytes): the same name in another line or another depth is one
 * location, its kernel twin another, and the frames a file leaves empty
 * (";;", a lone "_[k]") are skipped as they always were.
 */
static void test_folded_frame_cache(void **state)
{
	const char *text = "main;f;f_[k] 2\n"
			   "f;;_[k];main 3\n"
			   "main;f_[k];x 1\n";
	struct profile *p = profile__new();
	const struct pf_stack *a, *b, *c;
	size_t bad = 0;

	(void)state;
	assert_int_equal(folded__read_buf(p, text, strlen(text), NULL, NULL, &bad), 0);
	assert_int_equal(p->nr_samples, 3);
	a = &p->stacks[p->samples[0].stack];
	b = &p->stacks[p->samples[1].stack];
	c = &p->stacks[p->samples[2].stack];
	assert_int_equal(a->nr, 3);
	assert_int_equal(b->nr, 2);
	assert_int_equal(c->nr, 3);
	/* leaf first: a = f_[k], f, main; b = main, f; c = x, f_[k], main */
	assert_true(p->locations[a->locs[0]].kernel);
	assert_false(p->locations[a->locs[1]].kernel);
	assert_int_not_equal(a->locs[0], a->locs[1]);
	assert_int_equal(a->locs[1], b->locs[1]);
	assert_int_equal(a->locs[2], b->locs[0]);
	assert_int_equal(a->locs[0], c->locs[1]);
	assert_int_equal(a->locs[2], c->locs[2]);
	/* one location per distinct frame: f, f_[k], main, x */
	assert_int_equal(p->nr_locations - 1, 4);
	profile__free(p);
}

static void test_folded_diff(void **state)
{
	const char *text = "main;a 10 0\nmain;b 3 7\nmain;c 0 5\n";
	char path[] = "/tmp/pf-folded-XXXXXX";
	struct profile *base = profile__new(), *cur = profile__new(), *two = profile__new();
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(folded__read_diff(base, cur, path), 0);
	assert_int_equal(profile__total(base, 0), 13);
	assert_int_equal(profile__total(cur, 0), 12);
	assert_int_equal(base->nr_samples, 2);
	assert_int_equal(cur->nr_samples, 2);
	assert_int_equal(folded__read_diff_columns(two, path), 0);
	assert_int_equal(profile__total(two, profile__type_index(two, "base")), 13);
	assert_int_equal(profile__total(two, profile__type_index(two, "new")), 12);
	assert_int_equal(two->nr_samples, 3);
	/* The two-column form is not a diff file. */
	assert_int_equal(folded__read_diff_buf(base, 0, cur, 0, "a 1\n", 4, NULL), -EBADMSG);
	/* And a diff file read as plain folded takes the last column. */
	profile__free(two);
	two = profile__new();
	assert_int_equal(folded__read(two, path), 0);
	assert_int_equal(profile__total(two, 0), 12);
	assert_int_equal(folded__read(two, "/nonexistent"), -ENOENT);
	unlink(path);
	profile__free(base);
	profile__free(cur);
	profile__free(two);
}

/* The folded line codec: what a frame name may not hold is replaced. */
static void test_folded_write(void **state)
{
	char line[128], *w = line;
	int64_t counts[2] = { 7, 0 };
	char *out;
	size_t len;
	FILE *f;

	assert_int_equal(folded__frame_len("tcp;x", FOLDED_KERNEL), 9);
	w = folded__put_frame(w, "a;b\nc", FOLDED_PLAIN);
	*w++ = ';';
	w = folded__put_frame(w, "tcp_sendmsg", FOLDED_KERNEL);
	*w++ = ';';
	w = folded__put_frame(w, "inl", FOLDED_INLINE);
	f = open_memstream(&out, &len);
	assert_int_equal(folded__write_line(f, line, w - line, counts, 2), 0);
	assert_int_equal(folded__write_line(f, "", 0, counts, 1), 0);
	fclose(f);
	assert_string_equal(out, "a:b c;tcp_sendmsg_[k];inl_[i] 7 0\n 7\n");
	free(out);
}

/* write_file DIR NAME DATA LEN: the path of a new file holding DATA. */
static const char *write_file(const char *dir, const char *name, const void *data, size_t len)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

/* recording__load tells pprof (gzip or plain) from folded text by content. */
/*
 * A folded file too big to read whole is read FOLDED_BLOCK bytes at a time:
 * lines cut by a block's end, CRLF, a line longer than a block, lines the
 * reader must judge (comment, decimal count, blank) and no final line
 * break give the same profile as reading the same text whole.
 */
static void test_folded_blocks(void **state)
{
	char dir[] = "/tmp/pf-blocks-XXXXXX", frame[40];
	size_t cap = 5 * (size_t)FOLDED_BLOCK, len = 0, long_len = FOLDED_BLOCK + 12345;
	char *text = malloc(cap + long_len + 4096);
	struct profile *whole = profile__new(), *q;
	uint64_t total = 0;
	const char *what, *path;
	uint32_t n = 0;

	assert_non_null(text);
	assert_non_null(mkdtemp(dir));
	len += sprintf(text + len, "# made by test_folded_blocks\n");
	while (len < cap) {
		/* 997 stacks of 1-30 frames, counts 1-3; a few CRLF lines */
		uint32_t k = n % 997, depth = 1 + k % 30;

		len += sprintf(text + len, "main");
		for (uint32_t d = 0; d < depth; d++) {
			snprintf(frame, sizeof(frame), ";fn_%u_%u", k, d);
			len += sprintf(text + len, "%s", frame);
		}
		len += sprintf(text + len, " %u%s", 1 + n % 3, n % 101 ? "\n" : "\r\n");
		total += 1 + n % 3;
		if (n == 5000)
			len += sprintf(text + len, "main;decimal 2.6\n\n");
		n++;
	}
	total += 3;	/* 2.6 rounded */
	/* one stack longer than a block, then the last line without a break */
	len += sprintf(text + len, "main;");
	memset(text + len, 'x', long_len);
	len += long_len;
	len += sprintf(text + len, " 7\nmain;last 4");
	total += 11;

	path = write_file(dir, "big.folded", text, len);
	assert_int_equal(folded__read_buf_merged(whole, text, len), 0);
	assert_int_equal(profile__total(whole, 0), total);
	assert_int_equal(recording__load(path, &q, &what), 0);
	assert_string_equal(what, "folded");
	assert_int_equal(profile__total(q, 0), total);
	assert_int_equal(q->nr_samples, 997 + 3);
	assert_same(whole, q);
	profile__free(q);
	profile__free(whole);
	unlink(path);
	rmdir(dir);
	free(text);
}

static void test_recording_load(void **state)
{
	struct profile *p = rich_profile(), *q;
	const char *folded = "main;work 3\nmain;work 2\nmain;idle 1\n";
	const unsigned char junk[] = { 0x0a, 0x05, 0x01, 0xff, 0x00, 0x12 };
	char dir[] = "/tmp/pf-load-XXXXXX";
	const char *what, *path;
	void *buf;
	size_t len;

	assert_non_null(mkdtemp(dir));
	for (int gz = 0; gz < 2; gz++) {
		assert_int_equal((gz ? pprof__encode_gz : pprof__encode)(p, &buf, &len), 0);
		path = write_file(dir, gz ? "a.pb.gz" : "a.pb", buf, len);
		assert_int_equal(recording__load(path, &q, &what), 0);
		assert_string_equal(what, "pprof");
		assert_same(p, q);
		profile__free(q);
		unlink(path);
		free(buf);
	}

	path = write_file(dir, "a.folded", folded, strlen(folded));
	assert_int_equal(recording__load(path, &q, &what), 0);
	assert_string_equal(what, "folded");
	assert_int_equal(profile__total(q, recording__pick_type(q, NULL)), 6);
	assert_int_equal(q->nr_samples, 2);	/* identical stacks merged */
	profile__free(q);
	unlink(path);

	/* Neither format, or nothing at all: -EBADMSG and no profile. */
	path = write_file(dir, "junk", junk, sizeof(junk));
	q = (struct profile *)1;
	assert_int_equal(recording__load(path, &q, &what), -EBADMSG);
	assert_null(q);
	unlink(path);
	path = write_file(dir, "empty", "", 0);
	assert_int_equal(recording__load(path, &q, &what), -EBADMSG);
	unlink(path);
	assert_int_equal(recording__load("/nonexistent/x.pb.gz", &q, &what), -ENOENT);
	rmdir(dir);
	profile__free(p);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* PF_BENCH=N: N samples over ~N/10 stacks, intern + write + read, timed. */
static void test_bench(void **state)
{
	const char *env = getenv("PF_BENCH");
	int n = env ? atoi(env) : 20000, i, j;
	struct profile *p = profile__new(), *q = profile__new();
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	int cnt = profile__add_type(p, "samples", "count");
	char path[] = "/tmp/pf-bench-XXXXXX";
	double t0, t1, t2, t3;
	uint64_t u[24], k[8];
	struct stat sb;
	int fd = mkstemp(path);

	close(fd);
	t0 = now();
	for (i = 0; i < n; i++) {
		unsigned h = (unsigned)(i % (n / 10 + 1)) * 2654435761u;
		int depth = 8 + h % 16;
		struct pf_label_kv kv[3] = { { .key = "pid", .num = 100 + h % 4 },
					     { .key = "tid", .num = 1000 + h % 32 },
					     { .key = "path", .str = h & 1 ? "dht" : "gossip" } };
		int idx[2] = { cpu, cnt };
		int64_t v[2] = { 10101010, 1 };
		uint32_t st, ls;

		for (j = 0; j < depth; j++)
			u[j] = 0x400000 + (h >> (j % 20)) % 512 * 64 + j * 4096;
		for (j = 0; j < 4; j++)
			k[j] = 0xffffffff81000000ull + (h >> j) % 64 * 32;
		st = profile__intern_raw_stack(p, 100 + h % 4, k, h % 3 ? 4 : 0, u, depth);
		ls = profile__intern_labels(p, kv, 3);
		assert_true(profile__add_values(p, st, ls, idx, v, 2) >= 0);
	}
	/* Name every location, like the symbolizer would. */
	for (i = 1; i < (int)p->nr_locations; i++) {
		char name[32];

		snprintf(name, sizeof(name), "fn_%" PRIx64, p->locations[i].address >> 4);
		profile__location_add_line(p, i, profile__intern_function(p, name, name, "x.c"),
					   i % 100);
	}
	t1 = now();
	assert_int_equal(pprof__write(p, path), 0);
	t2 = now();
	assert_int_equal(pprof__read(q, path), 0);
	t3 = now();
	stat(path, &sb);
	assert_int_equal(profile__total(q, 1), n);
	if (env)
		fprintf(stderr, "%d samples -> %u samples, %u stacks, %u locations: intern %.3f s, "
			"write %.3f s (%lld bytes), read %.3f s\n", n, p->nr_samples,
			p->nr_stacks - 1, p->nr_locations - 1, t1 - t0, t2 - t1,
			(long long)sb.st_size, t3 - t2);
	unlink(path);
	profile__free(p);
	profile__free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_plain),
		cmocka_unit_test(test_roundtrip_gzip_file),
		cmocka_unit_test(test_go_reencoded),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_folded_frame_cache),
		cmocka_unit_test(test_folded_diff),
		cmocka_unit_test(test_folded_write),
		cmocka_unit_test(test_folded_blocks),
		cmocka_unit_test(test_recording_load),
		cmocka_unit_test(test_bench),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
