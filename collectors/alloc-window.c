// SPDX-License-Identifier: MIT
/*
 * The alloc collector in the agent's windows.  "counts" cannot be emptied
 * like the other collectors' maps: its in-use columns are running totals
 * that frees subtract from, and leak detection follows them across windows.
 * So each drain remembers what it read of each key (bytes, objects and
 * page faults allocated) and the next drain reports only what came after;
 * in-use stays a level.  Taken at the drain, not at the reset: what a key
 * counted in between (the window's file is written between the two, tens
 * of milliseconds on a loaded host) is the next window's, not lost.
 * Memory-growth snapshots are per window.
 *
 * A key is per thread and per peer served, so on a node that runs for days
 * threads and peers come and go, and their keys would fill "counts" (and
 * their stacks the stack map) for good, after which every new key is lost.
 * A reset therefore deletes the keys with nothing live that counted nothing
 * in the window just drained, with their leak series and the stacks no
 * other key names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/array.h"
#include "core/log.h"

#include "collectors/alloc-int.h"
#include "collectors/collector.h"
#include "collectors/stack-keep.h"
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

static struct alloc_window *window_new(void)
{
	struct alloc_window *w = calloc(1, sizeof(*w));

	if (w && !(w->idx = hashmap__new(NULL, NULL))) {
		free(w);
		w = NULL;
	}
	return w;
}

static void window_free(struct alloc_window *w)
{
	if (!w)
		return;
	hashmap__free(w->idx);
	free(w->base);
	free(w);
}

/*
 * In the drain: v, as read from "counts", becomes what the next drain
 * subtracts, and loses what the last drain read.  0, or -ENOMEM (v is
 * still made this window's; the next window then counts it again).
 */
int alloc__window_take(struct alloc_priv *ap, const struct alloc_key *k, struct alloc_val *v)
{
	const struct alloc_base *b = ap->window ? base_of(ap->window, k, false) : NULL;
	struct alloc_base *nb;
	int err = 0;

	if (!ap->next && !(ap->next = window_new()))
		err = -ENOMEM;
	else if (!(nb = base_of(ap->next, k, true)))
		err = -ENOMEM;
	else
		*nb = (struct alloc_base){ v->alloc_bytes, v->alloc_objs, v->fault_pages };
	if (b) {
		v->alloc_bytes -= b->alloc_bytes < v->alloc_bytes ? b->alloc_bytes : v->alloc_bytes;
		v->alloc_objs -= b->alloc_objs < v->alloc_objs ? b->alloc_objs : v->alloc_objs;
		v->fault_pages -= b->fault_pages < v->fault_pages ? b->fault_pages : v->fault_pages;
	}
	return err;
}

/* Nothing live, and nothing counted since the drain read b. */
static bool idle_key(const struct alloc_val *v, const struct alloc_base *b)
{
	return b && !v->inuse_bytes && !v->inuse_objs && v->alloc_bytes == b->alloc_bytes &&
	       v->alloc_objs == b->alloc_objs && v->fault_pages == b->fault_pages;
}

/*
 * Delete an idle key, read as v.  true when it went; false when something
 * was counted under it meanwhile: then it is put back (BPF_NOEXIST: if a
 * program has made it again since, its new counts go on from there).
 */
static bool forget_key(int fd, const struct alloc_key *k, const struct alloc_val *v)
{
	struct alloc_val now;

	if (collector__take(fd, k, &now))
		return false;
	if (!memcmp(&now, v, sizeof(now)))
		return true;
	bpf_map_update_elem(fd, k, &now, BPF_NOEXIST);
	return false;
}

static bool series_kept(const struct alloc_key *k, void *ctx)
{
	return base_of(ctx, k, false) != NULL;
}

int alloc__window_reset(struct alloc_priv *ap)
{
	int fd = bpf_map__fd(ap->skel->maps.counts);
	struct alloc_window *old = ap->window, *next = ap->next, *w;
	struct alloc_key *keys = NULL;
	struct stack_keep keep = {};
	size_t n = 0, forgotten = 0;
	int err;

	ap->nr_growth = 0;
	w = window_new();
	if (!w)
		return -ENOMEM;
	/* the keys first: deleting while walking with get_next_key restarts it */
	err = collector__map_keys(fd, (void **)&keys, &n, NULL) ?:
	      stack_keep__init(&keep, bpf_map__max_entries(ap->skel->maps.stacks));
	for (size_t i = 0; !err && i < n; i++) {
		const struct alloc_key *k = &keys[i];
		const struct alloc_base *read;
		struct alloc_base *b, now;
		struct alloc_val v;

		if (bpf_map_lookup_elem(fd, k, &v))
			continue;
		now = (struct alloc_base){ v.alloc_bytes, v.alloc_objs, v.fault_pages };
		/* what the drain read: none for a key newer than it (all of that is
		 * the next window's); without a drain (it failed), what is there now */
		read = next ? base_of(next, k, false) : &now;
		/* unchanged since the drain, and in the window before it: gone, likely */
		if (idle_key(&v, read) && old && idle_key(&v, base_of(old, k, false)) &&
		    forget_key(fd, k, &v)) {
			forgotten++;
			continue;
		}
		b = base_of(w, k, true);
		if (!b) {
			err = -ENOMEM;
			break;
		}
		if (read)
			*b = *read;
		stack_keep__add(&keep, k->user_stack_id);
	}
	if (!err)
		err = stack_keep__clear_others(&keep, bpf_map__fd(ap->skel->maps.stacks)) ?:
		      alloc__series_keep(ap, series_kept, w);
	stack_keep__free(&keep);
	free(keys);
	if (err) {
		/* what the drain read is still what the next one subtracts (a key
		 * forgotten above and made again may then count short) */
		window_free(w);
		if (next) {
			window_free(old);
			ap->window = next;
			ap->next = NULL;
		}
		return err;
	}
	if (forgotten)
		ps_debug("alloc: %zu idle keys forgotten, %u kept", forgotten, hashmap__count(w->idx));
	window_free(old);
	window_free(next);
	ap->window = w;
	ap->next = NULL;
	return 0;
}

void alloc__window_free(struct alloc_priv *ap)
{
	window_free(ap->window);
	window_free(ap->next);
	ap->window = ap->next = NULL;
}
