// SPDX-License-Identifier: MIT
/* Unwind tables kept in the run cache; see unwind-cache.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "core/input-limits.h"
#include "core/run-cache.h"
#include "core/unwind-cache.h"

#define NAME_PREFIX	"unwind-1-"	/* the format's version is part of the name */
#define MAX_LOADS	4096		/* PT_LOAD segments of one file */

/* What the cache file starts with; the loads and then the rows follow. */
struct unw_cache_head {
	char magic[8];			/* "PSUNWIND" */
	uint32_t row_size;		/* sizeof(struct unw_row) */
	uint32_t load_size;		/* sizeof(struct unw_load) */
	uint64_t nr_rows, nr_loads;
	uint64_t nr_fdes, nr_unsupported, nr_plt, nr_skipped;
	uint32_t source;		/* 0 none, 1 .eh_frame, 2 .debug_frame */
	uint32_t pad;
};

_Static_assert(sizeof(struct unw_cache_head) == 72, "the cache file's head is part of its format");

static const char *const sources[] = { NULL, ".eh_frame", ".debug_frame" };

/* Rows the BPF unwinder can binary-search and read: sorted by pc, kinds it knows. */
static bool rows_sane(const struct unw_row *r, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (r[i].cfa_type > UNW_CFA_SIGNAL || r[i].rbp_type > UNW_RBP_UNDEFINED)
			return false;
		if (i && r[i].pc < r[i - 1].pc)
			return false;
	}
	return true;
}

static bool head_sane(const struct unw_cache_head *h, size_t size)
{
	if (memcmp(h->magic, "PSUNWIND", 8) || h->row_size != sizeof(struct unw_row) ||
	    h->load_size != sizeof(struct unw_load) || h->source >= 3 ||
	    h->nr_rows > LIMIT_CFI_ROWS || h->nr_loads > MAX_LOADS)
		return false;
	return size == sizeof(*h) + h->nr_loads * sizeof(struct unw_load) +
		       h->nr_rows * sizeof(struct unw_row);
}

int unw_cache__load(int fd, struct unw_table *t)
{
	size_t max = sizeof(struct unw_cache_head) + MAX_LOADS * sizeof(struct unw_load) +
		     (size_t)LIMIT_CFI_ROWS * sizeof(struct unw_row);
	struct unw_cache_head h;
	char name[256];
	size_t size;
	int cfd, err = -ENOENT;

	if (run_cache__file_name(fd, NAME_PREFIX, name, sizeof(name)))
		return -ENOENT;
	cfd = run_cache__open(run_cache__dir(), name, max, &size);
	if (cfd < 0)
		return -ENOENT;
	if (size < sizeof(h) || run_cache__read_all(cfd, &h, sizeof(h)) || !head_sane(&h, size))
		goto out;
	t->loads = calloc(h.nr_loads ? h.nr_loads : 1, sizeof(*t->loads));
	t->rows = malloc(h.nr_rows ? h.nr_rows * sizeof(*t->rows) : 1);
	if (!t->loads || !t->rows ||
	    run_cache__read_all(cfd, t->loads, h.nr_loads * sizeof(*t->loads)) ||
	    run_cache__read_all(cfd, t->rows, h.nr_rows * sizeof(*t->rows)) ||
	    !rows_sane(t->rows, h.nr_rows)) {
		unw_table__free(t);
		goto out;
	}
	t->nr = t->cap = h.nr_rows;
	t->nr_loads = h.nr_loads;
	t->source = sources[h.source];
	t->nr_fdes = h.nr_fdes;
	t->nr_unsupported = h.nr_unsupported;
	t->nr_plt = h.nr_plt;
	t->nr_skipped = h.nr_skipped;
	err = 0;
out:
	close(cfd);
	return err;
}

/* Bytes the cache's unwind files take now. */
static uint64_t cached_bytes(const char *dir)
{
	uint64_t sum = 0;
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, NAME_PREFIX, strlen(NAME_PREFIX)) &&
		    !fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			sum += st.st_size;
	}
	closedir(d);
	return sum;
}

int unw_cache__store(int fd, const struct unw_table *t)
{
	struct unw_cache_head h = {
		.magic = "PSUNWIND", .row_size = sizeof(struct unw_row),
		.load_size = sizeof(struct unw_load), .nr_rows = t->nr, .nr_loads = t->nr_loads,
		.nr_fdes = t->nr_fdes, .nr_unsupported = t->nr_unsupported, .nr_plt = t->nr_plt,
		.nr_skipped = t->nr_skipped,
	};
	struct iovec iov[3] = {
		{ &h, sizeof(h) },
		{ t->loads, t->nr_loads * sizeof(*t->loads) },
		{ t->rows, t->nr * sizeof(*t->rows) },
	};
	char name[256];
	uint64_t bytes = iov[0].iov_len + iov[1].iov_len + iov[2].iov_len;
	int err;

	if (t->nr < UNW_CACHE_MIN_ROWS || t->nr_loads > MAX_LOADS)
		return -EINVAL;
	for (uint32_t s = 1; s < 3; s++)
		if (t->source && !strcmp(t->source, sources[s]))
			h.source = s;
	err = run_cache__file_name(fd, NAME_PREFIX, name, sizeof(name));
	if (err)
		return err;
	if (cached_bytes(run_cache__dir()) + bytes > UNW_CACHE_MAX_BYTES)
		return -ENOSPC;
	return run_cache__write(run_cache__dir(), name, iov, 3);
}
