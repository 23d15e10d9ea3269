// SPDX-License-Identifier: MIT
/* Folded-stack reader; see folded.h. */
#include "format/folded.h"
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

/* Interns the stack of [s, e) (root first) as leaf-first location ids. */
static uint32_t intern_folded_stack(struct profile *p, const char *s, const char *e)
{
	uint32_t sbuf[128], *locs = sbuf, n = 0, cap = 128, id = 0;
	char nbuf[512], *name = nbuf;
	size_t ncap = sizeof(nbuf);

	while (s < e) {
		const char *f = memchr(s, ';', e - s);
		size_t len;
		bool kernel = false;

		if (!f)
			f = e;
		len = f - s;
		if (len >= KSUFFIX_LEN && !memcmp(f - KSUFFIX_LEN, KSUFFIX, KSUFFIX_LEN)) {
			kernel = true;
			len -= KSUFFIX_LEN;
		}
		if (len) {
			if (len + 1 > ncap) {
				char *nn = name == nbuf ? malloc(len + 1) : realloc(name, len + 1);

				if (!nn)
					goto out_free;
				name = nn;
				ncap = len + 1;
			}
			memcpy(name, s, len);
			name[len] = '\0';
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
			locs[n] = profile__intern_named_frame(p, name, NULL, kernel);
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
	if (name != nbuf)
		free(name);
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
static int parse(struct profile *pa, int ta, struct profile *pb, int tb, int cols,
		 const char *buf, size_t len, size_t *bad_line)
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
		st = intern_folded_stack(pa, s, e);
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
			st = intern_folded_stack(pb, s, e);
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

struct merge_line {
	const char *stack;
	size_t len;
	uint64_t count;
};

static const void *merge_key(void *ctx, uint32_t id)
{
	return ((struct merge_line *)ctx)[id - 1].stack;
}

/*
 * Folded text straight from a stack collapser has one line per sample;
 * interning every frame of every line is most of the reading time.  Merge
 * identical stacks first (one hash per line), then let the folded reader
 * parse the merged text.  Lines that are not "stack integer" (comments,
 * decimal counts, malformed lines) are passed through for the reader to
 * judge.  Returns a malloc()ed buffer in *merged, or NULL when merging
 * would not help.
 */
static int merge_folded(const char *buf, size_t len, char **merged, size_t *mlen)
{
	struct merge_line *lines = NULL;
	uint32_t nr = 0, cap = 0, nr_in = 0;
	struct hashmap *h = NULL;
	const char *s = buf, *end = buf + len;
	char *o = NULL, *w;
	size_t olen = 0;
	int err = 0;

	*merged = NULL;
	h = hashmap__new(merge_key, NULL);
	if (!h)
		return -ENOMEM;
	while (s < end) {
		const char *nl = memchr(s, '\n', end - s), *e, *t;
		uint64_t count = 0;
		uint32_t id;
		bool num = true;

		if (!nl)
			nl = end;
		e = nl;
		while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		t = e;
		while (t > s && t[-1] >= '0' && t[-1] <= '9')
			t--;
		if (t == e || e - t > 18 || t == s || (t[-1] != ' ' && t[-1] != '\t'))
			num = false;
		for (const char *d = t; num && d < e; d++)
			count = count * 10 + (*d - '0');
		if (nr == cap) {
			uint32_t ncap = cap ? cap * 2 : 4096;
			struct merge_line *nl2 = realloc(lines, ncap * sizeof(*nl2));

			if (!nl2) {
				err = -ENOMEM;
				goto out_free;
			}
			lines = nl2;
			cap = ncap;
			hashmap__set_ctx(h, lines);
		}
		nr_in++;
		if (!num) {
			/* kept verbatim, count 0 marks "no merging" */
			lines[nr++] = (struct merge_line){ .stack = s, .len = nl - s };
			olen += nl - s + 1;
			s = nl + 1;
			continue;
		}
		while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		lines[nr] = (struct merge_line){ .stack = s, .len = t - s, .count = count };
		err = hashmap__find_or_insert(h, s, t - s, nr + 1, &id);
		if (err < 0)
			goto out_free;
		if (err == 1) {
			nr++;
			olen += (t - s) + 22;
		} else {
			lines[id - 1].count += count;
		}
		err = 0;
		s = nl + 1;
	}
	if (nr * 10 > nr_in * 9)
		goto out_free;	/* nothing much to merge: read the original */
	o = malloc(olen + 1);
	if (!o) {
		err = -ENOMEM;
		goto out_free;
	}
	w = o;
	for (uint32_t i = 0; i < nr; i++) {
		memcpy(w, lines[i].stack, lines[i].len);
		w += lines[i].len;
		if (lines[i].count || hashmap__find(h, lines[i].stack, lines[i].len) == i + 1)
			w += sprintf(w, " %" PRIu64, lines[i].count);
		*w++ = '\n';
	}
	*merged = o;
	*mlen = w - o;
out_free:
	hashmap__free(h);
	free(lines);
	return err;
}

int folded__read_buf_merged(struct profile *p, const char *buf, size_t len)
{
	char *merged;
	size_t mlen;
	int err;

	err = merge_folded(buf, len, &merged, &mlen);
	if (err)
		return err;
	if (!merged)
		return folded__read_buf(p, buf, len, "samples", "count", NULL);
	err = folded__read_buf(p, merged, mlen, "samples", "count", NULL);
	free(merged);
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
