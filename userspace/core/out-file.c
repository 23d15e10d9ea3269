// SPDX-License-Identifier: MIT
/* Output files created fresh and renamed into place; see out-file.h. */
#include "core/out-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int out_file__open(struct out_file *o, const char *path)
{
	const char *slash;
	size_t len, dlen;
	int fd = -1;

	o->path = path;
	o->tmp = NULL;
	o->f = stdout;
	if (!path || !strcmp(path, "-"))
		return 0;
	slash = strrchr(path, '/');
	dlen = slash ? (size_t)(slash - path) + 1 : 0;
	len = strlen(path) + 40;
	o->tmp = malloc(len);
	if (!o->tmp)
		return -ENOMEM;
	for (int tries = 0; tries < 100 && fd < 0; tries++) {
		static unsigned long seq;
		struct timespec ts;

		/* ".NAME.PID.RAND.tmp" next to NAME, so that rename() is atomic */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(o->tmp, len, "%.*s.%s.%d.%lx.tmp", (int)dlen, path, path + dlen,
			 (int)getpid(), (unsigned long)(ts.tv_nsec ^ ++seq) & 0xffffff);
		fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		int err = errno ? -errno : -EEXIST;

		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
		o->f = NULL;
		return err;
	}
	return 0;
}

int out_file__close(struct out_file *o, bool ok)
{
	int err = 0;

	if (!o->tmp)
		return fflush(stdout) || ferror(stdout) ? -EIO : 0;
	if (ferror(o->f))
		err = -EIO;
	if (fclose(o->f) && !err)
		err = -errno;
	if (ok && !err && rename(o->tmp, o->path))
		err = -errno;
	if (!ok || err)
		unlink(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
	o->f = NULL;
	return err;
}
