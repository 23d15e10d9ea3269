// SPDX-License-Identifier: MIT
/*
 * Where record and the agent sleep between polls: one epoll set holding
 * each collector's wait fd (a ring buffer that wakes it once a quarter
 * full, alloc's timer) and, in record, a pidfd per target, which turns
 * readable when the target exits.  They used to sleep 100 ms and poll
 * everything ten times a second: in a VM each of those wake-ups cost tens
 * of microseconds, a quarter of the agent's own CPU.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

#include "builtin.h"
#include "collectors/collector.h"
#include "core/log.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434	/* the same on every architecture */
#endif

static int add_fd(int epfd, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int record__wait_open(struct record *r)
{
	r->wait_fd = epoll_create1(EPOLL_CLOEXEC);
	if (r->wait_fd < 0)
		return -errno;
	for (int i = 0; i < r->nr_coll; i++) {
		struct collector *c = &r->coll[i];
		int fd = c->ops->wait_fd ? c->ops->wait_fd(c) : -1;
		int err;

		if (fd < 0)
			continue;
		err = add_fd(r->wait_fd, fd, EPOLLIN);
		if (err)	/* it is still polled once a second */
			ps_debug("%s: cannot wait on its fd: %s", c->ops->name, strerror(-err));
	}
	return 0;
}

int record__wait_exit(struct record *r, uint32_t pid)
{
	int *fds, fd, err;

	if (r->wait_fd < 0)
		return -EBADF;
	fds = realloc(r->exit_fds, (r->nr_exit_fds + 1) * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	r->exit_fds = fds;
	fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;	/* an old kernel, or gone already: the next poll sees it */
	/* readable for good once it exited: one report is enough */
	err = add_fd(r->wait_fd, fd, EPOLLIN | EPOLLONESHOT);
	if (err) {
		close(fd);
		return err;
	}
	r->exit_fds[r->nr_exit_fds++] = fd;
	return 0;
}

void record__wait(struct record *r, int timeout_ms)
{
	struct epoll_event ev[8];

	if (timeout_ms < 0)
		timeout_ms = 0;
	if (r->wait_fd < 0) {
		struct timespec ts = { timeout_ms / 1000, timeout_ms % 1000 * 1000000L };

		nanosleep(&ts, NULL);
	} else {
		/* EINTR: a signal, which the caller's loop looks at */
		epoll_wait(r->wait_fd, ev, sizeof(ev) / sizeof(ev[0]), timeout_ms);
	}
	for (int i = 0; i < r->nr_coll; i++) {
		if (r->coll[i].ops->poll && r->coll[i].ops->poll(&r->coll[i]) < 0)
			ps_debug("%s: poll failed", r->coll[i].ops->name);
	}
}

void record__wait_close(struct record *r)
{
	for (int i = 0; i < r->nr_exit_fds; i++)
		close(r->exit_fds[i]);
	free(r->exit_fds);
	r->exit_fds = NULL;
	r->nr_exit_fds = 0;
	if (r->wait_fd >= 0)
		close(r->wait_fd);
	r->wait_fd = -1;
}
