/* SPDX-License-Identifier: MIT */
/*
 * A path's operation durations (its span "hist" records) in classic
 * cumulative buckets, as Prometheus histograms want them.
 */
#ifndef PEERSCOPE_ANALYSIS_OPHIST_H
#define PEERSCOPE_ANALYSIS_OPHIST_H

#include <stdint.h>

struct profile;

/* 100 us ... 30 s: the range of P2P operations, from a local lookup to a timeout. */
#define OPHIST_NR_BOUNDS 12
extern const double ophist_bounds_s[OPHIST_NR_BOUNDS];

struct ophist {
	uint64_t le[OPHIST_NR_BOUNDS];	/* operations at most bounds[i] (cumulative) */
	uint64_t count;			/* every operation (the +Inf bucket) */
	uint64_t sum_ns;
};

/*
 * The operations of path in p; a log-linear bucket counts under the first
 * bound its whole width fits below (never early).  0 or a negative errno.
 */
int ophist__of_path(const struct profile *p, const char *path, struct ophist *out);

#endif /* PEERSCOPE_ANALYSIS_OPHIST_H */
