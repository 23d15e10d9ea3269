/* SPDX-License-Identifier: MIT */
/*
 * Inside the pprof codec: what the writer prepares from the model before
 * any byte is encoded (comment strings, mapping order, the kernel mapping)
 * and the id maps the reader resolves file ids with.  Shared by the wire
 * encoder/decoder in pprof.c and the protobuf-c one bench/pprof-codec.c
 * measures it against; nothing outside the pprof codec includes it.
 */
#ifndef PEERSCOPE_PPROF_INT_H
#define PEERSCOPE_PPROF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hashmap;
struct profile;

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
