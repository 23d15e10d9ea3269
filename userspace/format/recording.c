// SPDX-License-Identifier: MIT
/* Loading a recording: read once, sniff the format, decode; see recording.h. */
#include "format/recording.h"
#include "format/folded.h"
#include "format/pprof.h"
#include "core/array.h"
#include "core/profile.h"
#include "core/records.h"

#include <errno.h>
#include <fcntl.h>
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

	/*
	 * A regular file's size is a hint, not a promise: room for it, the
	 * spare byte and one more, so reading to its end needs no regrowth.
	 */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= RECORDING_MAX_BYTES)
		cap = (size_t)st.st_size + 2;
	b = malloc(cap);
	if (!b)
		return -ENOMEM;
	array__advise_huge(b, cap);	/* read() faults it in page by page */
	for (;;) {
		ssize_t r;

		/* Always one spare byte past the data; one more byte tells "too big". */
		if (cap - n < 2) {
			size_t ncap = cap * 2 < RECORDING_MAX_BYTES + 2 ? cap * 2 : RECORDING_MAX_BYTES + 2;
			char *nb;

			if (ncap <= cap) {
				err = -EFBIG;
				break;
			}
			nb = realloc(b, ncap);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			b = nb;
			cap = ncap;
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
	if (err) {
		free(b);
		return err;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* path, or standard input for "-": a descriptor or a negative errno */
static int open_input(const char *path)
{
	int fd;

	if (!path || !*path)
		return -EINVAL;
	if (!strcmp(path, "-"))
		return STDIN_FILENO;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void close_input(int fd)
{
	if (fd != STDIN_FILENO)
		close(fd);
}

int recording__slurp(const char *path, char **buf, size_t *len)
{
	int fd = open_input(path), err;

	if (fd < 0)
		return fd;
	err = recording__slurp_fd(fd, buf, len);
	close_input(fd);
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

/*
 * A regular file of more than a few blocks whose head is folded text: read
 * a block at a time (folded__read_fd_merged), not whole.  1 when it was
 * (into *out), 0 when it is not such a file, else a negative errno.
 */
static int load_folded_file(int fd, struct profile **out, const char **what)
{
	unsigned char head[4096];
	struct profile *p;
	struct stat st;
	ssize_t r;
	int err;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 4 * (off_t)FOLDED_BLOCK)
		return 0;
	r = pread(fd, head, sizeof(head), 0);
	if (r <= 0 || !looks_folded(head, r))
		return 0;
	p = profile__new();
	if (!p)
		return -ENOMEM;
	err = folded__read_fd_merged(p, fd);
	if (err) {
		profile__free(p);
		return err;
	}
	if (what)
		*what = "folded";
	*out = p;
	return 1;
}

int recording__load(const char *path, struct profile **out, const char **what)
{
	struct profile *p;
	char *buf = NULL;
	size_t len = 0;
	int fd, err;

	*out = NULL;
	fd = open_input(path);
	if (fd < 0)
		return fd;
	/* standard input is read whole: its offset need not be the file's start */
	err = fd == STDIN_FILENO ? 0 : load_folded_file(fd, out, what);
	if (!err)
		err = recording__slurp_fd(fd, &buf, &len);
	close_input(fd);
	if (err)
		return err > 0 ? 0 : err;
	p = profile__new();
	if (!p) {
		err = -ENOMEM;
		goto out_buf;
	}
	if (len && looks_folded((unsigned char *)buf, len)) {
		if (what)
			*what = "folded";
		err = folded__read_buf_merged(p, buf, len);
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

bool recording__counters_only(const struct profile *p)
{
	return !p->nr_types && records__count(p, REC_KIND_counter);
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

