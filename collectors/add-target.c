// SPDX-License-Identifier: MIT
/*
 * A target that starts after the collectors attached (the agent's --comm):
 * what every collector shares learns of it first, then the collectors with
 * per-process probes attach them.
 */
#include "collectors/collector.h"
#include "collectors/shared-maps.h"
#include "collectors/unwinder.h"
#include "core/target.h"

int collectors__add_target(struct collector *coll, int nr, const struct shared_maps *sm,
			   uint32_t pid)
{
	struct target one = { .pids = &pid, .nr_pids = 1 };
	int err, first = 0;

	/* tables before the target map: its first samples unwind */
	if (sm->unw) {
		err = unwinder__add_target(sm->unw, &one);
		if (err)
			first = err;
	}
	err = shared_maps__add_target(sm, pid);
	if (err && !first)
		first = err;
	for (int i = 0; i < nr; i++) {
		if (!coll[i].ops->add_target)
			continue;
		err = coll[i].ops->add_target(&coll[i], pid);
		if (err && !first)
			first = err;
	}
	return first;
}
