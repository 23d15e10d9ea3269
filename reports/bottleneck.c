// SPDX-License-Identifier: MIT
/*
 * The paths section of peerscope report (docs/report-paths.md): the path
 * decomposition (analysis/paths.c), its verdicts (analysis/verdicts.c) and
 * SLA checks (analysis/sla.c), computed here and handed to a renderer
 * (paths-text.c, paths-json.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/rules.h"
#include "analysis/paths.h"
#include "reports/bottleneck.h"
#include "reports/paths-render.h"
#include "reports/report.h"

int bottleneck__report(FILE *f, const struct profile *p, const struct bottleneck_opts *o)
{
	struct path_rules *own = NULL;
	const struct path_rules *rules = o->rules;
	const char *bad = NULL;
	struct sla *all = NULL;
	struct sla_result *res = NULL;
	struct path_report rep;
	struct verdict *v = NULL;
	struct paths_view pv;
	int width = o->width > 0 ? o->width : 100;
	int nr_all, failed = 0, err;
	char msg[256];

	if (!rules) {
		own = path_rules__for_profile(p);
		rules = own;
	}
	if (!rules)
		return -ENOMEM;

	nr_all = sla__gather(p, o->slas, o->nr_slas, &all, &bad, msg, sizeof(msg));
	if (nr_all < 0) {
		if (nr_all == -EINVAL)
			fprintf(stderr, "peerscope: report: bad --sla '%s': %s (see docs/guide.md)\n",
				bad, msg);
		err = nr_all;
		goto free_rules;
	}

	err = paths__analyze(p, rules, &rep);
	if (err)
		goto free_slas;
	v = calloc(rep.nr_paths, sizeof(*v));
	res = calloc(nr_all + 1, sizeof(*res));
	if (!v || !res) {
		err = -ENOMEM;
		goto free_rep;
	}
	bottleneck__judge(&rep, o->limits, v);
	failed = sla__check(&rep, all, nr_all, res);

	pv = (struct paths_view){ p, rules, &rep, v, all, res, nr_all, failed };
	if (o->format == REPORT_JSON)
		paths_render__json(f, &pv);
	else
		paths_render__text(f, &pv, o->format == REPORT_MD, o->in_report, width);

free_rep:
	free(v);
	free(res);
	paths__free(&rep);
free_slas:
	free(all);
free_rules:
	path_rules__free(own);
	return err ? err : failed;
}

/* ---- as a section of peerscope report ----------------------------------- */

int report_paths__emit(const struct profile *p, const struct report_opts *ro,
		       struct report_out *out)
{
	struct bottleneck_opts o = {
		.format = out->format,
		.slas = ro->slas,
		.nr_slas = ro->nr_slas,
		.width = out->width,
		.in_report = true,
		.rules = ro->path_rules,
	};
	char msg[256];

	if (!paths__has_data(p) && !ro->nr_slas && !ro->rules)
		return 0;
	/* everything that can fail is checked before the section begins */
	for (int i = 0; i < ro->nr_slas; i++) {
		struct sla *s = NULL;

		if (sla__parse(ro->slas[i], &s, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "peerscope: report: bad --sla '%s': %s (e.g. dht.p95=500ms)\n",
				ro->slas[i], msg);
			return -EINVAL;
		}
		free(s);
	}
	report_out__section(out, "paths", "Paths: where each path's time goes, and what limits it");
	return bottleneck__report(out->f, p, &o);
}
