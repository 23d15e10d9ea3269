// SPDX-License-Identifier: MIT
/*
 * peerscope: find why a peer-to-peer node's DHT lookups, gossip and
 * bootstrap are slow.  This file is only the subcommand table; each command
 * lives in its own cmd-<name>.c, as perf's builtin-*.c do.
 */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "core/log.h"

#ifndef PEERSCOPE_VERSION
#define PEERSCOPE_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "record", cmd_record, "record a running node (CPU, scheduler, sockets, memory) into a pprof file" },
	{ "report", cmd_report, "name the bottleneck of each path; top functions, network, memory" },
	{ "flame",  cmd_flame,  "flame graph (interactive SVG) or folded stacks from a recording" },
	{ "diff",   cmd_diff,   "compare two recordings: ranked regressions, differential flame graph" },
	{ "stat",   cmd_stat,   "count hardware and software events of a process (libpfm4)" },
	{ "rules",  cmd_rules,  "show or check the path rules (dht, gossip, bootstrap, other)" },
	{ "agent",  cmd_agent,  "profile continuously: a pprof file per window, Prometheus metrics" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"usage: peerscope <command> [options]\n"
		"\n"
		"Kernel-level profiler and bottleneck finder for peer-to-peer nodes.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\n"
		"Typical use:\n"
		"  peerscope record -p PID -d 10        # writes peerscope.pb.gz\n"
		"  peerscope report peerscope.pb.gz     # the bottleneck of each path\n"
		"  peerscope flame peerscope.pb.gz -o flame.svg\n"
		"\n"
		"'peerscope <command> --help' describes each command; man peerscope has it all.\n");
}

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return PS_EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return PS_EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("peerscope %s\n", PEERSCOPE_VERSION);
		return PS_EXIT_OK;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		if (!strcmp(name, commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	}
	ps_err("unknown command '%s' (see 'peerscope --help')", name);
	return PS_EXIT_USAGE;
}
