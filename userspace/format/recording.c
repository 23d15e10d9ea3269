// SPDX-License-Identifier: MIT
/* Loading a recording: read once, sniff the format, decode; see recording.h. */
#include "format/recording.h"
#include "format/folded.h"
#include "core/hashmap.h"
#include "format/pprof.h"
#include "core/profile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int recording__slurp_fd(int fd, char **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	struct stat st;
	char *b;
	int err = 0;

	/* A regular file's size is a hint (one read, no regrowth), not a promise. */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < RECORDING_MAX_BYTES)
		cap = (size_t)st.st_size + 1;
	b = malloc(cap);
	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		/* Always one spare byte past the data. */
		if (cap - n < 2) {
			char *nb;

			if (n > RECORDING_MAX_BYTES) {
				err = -EFBIG;
				break;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (!r)
			break;
		n += r;
	}
	if (!err && n > RECORDING_MAX_BYTES)
		err = -EFBIG;
	if (err) {
		free(b);
		return err;
	}
	*buf = b;
	*len = n;
	return 0;
}

int recording__slurp(const char *path, char **buf, size_t *len)
{
	int fd, err;

	if (!path || !*path)
		return -EINVAL;
	if (!strcmp(path, "-"))
		return recording__slurp_fd(STDIN_FILENO, buf, len);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = recording__slurp_fd(fd, buf, len);
	close(fd);
	return err;
}

static bool looks_folded(const unsigned char *b, size_t len)
{
	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return false;
	if (len > 4096)
		len = 4096;
	for (size_t i = 0; i < len; i++)
		if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t')
			return false;
	return true;
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

int recording__load(const char *path, struct profile **out, const char **what)
{
	struct profile *p;
	char *buf = NULL;
	size_t len = 0;
	int err;

	*out = NULL;
	err = recording__slurp(path, &buf, &len);
	if (err)
		return err;
	p = profile__new();
	if (!p) {
		err = -ENOMEM;
		goto out_buf;
	}
	if (len && looks_folded((unsigned char *)buf, len)) {
		if (what)
			*what = "folded";
		char *merged;
		size_t mlen;

		err = merge_folded(buf, len, &merged, &mlen);
		if (!err && merged) {
			free(buf);
			buf = merged;
			len = mlen;
		}
		if (!err)
			err = folded__read_buf(p, buf, len, "samples", "count", NULL);
	} else {
		if (what)
			*what = "pprof";
		err = len ? pprof__decode(p, buf, len) : -EBADMSG;
	}
	if (err) {
		profile__free(p);
		goto out_buf;
	}
	*out = p;
out_buf:
	free(buf);
	return err;
}

int recording__pick_type(const struct profile *p, const char *name)
{
	int i;

	if (!p->nr_types)
		return -ENODATA;
	if (name)
		return (i = profile__type_index(p, name)) >= 0 ? i : -ENOENT;
	if (p->default_type >= 0 && (uint32_t)p->default_type < p->nr_types)
		return p->default_type;
	if ((i = profile__type_index(p, "samples")) >= 0)
		return i;
	if ((i = profile__type_index(p, "cpu")) >= 0)
		return i;
	return 0;
}

const char *recording__type_list(const struct profile *p, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (uint32_t i = 0; i < p->nr_types && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
			      profile__str(p, p->types[i].type));
	if (!p->nr_types)
		snprintf(buf, len, "none");
	return buf;
}

