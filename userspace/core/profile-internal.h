/* SPDX-License-Identifier: MIT */
/*
 * What the profile model's files (profile.c: tables and interning,
 * profile-labels.c: label sets, samples and relabelling, profile-records.c:
 * side records, comments and frame names, profile-merge.c: merge, clone and
 * filter) share and nobody else may use: the private hashes, the arena and
 * the id-level helpers.
 */
#ifndef PEERSCOPE_CORE_PROFILE_INTERNAL_H
#define PEERSCOPE_CORE_PROFILE_INTERNAL_H

#include "core/profile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

struct pf_hash {
	struct profile *owner;     /* key functions read the owner's arrays */
	struct hashmap *strings;   /* string bytes -> id (id 0 "" is not stored) */
	struct hashmap *functions; /* (name, system_name, filename) */
	struct hashmap *mappings;  /* (start, limit, offset, filename, build_id) */
	struct hashmap *locations; /* raw or content key, see above */
	struct hashmap *stacks;    /* location ids */
	struct hashmap *labelsets; /* sorted pf_label array */
	struct hashmap *samples;   /* (stack, labelset) -> sample index + 1 */
	/*
	 * (pid, nr kernel ips, ips...) -> stack id: collectors hand the same
	 * raw stacks over and over, and one lookup of the whole array beats one
	 * per frame.  The key is not copied: raw_stack_key rebuilds it from
	 * the stack's locations into raw_key (nr_raw_key words), sized by the
	 * caller before each lookup.
	 */
	struct hashmap *raw_stacks;
	uint64_t *raw_key;
	uint32_t nr_raw_key;
	uint8_t *loc_raw;          /* per location: 1 = raw key */
	uint32_t cap_loc_raw;
	struct arena_chunk *arena;
};

/* Hash keys that clone rebuilds without re-interning. */
struct mapping_key {
	uint64_t start, limit, offset;
	uint32_t filename, build_id;
};

struct raw_loc_key {
	uint8_t tag, kernel;
	uint16_t pad;
	uint32_t pid;
	uint64_t address;
};

void *pf_arena_alloc(struct pf_hash *h, size_t n);
/* Columns per sample of a profile's values, at least (doubles up to PF_MAX_TYPES). */
#define PF_MIN_STRIDE 4
/* Makes room for nr_types columns per sample (re-laid out); 0 or -ENOMEM. */
int pf_values_widen(struct profile *p, uint32_t nr_types);
/* Grows *arr (elements of size elem) so that it holds at least need. */
int pf_grow(void **arr, uint32_t *cap, uint32_t need, size_t elem);
#define GROW(arr, cap, need) pf_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

uint32_t pf_function_intern_ids(struct profile *p, uint32_t name, uint32_t sys,
				uint32_t file, int64_t start_line);
size_t pf_content_key(void *buf, bool kernel, uint64_t address, uint32_t mapping,
		      const struct pf_line *lines, uint32_t nr);
int pf_sample_find_or_add(struct profile *p, uint32_t stack, uint32_t labelset);
int pf_record_add_ids(struct profile *p, uint32_t kind, const uint32_t *keys,
		      const uint32_t *vals, uint32_t n);
int pf_comment_add_id(struct profile *p, uint32_t id);

#endif
