/* SPDX-License-Identifier: MIT */
/*
 * The flight recorder's triggers (peerscope agent --trigger, docs/agent.md):
 * parsed from a spec, and judged against one window's path decomposition
 * and verdicts (and the previous window's verdicts) -- never against text.
 *
 *   PATH.METRIC>LIMIT   a latency percentile over a duration (dht.p95>50ms;
 *                       p50 p90 p95 p99 max mean, or errors>1%)
 *   PATH.cpu>SHARE      the path's share of the window's on-CPU time
 *                       (0.5 or 50%)
 *   verdict             any path gets a bottleneck verdict it did not have
 *   PATH.verdict        the same, for one path
 *   SIGUSR1             the agent receives SIGUSR1
 */
#ifndef PEERSCOPE_ANALYSIS_TRIGGER_H
#define PEERSCOPE_ANALYSIS_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/sla.h"
#include "analysis/verdicts.h"

struct path_report;

enum trigger_kind { TRIG_LATENCY, TRIG_CPU, TRIG_VERDICT, TRIG_SIGNAL };

#define TRIGGER_SPEC_MAX	63	/* longer specs are refused */
#define TRIGGER_MAX_PATHS	64	/* paths whose verdict is remembered */

struct trigger {
	enum trigger_kind kind;
	char path[32];			/* "" for SIGUSR1 and a bare "verdict" */
	struct sla lat;			/* TRIG_LATENCY: metric and limit */
	double share;			/* TRIG_CPU: 0..1 */
	char text[TRIGGER_SPEC_MAX + 1];	/* as given */
};

/* What a trigger saw when it fired. */
struct trigger_fire {
	const struct trigger *t;
	char path[32];			/* the path it fired on ("" for a signal) */
	double value, threshold;	/* ns (latency), 0..1 (cpu, verdict share), % (errors) */
	enum verdict_kind was, now;	/* TRIG_VERDICT */
	char reason[48];		/* for a directory name: [A-Za-z0-9._-] only */
	char text[256];			/* one line: what fired, with what value */
};

/* The verdict of each path in the previous window (TRIG_VERDICT). */
struct trigger_state {
	bool known;			/* a window has been seen */
	int nr;
	char path[TRIGGER_MAX_PATHS][32];
	enum verdict_kind kind[TRIGGER_MAX_PATHS];
};

/* Parses one spec; 0, or -EINVAL with one line in err. */
int trigger__parse(const char *spec, struct trigger *out, char *err, size_t errlen);

/*
 * Judges t on a window (rep, one verdict per path) after the window prev
 * described; true and *out filled when it fires.  TRIG_SIGNAL never fires
 * here (see trigger__signal).
 */
bool trigger__eval(const struct trigger *t, const struct path_report *rep,
		   const struct verdict *v, const struct trigger_state *prev,
		   struct trigger_fire *out);
/* The first of n triggers that fires, or -1. */
int trigger__first(const struct trigger *t, int n, const struct path_report *rep,
		   const struct verdict *v, const struct trigger_state *prev,
		   struct trigger_fire *out);
/* Fills *out for a SIGUSR1 trigger. */
void trigger__signal(const struct trigger *t, struct trigger_fire *out);
/* Remembers the window's verdicts for the next evaluation. */
void trigger_state__update(struct trigger_state *s, const struct path_report *rep,
			   const struct verdict *v);

const char *trigger__kind_name(enum trigger_kind k);

#endif /* PEERSCOPE_ANALYSIS_TRIGGER_H */
