// SPDX-License-Identifier: MIT
/*
 * Operation-duration histograms in classic buckets (analysis/ophist.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/records.h"
#include "analysis/ophist.h"

const double ophist_bounds_s[OPHIST_NR_BOUNDS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 5, 30,
};

int ophist__of_path(const struct profile *p, const char *path, struct ophist *out)
{
	struct rec_hist_sum *s = calloc(1, sizeof(*s));
	int err;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -ENOMEM;
	err = records__hist_sum(p, path, s);
	if (err)
		goto free_s;
	out->count = s->count;
	out->sum_ns = s->sum_ns;
	for (uint32_t b = 0; b < REC_LL_BUCKETS; b++) {
		uint64_t high_ns;

		if (!s->buckets[b])
			continue;
		high_ns = rec_ll_low(b) + rec_ll_width(b);
		for (int i = 0; i < OPHIST_NR_BOUNDS; i++) {
			if (high_ns <= (uint64_t)(ophist_bounds_s[i] * 1e9))
				out->le[i] += s->buckets[b];
		}
	}
free_s:
	free(s);
	return err;
}
