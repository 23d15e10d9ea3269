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
	double cost_share;	/* of the column's total, samples with a frame in the module */
	double unnamed_share;	/* of the module's frames (weighted by value), unnamed */
	bool jit;		/* anonymous memory: JIT code, named by a perf map */
};

/*
 * The modules (at most max, largest cost first) holding >= 5 % of column
 * type_idx's cost whose frames are more than half unnamed.  Returns their
 * number, or a negative errno.
 */
int unnamed__modules(const struct profile *p, int type_idx, struct unnamed_module *out, int max);

#endif /* PEERSCOPE_ANALYSIS_UNNAMED_H */
