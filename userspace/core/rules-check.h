/* SPDX-License-Identifier: MIT */
/* How many symbols of a running target each path's symbol rules match. */
#ifndef PEERSCOPE_RULES_CHECK_H
#define PEERSCOPE_RULES_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/rules.h"

struct rules_hits {
	uint32_t per_path[PATH_MAX_PATHS];	/* symbols each path's rules match */
	char example[PATH_MAX_PATHS][96];	/* the first symbol matched */
	uint32_t symbols;			/* symbols looked at */
	uint32_t modules;			/* executable files mapped */
	uint32_t stripped_modules;		/* of those, without .symtab or Go names */
	bool jit;				/* a /tmp/perf-PID.map was read */
	bool demangle;				/* the rules need demangled C++/Rust names */
	bool first_only;			/* stop at the first match (counts are partial) */
	bool any;				/* some symbol matched */
};

/*
 * Tests every function symbol of pid's executable mappings and JIT perf
 * map against r.  0, or a negative errno when pid's maps cannot be read.
 */
int path_rules__target_hits(const struct path_rules *r, uint32_t pid, struct rules_hits *h);
uint32_t rules_hits__total(const struct rules_hits *h);
/*
 * __target_hits, then a warning on stderr saying what would help when the
 * set matches no symbol at all (rules --guess, record without --rules).
 * first_only stops at the first match: enough to know whether to warn, and
 * cheap at the start of a recording.  s: a symbolizer pid was added to,
 * whose parsed files are read instead of parsing them again (NULL: parse).
 */
struct symbolizer;
int path_rules__check_target(const struct path_rules *r, struct symbolizer *s, uint32_t pid,
			     bool first_only, struct rules_hits *h);

#endif /* PEERSCOPE_RULES_CHECK_H */
