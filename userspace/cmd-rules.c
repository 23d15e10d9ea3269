// SPDX-License-Identifier: MIT
/*
 * peerscope rules: list the built-in path rule sets, show one (or a file),
 * check a rules file, or say which set a running process would get.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "core/log.h"
#include "core/rules.h"
#include "core/rules-check.h"

static const char usage_text[] =
"usage: peerscope rules --list\n"
"       peerscope rules --show [NAME|FILE]\n"
"       peerscope rules --check FILE\n"
"       peerscope rules --guess PID\n"
"\n"
"Path rules say which work of a node is DHT, gossip, bootstrap or a path of\n"
"your own: symbol patterns over stacks, spans (uprobe / USDT start..done)\n"
"and socket ports.  The format is in docs/rules.md.\n"
"\n"
"  -l, --list          the built-in rule sets, one line each\n"
"  -s, --show [NAME]   print a built-in set or a rules file (default: default)\n"
"  -c, --check FILE    parse FILE; print what it defines, exit 1 on an error\n"
"  -g, --guess PID     the built-in set peerscope record would choose for PID\n"
"  -h, --help          this text\n"
"\n"
"Exit status: 0 ok, 1 a rules file is wrong or a pid is gone, 2 usage error.\n";

static void summary(const struct path_rules *r, FILE *f)
{
	fprintf(f, "%s: %u paths (", r->name, r->nr_paths);
	for (uint32_t i = 0; i < r->nr_paths; i++)
		fprintf(f, "%s%s", i ? ", " : "", r->names[i]);
	fprintf(f, "), %u symbol rules, %u span rules, %u port rules, %u idle rules\n",
		r->nr_syms, r->nr_spans, r->nr_ports, r->nr_idle);
}

/*
 * Say how many of the target's symbols the guessed set matches, per path;
 * warn when it matches none, since then only ports attribute anything.
 */
static void guess_check(const char *name, unsigned long pid)
{
	char err[256];
	struct path_rules *r = path_rules__parse(path_rules__builtin_text(name), name, err,
						 sizeof(err));
	struct rules_hits h;

	if (!r)
		return;
	if (path_rules__check_target(r, pid, false, &h)) {
		path_rules__free(r);
		return;
	}
	for (uint32_t p = 1; p < r->nr_paths; p++) {
		if (h.per_path[p])
			printf("  %-10s matches %u symbols, e.g. %s\n", r->names[p], h.per_path[p],
			       h.example[p]);
	}
	path_rules__free(r);
}

int cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "show", optional_argument, NULL, 's' },
		{ "check", required_argument, NULL, 'c' },
		{ "guess", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *show = NULL, *check = NULL, *guess = NULL;
	bool list = false, want_show = false;
	struct path_rules *r;
	char err[512];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ls::c:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list = true;
			break;
		case 's':
			want_show = true;
			/* "--show NAME" as well as "--show=NAME" */
			if (optarg)
				show = optarg;
			else if (optind < argc && argv[optind][0] != '-')
				show = argv[optind++];
			break;
		case 'c':
			check = optarg;
			break;
		case 'g':
			guess = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return PS_EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return PS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ps_err("rules: unexpected argument '%s' (peerscope rules --help)", argv[optind]);
		return PS_EXIT_USAGE;
	}
	if (!list && !want_show && !check && !guess)
		list = true;

	if (list) {
		for (int i = 0; path_rules_builtin_names[i]; i++)
			printf("%-15s %s\n", path_rules_builtin_names[i],
			       path_rules__builtin_summary(path_rules_builtin_names[i]));
	}
	if (want_show) {
		const char *name = show ? show : "default";
		const char *text = path_rules__builtin_text(name);

		if (text) {
			printf("# built-in rule set '%s': %s\n%s", name,
			       path_rules__builtin_summary(name), text);
		} else {
			r = path_rules__load(name, err, sizeof(err));
			if (!r) {
				ps_err("rules: cannot show '%s': %s", name, err);
				return PS_EXIT_ERROR;
			}
			path_rules__write(r, stdout);
			path_rules__free(r);
		}
	}
	if (check) {
		r = path_rules__load(check, err, sizeof(err));
		if (!r) {
			ps_err("rules: %s (see docs/rules.md)", err);
			return PS_EXIT_ERROR;
		}
		printf("ok: ");
		summary(r, stdout);
		path_rules__free(r);
	}
	if (guess) {
		char *end, why[160];
		unsigned long pid = strtoul(guess, &end, 10);
		const char *name;

		if (*end || !pid) {
			ps_err("rules: --guess takes a pid, not '%s'", guess);
			return PS_EXIT_USAGE;
		}
		name = path_rules__guess(pid, NULL, why, sizeof(why));
		printf("%s: %s\n", name, why);
		guess_check(name, pid);
	}
	return PS_EXIT_OK;
}
