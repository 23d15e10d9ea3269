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

static int load(const char *file, struct profile **p, const char **what)
{
	int err = recording__load(file, p, what);

	if (err == -EBADMSG)
		ps_err("diff: cannot read %s: not a pprof profile or folded stacks, or corrupt (check it is a file written by 'peerscope record')",
		       file);
	else if (err)
		ps_err("diff: cannot read %s: %s (check the file name)", file, strerror(-err));
	return err;
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

/*
 * --peer A --vs-peer B FILE: FILE loaded twice, each copy kept to the cost
 * recorded while serving one peer (the "peer" label).  An exit status.
 */
static int load_peer_pair(int nfiles, char **files_argv, const char *a, const char *b,
			  struct diff_files *files, struct profile **base, struct profile **cur)
{
	const char *peer[2] = { a, b };
	struct profile **p[2] = { base, cur };

	if (!a || !b || nfiles != 1 || !strcmp(files_argv[0], "-")) {
		ps_err("diff: %s (usage: peerscope diff FILE --peer A --vs-peer B; see --help)",
		       !a || !b ? "--peer and --vs-peer go together" :
		       nfiles != 1 ? "one recording with --peer" : "FILE is read twice: not standard input");
		return PS_EXIT_USAGE;
	}
	for (int i = 0; i < 2; i++) {
		int n;

		if (load(files_argv[0], p[i], i ? &files->cur_fmt : &files->base_fmt))
			return PS_EXIT_ERROR;
		n = report__filter_label(p[i], "peer", peer[i]);
		if (n < 0) {
			ps_err("diff: cannot select peer %s: %s", peer[i], strerror(-n));
			return PS_EXIT_ERROR;
		}
		if (!n) {
			ps_err("diff: no samples while serving peer '%s' in %s (report --peers lists the peers)",
			       peer[i], files_argv[0]);
			return PS_EXIT_USAGE;
		}
	}
	files->base = a;
	files->cur = b;
	return PS_EXIT_OK;
}

int cmd_diff(int argc, char **argv)
{
	const char *peer_a = NULL, *peer_b = NULL;
	const char *out_path = NULL, *svg = NULL, *title = NULL;
	struct diff_files files = { 0 };
	struct diff_flame_opts fo = { 0 };
	enum report_format fmt = REPORT_TEXT;
	struct profile *base = NULL, *cur = NULL;
	struct diff_result r;
	struct diff_opts o;
	struct out_file of;
	bool folded = false;
	char types[2][256], sub[512];
	int c, err, ret = PS_EXIT_ERROR;
	double d;

	diff__defaults(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:o:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 't': o.type = optarg; break;
		case 'o': out_path = optarg; break;
		case OPT_PATH: o.path = optarg; break;
		case OPT_PER_OP: o.per_op = true; break;
		case OPT_JSON: fmt = REPORT_JSON; break;
		case OPT_SVG: svg = optarg; break;
		case OPT_NEGATE: fo.negate = true; break;
		case OPT_FOLDED: folded = true; break;
		case OPT_TITLE: title = optarg; break;
		case OPT_NO_KERNEL: o.no_kernel = true; break;
		case OPT_PEER: peer_a = optarg; break;
		case OPT_VS_PEER: peer_b = optarg; break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text")) {
				fmt = REPORT_TEXT;
			} else if (!strcmp(optarg, "md") || !strcmp(optarg, "markdown")) {
				fmt = REPORT_MD;
			} else if (!strcmp(optarg, "json")) {
				fmt = REPORT_JSON;
			} else {
				ps_err("diff: unknown format '%s': want text, md or json (see 'peerscope diff --help')",
				       optarg);
				return PS_EXIT_USAGE;
			}
			break;
		case OPT_TOP:
			if (!parse_num(optarg, 1, 100000, &d) || d != floor(d)) {
				ps_err("diff: bad --top '%s': want a count, 1..100000 (see 'peerscope diff --help')",
				       optarg);
				return PS_EXIT_USAGE;
			}
			o.top_n = d;
			break;
		case OPT_WIDTH:
			if (!parse_num(optarg, 200, 100000, &d)) {
				ps_err("diff: bad width '%s': want pixels, 200..100000 (see 'peerscope diff --help')",
				       optarg);
				return PS_EXIT_USAGE;
			}
			fo.width = d;
			break;
		case OPT_MIN_Z:
			if (!parse_num(optarg, 0, 1000, &o.min_z)) {
				ps_err("diff: bad --min-z '%s': want a number, 0..1000 (see 'peerscope diff --help')",
				       optarg);
				return PS_EXIT_USAGE;
			}
			break;
		case OPT_LAT_DESIGN:
			if (!parse_num(optarg, 1, 1000, &o.lat_design)) {
				ps_err("diff: bad --lat-design '%s': want a number, 1..1000 (see 'peerscope diff --help')",
				       optarg);
				return PS_EXIT_USAGE;
			}
			break;
		case OPT_MIN_DELTA:
			if (!parse_pct(optarg, &o.min_delta) || o.min_delta > 1) {
				ps_err("diff: bad --min-delta '%s': want percentage points, 0..100 (see 'peerscope diff --help')",
				       optarg);
				return PS_EXIT_USAGE;
			}
			break;
		case OPT_FAIL_ABOVE:
			if (!parse_pct(optarg, &o.fail_above) || !(o.fail_above > 0)) {
				ps_err("diff: bad --fail-above '%s': want a percentage above 0, e.g. 10%% (see 'peerscope diff --help')",
				       optarg);
				return PS_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(usage_text, stdout);
			return PS_EXIT_OK;
		default:
			fprintf(stderr, "(see 'peerscope diff --help')\n");
			return PS_EXIT_USAGE;
		}
	}
	if (!peer_a && !peer_b && argc - optind != 2) {
		ps_err("diff: %s (usage: peerscope diff BASE NEW [options]; see --help)",
		       argc - optind < 2 ? "two recordings needed, BASE and NEW" :
					   "more than two recordings given");
		return PS_EXIT_USAGE;
	}
	if (fo.negate && !svg) {
		ps_err("diff: --negate changes the flame graph: give --svg FILE too (see 'peerscope diff --help')");
		return PS_EXIT_USAGE;
	}
	if (peer_a || peer_b) {
		ret = load_peer_pair(argc - optind, argv + optind, peer_a, peer_b, &files, &base, &cur);
		if (ret != PS_EXIT_OK)
			goto out_profiles;
		ret = PS_EXIT_ERROR;
		goto compare;
	}
	files.base = argv[optind];
	files.cur = argv[optind + 1];
	if (!strcmp(files.base, "-") && !strcmp(files.cur, "-")) {
		ps_err("diff: BASE and NEW cannot both be standard input");
		return PS_EXIT_USAGE;
	}

	if (load(files.base, &base, &files.base_fmt) || load(files.cur, &cur, &files.cur_fmt))
		goto out_profiles;
compare:
	err = diff__compute(base, cur, &o, &r);
	if (err == -ENOENT) {
		recording__type_list(base, types[0], sizeof(types[0]));
		recording__type_list(cur, types[1], sizeof(types[1]));
		if (o.type)
			ps_err("diff: sample type '%s' is not in both recordings (base has: %s; new has: %s)",
			       o.type, types[0], types[1]);
		else
			ps_err("diff: the recordings share no default sample type (base has: %s; new has: %s; choose one with --type)",
			       types[0], types[1]);
		ret = PS_EXIT_USAGE;
		goto out_profiles;
	} else if (err == -ENODATA) {
		ps_err("diff: nothing to compare: a recording has no samples of type %s%s%s (check --type and --path)",
		       o.type ? o.type : "(default)", o.path ? " on path " : "",
		       o.path ? o.path : "");
		goto out_profiles;
	} else if (err) {
		ps_err("diff: cannot compare %s and %s: %s", files.base, files.cur, strerror(-err));
		goto out_profiles;
	}
	if (r.per_op_refused)
		ps_warn("diff: --per-op needs span operation counts in both recordings; normalised by total instead");

	if (svg) {
		snprintf(sub, sizeof(sub), "%s: %s -> %s%s%s; widths from %s; red grew, blue shrank",
			 r.type, files.base, files.cur, o.path ? ", path " : "",
			 o.path ? o.path : "", fo.negate ? "base" : "new");
		fo.title = title;
		fo.subtitle = sub;
		if (write_svg(&r, svg, &fo))
			goto out_result;
	}

	err = out_file__open(&of, out_path);
	if (err) {
		ps_err("diff: cannot write %s: %s (choose another file with -o)", out_path,
		       strerror(-err));
		goto out_result;
	}
	err = folded ? diff_flame__write_folded(of.f, &r) : diff__print(of.f, &r, &files, fmt);
	c = out_file__close(&of, !err);
	if (!err)
		err = c;
	if (err) {
		ps_err("diff: cannot write %s: %s (check free space and permissions)",
		       out_path ? out_path : "standard output", strerror(-err));
		goto out_result;
	}
	ret = r.nr_fails ? PS_EXIT_REGRESSION : PS_EXIT_OK;
	if (r.nr_fails)
		ps_info("diff: %u regression check%s beyond %g %%", r.nr_fails,
			r.nr_fails == 1 ? "" : "s", 100 * o.fail_above);
out_result:
	diff__free(&r);
out_profiles:
	profile__free(base);
	profile__free(cur);
	return ret;
}
