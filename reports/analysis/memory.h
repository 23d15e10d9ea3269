/* SPDX-License-Identifier: MIT */
/*
 * The memory analysis behind the report's memory section (docs/memory.md):
 * per path the bytes and objects allocated, in use at the end and page
 * faults, with span operation counts; the functions that allocate most
 * (inclusive); suspected leaks with their stack; the targets' RSS growth;
 * and the alloc collector's own costs.
 */
#ifndef PEERSCOPE_ANALYSIS_MEMORY_H
#define PEERSCOPE_ANALYSIS_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/records.h"

struct profile;

#define MEM_MAX_PATHS	32
#define MEM_MAX_LEAKS	16
#define MEM_FRAMES_LEN	256

enum { MEM_ALLOC_B, MEM_ALLOC_O, MEM_INUSE_B, MEM_INUSE_O, MEM_FAULT, MEM_NR_COLS };

struct mem_row {
	char name[128];
	int64_t v[MEM_NR_COLS];
	int64_t ops;		/* span operations (path rows) */
};

struct mem_leak {
	struct rec_leak r;
	char func[128];
	char frames[MEM_FRAMES_LEN];
};

struct mem_growth {
	int64_t pid, first_t, last_t, first_rss, last_rss, points;
};

struct mem_data {
	int col[MEM_NR_COLS];
	double dur_s;
	struct rec_alloc alloc;
	bool has_alloc;
	struct mem_row paths[MEM_MAX_PATHS];
	int nr_paths;
	struct mem_row *funcs;
	int nr_funcs, cap_funcs;
	struct mem_leak leaks[MEM_MAX_LEAKS];
	int nr_leaks;
	struct mem_growth growth[16];
	int nr_growth;
};

/* A record's string, "" when absent. */
static inline const char *memory__str(const char *v)
{
	return v ? v : "";
}

static inline bool memory__row_empty(const struct mem_row *r)
{
	for (int c = 0; c < MEM_NR_COLS; c++)
		if (r->v[c])
			return false;
	return true;
}

/*
 * Fills d (zeroed by the caller) from p, rows sorted by bytes allocated:
 * 1, 0 when p is not a memory recording, or a negative errno.
 */
int memory__compute(const struct profile *p, struct mem_data *d);
void memory__free(struct mem_data *d);

#endif /* PEERSCOPE_ANALYSIS_MEMORY_H */
