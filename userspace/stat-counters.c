// SPDX-License-Identifier: MIT
/*
 * peerscope stat's counters: the events asked for (or the default set),
 * each opened once on ourselves to learn what this machine can count, and
 * one counter set per thread opened, read and rescanned (see cmd-stat.c for
 * the whole story).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/perf_event.h>
#include "builtin.h"
#include "core/array.h"
#include "core/log.h"
#include "core/out-file.h"
#include "core/pmu-events.h"
#include "core/pmu-metrics.h"

static const char *const default_events[] = {
	"task-clock", "context-switches", "cpu-migrations", "page-faults", "cycles",
	"instructions", "branches", "branch-misses", "cache-references", "cache-misses", NULL,
};

int stat_build_events(struct stat_cmd *s)
{
	char list[1024] = "", why[256];
	const char *const *td = NULL;
	size_t off = 0;
	int err;

	if (s->events) {
		snprintf(list, sizeof(list), "%s", s->events);
		off = strlen(list);
	} else {
		for (int i = 0; default_events[i]; i++)
			off += snprintf(list + off, sizeof(list) - off, "%s%s", i ? "," : "",
					default_events[i]);
	}
	if (pmu_events__has_perf_metrics() && (s->topdown || !s->events))
		td = pmu_topdown__events(PMU_TD_PERF_METRICS);
	else if (s->topdown && pmu_events__has_old_topdown())
		td = pmu_topdown__events(PMU_TD_SLOTS4);
	else if (s->topdown)
		fprintf(stderr, "peerscope: top-down: not supported on this machine (%s)\n",
			access("/sys/bus/event_source/devices/cpu", F_OK) ?
			"no hardware PMU in the kernel" : "libpfm4 knows no top-down events for this CPU");
	for (int i = 0; td && td[i]; i++) {
		/* cycles may already be there */
		if (!strcmp(td[i], "cycles") && strstr(list, "cycles"))
			continue;
		off += snprintf(list + off, sizeof(list) - off, ",%s", td[i]);
	}
	err = pmu_events__parse_list(list, s->ev, PMU_MAX_EVENTS, &s->nr_ev, why, sizeof(why));
	if (err) {
		ps_err("stat: %s", why);
		return PS_EXIT_USAGE;
	}
	return 0;
}

static void attr_for(const struct stat_cmd *s, int i, struct perf_event_attr *attr, bool leader,
		     bool group_read)
{
	*attr = s->ev[i].attr;
	attr->size = sizeof(*attr);
	attr->read_format = READ_FORMAT | (group_read ? PERF_FORMAT_GROUP : 0);
	attr->inherit = s->inherit;
	/* a command's counters start at its exec; a pid's at once */
	attr->disabled = leader && s->cmd;
	attr->enable_on_exec = leader && s->cmd;
}

static int open_one(struct perf_event_attr *attr, int pid, int group_fd)
{
	int fd = pmu_perf_event_open(attr, pid, -1, group_fd, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Open group leader L (and its members) on pid; fds into fd[]. */
static int open_group(const struct stat_cmd *s, int L, int pid, int *fd)
{
	struct perf_event_attr attr;
	int err;

	attr_for(s, L, &attr, true, s->group_read[L]);
	fd[L] = open_one(&attr, pid, -1);
	if (fd[L] < 0)
		return fd[L];
	for (int i = 0; i < s->nr_ev; i++) {
		if (i == L || s->leader[i] != L || !s->supported[i])
			continue;
		attr_for(s, i, &attr, false, s->group_read[L]);
		fd[i] = open_one(&attr, pid, fd[L]);
		if (fd[i] < 0) {
			err = fd[i];
			for (int j = 0; j < s->nr_ev; j++) {
				if ((j == L || s->leader[j] == L) && fd[j] >= 0) {
					close(fd[j]);
					fd[j] = -1;
				}
			}
			return err;
		}
	}
	return 0;
}

void stat_close_fds(int *fd, int n)
{
	for (int i = 0; i < n; i++) {
		if (fd[i] >= 0)
			close(fd[i]);
		fd[i] = -1;
	}
}

/*
 * Try each event alone on ourselves (what this machine can count), then
 * the groups (what the PMU can schedule together).  Prints one line per
 * unsupported event.  Returns the number unsupported.
 */

/*
 * One line per reason, naming every event it applies to: without a PMU the
 * six default hardware events would otherwise say the same thing six times.
 */
static void say_unsupported(const struct stat_cmd *s)
{
	bool said[PMU_MAX_EVENTS] = { false };

	for (int i = 0; i < s->nr_ev; i++) {
		if (s->supported[i] || said[i])
			continue;
		fprintf(stderr, "peerscope: %s", s->ev[i].name);
		for (int j = i + 1; j < s->nr_ev; j++) {
			if (!s->supported[j] && !said[j] && !strcmp(s->why[j], s->why[i])) {
				fprintf(stderr, ", %s", s->ev[j].name);
				said[j] = true;
			}
		}
		fprintf(stderr, ": %s\n", s->why[i]);
	}
}

int stat_probe_events(struct stat_cmd *s)
{
	int fd[PMU_MAX_EVENTS], unsupported = 0, n = 0;
	struct pmu_event sup[PMU_MAX_EVENTS] = { 0 };	/* quiets -Wmaybe-uninitialized */
	int map[PMU_MAX_EVENTS], lead[PMU_MAX_EVENTS];
	struct perf_event_attr attr;

	for (int i = 0; i < s->nr_ev; i++) {
		int f;

		attr_for(s, i, &attr, true, false);
		attr.disabled = 1;
		attr.enable_on_exec = 0;
		f = open_one(&attr, 0, -1);
		s->supported[i] = f >= 0;
		s->leader[i] = i;
		if (f >= 0) {
			close(f);
			sup[n] = s->ev[i];
			map[n++] = i;
			continue;
		}
		s->why[i] = pmu_event__open_error(&s->ev[i], -f);
		unsupported++;
	}
	say_unsupported(s);
	/* groups among the supported ones */
	pmu_metrics__group(sup, n, lead);
	for (int k = 0; k < n; k++)
		s->leader[map[k]] = map[lead[k]];
	for (int L = 0; L < s->nr_ev; L++) {
		bool members = false;

		if (!s->supported[L] || s->leader[L] != L)
			continue;
		for (int i = 0; i < s->nr_ev; i++)
			members |= i != L && s->leader[i] == L;
		s->group_read[L] = members;
		if (!members)
			continue;
		for (int i = 0; i < s->nr_ev; i++)
			fd[i] = -1;
		if (!open_group(s, L, 0, fd)) {
			stat_close_fds(fd, s->nr_ev);
			continue;
		}
		/* some kernels refuse PERF_FORMAT_GROUP with inherit: read one by one */
		s->group_read[L] = false;
		if (!open_group(s, L, 0, fd)) {
			ps_debug("stat: group of %s: read per event (no PERF_FORMAT_GROUP)",
				 s->ev[L].name);
			stat_close_fds(fd, s->nr_ev);
			continue;
		}
		ps_debug("stat: the PMU cannot schedule the group of %s together: counting "
			 "its events apart", s->ev[L].name);
		for (int i = 0; i < s->nr_ev; i++)
			if (s->leader[i] == L)
				s->leader[i] = i;
	}
	for (int i = 0; i < s->nr_ev; i++)
		ps_debug("stat: %s: type %u config %#llx, %s %s", s->ev[i].name, s->ev[i].attr.type,
			 (unsigned long long)s->ev[i].attr.config,
			 s->supported[i] ? "group of" : "unsupported",
			 s->supported[i] ? s->ev[s->leader[i]].name : "");
	return unsupported;
}

struct counter_set *stat_add_set(struct stat_cmd *s, int tid)
{
	struct counter_set *c;

	if (ARRAY_ROOM(s->sets, s->nr_sets, s->cap_sets, 16))
		return NULL;
	c = &s->sets[s->nr_sets++];
	memset(c, 0, sizeof(*c));
	c->tid = tid;
	for (int i = 0; i < PMU_MAX_EVENTS; i++)
		c->fd[i] = -1;
	return c;
}

static void read_comm(int pid, int tid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	f = fopen(path, "re");
	if (!f || !fgets(comm, len, f))
		snprintf(comm, len, "?");
	else
		comm[strcspn(comm, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* Open every group on tid; -ESRCH when the thread is gone. */
int stat_open_set(struct stat_cmd *s, struct counter_set *c)
{
	static bool warned;
	int err;

	for (int L = 0; L < s->nr_ev; L++) {
		if (!s->supported[L] || s->leader[L] != L)
			continue;
		err = open_group(s, L, c->tid, c->fd);
		if (err == -ESRCH) {
			stat_close_fds(c->fd, s->nr_ev);
			return err;
		}
		if (err && !warned) {
			warned = true;
			ps_warn("stat: opening %s on thread %d failed: %s: not counted there",
				s->ev[L].name, c->tid, pmu_event__open_error(&s->ev[L], -err));
		}
	}
	return 0;
}

/* Read the set's counters into cur[] (values of a closed fd stay). */
void stat_read_set(const struct stat_cmd *s, struct counter_set *c)
{
	uint64_t buf[3 + PMU_MAX_EVENTS];

	for (int L = 0; L < s->nr_ev; L++) {
		ssize_t n;

		if (s->leader[L] != L || c->fd[L] < 0)
			continue;
		if (s->group_read[L]) {
			struct pmu_count v[PMU_MAX_EVENTS];
			int nr = 0, k = 0;

			n = read(c->fd[L], buf, sizeof(buf));
			/* leader first, then members in the order they were opened */
			for (int i = 0; i < s->nr_ev; i++)
				nr += (i == L || s->leader[i] == L) && c->fd[i] >= 0;
			if (n <= 0 || pmu_metrics__parse_group_read(buf, n, nr, v))
				continue;
			c->cur[L] = v[k++];
			for (int i = 0; i < s->nr_ev; i++)
				if (i != L && s->leader[i] == L && c->fd[i] >= 0)
					c->cur[i] = v[k++];
			continue;
		}
		for (int i = 0; i < s->nr_ev; i++) {
			if ((i != L && s->leader[i] != L) || c->fd[i] < 0)
				continue;
			n = read(c->fd[i], buf, 3 * sizeof(uint64_t));
			if (n == 3 * sizeof(uint64_t))
				c->cur[i] = (struct pmu_count){ buf[0], buf[1], buf[2] };
		}
	}
}

/* -p: add new threads, retire the ones that left /proc/PID/task. */
int stat_scan_threads(struct stat_cmd *s)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", s->pid);
	dir = opendir(path);
	if (!dir)
		return -ESRCH;
	for (int i = 0; i < s->nr_sets; i++)
		s->sets[i].seen = false;
	while ((d = readdir(dir))) {
		int tid = atoi(d->d_name), i;
		struct counter_set *c;

		if (tid <= 0)
			continue;
		for (i = 0; i < s->nr_sets && s->sets[i].tid != tid; i++)
			;
		if (i < s->nr_sets) {
			s->sets[i].seen = true;
			continue;
		}
		c = stat_add_set(s, tid);
		if (!c) {
			closedir(dir);
			return -ENOMEM;
		}
		read_comm(s->pid, tid, c->comm, sizeof(c->comm));
		if (stat_open_set(s, c) == -ESRCH) {
			s->nr_sets--;	/* gone already */
			continue;
		}
		c->seen = true;
	}
	closedir(dir);
	for (int i = 0; i < s->nr_sets; i++) {
		struct counter_set *c = &s->sets[i];

		if (c->seen || c->exited)
			continue;
		/* an exited thread's counters hold its final values: keep them */
		stat_read_set(s, c);
		stat_close_fds(c->fd, s->nr_ev);
		c->exited = true;
	}
	return 0;
}
