// SPDX-License-Identifier: MIT
/* Target processes: -p parsing and what /proc knows about them. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "bpf/peerscope.h"
#include "core/target.h"

_Static_assert(TARGET_MAX_PIDS == PS_MAX_TARGETS, "one limit for -p and the ps_targets map");

static bool has_pid(const struct target *t, uint32_t pid)
{
	for (int i = 0; i < t->nr_pids; i++) {
		if (t->pids[i] == pid)
			return true;
	}
	return false;
}

int target__add(struct target *t, uint32_t pid, int max)
{
	uint32_t *pids;

	if (has_pid(t, pid))
		return 0;
	if (t->nr_pids >= max)
		return -E2BIG;
	pids = realloc(t->pids, (t->nr_pids + 1) * sizeof(*pids));
	if (!pids)
		return -ENOMEM;
	pids[t->nr_pids++] = pid;
	t->pids = pids;
	return 0;
}

int target__parse(struct target *t, const char *list, int max, const char **bad)
{
	const char *s = list;
	int err;

	*bad = list;
	if (!*s)
		return -EINVAL;
	while (*s) {
		unsigned long v;
		char *end;

		*bad = s;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || v == 0 || v > 0x7fffffffUL || (*end && *end != ','))
			return -EINVAL;
		err = target__add(t, v, max);
		if (err)
			return err;
		s = *end ? end + 1 : end;
		if (*end == ',' && !*s)
			return -EINVAL;	/* trailing comma */
	}
	return 0;
}

void target__free(struct target *t)
{
	free(t->pids);
	t->pids = NULL;
	t->nr_pids = 0;
}

/* Reads "Name:" style fields of /proc/PID/status. */
static int status_field(uint32_t pid, const char *field, char *buf, size_t len)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	int err = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, flen) || line[flen] != ':')
			continue;
		char *v = line + flen + 1;

		while (*v == ' ' || *v == '\t')
			v++;
		size_t n = strcspn(v, "\n");

		if (n >= len)
			n = len - 1;
		memcpy(buf, v, n);
		buf[n] = '\0';
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

int target__validate(uint32_t pid, uint32_t *tgid)
{
	char buf[32];
	int err;

	err = status_field(pid, "Tgid", buf, sizeof(buf));
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	*tgid = strtoul(buf, NULL, 10);
	if (!*tgid)
		return -ESRCH;
	return target__alive(*tgid) ? 0 : -ESRCH;
}

/*
 * /proc/PID/stat: "pid (comm) S ...".  comm may hold spaces and ')', so
 * the state is after the last ')'.
 */
/* The fields of /proc/PID/stat after comm ("S ppid ..."), or NULL. */
static const char *stat_fields(uint32_t pid, char *buf, size_t size)
{
	char path[64], *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

bool target__alive(uint32_t pid)
{
	char buf[512];
	const char *p = stat_fields(pid, buf, sizeof(buf));

	return p && *p != 'Z' && *p != 'X' && *p != 'x';
}

int target__exe(uint32_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	n = readlink(path, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? 0 : -errno;
}

int target__state(uint32_t pid, struct target_state *s)
{
	unsigned long long cutime, cstime;
	char buf[512];
	const char *p;

	memset(s, 0, sizeof(*s));
	s->alive = target__alive(pid);
	if (!s->alive)
		return -ESRCH;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime */
	p = stat_fields(pid, buf, sizeof(buf));
	if (p && sscanf(p, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %llu %llu",
			&cutime, &cstime) == 2)
		s->children_cpu_ns = (cutime + cstime) * (1000000000ULL / sysconf(_SC_CLK_TCK));
	target__exe(pid, s->exe, sizeof(s->exe));
	return 0;
}

int target__nr_alive(const struct target *t)
{
	int n = 0;

	for (int i = 0; i < t->nr_pids; i++)
		n += target__alive(t->pids[i]);
	return n;
}

int target__comm(uint32_t pid, char *buf, size_t len)
{
	char path[64];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	n = fread(buf, 1, len ? len - 1 : 0, f);
	fclose(f);
	if (len) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
	}
	return 0;
}

int target__threads(uint32_t pid, uint32_t **tids)
{
	char path[64];
	uint32_t *v = NULL, *nv;
	int n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = strtoul(de->d_name, NULL, 10);
	}
	closedir(d);
	*tids = v;
	return n;
}
