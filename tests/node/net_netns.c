// SPDX-License-Identifier: GPL-2.0
/*
 * net_netns.c - --netns: every node in a network namespace of its own,
 * joined by veth pairs to a bridge that lives in one more namespace.
 *
 * Everything is created here and deleted at exit; nothing touches the
 * host's own namespace, and the only addresses are 10.199.0.0/16 inside
 * our namespaces, with no route out.  If the kernel offers sch_netem the
 * emulated latency/loss goes in a qdisc; otherwise the nodes do it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "net.h"

static char prefix[32];
static int created = -1;	/* node namespaces made so far; -1 = hub not made */

const char *netns_name(int i)
{
	static __thread char buf[48];

	if (i < 0)
		snprintf(buf, sizeof(buf), "%s-hub", prefix);
	else
		snprintf(buf, sizeof(buf), "%s-%d", prefix, i);
	return buf;
}

void netns_addr(int i, char *buf, size_t len)
{
	i &= 0xffff;	/* NET_MAX_NODES keeps it far below */
	snprintf(buf, len, "10.199.%d.%d", (i + 1) >> 8, (i + 1) & 255);
}

/* Run a command quietly; its exit status, or -1. */
static int run(const char *fmt, ...)
{
	char cmd[512];
	char *argv[32];
	int argc = 0, status;
	char *save = NULL, *tok;
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	for (tok = strtok_r(cmd, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int netns_setup(int n)
{
	char hub[48];

	snprintf(prefix, sizeof(prefix), "p2pnet%d", (int)getpid());
	snprintf(hub, sizeof(hub), "%s", netns_name(-1));
	if (run("ip netns add %s", hub)) {
		fprintf(stderr, "p2pnet: --netns: cannot create namespace %s (needs root and iproute2)\n", hub);
		return -1;
	}
	created = 0;
	if (run("ip -n %s link set lo up", hub) ||
	    run("ip -n %s link add br0 type bridge", hub) ||
	    run("ip -n %s link set br0 up", hub)) {
		fprintf(stderr, "p2pnet: --netns: cannot create a bridge (kernel without CONFIG_BRIDGE?)\n");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char addr[16], nsname[48];

		snprintf(nsname, sizeof(nsname), "%s", netns_name(i));
		netns_addr(i, addr, sizeof(addr));
		if (run("ip netns add %s", nsname))
			goto fail;
		created = i + 1;
		if (run("ip -n %s link add v%d type veth peer name eth0 netns %s", hub, i, nsname) ||
		    run("ip -n %s link set v%d master br0 up", hub, i) ||
		    run("ip -n %s addr add %s/16 dev eth0", nsname, addr) ||
		    run("ip -n %s link set eth0 up", nsname) ||
		    run("ip -n %s link set lo up", nsname))
			goto fail;
	}
	cfg.tc_netem = false;
	if (cfg.latency_ms || cfg.jitter_ms || cfg.loss_pct > 0) {
		int ok = 1;

		for (int i = 0; i < n && ok; i++)
			ok = !run("ip netns exec %s tc qdisc add dev eth0 root netem delay %ums %ums loss %g%%",
				  netns_name(i), cfg.latency_ms, cfg.jitter_ms, cfg.loss_pct);
		cfg.tc_netem = ok;
		if (!ok) {
			for (int i = 0; i < n; i++)
				run("ip netns exec %s tc qdisc del dev eth0 root", netns_name(i));
			fprintf(stderr, "p2pnet: --netns: this kernel has no sch_netem; the nodes emulate latency and loss themselves\n");
		}
	}
	return 0;
fail:
	fprintf(stderr, "p2pnet: --netns: cannot set up namespace %s (veth support missing?)\n", netns_name(created));
	return -1;
}

void netns_teardown(void)
{
	if (created < 0)
		return;
	/* Deleting a namespace deletes the veth ends inside it. */
	for (int i = 0; i < created; i++)
		run("ip netns del %s", netns_name(i));
	run("ip netns del %s", netns_name(-1));
	created = -1;
}
