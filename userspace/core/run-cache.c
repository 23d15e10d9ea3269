// SPDX-License-Identifier: MIT
/* The per-boot cache directory; see run-cache.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/run-cache.h"

#define DEFAULT_DIR	"/run/peerscope"

const char *run_cache__dir(void)
{
	const char *d = getenv("PEERSCOPE_CACHE_DIR");

	if (!d)
		return DEFAULT_DIR;
	return *d ? d : NULL;
}

int run_cache__boot_id(char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (len < 2)
		return -EINVAL;
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -ENODATA;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Ours, and writable by nobody else. */
static bool private_to_us(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static bool dir_is_ours(const char *dir)
{
	struct stat st;

	return !stat(dir, &st) && S_ISDIR(st.st_mode) && private_to_us(&st);
}

int run_cache__open(const char *dir, const char *name, size_t max, size_t *size)
{
	char path[4096];
	struct stat st;
	int fd;

	if (!dir_is_ours(dir))
		return -ENOENT;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !private_to_us(&st)) {
		close(fd);
		return -EPERM;
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	*size = st.st_size;
	return fd;
}

int run_cache__file_name(int fd, const char *prefix, char *buf, size_t len)
{
	struct timespec now;
	struct stat st;
	int n;

	if (!run_cache__dir())
		return -ENOENT;
	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec - st.st_ctim.tv_sec < RUN_CACHE_SETTLE_S + 1)
		return -EAGAIN;
	n = snprintf(buf, len, "%s%llx-%llx-%llx-%llx.%09ld-%llx.%09ld", prefix,
		     (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		     (unsigned long long)st.st_size, (unsigned long long)st.st_mtim.tv_sec,
		     st.st_mtim.tv_nsec, (unsigned long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int run_cache__read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		got += n;
	}
	return 0;
}

static int write_all(int fd, const struct iovec *iov, int n)
{
	for (int i = 0; i < n; i++) {
		const char *p = iov[i].iov_base;
		size_t left = iov[i].iov_len;

		while (left) {
			ssize_t w = write(fd, p, left);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return w < 0 ? -errno : -EIO;
			p += w;
			left -= w;
		}
	}
	return 0;
}

int run_cache__write(const char *dir, const char *name, const struct iovec *iov, int n)
{
	char tmp[4096], path[4096];
	int fd, err;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (!dir_is_ours(dir))
		return -EPERM;
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= (int)sizeof(tmp) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	err = write_all(fd, iov, n);
	if (close(fd) && !err)
		err = -EIO;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
