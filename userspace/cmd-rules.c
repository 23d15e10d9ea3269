// SPDX-License-Identifier: MIT
/*
 * peerscope rules: list the built-in path rule sets, show one (or a file),
 * check a rules file, or say which set a running process would get.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "core/log.h"
#include "core/rules.h"
#include "core/rules-check.h"
#include "core/profile.h"
#include "analysis/explain.h"
#include "reports/explain.h"
#include "reports/report.h"

static const char usage_text[] =
"usage: peerscope rules --list\n"
"       peerscope rules --show [NAME|FILE]\n"
"       peerscope rules --check FILE\n"
"       peerscope rules --guess PID\n"
"       peerscope rules --explain FILE [--rules NAME|FILE] [-t TYPE] [--top N] [--json]\n"
"\n"
"Path rules say which work of a node is DHT, gossip, bootstrap or a path of\n"
"your own: symbol patterns over stacks, spans (uprobe / USDT start..done)\n"
"and socket ports.  The format is in docs/rules.md.\n"
"\n"
"  -l, --list          the built-in rule sets, one line each\n"
"  -s, --show [NAME]   print a built-in set or a rules file (default: default)\n"
"  -c, --check FILE    parse FILE; print what it defines, exit 1 on an error\n"
"  -g, --guess PID     the built-in set peerscope record would choose for PID\n"
"  -e, --explain FILE  which rule put each of the top stacks of a recording in\n"
"                      its path: the evidence (span, symbol, entry, thread,\n"
"                      socket, port, none) and what matched\n"
"      --rules NAME    with --explain: these rules, not the recording's own\n"
"  -t, --type TYPE     with --explain: the sample type to rank by (default cpu)\n"
"      --top N         with --explain: how many stacks (default 20)\n"
"      --json          with --explain: JSON\n"
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
	if (path_rules__check_target(r, NULL, pid, false, &h)) {
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

/* rules --explain FILE: load, label paths as report does, say why. */
static int explain(const char *file, const char *rules, const char *type, long top, bool json)
{
	struct path_rules *r = NULL;
	struct profile *p = NULL;
	struct explain e;
	const char *what;
	char msg[256];
	int ti, ret, err;

	ret = cmd__load("rules", file, type, 0, &p, &what, &ti);
	if (ret != CMD_GO_ON)
		goto out;
	err = report__label_paths(p, rules, &r, msg, sizeof(msg));
	if (err) {
		ps_err("rules: --explain %s: %s", file, err == -EINVAL ? msg : strerror(-err));
		ret = PS_EXIT_ERROR;
		goto out;
	}
	err = explain__compute(p, r, ti, top, &e);
	if (err) {
		ps_err("rules: --explain %s: %s", file, strerror(-err));
		ret = PS_EXIT_ERROR;
		goto out;
	}
	explain__print(stdout, p, r, profile__str(p, p->types[ti].type), &e, json);
	explain__free(&e);
	ret = PS_EXIT_OK;
out:
	path_rules__free(r);
	profile__free(p);
	return ret;
}

/* rules --show NAME|FILE: a built-in set as it is, a file normalised. */
static int show_set(const char *name)
{
	const char *text = path_rules__builtin_text(name);
	struct path_rules *r;
	char err[512];

	if (text) {
		printf("# built-in rule set '%s': %s\n%s", name, path_rules__builtin_summary(name), text);
		return 0;
	}
	r = path_rules__load(name, err, sizeof(err));
	if (!r) {
		ps_err("rules: cannot show '%s': %s", name, err);
		return -EINVAL;
	}
	path_rules__write(r, stdout);
	path_rules__free(r);
	return 0;
}

int cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "show", optional_argument, NULL, 's' },
		{ "check", required_argument, NULL, 'c' },
		{ "guess", required_argument, NULL, 'g' },
		{ "explain", required_argument, NULL, 'e' },
		{ "rules", required_argument, NULL, 'R' },
		{ "type", required_argument, NULL, 't' },
		{ "top", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *show = NULL, *check = NULL, *guess = NULL, *explain_file = NULL;
	const char *rules = NULL, *type = "cpu";
	bool list = false, want_show = false, json = false;
	long top = 20;
	char *end;
	struct path_rules *r;
	char err[512];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ls::c:g:e:t:h", opts, NULL)) != -1) {
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
		case 'e':
			explain_file = optarg;
			break;
		case 'R':
			rules = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'T':
			top = strtol(optarg, &end, 10);
			if (*end || top < 1 || top > 100000) {
				ps_err("rules: bad --top '%s': want a count, 1..100000 (see 'peerscope rules --help')",
				       optarg);
				return PS_EXIT_USAGE;
			}
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
	if (explain_file)
		return explain(explain_file, rules, type, top, json);
	if (!list && !want_show && !check && !guess)
		list = true;

	if (list) {
		for (int i = 0; path_rules_builtin_names[i]; i++)
			printf("%-15s %s\n", path_rules_builtin_names[i],
			       path_rules__builtin_summary(path_rules_builtin_names[i]));
	}
	if (want_show && show_set(show ? show : "default"))
		return PS_EXIT_ERROR;
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
