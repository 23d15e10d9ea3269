// SPDX-License-Identifier: MIT
/*
 * The alloc collector in the agent's windows.  "counts" cannot be emptied
 * like the other collectors' maps: its in-use columns are running totals
 * that frees subtract from, and leak detection follows them across windows.
 * So a reset remembers what each key had allocated (bytes, objects, page
 * faults) and the next drain reports only what came after; in-use stays a
 * level.  Memory-growth snapshots are per window.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/array.h"

#include "collectors/alloc-int.h"
#include "collectors/collector.h"
#include "alloc.skel.h"

struct alloc_base {
	uint64_t alloc_bytes, alloc_objs, fault_pages;
};

struct alloc_window {
	struct hashmap *idx;	/* alloc_key -> 1-based index into base */
	struct alloc_base *base;
	uint32_t nr, cap;
};

static struct alloc_base *base_of(struct alloc_window *w, const struct alloc_key *k, bool add)
{
	uint32_t id;

	if (!add) {
		id = hashmap__find(w->idx, k, sizeof(*k));
		return id ? &w->base[id - 1] : NULL;
	}
	if (ARRAY_ROOM(w->base, w->nr, w->cap, 256))
		return NULL;
	if (hashmap__find_or_insert(w->idx, k, sizeof(*k), w->nr + 1, &id) < 0)
		return NULL;
	if (id == w->nr + 1)
		memset(&w->base[w->nr++], 0, sizeof(*w->base));
	return &w->base[id - 1];
}

void alloc__window_subtract(const struct alloc_priv *ap, const struct alloc_key *k,
			    struct alloc_val *v)
{
	const struct alloc_base *b;

	if (!ap->window)
		return;
	b = base_of(ap->window, k, false);
	if (!b)
		return;
	v->alloc_bytes -= b->alloc_bytes < v->alloc_bytes ? b->alloc_bytes : v->alloc_bytes;
	v->alloc_objs -= b->alloc_objs < v->alloc_objs ? b->alloc_objs : v->alloc_objs;
	v->fault_pages -= b->fault_pages < v->fault_pages ? b->fault_pages : v->fault_pages;
}

int alloc__window_reset(struct alloc_priv *ap)
{
	int fd = bpf_map__fd(ap->skel->maps.counts);
	struct alloc_key key, next, *prev = NULL;
	struct alloc_window *w = ap->window;

	if (!w) {
		w = calloc(1, sizeof(*w));
		if (!w || !(w->idx = hashmap__new(NULL, NULL))) {
			free(w);
			return -ENOMEM;
		}
		ap->window = w;
	}
	ap->nr_growth = 0;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct alloc_base *b;
		struct alloc_val v;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		b = base_of(w, &key, true);
		if (!b)
			return -ENOMEM;
		*b = (struct alloc_base){ v.alloc_bytes, v.alloc_objs, v.fault_pages };
	}
	return 0;
}

void alloc__window_free(struct alloc_priv *ap)
{
	struct alloc_window *w = ap->window;

	if (!w)
		return;
	hashmap__free(w->idx);
	free(w->base);
	free(w);
	ap->window = NULL;
}
