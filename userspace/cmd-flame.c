// SPDX-License-Identifier: MIT
/*
 * peerscope flame: a recording (pprof or folded stacks) as an interactive
 * SVG flame graph or as folded stacks.  The work is in reports/flame-*.c;
 * this file is options, loading and messages.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "core/log.h"
#include "core/out-file.h"
#include "reports/flame-folded.h"
#include "reports/flame-svg.h"
#include "analysis/flame-tree.h"
#include "reports/output.h"
#include "format/pprof.h"
#include "core/profile.h"
#include "core/rules.h"
#include "reports/report.h"

static const char usage_text[] =
"usage: peerscope flame FILE [-o OUT] [--folded] [--type TYPE] [--path PATH]\n"
"                       [--peer ADDR]\n"
"                       [--title TEXT] [--inverted] [--width PX] [--by LABEL]\n"
"                       [--min-width PCT] [--no-kernel] [--wakers]\n"
"       peerscope flame DIR [--since DURATION] [options]\n"
"\n"
"Draws a recording as a flame graph: an interactive SVG (the default) or\n"
"FlameGraph's folded stacks.  FILE is a peerscope recording or any pprof\n"
"profile (gzip-compressed or not), or a folded-stack file; the format is\n"
"told from the content.  FILE '-' reads standard input.  DIR, a directory\n"
"of agent windows ('peerscope agent'), is read as one recording: its windows\n"
"merged (with --since DURATION, those of the last 30m, 1h, 2d...).\n"
"\n"
"In the SVG each box is a function; its width is its share of the samples,\n"
"its callers are below it (above it with --inverted).  Click a box to zoom\n"
"into it, 'Reset Zoom' or Escape to go back; 'Search' or Ctrl-F highlights\n"
"the functions matching a regular expression and shows the share of the\n"
"samples they cover.  Hover over a box for its name, value and share.\n"
"User frames are warm colours, kernel frames blue, inlined frames aqua;\n"
"in offcpu, runq and wall graphs, code whose time is mostly blocked takes\n"
"the colour of its wait reason ([lock] purple, [net] green, [timer] grey,\n"
"[io] brown, [runq] pink, [fault] yellow, [idle] pale grey; blue-grey when\n"
"mixed).\n"
"\n"
"Options:\n"
"  -o, --output OUT   write to OUT; '-' is standard output.  Default:\n"
"                     flame.svg, or standard output with --folded.\n"
"  --folded           write folded stacks instead of SVG: one line per\n"
"                     distinct stack, root first, frames separated by ';',\n"
"                     then a space and the value; kernel frames end in\n"
"                     _[k], inlined frames in _[i]; lines sorted.\n"
"  -t, --type TYPE    the sample type to draw: cpu, samples, offcpu, runq,\n"
"                     wall, tx, rx, alloc, inuse, fault, ... (those the\n"
"                     recording holds); TYPE/UNIT picks a unit, as in\n"
"                     alloc/objects.  Default: the recording's default\n"
"                     type, else samples, else cpu.  With offcpu, runq and\n"
"                     wall the blocking reason is added as the leaf-most\n"
"                     frame ([lock], [net], [timer], [io], [runq], ...);\n"
"                     a thread waiting for work (an idle worker's condition\n"
"                     variable, an event loop, a runtime's idle threads)\n"
"                     gets [idle] instead.\n"
"  --since DURATION   with an agent directory: only the windows that started\n"
"                     in the last DURATION (e.g. 1h)\n"
"  --path PATH        only the samples of one path (dht, gossip, bootstrap,\n"
"                     other, or a path of the recording's rules).\n"
"  --peer ADDR        only the cost recorded while serving one peer\n"
"                     (127.0.0.5:4004, as report --peers prints it).\n"
"  --by LABEL         one tower per value of a sample label, as a root frame\n"
"                     '[value]' (e.g. --by thread, --by path).\n"
"  --title TEXT       title of the SVG (default: Flame Graph).\n"
"  --inverted         icicle graph: the root at the top, stacks grow down.\n"
"  --width PX         SVG width in pixels (default 1200).\n"
"  --min-width PCT    leave out boxes narrower than PCT % of the total\n"
"                     (default 0.1; 0 draws all).  The footer says how many\n"
"                     were left out.\n"
"  --no-kernel        leave kernel frames out.\n"
"  --wakers           with offcpu and wall, draw above each blocked stack\n"
"                     the stack of the thread that woke it, after a '--'\n"
"                     frame, leaf first (FlameGraph's offwaketime layout).\n"
"                     By default waker stacks are left out.\n"
"  -h, --help         this text.\n"
"\n"
"Exit status: 0 written; 1 the file cannot be read or written, or is not a\n"
"recording; 2 bad option or unknown sample type.\n"
"\n"
"Examples:\n"
"  peerscope flame peerscope.pb.gz -o cpu.svg\n"
"  peerscope flame peerscope.pb.gz --type offcpu --path dht -o dht-blocked.svg\n"
"  peerscope flame peerscope.pb.gz --folded | grep -c '_\\[k\\]'\n"
"  peerscope flame out.folded --inverted --title 'gossip, icicle'\n";

enum {
	OPT_FOLDED = 256, OPT_PEER, OPT_TITLE, OPT_INVERTED, OPT_PATH, OPT_WIDTH, OPT_BY,
	OPT_MIN_WIDTH, OPT_NO_KERNEL, OPT_PPROF_OUT, OPT_WAKERS, OPT_SINCE,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "folded", no_argument, NULL, OPT_FOLDED },
	{ "type", required_argument, NULL, 't' },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "peer", required_argument, NULL, OPT_PEER },
	{ "by", required_argument, NULL, OPT_BY },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "inverted", no_argument, NULL, OPT_INVERTED },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "min-width", required_argument, NULL, OPT_MIN_WIDTH },
	{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
	{ "wakers", no_argument, NULL, OPT_WAKERS },
	/* developer: also write the loaded (filtered) profile as pprof (bench) */
	{ "pprof-out", required_argument, NULL, OPT_PPROF_OUT },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

/* What the command line asked for. */
struct flame_args {
	const char *out_path, *type, *path, *peer, *title, *by, *pprof_out, *file;
	struct flame_svg_opts so;
	struct flame_tree_opts to;
	bool folded;
	double min_pct;
	double since_s;			/* --since: an agent directory's last seconds */
	char type_name[64];		/* the chosen type's name, kept past filtering */
};

static bool parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return !errno && end != s && !*end && *out >= lo && *out <= hi;
}

static bool is_blocked_type(const char *type)
{
	return !strcmp(type, "offcpu") || !strcmp(type, "runq") || !strcmp(type, "wall");
}

/* The options that take a number; CMD_GO_ON, else the exit code. */
static int parse_number(int c, struct flame_args *a)
{
	char *end;
	long l;

	if (c == OPT_WIDTH) {
		if (parse_int(optarg, 200, 100000, &l)) {
			a->so.width = l;
			return CMD_GO_ON;
		}
		ps_err("flame: bad width '%s': want pixels, 200..100000 (see 'peerscope flame --help')",
		       optarg);
		return PS_EXIT_USAGE;
	}
	a->min_pct = strtod(optarg, &end);
	if (end != optarg && !*end && a->min_pct >= 0 && a->min_pct <= 100)
		return CMD_GO_ON;
	ps_err("flame: bad minimum width '%s': want a percentage, 0..100 (see 'peerscope flame --help')",
	       optarg);
	return PS_EXIT_USAGE;
}

/* One option into a (a struct flame_args): CMD_GO_ON, else the exit code. */
static int parse_opt(int c, void *ctx)
{
	struct flame_args *a = ctx;

	switch (c) {
	case 'o': a->out_path = optarg; break;
	case 't': a->type = optarg; break;
	case OPT_FOLDED: a->folded = true; break;
	case OPT_PATH: a->path = optarg; break;
	case OPT_PEER: a->peer = optarg; break;
	case OPT_BY: a->by = optarg; break;
	case OPT_TITLE: a->title = optarg; break;
	case OPT_INVERTED: a->so.inverted = true; break;
	case OPT_NO_KERNEL: a->to.no_kernel = true; break;
	case OPT_WAKERS: a->to.wakers = true; break;
	case OPT_PPROF_OUT: a->pprof_out = optarg; break;
	case OPT_SINCE:
		if (!agent__parse_seconds(optarg, &a->since_s, false))
			break;
		ps_err("flame: bad --since '%s': want a duration such as 30m, 1h or 2d (see 'peerscope flame --help')",
		       optarg);
		return PS_EXIT_USAGE;
	case OPT_WIDTH:
	case OPT_MIN_WIDTH:
		return parse_number(c, a);
	default:	/* an option of long_opts this switch forgot */
		return PS_EXIT_USAGE;
	}
	return CMD_GO_ON;
}

/* The command line into a: CMD_GO_ON, else the exit code. */
static int parse_args(int argc, char **argv, struct flame_args *a)
{
	int ret = cmd__options(argc, argv, "flame", usage_text, "o:t:h", long_opts,
			       parse_opt, a);

	if (ret != CMD_GO_ON)
		return ret;
	if (optind != argc - 1) {
		ps_err("flame: %s (usage: peerscope flame FILE [-o OUT] [--folded]; see --help)",
		       optind >= argc ? "no recording given" : "more than one recording given");
		return PS_EXIT_USAGE;
	}
	a->file = argv[optind];
	return CMD_GO_ON;
}

/* Reads the recording and chooses its sample column: CMD_GO_ON, else the exit code. */
static int read_recording(struct flame_args *a, struct profile **pp, const char **what)
{
	int ret = cmd__load("flame", a->file, a->type, a->since_s, pp, what, &a->to.type_idx);

	if (ret != CMD_GO_ON)
		return ret;
	/* the path filter replaces the profile: keep the name, not a pointer into it */
	snprintf(a->type_name, sizeof(a->type_name), "%s",
		 profile__str(*pp, (*pp)->types[a->to.type_idx].type));
	a->type = a->type_name;
	return CMD_GO_ON;
}

/*
 * --path and --by path read every sample's path: labelled once, with the
 * recording's rules, as report does (report__label_paths).
 */
static int label_paths(struct profile *p, const struct flame_args *a)
{
	struct path_rules *rules = NULL;
	char msg[256];
	int err;

	if (!a->path && (!a->by || strncmp(a->by, "path", 4)))
		return CMD_GO_ON;
	err = report__label_paths(p, NULL, &rules, msg, sizeof(msg));
	path_rules__free(rules);
	if (!err)
		return CMD_GO_ON;
	ps_err("flame: cannot attribute the samples to paths: %s", strerror(-err));
	return PS_EXIT_ERROR;
}

/* The samples --path and --peer keep: CMD_GO_ON, else the exit code. */
static int select_samples(struct profile **pp, const struct flame_args *a)
{
	int err;

	if (a->path && (err = cmd__select_path("flame", pp, a->path)) != CMD_GO_ON)
		return err;
	if (a->peer) {
		err = report__filter_label(pp, "peer", a->peer);
		if (err < 0) {
			ps_err("flame: cannot select peer %s: %s", a->peer, strerror(-err));
			return PS_EXIT_ERROR;
		}
		if (!err)
			ps_warn("flame: no samples while serving peer '%s' (report --peers lists the peers)",
				a->peer);
	}
	if (!a->pprof_out)
		return CMD_GO_ON;
	err = pprof__write(*pp, a->pprof_out);
	if (!err)
		return CMD_GO_ON;
	ps_err("flame: cannot write %s: %s (check the directory)", a->pprof_out, strerror(-err));
	return PS_EXIT_ERROR;
}

/* The tree as folded stacks or SVG into out_path: 0 or a negative errno. */
static int write_tree(FILE *f, const struct flame_tree *tree, struct flame_args *a,
		      const char *what)
{
	char sub[256], val[64];

	if (a->folded)
		return flame_folded__write(f, tree, 0);
	output__fmt_value(tree->nodes[0].total[0], tree->unit, val, sizeof(val));
	snprintf(sub, sizeof(sub), "%s: %s (%s)%s%s%s%s", a->type, val, what,
		 a->path ? ", path " : "", a->path ? a->path : "", a->peer ? ", peer " : "",
		 a->peer ? a->peer : "");
	a->so.title = a->title;
	a->so.subtitle = sub;
	a->so.min_share = a->min_pct > 0 ? a->min_pct / 100 : -1;
	return flame_svg__write(f, tree, &a->so);
}

/* Builds the call tree and writes it: the exit code. */
static int render(const struct profile *p, struct flame_args *a, const char *what)
{
	const char *out_path = a->out_path ? a->out_path : a->folded ? "-" : "flame.svg";
	struct flame_tree *tree;
	struct out_file of;
	int err, c;

	/* Blocked time reads best with why it blocked as the last frame. */
	if (is_blocked_type(a->type)) {
		a->to.leaf_label = "reason";
		a->to.idle_leaf = true;
	}
	a->to.root_label = a->by;
	tree = flame_tree__build(p, &a->to, &err);
	if (!tree) {
		ps_err("flame: cannot build the call tree: %s", strerror(-err));
		return PS_EXIT_ERROR;
	}
	err = out_file__open(&of, out_path);
	if (err) {
		ps_err("flame: cannot write %s: %s (choose another file with -o)", out_path,
		       strerror(-err));
		flame_tree__free(tree);
		return PS_EXIT_ERROR;
	}
	err = write_tree(of.f, tree, a, what);
	c = out_file__close(&of, !err);
	flame_tree__free(tree);
	if (err || c) {
		ps_err("flame: cannot write %s: %s (check free space and permissions)", out_path,
		       strerror(-(err ? err : c)));
		return PS_EXIT_ERROR;
	}
	if (strcmp(out_path, "-"))
		ps_info("flame: wrote %s", out_path);
	return PS_EXIT_OK;
}

int cmd_flame(int argc, char **argv)
{
	struct flame_args a = { .min_pct = 0.1 };
	const char *what = "recording";
	struct profile *p = NULL;
	int ret = parse_args(argc, argv, &a);

	if (ret == CMD_GO_ON)
		ret = read_recording(&a, &p, &what);
	if (ret == CMD_GO_ON)
		ret = label_paths(p, &a);
	if (ret == CMD_GO_ON)
		ret = select_samples(&p, &a);
	if (ret == CMD_GO_ON)
		ret = render(p, &a, what);
	profile__free(p);
	return ret;
}
