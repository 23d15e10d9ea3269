/* SPDX-License-Identifier: MIT */
/*
 * The exposition helpers metrics.c (paths, the agent) and metrics-net.c
 * (socket events, peers) share.  Not for other code.
 */
#ifndef PEERSCOPE_REPORTS_METRICS_INT_H
#define PEERSCOPE_REPORTS_METRICS_INT_H

#include <stdbool.h>
#include <stdio.h>

struct metrics_state;
struct profile;

struct expo {
	FILE *f;
	bool om;	/* OpenMetrics: counter families without _total */
};

/* # HELP and # TYPE of a family. */
void metrics__family(const struct expo *e, const char *name, const char *type, const char *help);
/* One sample; labels "k=\"v\",..." or NULL. */
void metrics__sample(const struct expo *e, const char *name, const char *labels, double v);
/* s escaped as a label value into buf. */
const char *metrics__label_value(const char *s, char *buf, size_t len);

/*
 * The counters of path name, added on first use; NULL once
 * METRICS_MAX_PATHS paths have series (label values stay bounded).
 */
struct metrics_path *metrics__path(struct metrics_state *m, const char *name);

/* Socket events and peers of window p into m (metrics-net.c). */
void metrics__add_net(struct metrics_state *m, const struct profile *p);
void metrics__render_net(const struct expo *e, const struct metrics_state *m);

#endif /* PEERSCOPE_REPORTS_METRICS_INT_H */
