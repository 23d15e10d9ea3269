/* SPDX-License-Identifier: MIT */
/*
 * Hardware and software counters per path, from the hwc collector's
 * `counter` records, with the operations of each path (span histograms)
 * and the metrics derived from them (IPC, miss rates, top-down).
 */
#ifndef PEERSCOPE_ANALYSIS_COUNTERS_H
#define PEERSCOPE_ANALYSIS_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/pmu-metrics.h"

struct profile;

#define COUNTERS_MAX_READINGS 64
#define COUNTERS_MAX_PATHS 32

struct path_counters {
	const char *path;
	uint64_t ops;			/* from the span collector's hist records */
	bool has_ops;
	int nr;
	const char *event[COUNTERS_MAX_READINGS];
	const char *base[COUNTERS_MAX_READINGS];
	double value[COUNTERS_MAX_READINGS];
	double enabled[COUNTERS_MAX_READINGS], running[COUNTERS_MAX_READINGS];
	struct pmu_derived derived;
};

/* An event the collector could not count, and why (either may be NULL). */
struct counter_unsupported {
	const char *event, *why;
};

struct counters {
	struct path_counters *paths;	/* in the order first recorded */
	int nr_paths;
	struct counter_unsupported *unsupported;
	int nr_unsupported;
};

/*
 * Fills c from p's counter records: 1, 0 when there are none (nothing
 * allocated), or a negative errno.  Strings are the profile's.
 */
int counters__compute(const struct profile *p, struct counters *c);
void counters__free(struct counters *c);

#endif /* PEERSCOPE_ANALYSIS_COUNTERS_H */
