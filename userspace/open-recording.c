// SPDX-License-Identifier: MIT
/*
 * Reading a command line and a recording the way report, flame and diff
 * all do, with the same messages (builtin.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "core/log.h"
#include "core/profile.h"
#include "format/recording.h"
#include "reports/report.h"

int cmd__options(int argc, char **argv, const char *cmd, const char *usage,
		 const char *short_opts, const struct option *long_opts,
		 int (*opt)(int c, void *ctx), void *ctx)
{
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return PS_EXIT_OK;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, "(see 'peerscope %s --help')\n", cmd);
			return PS_EXIT_USAGE;
		}
		ret = opt(c, ctx);
		if (ret != CMD_GO_ON)
			return ret;
	}
	return CMD_GO_ON;
}

int cmd__load(const char *cmd, const char *file, const char *type, struct profile **p,
	      const char **what, int *type_idx)
{
	char types[256];
	int err = recording__load(file, p, what);

	if (err == -EBADMSG) {
		ps_err("%s: cannot read %s: not a pprof profile or folded stacks, or corrupt (check it is a file written by 'peerscope record')",
		       cmd, file);
		return PS_EXIT_ERROR;
	} else if (err) {
		ps_err("%s: cannot read %s: %s (check the file name)", cmd, file, strerror(-err));
		return PS_EXIT_ERROR;
	}
	if (!type_idx)
		return CMD_GO_ON;
	*type_idx = recording__pick_type(*p, type);
	if (*type_idx >= 0)
		return CMD_GO_ON;
	if (*type_idx == -ENOENT)
		ps_err("%s: no sample type '%s' in %s (it has: %s)", cmd, type, file,
		       recording__type_list(*p, types, sizeof(types)));
	else
		ps_err("%s: %s has no sample types (is it an empty profile?)", cmd, file);
	return *type_idx == -ENOENT ? PS_EXIT_USAGE : PS_EXIT_ERROR;
}

int cmd__select_path(const char *cmd, struct profile **p, const char *path)
{
	int n = report__filter_path(p, path);

	if (n < 0) {
		ps_err("%s: cannot select path %s: %s", cmd, path, strerror(-n));
		return PS_EXIT_ERROR;
	}
	if (!n)
		ps_warn("%s: no samples on path '%s' (paths are dht, gossip, bootstrap, other, or those of the rules)",
			cmd, path);
	return CMD_GO_ON;
}
