// SPDX-License-Identifier: MIT
/*
 * What needs every collector's data, done once after all drains: the wall
 * column (cpu + offcpu + runq of each sample) and the unwinder's record.
 * Done here rather than in whichever drain ran last, so the drain order
 * changes neither: a drain only adds its own samples and records.
 */
#include <errno.h>

#include "collectors/collector.h"
#include "collectors/shared-maps.h"
#include "collectors/unwinder.h"
#include "core/profile.h"

/* wall = cpu + offcpu + runq for every sample, when the column exists. */
static void fill_wall(struct profile *p)
{
	static const char *const parts[] = { "cpu", "offcpu", "runq" };
	int wall = profile__type_index(p, "wall");
	int cols[3];

	if (wall < 0)
		return;
	for (int k = 0; k < 3; k++)
		cols[k] = profile__type_index(p, parts[k]);
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		int64_t sum = 0;

		for (int k = 0; k < 3; k++) {
			if (cols[k] >= 0)
				sum += profile__value(p, i, cols[k]);
		}
		profile__sample_values(p, i)[wall] = sum;
	}
}

int collectors__finish(struct profile *p, const struct shared_maps *sm)
{
	fill_wall(p);
	if (sm && sm->unw)
		return unwinder__record(sm->unw, p) < 0 ? -ENOMEM : 0;
	return 0;
}
