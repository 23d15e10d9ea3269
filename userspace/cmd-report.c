// SPDX-License-Identifier: MIT
/*
 * peerscope report: a recording as text, Markdown or JSON, one SECTION
 * after the other.  Sections live in reports/, one file pair each; to add
 * one, add a line to sections[] below (reports/report.h says what a
 * section must do).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "core/log.h"
#include "core/profile.h"
#include "format/recording.h"
#include "core/rules.h"
#include "analysis/paths.h"
#include "reports/report.h"
#include "reports/top.h"
#include "reports/bottleneck.h"
#include "reports/net.h"
#include "reports/peers.h"
#include "reports/timeline.h"
#include "reports/memory.h"
#include "reports/stat.h"

struct report_section {
	const char *name;	/* for messages */
	int (*emit)(const struct profile *p, const struct report_opts *o, struct report_out *out);
};

/* In printing order.  One line per section. */
static const struct report_section sections[] = {
	{ "meta", report_meta__emit },
	{ "paths", report_paths__emit },
	{ "top", report_top__emit },
	{ "timeline", report_timeline__emit },
	{ "net", report_net__emit },
	{ "peers", report_peers__emit },
	{ "memory", report_memory__emit },
	{ "counters", report_counters__emit },	/* hwc collector: counters per path */
};

#define NR_SECTIONS (sizeof(sections) / sizeof(sections[0]))

static const char usage_text[] =
"usage: peerscope report FILE [--format text|md|json] [--json] [--top N]\n"
"                        [--sort self|total] [--type TYPE] [--path PATH]\n"
"                        [--net] [--peers]\n"
"       peerscope report DIR [--since DURATION] [options]\n"
"\n"
"Reports what a recording holds: where and when it was recorded, what was\n"
"lost while recording, and the functions that cost the most.  FILE is a\n"
"peerscope recording or any pprof profile (gzip-compressed or not), or a\n"
"folded-stack file; '-' reads standard input.  The report goes to standard\n"
"output.  DIR, a directory of agent windows ('peerscope agent'), is read as\n"
"one recording: its windows merged (with --since, those of the last\n"
"DURATION: 30m, 1h, 2d...).\n"
"\n"
"Sections:\n"
"  Recording       file, start, host, duration, targets, collectors, the\n"
"                  total of every sample type, samples lost per collector.\n"
"  Top functions   per function: Self, the samples whose innermost frame it\n"
"                  is (perf report --no-children), and Total, the samples\n"
"                  with it anywhere on the stack (counted once under\n"
"                  recursion); each also as a share of all samples.  Kernel\n"
"                  functions are marked [k].\n"
"\n"
"Options:\n"
"  --format FMT     text (default; fits 100 columns), md (GitHub Markdown)\n"
"                   or json (one object; schema in docs/usage.md).\n"
"  --json           the same as --format json.\n"
"  -n, --top N      rows of the function table (default 20; 0 = all).\n"
"  --sort KEY       order the function table by self (default) or total.\n"
"  -t, --type TYPE  the sample type to rank by: cpu, samples, offcpu, runq,\n"
"                   wall, tx, rx, alloc, inuse, fault, ...  Default: the\n"
"                   recording's default type, else samples, else cpu.\n"
"  --path PATH      only the samples of one path (dht, gossip, bootstrap,\n"
"                   other, or a path of the recording's rules).\n"
"  --since DURATION  with an agent directory: only the windows that started\n"
"                   in the last DURATION (e.g. 1h)\n"
"  --rules FILE|NAME  path rules every section attributes samples with, and\n"
"                   the Network section places socket records by port with\n"
"                   (default: those the recording used; docs/rules.md).\n"
"  --sla SPEC       check span latency, e.g. dht.p95=500ms,bootstrap.p99=2s;\n"
"                   repeatable; exit 3 when one fails (docs/guide.md).\n"
"  --net            add the Network section: traffic per path and peer, TCP\n"
"                   connect latency, retransmits and failed connects per\n"
"                   path, socket errors, syscall storms, sending/receiving\n"
"                   stacks (docs/net.md).\n"
"  --peers          add the Peers section: per path, the peers served, their\n"
"                   CPU, off-CPU, bytes and messages, cost per message, the\n"
"                   bytes sent while serving them, the wait for their\n"
"                   replies (rules 'txn' lines), and verdicts when one peer\n"
"                   costs or waits out of proportion (docs/peers.md).\n"
"  -h, --help       this text.\n"
"\n"
"Exit status: 0 done; 1 the file cannot be read or is not a recording;\n"
"2 bad option or unknown sample type; 3 a check of the report failed.\n"
"\n"
"Examples:\n"
"  peerscope report peerscope.pb.gz\n"
"  peerscope report peerscope.pb.gz --type offcpu --path dht --top 10\n"
"  peerscope report peerscope.pb.gz --json | python3 -m json.tool\n";

enum { OPT_FORMAT = 256, OPT_JSON, OPT_PATH, OPT_SORT, OPT_RULES, OPT_SLA, OPT_NET, OPT_PEERS, OPT_SINCE };

static const struct option long_opts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "top", required_argument, NULL, 'n' },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "type", required_argument, NULL, 't' },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "sla", required_argument, NULL, OPT_SLA },
	{ "net", no_argument, NULL, OPT_NET },
	{ "peers", no_argument, NULL, OPT_PEERS },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

/* What the command line asked for, beyond the sections' own options. */
struct report_args {
	struct report_opts o;
	enum report_format format;
	const char *type;		/* --type, or NULL for the default */
	double since_s;			/* --since: an agent directory's last seconds */
};

static int parse_format(const char *s, enum report_format *format)
{
	if (!strcmp(s, "text"))
		*format = REPORT_TEXT;
	else if (!strcmp(s, "md") || !strcmp(s, "markdown"))
		*format = REPORT_MD;
	else if (!strcmp(s, "json"))
		*format = REPORT_JSON;
	else
		return -EINVAL;
	return 0;
}

static int parse_top(const char *s, int *top_n)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 0 || n > 1000000)
		return -EINVAL;
	*top_n = n;
	return 0;
}

/* One option into a (a struct report_args): CMD_GO_ON, else the exit code. */
static int parse_opt(int c, void *ctx)
{
	struct report_args *a = ctx;
	struct report_opts *o = &a->o;
	const char **v;

	switch (c) {
	case OPT_FORMAT:
		if (!parse_format(optarg, &a->format))
			break;
		ps_err("report: bad format '%s': want text, md or json (see 'peerscope report --help')",
		       optarg);
		return PS_EXIT_USAGE;
	case OPT_JSON: a->format = REPORT_JSON; break;
	case 'n':
		if (!parse_top(optarg, &o->top_n))
			break;
		ps_err("report: bad --top '%s': want a number of rows, 0 for all (see 'peerscope report --help')",
		       optarg);
		return PS_EXIT_USAGE;
	case OPT_SORT:
		if (strcmp(optarg, "self") && strcmp(optarg, "total")) {
			ps_err("report: bad --sort '%s': want self or total (see 'peerscope report --help')",
			       optarg);
			return PS_EXIT_USAGE;
		}
		o->sort_total = !strcmp(optarg, "total");
		break;
	case 't': a->type = optarg; break;
	case OPT_PATH: o->path = optarg; break;
	case OPT_NET: o->net = true; break;
	case OPT_PEERS: o->peers = true; break;
	case OPT_RULES: o->rules = optarg; break;
	case OPT_SINCE:
		if (!agent__parse_seconds(optarg, &a->since_s, false))
			break;
		ps_err("report: bad --since '%s': want a duration such as 30m, 1h or 2d (see 'peerscope report --help')",
		       optarg);
		return PS_EXIT_USAGE;
	case OPT_SLA:
		v = realloc(o->slas, (o->nr_slas + 1) * sizeof(*v));
		if (!v)
			return PS_EXIT_ERROR;
		o->slas = v;
		o->slas[o->nr_slas++] = optarg;
		break;
	default:	/* an option of long_opts this switch forgot */
		return PS_EXIT_USAGE;
	}
	return CMD_GO_ON;
}

/* The command line into a: CMD_GO_ON, else the exit code. */
static int parse_args(int argc, char **argv, struct report_args *a)
{
	int ret = cmd__options(argc, argv, "report", usage_text, "n:t:h", long_opts,
			       parse_opt, a);

	if (ret != CMD_GO_ON)
		return ret;
	if (optind != argc - 1) {
		ps_err("report: %s (usage: peerscope report FILE [--format text|md|json]; see --help)",
		       optind >= argc ? "no recording given" : "more than one recording given");
		return PS_EXIT_USAGE;
	}
	a->o.file = argv[optind];
	return CMD_GO_ON;
}

/*
 * The recording, ready for the sections: read, its sample column chosen,
 * every sample given its path once (the rules into *rules), and cut to
 * --path.  CMD_GO_ON, else the exit code.
 */
static int load(struct report_args *a, struct profile **pp, struct path_rules **rules)
{
	struct report_opts *o = &a->o;
	const char *what;
	char msg[256];
	int err = cmd__load("report", o->file, a->type, a->since_s, pp, &what, NULL);

	if (err != CMD_GO_ON)
		return err;
	/*
	 * A recording of counters alone (-c hwc) has records and no sample
	 * column: the sections that need one are left out (type_idx -1).
	 */
	if (!a->type && recording__counters_only(*pp))
		o->type_idx = -1;
	else if ((err = cmd__pick_type("report", o->file, *pp, a->type,
				       &o->type_idx)) != CMD_GO_ON)
		return err;
	/*
	 * A profile with no path data of its own (a foreign pprof) shows no
	 * Paths section: the labels would be read by nobody unless asked for.
	 */
	if (!paths__has_data(*pp) && !o->path && !o->rules && !o->peers && !o->nr_slas)
		return CMD_GO_ON;
	err = report__label_paths(*pp, o->rules, rules, msg, sizeof(msg));
	if (err == -EINVAL) {
		ps_err("report: bad --rules: %s (see docs/rules.md)", msg);
		return PS_EXIT_ERROR;
	} else if (err) {
		ps_err("report: cannot attribute the samples to paths: %s", strerror(-err));
		return PS_EXIT_ERROR;
	}
	o->path_rules = *rules;
	return o->path ? cmd__select_path("report", pp, o->path) : CMD_GO_ON;
}

/* Every section in order, then the end of the document: the exit code. */
static int emit(const struct profile *p, const struct report_args *a)
{
	struct report_out out;
	int err, failed = 0;

	report_out__begin(&out, stdout, a->format, a->o.width);
	for (size_t i = 0; i < NR_SECTIONS; i++) {
		err = sections[i].emit(p, &a->o, &out);
		if (err < 0) {
			/* finish the document so JSON stays parseable, then say why */
			report_out__end(&out);
			ps_err("report: section %s failed: %s", sections[i].name, strerror(-err));
			return PS_EXIT_ERROR;
		}
		failed += err;
	}
	if (report_out__end(&out)) {
		ps_err("report: cannot write the report: %s (check the output)", strerror(EIO));
		return PS_EXIT_ERROR;
	}
	return failed ? PS_EXIT_SLA : PS_EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = { .o = { .top_n = 20, .width = 100 }, .format = REPORT_TEXT };
	struct path_rules *rules = NULL;
	struct profile *p = NULL;
	int ret = parse_args(argc, argv, &a);

	if (ret == CMD_GO_ON)
		ret = load(&a, &p, &rules);
	if (ret == CMD_GO_ON)
		ret = emit(p, &a);
	path_rules__free(rules);
	profile__free(p);
	free(a.o.slas);
	return ret;
}
