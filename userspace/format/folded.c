// SPDX-License-Identifier: MIT
/* Folded-stack reader; see folded.h. */
#include "format/folded.h"
#include "core/array.h"
#include "core/hashmap.h"
#include "core/profile.h"
#include "format/recording.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KSUFFIX "_[k]"
#define KSUFFIX_LEN (sizeof(KSUFFIX) - 1)
#define ISUFFIX "_[i]"

/* A count token [s, e): integer, or decimal rounded. */
static bool parse_count(const char *s, const char *e, int64_t *out)
{
	char tmp[64], *end;
	size_t n = e - s;

	if (!n || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (tmp[0] == '-' || tmp[0] == '+')
		return false;
	errno = 0;
	*out = strtoll(tmp, &end, 10);
	if (!errno && *end == '\0')
		return true;
	if (*end == '.' || *end == 'e' || *end == 'E') {
		double d = strtod(tmp, &end);

		if (*end || !isfinite(d) || d < 0 || d > 9.2e18)
			return false;
		*out = llround(d);
		return true;
	}
	return false;
}

/*
 * Frame text -> location id, for one parse of one buffer.  A folded file
 * names the same few thousand frames millions of times; interning each
 * occurrence costs a string, a function and a location lookup, this one
 * lookup keyed by the frame's bytes in the buffer (which outlive the parse).
 */
struct frame_cache {
	struct hashmap *h;
	struct cached_frame {
		const char *s;
		uint32_t loc;
	} *e;
	uint32_t nr, cap;
};

static const void *cached_frame_key(void *ctx, uint32_t id)
{
	const struct frame_cache *c = ctx;

	return c->e[id - 1].s;
}

static int frame_cache__init(struct frame_cache *c)
{
	memset(c, 0, sizeof(*c));
	c->h = hashmap__new(cached_frame_key, c);
	return c->h ? 0 : -ENOMEM;
}

static void frame_cache__free(struct frame_cache *c)
{
	hashmap__free(c->h);
	free(c->e);
}

/* The location of the frame [s, s + len), without its separator. */
static uint32_t intern_frame(struct profile *p, struct frame_cache *c, const char *s, size_t len)
{
	char nbuf[512], *name = nbuf;
	bool kernel = false;
	uint32_t id, loc;
	int err;

	if (c->nr == UINT32_MAX || ARRAY_ROOM(c->e, c->nr, c->cap, 1024))
		return 0;
	err = hashmap__find_or_insert(c->h, s, len, c->nr + 1, &id);
	if (err < 0)
		return 0;
	if (!err)
		return c->e[id - 1].loc;
	/* key_fn(new id) must hold before the table's next call */
	c->e[c->nr++] = (struct cached_frame){ .s = s };
	if (len >= KSUFFIX_LEN && !memcmp(s + len - KSUFFIX_LEN, KSUFFIX, KSUFFIX_LEN)) {
		kernel = true;
		len -= KSUFFIX_LEN;
	}
	if (len + 1 > sizeof(nbuf)) {
		name = malloc(len + 1);
		if (!name)
			return 0;
	}
	memcpy(name, s, len);
	name[len] = '\0';
	loc = profile__intern_named_frame(p, name, NULL, kernel);
	if (name != nbuf)
		free(name);
	c->e[id - 1].loc = loc;
	return loc;
}

/* Interns the stack of [s, e) (root first) as leaf-first location ids. */
static uint32_t intern_folded_stack(struct profile *p, struct frame_cache *c, const char *s,
				    const char *e)
{
	uint32_t sbuf[128], *locs = sbuf, n = 0, cap = 128, id = 0;

	while (s < e) {
		const char *f = memchr(s, ';', e - s);

		if (!f)
			f = e;
		/* empty frames are skipped, and so is a lone kernel mark */
		if (f > s && (f - s != KSUFFIX_LEN || memcmp(s, KSUFFIX, KSUFFIX_LEN))) {
			if (n == cap) {
				uint32_t *nl = locs == sbuf ? malloc(cap * 2 * sizeof(*nl))
							    : realloc(locs, cap * 2 * sizeof(*nl));

				if (!nl)
					goto out_free;
				if (locs == sbuf)
					memcpy(nl, sbuf, sizeof(sbuf));
				locs = nl;
				cap *= 2;
			}
			locs[n] = intern_frame(p, c, s, f - s);
			if (!locs[n++])
				goto out_free;
		}
		s = f + 1;
	}
	/* Root first in the file, leaf first in the model. */
	for (uint32_t i = 0; i < n / 2; i++) {
		uint32_t t = locs[i];

		locs[i] = locs[n - 1 - i];
		locs[n - 1 - i] = t;
	}
	id = profile__intern_stack(p, locs, n);
out_free:
	if (locs != sbuf)
		free(locs);
	return id;
}

/* Last space-separated token of [s, *e): returns its start, moves *e before it. */
static const char *last_token(const char *s, const char **e)
{
	const char *t = *e;

	while (t > s && t[-1] != ' ' && t[-1] != '\t')
		t--;
	/* The stack before it ends at the token's separating blanks. */
	*e = t;
	while (*e > s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
	return t;
}

/*
 * cols 1: "stack a"; cols 2: "stack a b".  pb may be NULL with cols 1.
 * A line with counts but no frames is an empty stack, not an error.
 */
static int parse_lines(struct profile *pa, struct frame_cache *ca, int ta, struct profile *pb,
		       struct frame_cache *cb, int tb, int cols, const char *buf, size_t len,
		       size_t *bad_line)
{
	const char *s = buf, *end = buf + len;
	size_t lineno = 0;

	while (s < end) {
		const char *nl = memchr(s, '\n', end - s), *e, *t1, *t2, *te;
		int64_t a, b = 0;
		uint32_t st;
		int err;

		if (!nl)
			nl = end;
		lineno++;
		e = nl;
		while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s == e || *s == '#')
			goto next;
		te = e;
		t2 = last_token(s, &e);
		if (!parse_count(t2, te, cols == 2 ? &b : &a))
			goto bad;
		if (cols == 2) {
			te = e;
			t1 = last_token(s, &e);
			if (!parse_count(t1, te, &a))
				goto bad;
		}
		st = intern_folded_stack(pa, ca, s, e);
		if (!st)
			return -ENOMEM;
		if (a || (cols == 2 && pb == pa && b)) {
			if (pb == pa && cols == 2) {
				int idx[2] = { ta, tb };
				int64_t v[2] = { a, b };

				err = profile__add_values(pa, st, 0, idx, v, 2);
			} else {
				err = profile__add(pa, st, 0, ta, a);
			}
			if (err < 0)
				return err;
		}
		if (cols == 2 && pb != pa && b) {
			st = intern_folded_stack(pb, cb, s, e);
			if (!st)
				return -ENOMEM;
			err = profile__add(pb, st, 0, tb, b);
			if (err < 0)
				return err;
		}
next:
		s = nl + 1;
	}
	return 0;
bad:
	if (bad_line)
		*bad_line = lineno;
	return -EBADMSG;
}

/* parse_lines() with a frame cache per profile. */
static int parse(struct profile *pa, int ta, struct profile *pb, int tb, int cols,
		 const char *buf, size_t len, size_t *bad_line)
{
	struct frame_cache ca = { 0 }, cb = { 0 };
	int err;

	err = frame_cache__init(&ca);
	if (!err && cols == 2 && pb != pa)
		err = frame_cache__init(&cb);
	if (!err)
		err = parse_lines(pa, &ca, ta, pb, &cb, tb, cols, buf, len, bad_line);
	frame_cache__free(&ca);
	frame_cache__free(&cb);
	return err;
}

int folded__read_buf(struct profile *p, const char *buf, size_t len, const char *type,
		     const char *unit, size_t *bad_line)
{
	int t;

	if (!p || (!buf && len))
		return -EINVAL;
	t = profile__add_type(p, type ? type : "samples", unit ? unit : "count");
	if (t < 0)
		return t;
	return parse(p, t, NULL, -1, 1, buf, len, bad_line);
}

int folded__read_type(struct profile *p, const char *path, const char *type, const char *unit)
{
	char *buf;
	size_t len;
	int err;

	if (!p || !path)
		return -EINVAL;
	err = recording__slurp(path, &buf, &len);
	if (err)
		return err;
	err = folded__read_buf(p, buf, len, type, unit, NULL);
	free(buf);
	return err;
}

int folded__read(struct profile *p, const char *path)
{
	return folded__read_type(p, path, "samples", "count");
}

int folded__read_diff_buf(struct profile *pa, int type_a, struct profile *pb, int type_b,
			  const char *buf, size_t len, size_t *bad_line)
{
	if (!pa || !pb || (!buf && len) || type_a < 0 || (uint32_t)type_a >= pa->nr_types ||
	    type_b < 0 || (uint32_t)type_b >= pb->nr_types)
		return -EINVAL;
	return parse(pa, type_a, pb, type_b, 2, buf, len, bad_line);
}

/* The two count columns named type_a (in pa) and type_b (in pb), from path. */
static int read_diff_path(struct profile *pa, const char *type_a, struct profile *pb,
			  const char *type_b, const char *path)
{
	int ta, tb, err;
	char *buf;
	size_t len;

	ta = profile__add_type(pa, type_a, "count");
	tb = profile__add_type(pb, type_b, "count");
	if (ta < 0)
		return ta;
	if (tb < 0)
		return tb;
	if (!path)
		return -EINVAL;
	err = recording__slurp(path, &buf, &len);
	if (err)
		return err;
	err = folded__read_diff_buf(pa, ta, pb, tb, buf, len, NULL);
	free(buf);
	return err;
}

int folded__read_diff(struct profile *base, struct profile *cur, const char *path)
{
	if (!base || !cur || base == cur)
		return -EINVAL;
	return read_diff_path(base, "samples", cur, "samples", path);
}

int folded__read_diff_columns(struct profile *p, const char *path)
{
	if (!p)
		return -EINVAL;
	return read_diff_path(p, "base", p, "new", path);
}

/*
 * Folded text straight from a stack collapser has one line per sample;
 * interning every frame of every line is most of the reading time.  The
 * merger sums identical stacks first (one hash per line), then the folded
 * reader parses the merged text.  Lines that are not "stack integer"
 * (comments, decimal counts, malformed lines) are passed through for the
 * reader to judge.  Each distinct line's bytes are kept once, in the
 * merger's own text, so the input can come a block at a time.
 */
struct merge_line {
	size_t off;		/* in folded_merger.text */
	size_t len;
	uint64_t count;		/* 0 and not in the table: kept verbatim */
};

struct folded_merger {
	struct hashmap *h;	/* stack bytes -> line id (index + 1) */
	struct merge_line *lines;	/* in the order first seen */
	uint32_t nr, cap, nr_in;
	char *text;
	size_t text_len, text_cap;
};

static const void *merge_key(void *ctx, uint32_t id)
{
	const struct folded_merger *m = ctx;

	return m->text + m->lines[id - 1].off;
}

static int merger_init(struct folded_merger *m)
{
	memset(m, 0, sizeof(*m));
	m->h = hashmap__new(merge_key, m);
	/* never NULL, so that an empty line's text is a valid pointer too */
	m->text_cap = 1 << 16;
	m->text = malloc(m->text_cap);
	return m->h && m->text ? 0 : -ENOMEM;
}

static void merger_free(struct folded_merger *m)
{
	hashmap__free(m->h);
	free(m->lines);
	free(m->text);
}

/* Appends line nr (len bytes at s) to the kept text. */
static int merger_keep(struct folded_merger *m, const char *s, size_t len, uint64_t count)
{
	if (ARRAY_ROOM(m->lines, m->nr, m->cap, 4096))
		return -ENOMEM;
	if (len > m->text_cap - m->text_len) {
		size_t ncap = array__reserve((void **)&m->text, m->text_len + len, m->text_cap,
					     m->text_cap, 1);

		if (!ncap)
			return -ENOMEM;
		m->text_cap = ncap;
	}
	memcpy(m->text + m->text_len, s, len);
	m->lines[m->nr++] = (struct merge_line){ .off = m->text_len, .len = len, .count = count };
	m->text_len += len;
	return 0;
}

/* One line [s, nl), without its line break. */
static int merger_line(struct folded_merger *m, const char *s, const char *nl)
{
	const char *e = nl, *t;
	uint64_t count = 0;
	uint32_t id;
	bool num = true;
	int err;

	while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	t = e;
	while (t > s && t[-1] >= '0' && t[-1] <= '9')
		t--;
	if (t == e || e - t > 18 || t == s || (t[-1] != ' ' && t[-1] != '\t'))
		num = false;
	for (const char *d = t; num && d < e; d++)
		count = count * 10 + (*d - '0');
	m->nr_in++;
	if (!num)
		return merger_keep(m, s, nl - s, 0);
	while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
		t--;
	if (m->nr == UINT32_MAX)
		return -ENOMEM;
	/* the table asks for a new id's key only on later calls */
	err = hashmap__find_or_insert(m->h, s, t - s, m->nr + 1, &id);
	if (err < 0)
		return err;
	if (!err) {
		m->lines[id - 1].count += count;
		return 0;
	}
	return merger_keep(m, s, t - s, count);
}

/* Every whole line of [buf, buf + len); the rest too when last. */
static int merger_feed(struct folded_merger *m, const char *buf, size_t len, bool last,
		       size_t *used)
{
	const char *s = buf, *end = buf + len;
	int err;

	while (s < end) {
		const char *nl = memchr(s, '\n', end - s);

		if (!nl) {
			if (!last)
				break;
			nl = end;
		}
		err = merger_line(m, s, nl);
		if (err)
			return err;
		s = nl + 1;
	}
	*used = s < end ? (size_t)(s - buf) : len;
	return 0;
}

/* The merged text, malloc()ed: each kept line, " count" (at most 21 bytes), "\n". */
static int merger_text(const struct folded_merger *m, char **merged, size_t *mlen)
{
	char *o = malloc(m->text_len + (size_t)m->nr * 22 + 1), *w;

	if (!o)
		return -ENOMEM;
	w = o;
	for (uint32_t i = 0; i < m->nr; i++) {
		const struct merge_line *l = &m->lines[i];

		memcpy(w, m->text + l->off, l->len);
		w += l->len;
		if (l->count || hashmap__find(m->h, m->text + l->off, l->len) == i + 1)
			w += sprintf(w, " %" PRIu64, l->count);
		*w++ = '\n';
	}
	*merged = o;
	*mlen = w - o;
	return 0;
}

static int read_merged(struct profile *p, const struct folded_merger *m)
{
	char *merged;
	size_t mlen;
	int err = merger_text(m, &merged, &mlen);

	if (err)
		return err;
	err = folded__read_buf(p, merged, mlen, "samples", "count", NULL);
	free(merged);
	return err;
}

int folded__read_buf_merged(struct profile *p, const char *buf, size_t len)
{
	struct folded_merger m;
	size_t used;
	int err;

	err = merger_init(&m);
	if (!err)
		err = merger_feed(&m, buf, len, true, &used);
	if (!err) {
		/* nothing much to merge: read the original */
		if (m.nr * 10 > m.nr_in * 9)
			err = folded__read_buf(p, buf, len, "samples", "count", NULL);
		else
			err = read_merged(p, &m);
	}
	merger_free(&m);
	return err;
}

/*
 * The same from a file, FOLDED_BLOCK bytes at a time: a folded file of a
 * million samples is over 100 MB, and reading it whole costs a buffer of
 * its size, zeroed and faulted in by the kernel, for text that merges
 * into a few MB.
 */
int folded__read_fd_merged(struct profile *p, int fd)
{
	size_t cap = FOLDED_BLOCK, have = 0, used;
	uint64_t total = 0;
	struct folded_merger m;
	char *buf;
	int err;

	err = merger_init(&m);
	buf = malloc(cap);
	if (err || !buf) {
		merger_free(&m);
		free(buf);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + have, cap - have);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		total += r;
		if (total > RECORDING_MAX_BYTES) {
			err = -EFBIG;
			break;
		}
		have += r;
		err = merger_feed(&m, buf, have, r == 0, &used);
		if (err || r == 0)
			break;
		memmove(buf, buf + used, have - used);
		have -= used;
		if (have == cap) {	/* one line longer than the block */
			char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	free(buf);
	if (!err)
		err = read_merged(p, &m);
	merger_free(&m);
	return err;
}

static const char *mark_suffix(enum folded_mark mark)
{
	switch (mark) {
	case FOLDED_KERNEL: return KSUFFIX;
	case FOLDED_INLINE: return ISUFFIX;
	default: return "";
	}
}

size_t folded__frame_len(const char *name, enum folded_mark mark)
{
	return strlen(name) + strlen(mark_suffix(mark));
}

char *folded__put_frame(char *w, const char *name, enum folded_mark mark)
{
	for (const char *s = name; *s; s++)
		*w++ = *s == ';' ? ':' : (*s == '\n' || *s == '\r') ? ' ' : *s;
	return stpcpy(w, mark_suffix(mark));
}

int folded__write_line(FILE *f, const char *stack, size_t len, const int64_t *counts, int nr)
{
	fwrite(stack, 1, len, f);
	for (int i = 0; i < nr; i++)
		fprintf(f, " %" PRId64, counts[i]);
	return fputc('\n', f) == EOF ? -EIO : 0;
}
