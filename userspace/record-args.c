// SPDX-License-Identifier: MIT
/*
 * peerscope record's command line: --help, option parsing and the checks
 * that need nothing but the arguments (cmd-record.c runs the recording).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "collectors/collector.h"
#include "collectors/record-opts.h"
#include "core/log.h"
#include "core/opt-values.h"
#include "core/target.h"

static const char usage_text[] =
"usage: peerscope record -p PID[,PID...] [options]\n"
"\n"
"Record running processes into one pprof file (default " RECORD_DEFAULT_OUTPUT ").\n"
"Runs until -d elapses, SIGINT/SIGTERM, or every target has exited, and\n"
"always writes what it has.\n"
"\n"
"  -p, --pid PID[,PID...]    processes to record (required)\n"
"  -F, --freq HZ             on-CPU sampling frequency (default 99)\n"
"  -d, --duration SECONDS    stop after this long (default: until Ctrl-C)\n"
"  -o, --output FILE         pprof output (default " RECORD_DEFAULT_OUTPUT "); a second\n"
"                            -o is where it goes if writing the first fails\n"
"  -c, --collectors LIST     collectors to run, comma separated (default: all\n"
"                            supported ones); see the list below\n"
"      --no-kernel           user stacks only\n"
"      --min-block TIME      off-CPU: ignore blocks shorter than TIME (e.g. 1ms,\n"
"                            500us; a bare number is microseconds)\n"
"      --alloc[=malloc]      memory: kernel allocation events, or malloc uprobes\n"
"      --alloc-sample N      memory: record one call in N (default 1)\n"
"      --alloc-duty FRACTION memory: fraction of time probes are on (default 1)\n"
"  -e, --events LIST         hardware counters to read (hwc collector)\n"
"      --rules FILE|NAME     path rules file or built-in set (docs/rules.md)\n"
"      --port NAME=[PROTO:]LO[-HI]  socket traffic to a path by port, repeatable\n"
"      --no-peers            no serving-peer tag on events, no peer probes or\n"
"                            reply tracking (docs/peers.md)\n"
"      --sla SPEC            fail (exit 3) when a path misses SPEC, repeatable\n"
"      --unwind MODE         user stack unwinding: auto, fp or dwarf (default auto)\n"
"  -v, --verbose             debug output (features, libbpf, per-collector stats)\n"
"      --progress            live status line even when stderr is not a TTY\n"
"  -h, --help                this text\n"
"\n"
"Exit status: 0 ok, 1 runtime error, 2 usage error, 3 an --sla failed.\n"
"\n"
"Collectors:\n";

enum {
	OPT_NO_KERNEL = 256,
	OPT_PROGRESS,
	OPT_MIN_BLOCK,
	OPT_ALLOC,
	OPT_ALLOC_SAMPLE,
	OPT_ALLOC_DUTY,
	OPT_RULES,
	OPT_SLA,
	OPT_UNWIND,
	OPT_PORT,
	OPT_NO_PEERS,
};

static const struct option long_options[] = {
	{ "pid",          required_argument, NULL, 'p' },
	{ "freq",         required_argument, NULL, 'F' },
	{ "duration",     required_argument, NULL, 'd' },
	{ "output",       required_argument, NULL, 'o' },
	{ "collectors",   required_argument, NULL, 'c' },
	{ "events",       required_argument, NULL, 'e' },
	{ "verbose",      no_argument,       NULL, 'v' },
	{ "help",         no_argument,       NULL, 'h' },
	{ "no-kernel",    no_argument,       NULL, OPT_NO_KERNEL },
	{ "progress",     no_argument,       NULL, OPT_PROGRESS },
	{ "min-block",    required_argument, NULL, OPT_MIN_BLOCK },
	{ "alloc",        optional_argument, NULL, OPT_ALLOC },
	{ "alloc-sample", required_argument, NULL, OPT_ALLOC_SAMPLE },
	{ "alloc-duty",   required_argument, NULL, OPT_ALLOC_DUTY },
	{ "rules",        required_argument, NULL, OPT_RULES },
	{ "sla",          required_argument, NULL, OPT_SLA },
	{ "unwind",       required_argument, NULL, OPT_UNWIND },
	{ "port",         required_argument, NULL, OPT_PORT },
	{ "no-peers",     no_argument,       NULL, OPT_NO_PEERS },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fputs(usage_text, f);
	for (int i = 0; collector_table[i]; i++)
		fprintf(f, "  %-8s %s\n", collector_table[i]->name,
			collector_table[i]->summary ? collector_table[i]->summary : "");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps_err("record: %s (see 'peerscope record --help')", msg);
	return PS_EXIT_USAGE;
}

/* "peerscope record -p ..." as typed: the meta record's command. */
static void join_cmdline(char *buf, size_t size, int argc, char **argv)
{
	size_t off = 0;

	for (int i = 0; i < argc && off < size - 1; i++)
		off += snprintf(buf + off, size - off, "%s%s", i ? " " : "peerscope ", argv[i]);
}

/*
 * --port is repeatable: the values joined by commas (checked by the sock
 * collector, core/ports.h).
 */
static int append_port_rule(struct record *r, const char *arg)
{
	size_t old = r->port_rules ? strlen(r->port_rules) : 0;
	char *v = realloc(r->port_rules, old + strlen(arg) + 2);

	if (!v)
		return usage_error("out of memory");
	snprintf(v + old, strlen(arg) + 2, "%s%s", old ? "," : "", arg);
	r->port_rules = v;
	r->opts.port_rules = v;
	return 0;
}

/* -c names only collectors that exist (whether they can run is checked at open). */
static int check_collector_list(const char *list)
{
	for (const char *s = list; s && *s;) {
		size_t len = strcspn(s, ",");
		char name[32];

		snprintf(name, sizeof(name), "%.*s", (int)len, s);
		if (!collector__find(name))
			return usage_error("unknown collector '%s'", name);
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
}

static bool parse_alloc_mode(const char *arg, struct record_opts *o)
{
	if (!arg || !strcmp(arg, "kernel"))
		o->alloc = ALLOC_KERNEL;
	else if (!strcmp(arg, "malloc"))
		o->alloc = ALLOC_MALLOC;
	else
		return false;
	return true;
}

static bool parse_alloc_sample(const char *arg, struct record_opts *o)
{
	return !opt__count(arg, &o->alloc_sample);
}

static bool parse_alloc_duty(const char *arg, struct record_opts *o)
{
	return !opt__fraction(arg, &o->alloc_duty);
}

static const struct {
	const char *name;
	bool (*parse)(const char *arg, struct record_opts *o);
	const char *want;
} alloc_options[] = {
	{ "alloc",	  parse_alloc_mode,   "kernel or malloc" },
	{ "alloc-sample", parse_alloc_sample, "an integer >= 1" },
	{ "alloc-duty",	  parse_alloc_duty,   "a fraction in (0, 1]" },
};

const char *record__alloc_option(struct record_opts *o, const char *name, const char *arg,
				 char *msg)
{
	for (size_t i = 0; i < sizeof(alloc_options) / sizeof(alloc_options[0]); i++) {
		if (strcmp(name, alloc_options[i].name))
			continue;
		if (alloc_options[i].parse(arg, o))
			return NULL;
		snprintf(msg, RECORD_OPTION_MSG, "bad --%s '%s': want %s", name, arg,
			 alloc_options[i].want);
		return msg;
	}
	snprintf(msg, RECORD_OPTION_MSG, "--%s is not an allocator option", name);
	return msg;
}

int record__parse_args(struct record *r, int argc, char **argv)
{
	const char *bad;
	char why[RECORD_OPTION_MSG];
	int opt, err, nr_outputs = 0, idx = 0;	/* idx: the long option getopt matched */

	join_cmdline(r->cmdline, sizeof(r->cmdline), argc, argv);

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+p:F:d:o:c:e:vh", long_options, &idx)) != -1) {
		switch (opt) {
		case 'p':
			err = target__parse(&r->target, optarg, TARGET_MAX_PIDS, &bad);
			if (err == -E2BIG)
				return usage_error("too many pids: at most %d", TARGET_MAX_PIDS);
			if (err)
				return usage_error("bad pid list '%s' at '%s'", optarg, bad);
			break;
		case 'F':
			if (opt__freq(optarg, &r->opts.freq))
				return usage_error("bad frequency '%s': want an integer number of Hz", optarg);
			break;
		case 'd':
			if (opt__seconds(optarg, &r->opts.duration))
				return usage_error("bad duration '%s': want seconds > 0", optarg);
			break;
		case 'o':
			/* a second -o is where the recording goes if the first fails */
			if (nr_outputs == 2)
				return usage_error("-o given 3 times: at most two (an output and "
						   "where to write when it fails)");
			if (nr_outputs++)
				r->fallback_output = optarg;
			else
				r->output = optarg;
			break;
		case 'c':
			r->collectors = optarg;
			break;
		case 'e':
			r->opts.events = optarg;
			break;
		case 'v':
			r->opts.verbose = true;
			ps_verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case OPT_NO_KERNEL:
			r->opts.no_kernel = true;
			break;
		case OPT_PROGRESS:
			ps_set_progress(true);
			break;
		case OPT_MIN_BLOCK:
			if (opt__time_ns(optarg, &r->opts.min_block_ns))
				return usage_error("bad --min-block '%s': want e.g. 1ms, 500us", optarg);
			break;
		case OPT_ALLOC: case OPT_ALLOC_SAMPLE: case OPT_ALLOC_DUTY:
			if (record__alloc_option(&r->opts, long_options[idx].name, optarg, why))
				return usage_error("%s", why);
			break;
		case OPT_RULES:
			r->rules_file = optarg;
			break;
		case OPT_SLA:
			if (r->nr_slas == MAX_SLAS)
				return usage_error("too many --sla: at most %d", MAX_SLAS);
			r->slas[r->nr_slas++] = optarg;
			break;
		case OPT_PORT:
			err = append_port_rule(r, optarg);
			if (err)
				return err;
			break;
		case OPT_NO_PEERS:
			r->opts.no_peers = true;
			break;
		case OPT_UNWIND:
			if (!strcmp(optarg, "auto"))
				r->opts.unwind = UNWIND_AUTO;
			else if (!strcmp(optarg, "fp"))
				r->opts.unwind = UNWIND_FP;
			else if (!strcmp(optarg, "dwarf"))
				r->opts.unwind = UNWIND_DWARF;
			else
				return usage_error("bad --unwind '%s': want auto, fp or dwarf", optarg);
			break;
		default:
			return usage_error("bad option");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!r->target.nr_pids)
		return usage_error("no target: give -p PID");
	return check_collector_list(r->collectors);
}
