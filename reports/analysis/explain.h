/* SPDX-License-Identifier: MIT */
/*
 * Which rule put each of a recording's top stacks in its path (peerscope
 * rules --explain): the evidence labelling used (`path_by`) and what in the
 * sample matched -- the frame a symbol rule matched, the thread's name, the
 * socket being served, the peer's port.
 */
#ifndef PEERSCOPE_ANALYSIS_EXPLAIN_H
#define PEERSCOPE_ANALYSIS_EXPLAIN_H

#include <stdint.h>

#include "analysis/attribute.h"

struct profile;
struct path_rules;

#define EXPLAIN_DETAIL_LEN 160

struct explain_row {
	/* the row's key: one row per (stack, path, evidence) */
	uint32_t stack;
	int32_t path;			/* path id of the rules */
	uint32_t how;			/* enum path_how: the evidence that placed it */
	uint32_t sample;		/* its first sample: the labels it shows */
	int64_t value;			/* of the chosen sample type */
	char detail[EXPLAIN_DETAIL_LEN];	/* what matched ("" when nothing did) */
};

struct explain {
	struct explain_row *rows;	/* largest value first */
	uint32_t nr;
	int64_t total;			/* all samples of the type */
	int64_t by_how[BY_NR];		/* the whole recording, per evidence kind */
};

/*
 * The top `top` (stack, path, evidence) rows of sample type `type` of p,
 * which paths__label_profile() labelled with r.  0 or a negative errno.
 */
int explain__compute(const struct profile *p, const struct path_rules *r, int type,
		     uint32_t top, struct explain *out);
void explain__free(struct explain *e);

#endif /* PEERSCOPE_ANALYSIS_EXPLAIN_H */
