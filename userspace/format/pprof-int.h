/* SPDX-License-Identifier: MIT */
/*
 * Inside the pprof codec: profile.proto's field numbers, the output buffer,
 * what the writer prepares from the model before any byte is encoded
 * (comment strings, mapping order, the kernel mapping) and the id maps the
 * reader resolves file ids with.  Shared by the writer (pprof-write.c), the
 * reader (pprof.c) and the protobuf-c codec bench/pprof-codec.c measures
 * them against; nothing else includes it.
 */
#ifndef PEERSCOPE_PPROF_INT_H
#define PEERSCOPE_PPROF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>

struct hashmap;
struct profile;

/* profile.proto field numbers (docs/conventions.md). */
enum {
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE = 2, PROFILE_MAPPING = 3,
	PROFILE_LOCATION = 4, PROFILE_FUNCTION = 5, PROFILE_STRING_TABLE = 6,
	PROFILE_DROP_FRAMES = 7, PROFILE_KEEP_FRAMES = 8, PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS = 10, PROFILE_PERIOD_TYPE = 11, PROFILE_PERIOD = 12,
	PROFILE_COMMENT = 13, PROFILE_DEFAULT_SAMPLE_TYPE = 14,
	VALUETYPE_TYPE = 1, VALUETYPE_UNIT = 2,
	SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2, SAMPLE_LABEL = 3,
	LABEL_KEY = 1, LABEL_STR = 2, LABEL_NUM = 3, LABEL_NUM_UNIT = 4,
	MAPPING_ID = 1, MAPPING_START = 2, MAPPING_LIMIT = 3, MAPPING_OFFSET = 4,
	MAPPING_FILENAME = 5, MAPPING_BUILD_ID = 6, MAPPING_HAS_FUNCTIONS = 7,
	LOCATION_ID = 1, LOCATION_MAPPING_ID = 2, LOCATION_ADDRESS = 3, LOCATION_LINE = 4,
	LINE_FUNCTION_ID = 1, LINE_LINE = 2,
	FUNCTION_ID = 1, FUNCTION_NAME = 2, FUNCTION_SYSTEM_NAME = 3, FUNCTION_FILENAME = 4,
	FUNCTION_START_LINE = 5,
};

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

/* A growing output buffer; err sticks at the first failure. */
struct pbuf {
	unsigned char *b;
	size_t len, cap;
	int err;
};

static inline bool pb_reserve(struct pbuf *pb, size_t n)
{
	size_t ncap;
	unsigned char *nb;

	if (pb->err)
		return false;
	if (pb->len + n <= pb->cap)
		return true;
	ncap = pb->cap ? pb->cap : 4096;
	while (ncap < pb->len + n)
		ncap *= 2;
	nb = realloc(pb->b, ncap);
	if (!nb) {
		pb->err = -ENOMEM;
		return false;
	}
	pb->b = nb;
	pb->cap = ncap;
	return true;
}

/* What the writer adds to the profile's string table and mappings. */
struct wctx {
	const struct profile *p;
	/* Strings past p->nr_strings: record comments, the kernel mapping. */
	char **extra;
	uint32_t nr_extra, cap_extra;
	uint32_t *comment_ids;  /* every comment, records first */
	uint32_t nr_comment_ids;
	uint32_t *map_out;      /* our mapping id -> file mapping id */
	uint32_t *map_order;    /* file mapping id - 1 -> our mapping id (0 = synthetic) */
	uint32_t nr_out_maps;
	uint32_t kernel_map_out; /* file id of the mapping for kernel frames, 0 = none */
	uint32_t kernel_str;
};

/* Fills w (w->p set by the caller).  0 or -ENOMEM; pprof__w_free() either way. */
int pprof__w_prepare(struct wctx *w);
void pprof__w_free(struct wctx *w);
/* String id (the profile's, then the writer's extra ones) to text. */
const char *pprof__w_str(const struct wctx *w, uint32_t id);
/* Is mapping m the one kernel frames live in (by its name)? */
bool pprof__is_kernel_mapping(const struct profile *p, uint32_t m);

/*
 * File ids -> our ids.  Ids are usually 1..n, which a plain array serves;
 * anything else goes to a hash.
 */
struct idmap {
	uint32_t *dense;
	uint64_t nr_dense;
	struct hashmap *sparse;
};

int pprof__idmap_init(struct idmap *m, size_t n);
void pprof__idmap_free(struct idmap *m);
/* -EBADMSG for id 0 or a duplicate id. */
int pprof__idmap_set(struct idmap *m, uint64_t id, uint32_t ours);
/* Our id, or 0 when the file never defined id. */
uint32_t pprof__idmap_get(const struct idmap *m, uint64_t id);

#endif /* PEERSCOPE_PPROF_INT_H */
