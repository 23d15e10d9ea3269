/* SPDX-License-Identifier: MIT */
/*
 * The memory section of `peerscope report` (key "memory"), shown when the
 * recording holds the alloc collector's data (record --alloc or
 * --alloc=malloc; docs/memory.md): per path the bytes allocated (and per
 * second, and per operation where span counts exist), in use at the end
 * and page faults; the targets' RSS growth; suspected leaks with their
 * stack and a confidence; the functions that allocate most (inclusive);
 * and what the probes cost.
 */
#ifndef PEERSCOPE_MEMORY_REPORT_H
#define PEERSCOPE_MEMORY_REPORT_H

#include "reports/report.h"
#include "analysis/memory.h"

struct profile;

int report_memory__emit(const struct profile *p, const struct report_opts *o,
			struct report_out *out);

#endif /* PEERSCOPE_MEMORY_REPORT_H */
