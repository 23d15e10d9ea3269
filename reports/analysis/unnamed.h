/* SPDX-License-Identifier: MIT */
/*
 * Modules whose frames are mostly unnamed ("module+0x..."): a stripped
 * binary or library, or JIT code without a perf map.  The report names
 * them, says how much of the cost is inside them and what would name them,
 * since a path's rules cannot match what has no name.
 */
#ifndef PEERSCOPE_ANALYSIS_UNNAMED_H
#define PEERSCOPE_ANALYSIS_UNNAMED_H

#include <stdbool.h>
#include <stdint.h>

struct profile;

#define UNNAMED_MAX 3

struct unnamed_module {
	char file[256];
	/* of the column's total: samples whose responsible frame is in the module */
	double cost_share;
	double unnamed_share;	/* of that cost, with the frame unnamed */
	bool jit;		/* anonymous memory: JIT code, named by a perf map */
};

/*
 * The modules (at most max, largest cost first) responsible for >= 5 % of
 * column type_idx's cost (by the innermost frame outside libraries) whose
 * responsible frames are more than half unnamed.  Returns their
 * number, or a negative errno.
 */
int unnamed__modules(const struct profile *p, int type_idx, struct unnamed_module *out, int max);

#endif /* PEERSCOPE_ANALYSIS_UNNAMED_H */
