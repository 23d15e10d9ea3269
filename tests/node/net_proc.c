// SPDX-License-Identifier: GPL-2.0
/*
 * net_proc.c - starting, sampling and stopping node processes.
 *
 * No orphans, whatever happens: children sit in their own process group
 * (killed as one), ask the kernel for SIGKILL when the driver dies
 * (PR_SET_PDEATHSIG), and stop on EOF of their control pipe.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "net.h"

int proc_spawn(struct nodeproc *np, char *const argv[], pid_t *pgid)
{
	int in[2], out[2];
	pid_t parent = getpid(), pid;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		sigset_t none;

		setpgid(0, *pgid);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);	/* the driver died before prctl took effect */
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		/* The driver blocks signals for its signalfd; a node must not inherit that. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "p2pnet: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, *pgid);	/* also here: whichever runs first wins the race */
	if (!*pgid)
		*pgid = pid;
	close(in[0]);
	close(out[1]);
	np->pid = pid;
	np->in_fd = in[1];
	np->out_fd = out[0];
	fcntl(np->out_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* A thread's run-queue wait: schedstat's run_delay (runnable, not on a CPU). */
static uint64_t task_run_delay(const char *taskdir, const char *tid)
{
	char p[400];
	unsigned long long wait = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s/schedstat", taskdir, tid);
	f = fopen(p, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%*s %llu", &wait) != 1)
		wait = 0;
	fclose(f);
	return wait;
}

/*
 * CPU time of the whole process; context switches and run-queue wait summed
 * over its threads.  The wait leaves out cpu-starve's own hogs (named
 * cpu-hog-N by inject_cpu_hog): it is the node's work that waits.
 */
void proc_sample(struct nodeproc *np)
{
	char path[64], buf[2048], *p;
	unsigned long ut = 0, st = 0;
	long hz = sysconf(_SC_CLK_TCK);
	struct proc_usage *u = &np->usage;
	struct dirent *de;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/stat", np->pid);
	f = fopen(path, "r");
	if (f) {
		/* comm may hold spaces: fields are counted from the closing paren. */
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
			sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
		fclose(f);
		u->cpu_ms = (ut + st) * 1000 / (hz > 0 ? hz : 100);
	}
	u->vcsw = u->ivcsw = u->runq_ns = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", np->pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char tp[400];
		bool hog = false;

		if (de->d_name[0] == '.')
			continue;
		snprintf(tp, sizeof(tp), "%s/%s/status", path, de->d_name);
		f = fopen(tp, "r");
		if (!f)
			continue;
		while (fgets(buf, sizeof(buf), f)) {
			unsigned long v;

			if (!strncmp(buf, "Name:\tcpu-hog-", 14))
				hog = true;
			else if (sscanf(buf, "voluntary_ctxt_switches: %lu", &v) == 1)
				u->vcsw += v;
			else if (sscanf(buf, "nonvoluntary_ctxt_switches: %lu", &v) == 1)
				u->ivcsw += v;
		}
		fclose(f);
		if (!hog)
			u->runq_ns += task_run_delay(path, de->d_name);
	}
	closedir(d);
}

void proc_kill_all(pid_t pgid, int sig)
{
	if (pgid > 0)
		kill(-pgid, sig);
}

/* Reap exited nodes, marking them; returns how many are still running. */
int proc_reap(bool block)
{
	int running = 0;

	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, block ? 0 : WNOHANG);

		if (pid <= 0)
			break;
		for (int i = 0; i < cfg.nodes; i++) {
			if (nodes[i].pid == pid) {
				nodes[i].exited = true;
				nodes[i].status = status;
			}
		}
		if (block)
			break;
	}
	for (int i = 0; i < cfg.nodes; i++)
		running += nodes[i].pid > 0 && !nodes[i].exited;
	return running;
}

const char *proc_describe(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	return buf;
}
