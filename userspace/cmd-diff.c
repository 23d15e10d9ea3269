// SPDX-License-Identifier: MIT
/*
 * peerscope diff BASE NEW: what got slower, and where.  Options, loading,
 * messages and exit codes; the analysis is reports/diff.c, the output
 * reports/diff-print.c, the differential flame graph reports/diff-flame.c.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "core/log.h"
#include "core/out-file.h"
#include "reports/diff-flame.h"
#include "reports/diff.h"
#include "core/profile.h"
#include "core/rules.h"
#include "format/recording.h"
#include "reports/report.h"

static const char usage_text[] =
"usage: peerscope diff BASE NEW [--type TYPE] [--path PATH] [--per-op]\n"
"                      [--format text|md|json] [--json] [-o OUT] [--top N]\n"
"                      [--min-z Z] [--min-delta PCT] [--fail-above PCT]\n"
"                      [--svg FILE [--negate]] [--folded] [--no-kernel]\n"
"       peerscope diff FILE --peer A --vs-peer B [options]\n"
"\n"
"Compares a baseline recording with a new one: which functions, stacks and\n"
"paths take a larger (or smaller) share of the time, whether the change is\n"
"larger than the sampling noise, and, per path, how latency percentiles,\n"
"the wall-time decomposition and the bottleneck verdict moved.  BASE and\n"
"NEW are peerscope recordings, any pprof profiles, or folded stacks.\n"
"\n"
"Values are normalised by each recording's total, so a node that simply did\n"
"more work in the same proportions shows no change (or per operation with\n"
"--per-op).  Functions are ranked by the change of their SELF share (the\n"
"code that got slower, not its callers), with their total share as context.\n"
"A change is shown when |z| >= --min-z (two-proportion z-test on the event\n"
"counts behind the values; Poisson rate test with --per-op) and it moved by\n"
"at least --min-delta percentage points; the rest is counted as noise.\n"
"\n"
"Options:\n"
"  -t, --type TYPE     sample type: cpu, samples, offcpu, wall, alloc, ...\n"
"                      (default: BASE's default type).\n"
"  --path PATH         only samples of one path (dht, gossip, bootstrap,\n"
"                      other, or a path of the recordings' rules).\n"
"  --per-op            normalise by operation counts (span histograms) when\n"
"                      both recordings have them; shares then read as % of\n"
"                      the baseline's cost per operation.\n"
"  --format FMT        text (default, 100 columns), md (Markdown), json\n"
"                      (schema peerscope.diff/1, docs/diff.md).\n"
"  --json              the same as --format json.\n"
"  -o, --output OUT    write the report (or --folded) to OUT (default stdout).\n"
"  --top N             rows per list (default 20).\n"
"  --min-z Z           significance threshold (default 3).\n"
"  --min-delta PCT     smallest change shown, in percentage points of the\n"
"                      total (default 0.5).\n"
"  --fail-above PCT    exit 4 when a function's self share, a path's share,\n"
"                      or a path's p95/p99 latency grew by more than PCT %\n"
"                      (relative, e.g. 10%) and the growth is significant.\n"
"  --lat-design D      variance inflation of the latency test (default 4:\n"
"                      operations of one run are not independent; 1 treats\n"
"                      them as if they were).\n"
"  --svg FILE          also write the differential flame graph: widths from\n"
"                      NEW, red = grew, blue = shrank, shade by |change|.\n"
"  --negate            widths from BASE instead (code that vanished shows).\n"
"  --folded            write 'stack base new' lines (FlameGraph difffolded)\n"
"                      instead of the report.\n"
"  --title TEXT        title of the SVG.\n"
"  --width PX          SVG width (default 1200).\n"
"  --no-kernel         leave kernel frames out.\n"
"  --peer A --vs-peer B  compare two peers inside one recording FILE: the\n"
"                      cost recorded while serving A (the base) against B\n"
"                      (addresses as report --peers prints them).\n"
"  -h, --help          this text.\n"
"\n"
"Exit status: 0 done (no regression beyond --fail-above); 1 a file cannot\n"
"be read or written; 2 bad option or unknown sample type; 4 --fail-above\n"
"exceeded.\n"
"\n"
"Examples:\n"
"  peerscope diff base.pb.gz new.pb.gz\n"
"  peerscope diff base.pb.gz new.pb.gz --svg diff.svg --fail-above 10%\n"
"  peerscope diff base.pb.gz new.pb.gz --path dht --per-op --format md\n"
"  peerscope diff a.folded b.folded --folded > diff.folded\n"
"  peerscope diff node0.pb.gz --peer 127.0.0.1:4002 --vs-peer 127.0.0.1:4001 --path gossip\n";

enum {
	OPT_PATH = 256, OPT_PER_OP, OPT_FORMAT, OPT_JSON, OPT_TOP, OPT_MIN_Z, OPT_MIN_DELTA,
	OPT_FAIL_ABOVE, OPT_SVG, OPT_NEGATE, OPT_FOLDED, OPT_TITLE, OPT_WIDTH, OPT_NO_KERNEL,
	OPT_LAT_DESIGN, OPT_PEER, OPT_VS_PEER,
};

static const struct option long_opts[] = {
	{ "type", required_argument, NULL, 't' },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "per-op", no_argument, NULL, OPT_PER_OP },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, 'o' },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "min-z", required_argument, NULL, OPT_MIN_Z },
	{ "min-delta", required_argument, NULL, OPT_MIN_DELTA },
	{ "fail-above", required_argument, NULL, OPT_FAIL_ABOVE },
	{ "lat-design", required_argument, NULL, OPT_LAT_DESIGN },
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "flame", required_argument, NULL, OPT_SVG },
	{ "negate", no_argument, NULL, OPT_NEGATE },
	{ "folded", no_argument, NULL, OPT_FOLDED },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
	{ "peer", required_argument, NULL, OPT_PEER },
	{ "vs-peer", required_argument, NULL, OPT_VS_PEER },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

/* "10%", "10" or "2.5 %" -> 0.10, 0.10, 0.025. */
static bool parse_pct(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	while (*end == ' ')
		end++;
	if (*end == '%')
		end++;
	if (end == s || *end || !isfinite(v) || v < 0 || v > 100000)
		return false;
	*out = v / 100;
	return true;
}

static bool parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;

	*out = strtod(s, &end);
	return end != s && !*end && *out >= lo && *out <= hi;
}

/* What the command line asked for. */
struct diff_args {
	struct diff_opts o;
	struct diff_flame_opts fo;
	struct diff_files files;
	enum report_format fmt;
	const char *out_path, *svg, *title;
	const char *peer[2];		/* --peer A --vs-peer B: two peers of one recording */
	char **operands;		/* the files named */
	int nr_operands;
	bool folded;
};

/* The options that take a number; CMD_GO_ON, else the exit code. */
static int parse_number(int c, struct diff_args *a)
{
	double d;

	switch (c) {
	case OPT_TOP:
		if (!parse_num(optarg, 1, 100000, &d) || d != floor(d)) {
			ps_err("diff: bad --top '%s': want a count, 1..100000 (see 'peerscope diff --help')",
			       optarg);
			return PS_EXIT_USAGE;
		}
		a->o.top_n = d;
		break;
	case OPT_WIDTH:
		if (!parse_num(optarg, 200, 100000, &d)) {
			ps_err("diff: bad width '%s': want pixels, 200..100000 (see 'peerscope diff --help')",
			       optarg);
			return PS_EXIT_USAGE;
		}
		a->fo.width = d;
		break;
	case OPT_MIN_Z:
		if (!parse_num(optarg, 0, 1000, &a->o.min_z)) {
			ps_err("diff: bad --min-z '%s': want a number, 0..1000 (see 'peerscope diff --help')",
			       optarg);
			return PS_EXIT_USAGE;
		}
		break;
	case OPT_LAT_DESIGN:
		if (!parse_num(optarg, 1, 1000, &a->o.lat_design)) {
			ps_err("diff: bad --lat-design '%s': want a number, 1..1000 (see 'peerscope diff --help')",
			       optarg);
			return PS_EXIT_USAGE;
		}
		break;
	case OPT_MIN_DELTA:
		if (!parse_pct(optarg, &a->o.min_delta) || a->o.min_delta > 1) {
			ps_err("diff: bad --min-delta '%s': want percentage points, 0..100 (see 'peerscope diff --help')",
			       optarg);
			return PS_EXIT_USAGE;
		}
		break;
	default:	/* OPT_FAIL_ABOVE */
		if (!parse_pct(optarg, &a->o.fail_above) || !(a->o.fail_above > 0)) {
			ps_err("diff: bad --fail-above '%s': want a percentage above 0, e.g. 10%% (see 'peerscope diff --help')",
			       optarg);
			return PS_EXIT_USAGE;
		}
		break;
	}
	return CMD_GO_ON;
}

/* One option into a (a struct diff_args): CMD_GO_ON, else the exit code. */
static int parse_opt(int c, void *ctx)
{
	struct diff_args *a = ctx;

	switch (c) {
	case 't': a->o.type = optarg; break;
	case 'o': a->out_path = optarg; break;
	case OPT_PATH: a->o.path = optarg; break;
	case OPT_PER_OP: a->o.per_op = true; break;
	case OPT_JSON: a->fmt = REPORT_JSON; break;
	case OPT_SVG: a->svg = optarg; break;
	case OPT_NEGATE: a->fo.negate = true; break;
	case OPT_FOLDED: a->folded = true; break;
	case OPT_TITLE: a->title = optarg; break;
	case OPT_NO_KERNEL: a->o.no_kernel = true; break;
	case OPT_PEER: a->peer[0] = optarg; break;
	case OPT_VS_PEER: a->peer[1] = optarg; break;
	case OPT_FORMAT:
		if (!strcmp(optarg, "text")) {
			a->fmt = REPORT_TEXT;
		} else if (!strcmp(optarg, "md") || !strcmp(optarg, "markdown")) {
			a->fmt = REPORT_MD;
		} else if (!strcmp(optarg, "json")) {
			a->fmt = REPORT_JSON;
		} else {
			ps_err("diff: unknown format '%s': want text, md or json (see 'peerscope diff --help')",
			       optarg);
			return PS_EXIT_USAGE;
		}
		break;
	case OPT_TOP:
	case OPT_WIDTH:
	case OPT_MIN_Z:
	case OPT_LAT_DESIGN:
	case OPT_MIN_DELTA:
	case OPT_FAIL_ABOVE:
		return parse_number(c, a);
	default:	/* an option of long_opts this switch forgot */
		return PS_EXIT_USAGE;
	}
	return CMD_GO_ON;
}

/* The command line into a: CMD_GO_ON, else the exit code. */
static int parse_args(int argc, char **argv, struct diff_args *a)
{
	int ret = cmd__options(argc, argv, "diff", usage_text, "t:o:h", long_opts,
			       parse_opt, a);

	if (ret != CMD_GO_ON)
		return ret;
	a->operands = argv + optind;
	a->nr_operands = argc - optind;
	if (!a->peer[0] && !a->peer[1] && argc - optind != 2) {
		ps_err("diff: %s (usage: peerscope diff BASE NEW [options]; see --help)",
		       argc - optind < 2 ? "two recordings needed, BASE and NEW" :
					   "more than two recordings given");
		return PS_EXIT_USAGE;
	}
	if (a->fo.negate && !a->svg) {
		ps_err("diff: --negate changes the flame graph: give --svg FILE too (see 'peerscope diff --help')");
		return PS_EXIT_USAGE;
	}
	if (a->peer[0] || a->peer[1])
		return CMD_GO_ON;	/* load_peer_pair() checks the rest */
	a->files.base = argv[optind];
	a->files.cur = argv[optind + 1];
	if (!strcmp(a->files.base, "-") && !strcmp(a->files.cur, "-")) {
		ps_err("diff: BASE and NEW cannot both be standard input");
		return PS_EXIT_USAGE;
	}
	return CMD_GO_ON;
}

/*
 * One recording, read and every sample given its path with the rules it
 * was recorded with (report__label_paths), as report does.  0, else
 * non-zero once said on stderr.
 */
static int load(const char *file, struct profile **p, const char **what)
{
	struct path_rules *rules = NULL;
	char msg[256];
	int err;

	if (cmd__load("diff", file, NULL, 0, p, what, NULL) != CMD_GO_ON)
		return -EBADMSG;
	err = report__label_paths(*p, NULL, &rules, msg, sizeof(msg));
	path_rules__free(rules);
	if (err)
		ps_err("diff: cannot attribute the samples of %s to paths: %s", file, strerror(-err));
	return err;
}

/*
 * --peer A --vs-peer B FILE: FILE loaded twice, each copy kept to the cost
 * recorded while serving one peer (the "peer" label).  CMD_GO_ON, else the
 * exit code.
 */
static int load_peer_pair(struct diff_args *a, struct profile **base, struct profile **cur)
{
	struct profile **p[2] = { base, cur };
	const char *file = a->nr_operands == 1 ? a->operands[0] : "";

	if (!a->peer[0] || !a->peer[1] || a->nr_operands != 1 || !strcmp(file, "-")) {
		ps_err("diff: %s (usage: peerscope diff FILE --peer A --vs-peer B; see --help)",
		       !a->peer[0] || !a->peer[1] ? "--peer and --vs-peer go together" :
		       a->nr_operands != 1 ? "one recording with --peer" :
					     "FILE is read twice: not standard input");
		return PS_EXIT_USAGE;
	}
	for (int i = 0; i < 2; i++) {
		int n;

		if (load(file, p[i], i ? &a->files.cur_fmt : &a->files.base_fmt))
			return PS_EXIT_ERROR;
		n = report__filter_label(p[i], "peer", a->peer[i]);
		if (n < 0) {
			ps_err("diff: cannot select peer %s: %s", a->peer[i], strerror(-n));
			return PS_EXIT_ERROR;
		}
		if (!n) {
			ps_err("diff: no samples while serving peer '%s' in %s (report --peers lists the peers)",
			       a->peer[i], file);
			return PS_EXIT_USAGE;
		}
	}
	a->files.base = a->peer[0];
	a->files.cur = a->peer[1];
	return CMD_GO_ON;
}

/* Both recordings, labelled: CMD_GO_ON, else the exit code. */
static int load_both(struct diff_args *a, struct profile **base, struct profile **cur)
{
	if (a->peer[0] || a->peer[1])
		return load_peer_pair(a, base, cur);
	if (load(a->files.base, base, &a->files.base_fmt) ||
	    load(a->files.cur, cur, &a->files.cur_fmt))
		return PS_EXIT_ERROR;
	return CMD_GO_ON;
}

static int write_svg(const struct diff_result *r, const char *path,
		     const struct diff_flame_opts *fo)
{
	struct out_file of;
	int err, c;

	err = out_file__open(&of, path);
	if (err) {
		ps_err("diff: cannot write %s: %s (choose another file with --svg)", path,
		       strerror(-err));
		return err;
	}
	err = diff_flame__write_svg(of.f, r, fo);
	c = out_file__close(&of, !err);
	if (!err)
		err = c;
	if (err)
		ps_err("diff: cannot write %s: %s (check free space and permissions)", path,
		       strerror(-err));
	else if (strcmp(path, "-"))
		ps_info("diff: wrote %s", path);
	return err;
}

/* The comparison of the two recordings into r, errors said: CMD_GO_ON, else the exit code. */
static int compare(const struct profile *base, const struct profile *cur,
		   const struct diff_args *a, struct diff_result *r)
{
	char types[2][256];
	int err = diff__compute(base, cur, &a->o, r);

	if (err == -ENOENT) {
		recording__type_list(base, types[0], sizeof(types[0]));
		recording__type_list(cur, types[1], sizeof(types[1]));
		if (a->o.type)
			ps_err("diff: sample type '%s' is not in both recordings (base has: %s; new has: %s)",
			       a->o.type, types[0], types[1]);
		else
			ps_err("diff: the recordings share no default sample type (base has: %s; new has: %s; choose one with --type)",
			       types[0], types[1]);
		return PS_EXIT_USAGE;
	} else if (err == -ENODATA) {
		ps_err("diff: nothing to compare: a recording has no samples of type %s%s%s (check --type and --path)",
		       a->o.type ? a->o.type : "(default)", a->o.path ? " on path " : "",
		       a->o.path ? a->o.path : "");
		return PS_EXIT_ERROR;
	} else if (err) {
		ps_err("diff: cannot compare %s and %s: %s", a->files.base, a->files.cur,
		       strerror(-err));
		return PS_EXIT_ERROR;
	}
	if (r->per_op_refused)
		ps_warn("diff: --per-op needs span operation counts in both recordings; normalised by total instead");
	return CMD_GO_ON;
}

/* The flame graph (--svg), then the comparison or folded stacks: the exit code. */
static int output(const struct diff_result *r, struct diff_args *a)
{
	struct out_file of;
	char sub[512];
	int err, c;

	if (a->svg) {
		snprintf(sub, sizeof(sub), "%s: %s -> %s%s%s; widths from %s; red grew, blue shrank",
			 r->type, a->files.base, a->files.cur, a->o.path ? ", path " : "",
			 a->o.path ? a->o.path : "", a->fo.negate ? "base" : "new");
		a->fo.title = a->title;
		a->fo.subtitle = sub;
		if (write_svg(r, a->svg, &a->fo))
			return PS_EXIT_ERROR;
	}
	err = out_file__open(&of, a->out_path);
	if (err) {
		ps_err("diff: cannot write %s: %s (choose another file with -o)", a->out_path,
		       strerror(-err));
		return PS_EXIT_ERROR;
	}
	err = a->folded ? diff_flame__write_folded(of.f, r) : diff__print(of.f, r, &a->files, a->fmt);
	c = out_file__close(&of, !err);
	if (!err)
		err = c;
	if (err) {
		ps_err("diff: cannot write %s: %s (check free space and permissions)",
		       a->out_path ? a->out_path : "standard output", strerror(-err));
		return PS_EXIT_ERROR;
	}
	if (!r->nr_fails)
		return PS_EXIT_OK;
	ps_info("diff: %u regression check%s beyond %g %%", r->nr_fails, r->nr_fails == 1 ? "" : "s",
		100 * a->o.fail_above);
	return PS_EXIT_REGRESSION;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_args a = { .fmt = REPORT_TEXT };
	struct profile *base = NULL, *cur = NULL;
	struct diff_result r;
	int ret;

	diff__defaults(&a.o);
	ret = parse_args(argc, argv, &a);
	if (ret != CMD_GO_ON)
		return ret;
	ret = load_both(&a, &base, &cur);
	if (ret == CMD_GO_ON)
		ret = compare(base, cur, &a, &r);
	if (ret == CMD_GO_ON) {
		ret = output(&r, &a);
		diff__free(&r);
	}
	profile__free(base);
	profile__free(cur);
	return ret;
}
