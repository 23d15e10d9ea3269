/* SPDX-License-Identifier: MIT */
/* The "top" section of peerscope report: the functions of analysis/top.h as a table. */
#ifndef PEERSCOPE_TOP_H
#define PEERSCOPE_TOP_H

#include "reports/report.h"
#include "analysis/top.h"

struct profile;

/* The "top" report section: the top o->top_n functions. */
int report_top__emit(const struct profile *p, const struct report_opts *o,
		     struct report_out *out);

#endif /* PEERSCOPE_TOP_H */
