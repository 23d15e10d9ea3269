// SPDX-License-Identifier: MIT
/*
 * pprof codec benchmark: the hand-written protobuf encoder/decoder
 * (userspace/format/pprof.c) against the one protobuf-c generates from
 * profile.proto (userspace/format/pprof-pbc.c), on one synthetic recording
 * shaped like a long one: N samples (default 1 M) over S distinct stacks
 * (default 65,536) of 8-40 frames, 16 label sets (tid, thread, path), two
 * sample types, records.
 *
 *   pprof-codec [-n SAMPLES] [-s STACKS] [-r ROUNDS] [CODEC [OP]]
 *
 * With no CODEC: checks both codecs give the same bytes and read back the
 * same profile, then measures write (encode, plain protobuf) and read
 * (decode into a fresh profile) of each, every measurement in its own
 * forked child (a clean heap), rounds alternating between the codecs, and
 * prints the best time and peak memory of each and the ratios.  Memory is
 * the child's peak RSS above its RSS when the operation started (the
 * kernel's high-water mark, reset through /proc/self/clear_refs), so it is
 * what the operation itself allocated: output buffer, message tree, the
 * decoded profile.
 *
 * CODEC (hand|pbc) and OP (write|read, default read) run just that in this
 * process, for /usr/bin/time -v or callgrind (bench/pprof-codec.sh).
 */
#include "format/pprof.h"
#include "pprof-pbc.h"
#include "core/profile.h"

#include <errno.h>
#include <malloc.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NR_FUNCS 6000
#define NR_LOCS 20000
#define NR_LABELSETS 16

struct codec {
	const char *name;
	int (*encode)(const struct profile *p, void **buf, size_t *len);
	int (*decode)(struct profile *p, const void *buf, size_t len);
};

static const struct codec codecs[] = {
	{ "hand", pprof__encode, pprof__decode },
	{ "pbc", pprof_pbc__encode, pprof_pbc__decode_plain },
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "pprof-codec: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void build_tables(struct profile *p, uint32_t *locs)
{
	static const char *const files[] = { "/usr/bin/node", "/usr/lib/libc.so.6",
					     "/usr/lib/libssl.so.3", "[kernel.kallsyms]" };
	uint32_t maps[4], funcs[NR_FUNCS];
	char name[64];

	for (int i = 0; i < 4; i++) {
		struct pf_mapping m = { .start = 0x400000ull + ((uint64_t)i << 32),
					.limit = 0x800000ull + ((uint64_t)i << 32),
					.filename = profile__intern(p, files[i]),
					.has_functions = true };

		maps[i] = profile__add_mapping(p, &m);
	}
	for (int i = 0; i < NR_FUNCS; i++) {
		snprintf(name, sizeof(name), "ns%d::Class%d::method_%d", i % 37, i % 211, i);
		funcs[i] = profile__intern_function(p, name, name + 2, "src/file.cc");
	}
	for (uint32_t i = 0; i < NR_LOCS; i++) {
		uint32_t m = i % 10 == 0 ? 3 : i % 4;
		struct pf_line lines[2] = {
			{ .function = funcs[rnd(NR_FUNCS)], .line = 10 + rnd(4000) },
			{ .function = funcs[rnd(NR_FUNCS)], .line = 10 + rnd(4000) },
		};

		locs[i] = profile__intern_location(p, m == 3, 0x400000ull + i * 16ull, maps[m],
						   lines, i % 8 == 0 ? 2 : 1);
	}
}

static struct profile *build(uint32_t nr_samples, uint32_t nr_stacks)
{
	static const char *const paths[] = { "dht", "gossip", "sync", "other" };
	struct profile *p = profile__new();
	uint32_t *locs = malloc(NR_LOCS * sizeof(*locs)), *stacks, ls[NR_LABELSETS];
	int idx[2];

	stacks = malloc(nr_stacks * sizeof(*stacks));
	if (!p || !locs || !stacks)
		die("building the profile", -ENOMEM);
	idx[0] = profile__add_type(p, "cpu", "nanoseconds");
	idx[1] = profile__add_type(p, "samples", "count");
	p->default_type = idx[0];
	p->period_type = p->types[idx[0]];
	p->period = 10101010;
	p->time_nanos = 1700000000000000000ll;
	p->duration_nanos = 30000000000ll;
	build_tables(p, locs);
	for (uint32_t i = 0; i < nr_stacks; i++) {
		uint32_t s[40], depth = 8 + rnd(33);

		for (uint32_t j = 0; j < depth; j++)
			s[j] = locs[rnd(NR_LOCS)];
		stacks[i] = profile__intern_stack(p, s, depth);
	}
	for (int i = 0; i < NR_LABELSETS; i++) {
		char thread[32];
		struct pf_label_kv kv[3] = {
			{ .key = "tid", .num = 1000 + i },
			{ .key = "thread", .str = thread },
			{ .key = "path", .str = paths[i % 4] },
		};

		snprintf(thread, sizeof(thread), "worker-%d", i);
		ls[i] = profile__intern_labels(p, kv, 3);
	}
	for (uint32_t i = 0; i < nr_samples; i++) {
		int64_t v[2] = { 10101010ll * (1 + rnd(20)), 1 + rnd(20) };

		if (profile__add_values(p, stacks[i % nr_stacks], ls[(i / nr_stacks) % NR_LABELSETS],
					idx, v, 2) < 0)
			die("adding samples", -ENOMEM);
	}
	profile__add_record(p, "meta", "hostname", "bench", "exe", "/usr/bin/node", NULL);
	for (int i = 0; i < 64; i++)
		profile__add_record(p, "hist", "span", "dht_lookup", "s", "12", "n", "345", NULL);
	profile__add_comment(p, "synthetic recording for bench/pprof-codec");
	free(stacks);
	free(locs);
	return p;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* kB of a /proc/self/status line (VmRSS, VmHWM). */
static long status_kb(const char *key)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			kb = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* Resets VmHWM to the current RSS. */
static void reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

struct result {
	double ms;
	long peak_kb;
};

/* One operation of one codec; buf/len is the encoded profile (for read). */
static struct result run_op(const struct codec *c, const struct profile *p, const void *buf,
			    size_t len, bool encode)
{
	struct result r;
	long base;
	double t0;
	int err;

	/* Free heap pages already resident would hide what the operation uses. */
	malloc_trim(0);
	reset_peak();
	base = status_kb("VmRSS");
	t0 = now_ms();
	if (encode) {
		void *out;
		size_t olen;

		err = c->encode(p, &out, &olen);
		r.ms = now_ms() - t0;
		r.peak_kb = status_kb("VmHWM") - base;
		if (!err)
			free(out);
	} else {
		struct profile *q = profile__new();

		err = q ? c->decode(q, buf, len) : -ENOMEM;
		r.ms = now_ms() - t0;
		r.peak_kb = status_kb("VmHWM") - base;
		profile__free(q);
	}
	if (err)
		die(encode ? "encode" : "decode", err);
	return r;
}

/* run_op in a forked child: every measurement starts from the same heap. */
static struct result run_child(const struct codec *c, const struct profile *p, const void *buf,
			       size_t len, bool encode)
{
	struct result r = { 0 };
	int fds[2], status;
	pid_t pid;

	if (pipe(fds))
		die("pipe", errno);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (!pid) {
		r = run_op(c, p, buf, len, encode);
		if (write(fds[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &r, sizeof(r)) != sizeof(r) || waitpid(pid, &status, 0) < 0 ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		die("measuring in a child", EIO);
	close(fds[0]);
	return r;
}

/* Both codecs must agree: same bytes out, and each reads the other's back. */
static void check_same(const struct profile *p, void **buf, size_t *len)
{
	void *b[2], *again[2];
	size_t l[2], alen[2];

	for (int i = 0; i < 2; i++) {
		int err = codecs[i].encode(p, &b[i], &l[i]);

		if (err)
			die(codecs[i].name, err);
	}
	if (l[0] != l[1] || memcmp(b[0], b[1], l[0])) {
		fprintf(stderr, "pprof-codec: the codecs write different bytes (%zu, %zu)\n",
			l[0], l[1]);
		exit(1);
	}
	/* what each decoder read, written again by one encoder */
	for (int i = 0; i < 2; i++) {
		struct profile *q = profile__new();
		int err = q ? codecs[i].decode(q, b[0], l[0]) : -ENOMEM;

		if (!err)
			err = pprof__encode(q, &again[i], &alen[i]);
		if (err)
			die(codecs[i].name, err);
		profile__free(q);
	}
	if (alen[0] != alen[1] || memcmp(again[0], again[1], alen[0])) {
		fprintf(stderr, "pprof-codec: the codecs read different profiles\n");
		exit(1);
	}
	free(again[0]);
	free(again[1]);
	free(b[1]);
	*buf = b[0];
	*len = l[0];
}

static void compare(const struct profile *p, int rounds)
{
	struct result best[2][2];
	void *buf;
	size_t len;

	check_same(p, &buf, &len);
	printf("   %u samples, %u stacks, %zu bytes of plain protobuf, both codecs identical\n",
	       p->nr_samples, p->nr_stacks - 1, len);
	for (int r = 0; r < rounds; r++)
		for (int c = 0; c < 2; c++)
			for (int w = 0; w < 2; w++) {
				struct result x = run_child(&codecs[c], p, buf, len, w);

				if (!r || x.ms < best[c][w].ms)
					best[c][w].ms = x.ms;
				if (!r || x.peak_kb < best[c][w].peak_kb)
					best[c][w].peak_kb = x.peak_kb;
			}
	for (int w = 1; w >= 0; w--) {
		const char *op = w ? "write" : "read ";

		for (int c = 0; c < 2; c++)
			printf("   %-5s %s %8.0f ms  peak +%6.0f MiB\n", codecs[c].name, op,
			       best[c][w].ms, best[c][w].peak_kb / 1024.0);
		printf("   pbc/hand %s: time %.2fx, memory %.2fx\n", op,
		       best[1][w].ms / best[0][w].ms,
		       (double)best[1][w].peak_kb / best[0][w].peak_kb);
	}
	free(buf);
}

int main(int argc, char **argv)
{
	uint32_t nr_samples = 1000000, nr_stacks = 65536;
	int rounds = 3, opt;
	struct profile *p;

	while ((opt = getopt(argc, argv, "n:s:r:")) != -1) {
		switch (opt) {
		case 'n': nr_samples = strtoul(optarg, NULL, 0); break;
		case 's': nr_stacks = strtoul(optarg, NULL, 0); break;
		case 'r': rounds = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: pprof-codec [-n SAMPLES] [-s STACKS] [-r ROUNDS] "
					"[hand|pbc [write|read]]\n");
			return 2;
		}
	}
	if (!nr_stacks || nr_samples > (uint64_t)nr_stacks * NR_LABELSETS || rounds < 1) {
		fprintf(stderr, "pprof-codec: need 1 <= samples <= 16 x stacks, rounds >= 1\n");
		return 2;
	}
	p = build(nr_samples, nr_stacks);
	if (optind == argc) {
		compare(p, rounds);
	} else {
		const struct codec *c = !strcmp(argv[optind], "pbc") ? &codecs[1] : &codecs[0];
		bool write = optind + 1 < argc && !strcmp(argv[optind + 1], "write");
		void *buf = NULL;
		size_t len = 0;
		struct result r;
		int err;

		if (!write) {
			/* the input to read, made by the reference encoder */
			err = pprof__encode(p, &buf, &len);
			if (err)
				die("encode", err);
			profile__free(p);
			p = NULL;
		}
		r = run_op(c, p, buf, len, write);
		printf("%s %s %.0f ms, peak +%.0f MiB\n", c->name, write ? "write" : "read",
		       r.ms, r.peak_kb / 1024.0);
		free(buf);
	}
	profile__free(p);
	return 0;
}
