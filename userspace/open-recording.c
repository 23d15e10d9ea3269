// SPDX-License-Identifier: MIT
/*
 * Reading a command line and a recording the way report, flame and diff
 * all do, with the same messages (builtin.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

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

int cmd__load_dir(const char *cmd, const char *dir, double since_s, struct profile **p)
{
	int64_t now = (int64_t)time(NULL) * 1000000000LL, newest;
	int64_t since = since_s > 0 ? now - (int64_t)(since_s * 1e9) : INT64_MIN;
	struct profile *one = NULL;
	char **names, path[4096];
	const char *what;
	size_t nr;
	int err;

	*p = NULL;
	err = agent_store__list(dir, since, &names, &nr, &newest);
	if (err) {
		ps_err("%s: cannot list the windows in %s: %s", cmd, dir, strerror(-err));
		return PS_EXIT_ERROR;
	}
	if (!nr) {
		if (newest < 0)
			ps_err("%s: %s holds no agent window (a directory written by 'peerscope agent --dir')",
			       cmd, dir);
		else
			ps_err("%s: no window of %s started in the last %.0f s (the newest started %.0f s ago)",
			       cmd, dir, since_s, (now - newest) / 1e9);
		agent_store__free_list(names, nr);
		return PS_EXIT_ERROR;
	}
	for (size_t i = 0; i < nr; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		err = recording__load(path, *p ? &one : p, &what);
		if (!err && one) {
			err = profile__merge(*p, one);
			profile__free(one);
			one = NULL;
		}
		if (err) {
			/* retention may delete a window while it is read: say which */
			ps_err("%s: cannot read window %s: %s", cmd, path,
			       err == -EBADMSG ? "corrupt" : strerror(-err));
			profile__free(*p);
			*p = NULL;
			agent_store__free_list(names, nr);
			return PS_EXIT_ERROR;
		}
	}
	ps_info("%s: %zu window(s) of %s merged, %s to %s", cmd, nr, dir, names[0], names[nr - 1]);
	agent_store__free_list(names, nr);
	return CMD_GO_ON;
}

int cmd__load(const char *cmd, const char *file, const char *type, double since_s,
	      struct profile **p, const char **what, int *type_idx)
{
	struct stat st;
	int err;

	if (!stat(file, &st) && S_ISDIR(st.st_mode)) {
		err = cmd__load_dir(cmd, file, since_s, p);
		if (err != CMD_GO_ON)
			return err;
		*what = "agent windows";
		goto pick;
	}
	if (since_s > 0) {
		ps_err("%s: --since takes an agent directory, not the file %s", cmd, file);
		return PS_EXIT_USAGE;
	}
	err = recording__load(file, p, what);

	if (err == -EBADMSG) {
		ps_err("%s: cannot read %s: not a pprof profile or folded stacks, or corrupt (check it is a file written by 'peerscope record')",
		       cmd, file);
		return PS_EXIT_ERROR;
	} else if (err) {
		ps_err("%s: cannot read %s: %s (check the file name)", cmd, file, strerror(-err));
		return PS_EXIT_ERROR;
	}
pick:
	return type_idx ? cmd__pick_type(cmd, file, *p, type, type_idx) : CMD_GO_ON;
}

int cmd__pick_type(const char *cmd, const char *file, const struct profile *p,
		   const char *type, int *type_idx)
{
	char types[256];

	*type_idx = recording__pick_type(p, type);
	if (*type_idx >= 0)
		return CMD_GO_ON;
	if (recording__counters_only(p)) {
		ps_err("%s: %s holds counters only (-c hwc), no samples: 'peerscope report %s' "
		       "shows them", cmd, file, file);
		return PS_EXIT_ERROR;
	}
	if (*type_idx == -ENOENT)
		ps_err("%s: no sample type '%s' in %s (it has: %s)", cmd, type, file,
		       recording__type_list(p, types, sizeof(types)));
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
