/* SPDX-License-Identifier: MIT */
/*
 * The renderers of the paths section (bottleneck.c runs the analyses and
 * picks one): text and Markdown (paths-text.c), JSON (paths-json.c).
 */
#ifndef PEERSCOPE_PATHS_RENDER_H
#define PEERSCOPE_PATHS_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/paths.h"
#include "analysis/sla.h"
#include "analysis/verdicts.h"

struct profile;
struct path_rules;

/* Everything the section shows, computed. */
struct paths_view {
	const struct profile *p;
	const struct path_rules *rules;
	const struct path_report *rep;
	const struct verdict *v;	/* one per path */
	const struct sla *slas;
	const struct sla_result *res;	/* one per sla */
	int nr_slas, failed;
};

/* A path is shown when it has samples or timed operations. */
static inline bool paths_render__shown(const struct path_stats *ps)
{
	return ps->samples || (ps->has_lat && (ps->lat.count || ps->lat.unmatched));
}

/*
 * Text (md false; width columns) or Markdown.  in_report: a section of
 * peerscope report, which has printed the heading.
 */
void paths_render__text(FILE *f, const struct paths_view *pv, bool md, bool in_report,
			int width);
/* One JSON object, schema peerscope.paths/1, and a newline. */
void paths_render__json(FILE *f, const struct paths_view *pv);

#endif /* PEERSCOPE_PATHS_RENDER_H */
