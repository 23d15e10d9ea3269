// SPDX-License-Identifier: MIT
/*
 * Opening a file as a target process sees it (root-open.h): the target
 * controls its own file tree, so nothing it names may lead us out of its
 * root directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/root-open.h"

/*
 * Without openat2: walk path from dirfd one component at a time, refusing
 * any symlink and "..": nothing can lead out of the root.
 */
static int open_beneath_nofollow(int dirfd, const char *path)
{
	char comp[NAME_MAX + 1];
	int fd = dup(dirfd);

	while (fd >= 0 && *path) {
		size_t n;
		int next;

		path += strspn(path, "/");
		n = strcspn(path, "/");
		if (!n)
			break;
		if (n > NAME_MAX || (n == 2 && !strncmp(path, "..", 2))) {
			close(fd);
			errno = EXDEV;
			return -1;
		}
		memcpy(comp, path, n);
		comp[n] = '\0';
		path += n;
		next = openat(fd, comp, (path[strspn(path, "/")] ? O_PATH | O_DIRECTORY : O_RDONLY) |
					O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	return fd;
}

/*
 * path as the process whose root directory is root (/proc/PID/root) sees
 * it: symlinks (absolute ones too) and ".." resolved inside that root,
 * never out of it, so that a container's file cannot make us read a host
 * file.  -1 with errno on failure.
 */
int root__open_in(const char *root, const char *path, int flags)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | flags,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd, err;

	if (rfd < 0)
		return -1;
	fd = syscall(SYS_openat2, rfd, path, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == E2BIG))
		fd = open_beneath_nofollow(rfd, path);
	err = errno;
	close(rfd);
	errno = err;
	return fd;
}

/* Tries <path> inside root then, if root is set, <path> itself. */
int root__open(const char *root, const char *path)
{
	int fd = -1;

	if (root)
		fd = root__open_in(root, path, 0);
	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd;
}
