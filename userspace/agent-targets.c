// SPDX-License-Identifier: MIT
/*
 * Which processes the agent follows while it runs: targets that exit are
 * dropped, and with --comm or --cgroup new ones are picked up (checked
 * every second by the agent's loop).  Every change is one log line.
 * Before attach (attached false) a new process only joins the target list;
 * after, the shared target map, the unwinder and the collectors learn of it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>

#include "builtin.h"
#include "core/array.h"
#include "core/symbolizer.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define CGROUP_DEPTH	16	/* nested cgroups walked below --cgroup */

static bool is_target(const struct target *t, uint32_t pid)
{
	for (int i = 0; i < t->nr_pids; i++) {
		if (t->pids[i] == pid)
			return true;
	}
	return false;
}

static void drop(struct record *r, int i, const char *why)
{
	uint32_t pid = r->target.pids[i];

	agent_log("target %u %s: dropped", pid, why);
	bpf_map_delete_elem(r->sm.targets_fd, &pid);
	r->target.pids[i] = r->target.pids[--r->target.nr_pids];
}

void agent_targets__drop_exited(struct record *r)
{
	for (int i = 0; i < r->target.nr_pids;) {
		if (target__alive(r->target.pids[i]))
			i++;
		else
			drop(r, i, "exited");
	}
}

/* pid joins the targets; what says why ("(p2pnode) started", "joined cgroup X"). */
static void follow(struct record *r, uint32_t pid, const char *what, bool attached)
{
	int err;

	if (target__add(&r->target, pid, TARGET_MAX_PIDS)) {
		agent_log("process %u %s: not followed: already %d targets", pid, what,
			  r->target.nr_pids);
		return;
	}
	if (!attached)
		return;
	err = collectors__add_target(r->coll, r->nr_coll, &r->sm, pid);
	symbolizer__add_pid(r->sym, pid);
	agent_log("target %u %s: added%s%s", pid, what, err ? ": " : "", err ? strerror(-err) : "");
}

void agent_targets__find_comm(struct record *r, const char *name, bool attached)
{
	char want[16], comm[64], what[64];
	struct dirent *de;
	DIR *d;

	/* as the kernel keeps it: 15 characters */
	snprintf(want, sizeof(want), "%s", name);
	snprintf(what, sizeof(what), "(%s) started", want);
	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || !pid || pid == (unsigned long)getpid() || is_target(&r->target, pid))
			continue;
		if (target__comm(pid, comm, sizeof(comm)) || strcmp(comm, want))
			continue;
		follow(r, pid, what, attached);
	}
	closedir(d);
}

int agent_targets__cgroup_dir(const char *arg, char *dir, size_t len)
{
	struct statfs sfs;
	char procs[4096];

	if (arg[0] == '/')
		snprintf(dir, len, "%s", arg);
	else
		snprintf(dir, len, CGROUP_ROOT "/%s", arg);
	/* a hybrid hierarchy keeps cgroup v2 at /sys/fs/cgroup/unified */
	if (arg[0] != '/' && (statfs(dir, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC))
		snprintf(dir, len, CGROUP_ROOT "/unified/%s", arg);
	if (statfs(dir, &sfs))
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -ENOTDIR;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	return access(procs, R_OK) ? -errno : 0;
}

struct pid_set {
	uint32_t *pids;
	int nr, cap;
};

static void pid_set__add(struct pid_set *s, uint32_t pid)
{
	if (ARRAY_ROOM(s->pids, s->nr, s->cap, 64))
		return;
	s->pids[s->nr++] = pid;
}

static bool pid_set__has(const struct pid_set *s, uint32_t pid)
{
	for (int i = 0; i < s->nr; i++) {
		if (s->pids[i] == pid)
			return true;
	}
	return false;
}

/* The processes of dir and of the cgroups below it. */
static int read_cgroup(int dfd, int depth, struct pid_set *s)
{
	int fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC), err = 0;
	struct dirent *de;
	unsigned long pid;
	FILE *f;
	DIR *d;

	if (fd < 0)
		return -errno;
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return -errno;
	}
	while (fscanf(f, "%lu", &pid) == 1)
		pid_set__add(s, pid);
	fclose(f);
	if (depth >= CGROUP_DEPTH)
		return 0;
	fd = dup(dfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;
		read_cgroup(sub, depth + 1, s);
		close(sub);
	}
	closedir(d);
	return err;
}

int agent_targets__scan_cgroup(struct record *r, const char *dir, bool attached)
{
	struct pid_set s = {};
	char what[256];
	int dfd, err;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	err = read_cgroup(dfd, 0, &s);
	close(dfd);
	if (err) {
		free(s.pids);
		return err;
	}
	snprintf(what, sizeof(what), "joined cgroup %s", dir);
	for (int i = 0; i < s.nr; i++) {
		if (s.pids[i] != (uint32_t)getpid() && !is_target(&r->target, s.pids[i]))
			follow(r, s.pids[i], what, attached);
	}
	snprintf(what, sizeof(what), "left cgroup %s", dir);
	for (int i = 0; attached && i < r->target.nr_pids;) {
		if (pid_set__has(&s, r->target.pids[i]) || !target__alive(r->target.pids[i]))
			i++;
		else
			drop(r, i, what);
	}
	free(s.pids);
	return 0;
}
