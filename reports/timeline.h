/* SPDX-License-Identifier: MIT */
/*
 * The timeline section of peerscope report (key "timeline"): per thread,
 * where the wall time goes (analysis/timeline.h), as a table and top stacks.
 */
#ifndef PEERSCOPE_TIMELINE_H
#define PEERSCOPE_TIMELINE_H

#include "reports/report.h"
#include "analysis/timeline.h"

struct profile;

/* The report section (key "timeline"). */
int report_timeline__emit(const struct profile *p, const struct report_opts *o,
			  struct report_out *out);

#endif /* PEERSCOPE_TIMELINE_H */
