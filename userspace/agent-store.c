// SPDX-License-Identifier: MIT
/*
 * The agent's directory: one pprof file per window, named by its UTC start
 * (so names sort by time), DIR/index.jsonl, and retention oldest first.
 * A window appears whole or not at all: written to a temporary file,
 * fsynced, renamed, and the directory fsynced, so a crash (kill -9, power)
 * never leaves half a window under a window's name.
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/array.h"
#include "format/pprof.h"

#include "builtin.h"

#define WINDOW_SUFFIX ".pb.gz"

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

int agent_store__write_window(const char *dir, const struct profile *p, int64_t start_ns,
			      char *name, size_t len)
{
	char tmp[4096], path[4096];
	time_t t = start_ns / 1000000000LL;
	struct tm tm;
	int fd, err;

	gmtime_r(&t, &tm);
	strftime(path, sizeof(path), "%Y%m%dT%H%M%S", &tm);
	snprintf(name, len, "%s.%03dZ" WINDOW_SUFFIX, path, (int)(start_ns / 1000000 % 1000));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.window-XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	err = pprof__write_fd(p, fd);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	return fsync_dir(dir);
}

int agent_store__append_index(const char *dir, const char *line, size_t len)
{
	char path[4096];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/index.jsonl", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* one write: a line is appended whole or, on a full disk, not at all */
	n = write(fd, line, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -ENOSPC;
	if (!err && fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

struct window_file {
	char name[64];
	uint64_t bytes;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct window_file *)a)->name, ((const struct window_file *)b)->name);
}

static bool is_window(const char *name)
{
	size_t n = strlen(name), s = strlen(WINDOW_SUFFIX);

	/* ours only: YYYYmmddTHHMMSS.mmmZ.pb.gz, never a file someone put there */
	return n == 20 + s && name[0] >= '0' && name[0] <= '9' && name[8] == 'T' &&
	       !strcmp(name + n - s, WINDOW_SUFFIX);
}

/* The start of a window from its name (UTC), in ns; -1 if not ours. */
static int64_t window_start_ns(const char *name)
{
	struct tm tm = { 0 };
	unsigned ms;
	char *end;

	if (!is_window(name))
		return -1;
	end = strptime(name, "%Y%m%dT%H%M%S", &tm);
	if (!end || sscanf(end, ".%3uZ", &ms) != 1)
		return -1;
	return (int64_t)timegm(&tm) * 1000000000LL + (int64_t)ms * 1000000LL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int agent_store__list(const char *dir, int64_t since_ns, char ***names, size_t *nr,
		      int64_t *newest_ns)
{
	char **w = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int err = 0;
	DIR *d;

	*names = NULL;
	*nr = 0;
	*newest_ns = -1;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int64_t t = window_start_ns(de->d_name);

		if (t < 0)
			continue;
		if (t > *newest_ns)
			*newest_ns = t;
		if (t < since_ns)
			continue;
		if (ARRAY_ROOM(w, n, cap, 64) || !(w[n] = strdup(de->d_name))) {
			err = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (err) {
		agent_store__free_list(w, n);
		return err;
	}
	if (n)
		qsort(w, n, sizeof(*w), cmp_str);	/* names sort by time */
	*names = w;
	*nr = n;
	return 0;
}

void agent_store__free_list(char **names, size_t nr)
{
	while (nr)
		free(names[--nr]);
	free(names);
}

int agent_store__clean_temp(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, ".window-", 8) && !unlinkat(dirfd(d), de->d_name, 0))
			n++;
	}
	closedir(d);
	return n;
}

int agent_store__retain(const char *dir, unsigned keep, uint64_t max_bytes)
{
	struct window_file *w = NULL;
	size_t nr = 0, cap = 0, first = 0;
	uint64_t total = 0;
	struct dirent *de;
	int deleted = 0;
	DIR *d;

	if (!keep && !max_bytes)
		return 0;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct stat st;

		if (!is_window(de->d_name) || fstatat(dirfd(d), de->d_name, &st, 0))
			continue;
		if (ARRAY_ROOM(w, nr, cap, 64)) {
			closedir(d);
			free(w);
			return -ENOMEM;
		}
		snprintf(w[nr].name, sizeof(w[nr].name), "%.63s", de->d_name);	/* is_window: 26 */
		w[nr].bytes = st.st_size;
		total += st.st_size;
		nr++;
	}
	if (nr)
		qsort(w, nr, sizeof(*w), cmp_name);
	while (nr - first > 1 && ((keep && nr - first > keep) || (max_bytes && total > max_bytes))) {
		if (!unlinkat(dirfd(d), w[first].name, 0))
			deleted++;
		total -= w[first].bytes;
		first++;
	}
	closedir(d);
	free(w);
	return deleted;
}
