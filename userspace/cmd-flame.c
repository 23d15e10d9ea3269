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
#include "format/recording.h"
#include "reports/report.h"

static const char usage_text[] =
"usage: peerscope flame FILE [-o OUT] [--folded] [--type TYPE] [--path PATH]\n"
"                       [--peer ADDR]\n"
"                       [--title TEXT] [--inverted] [--width PX] [--by LABEL]\n"
"                       [--min-width PCT] [--no-kernel] [--wakers]\n"
"\n"
"Draws a recording as a flame graph: an interactive SVG (the default) or\n"
"FlameGraph's folded stacks.  FILE is a peerscope recording or any pprof\n"
"profile (gzip-compressed or not), or a folded-stack file; the format is\n"
"told from the content.  FILE '-' reads standard input.\n"
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
	OPT_MIN_WIDTH, OPT_NO_KERNEL, OPT_PPROF_OUT, OPT_WAKERS,
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
	{ "help", no_argument, NULL, 'h' },
	{ }
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

int cmd_flame(int argc, char **argv)
{
	const char *out_path = NULL, *type = NULL, *path = NULL, *title = NULL, *by = NULL;
	const char *peer = NULL;
	const char *pprof_out = NULL, *file, *what = "recording";
	struct flame_svg_opts so = { 0 };
	struct flame_tree_opts to = { 0 };
	struct flame_tree *tree = NULL;
	struct profile *p = NULL;
	struct out_file of;
	bool folded = false;
	double min_pct = 0.1;
	char sub[256], val[64], types[256], type_name[64];
	int c, err, ret = PS_EXIT_ERROR;
	long l;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:t:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case 't': type = optarg; break;
		case OPT_FOLDED: folded = true; break;
		case OPT_PATH: path = optarg; break;
		case OPT_PEER: peer = optarg; break;
		case OPT_BY: by = optarg; break;
		case OPT_TITLE: title = optarg; break;
		case OPT_INVERTED: so.inverted = true; break;
		case OPT_NO_KERNEL: to.no_kernel = true; break;
		case OPT_WAKERS: to.wakers = true; break;
		case OPT_PPROF_OUT: pprof_out = optarg; break;
		case OPT_WIDTH:
			if (!parse_int(optarg, 200, 100000, &l)) {
				ps_err("flame: bad width '%s': want pixels, 200..100000 (see 'peerscope flame --help')",
				       optarg);
				return PS_EXIT_USAGE;
			}
			so.width = l;
			break;
		case OPT_MIN_WIDTH: {
			char *end;

			min_pct = strtod(optarg, &end);
			if (end == optarg || *end || !(min_pct >= 0 && min_pct <= 100)) {
				ps_err("flame: bad minimum width '%s': want a percentage, 0..100 (see 'peerscope flame --help')",
				       optarg);
				return PS_EXIT_USAGE;
			}
			break;
		}
		case 'h':
			fputs(usage_text, stdout);
			return PS_EXIT_OK;
		default:
			fprintf(stderr, "(see 'peerscope flame --help')\n");
			return PS_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		ps_err("flame: %s (usage: peerscope flame FILE [-o OUT] [--folded]; see --help)",
		       optind >= argc ? "no recording given" : "more than one recording given");
		return PS_EXIT_USAGE;
	}
	file = argv[optind];

	err = recording__load(file, &p, &what);
	if (err == -EBADMSG) {
		ps_err("flame: cannot read %s: not a pprof profile or folded stacks, or corrupt (check it is a file written by 'peerscope record')",
		       file);
		return PS_EXIT_ERROR;
	} else if (err) {
		ps_err("flame: cannot read %s: %s (check the file name)", file, strerror(-err));
		return PS_EXIT_ERROR;
	}
	to.type_idx = recording__pick_type(p, type);
	if (to.type_idx < 0) {
		if (to.type_idx == -ENOENT)
			ps_err("flame: no sample type '%s' in %s (it has: %s)", type, file,
			       recording__type_list(p, types, sizeof(types)));
		else
			ps_err("flame: %s has no sample types (is it an empty profile?)", file);
		ret = to.type_idx == -ENOENT ? PS_EXIT_USAGE : PS_EXIT_ERROR;
		goto out_profile;
	}
	/* the path filter below replaces p: keep the name, not a pointer into it */
	snprintf(type_name, sizeof(type_name), "%s", profile__str(p, p->types[to.type_idx].type));
	type = type_name;
	if (path) {
		err = report__filter_path(&p, path);
		if (err < 0) {
			ps_err("flame: cannot select path %s: %s", path, strerror(-err));
			goto out_profile;
		}
		if (!err)
			ps_warn("flame: no samples on path '%s' (paths are dht, gossip, bootstrap, other, or those of the rules)",
				path);
	}
	if (peer) {
		err = report__filter_label(&p, "peer", peer);
		if (err < 0) {
			ps_err("flame: cannot select peer %s: %s", peer, strerror(-err));
			goto out_profile;
		}
		if (!err)
			ps_warn("flame: no samples while serving peer '%s' (report --peers lists the peers)",
				peer);
	}
	if (pprof_out) {
		err = pprof__write(p, pprof_out);
		if (err) {
			ps_err("flame: cannot write %s: %s (check the directory)", pprof_out,
			       strerror(-err));
			goto out_profile;
		}
	}
	/* Blocked time reads best with why it blocked as the last frame. */
	if (is_blocked_type(type)) {
		to.leaf_label = "reason";
		to.idle_leaf = true;
	}
	to.root_label = by;
	tree = flame_tree__build(p, &to, &err);
	if (!tree) {
		ps_err("flame: cannot build the call tree: %s", strerror(-err));
		goto out_profile;
	}

	if (!out_path)
		out_path = folded ? "-" : "flame.svg";
	err = out_file__open(&of, out_path);
	if (err) {
		ps_err("flame: cannot write %s: %s (choose another file with -o)", out_path,
		       strerror(-err));
		goto out_tree;
	}
	if (folded) {
		err = flame_folded__write(of.f, tree, 0);
	} else {
		output__fmt_value(tree->nodes[0].total[0], tree->unit, val, sizeof(val));
		snprintf(sub, sizeof(sub), "%s: %s (%s)%s%s%s%s", type, val, what,
			 path ? ", path " : "", path ? path : "", peer ? ", peer " : "",
			 peer ? peer : "");
		so.title = title;
		so.subtitle = sub;
		so.min_share = min_pct > 0 ? min_pct / 100 : -1;
		err = flame_svg__write(of.f, tree, &so);
	}
	c = out_file__close(&of, !err);
	if (!err)
		err = c;
	if (err) {
		ps_err("flame: cannot write %s: %s (check free space and permissions)", out_path,
		       strerror(-err));
		goto out_tree;
	}
	if (strcmp(out_path, "-"))
		ps_info("flame: wrote %s", out_path);
	ret = PS_EXIT_OK;
out_tree:
	flame_tree__free(tree);
out_profile:
	profile__free(p);
	return ret;
}
