/* SPDX-License-Identifier: MIT */
/* rules --explain, printed: text or JSON (analysis/explain.h computes it). */
#ifndef PEERSCOPE_REPORTS_EXPLAIN_H
#define PEERSCOPE_REPORTS_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>

struct profile;
struct path_rules;
struct explain;

void explain__print(FILE *f, const struct profile *p, const struct path_rules *r,
		    const char *type, const struct explain *e, bool json);

#endif /* PEERSCOPE_REPORTS_EXPLAIN_H */
