// SPDX-License-Identifier: MIT
/*
 * The agent's trim of the unwinder's shared stack store
 * (collectors/unwinder-trim.h says why and when).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <bpf/bpf.h>

#include "collectors/collector.h"
#include "collectors/unwinder.h"
#include "collectors/unwinder-trim.h"
#include "core/array.h"
#include "core/log.h"
#include "bpf/unwind.h"

void unw_keep__add(void *ctx, int32_t stack_id)
{
	struct unw_keep *k = ctx;

	if (k->err || !unwinder__owns_stack(stack_id) || unwinder__in_set_b(stack_id))
		return;
	k->err = ARRAY_ROOM(k->ids, k->n, k->cap, 256);
	if (!k->err)
		k->ids[k->n++] = (uint32_t)stack_id & UNW_STACK_ID_MASK;
}

void unw_keep__free(struct unw_keep *k)
{
	free(k->ids);
	*k = (struct unw_keep){};
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool kept(const void *key, void *ctx)
{
	const struct unw_keep *k = ctx;

	return k->n && bsearch(key, k->ids, k->n, sizeof(*k->ids), cmp_u32);
}

/* the store's fd, and its size asked once (it never changes) */
static int store_fd(struct unwinder *u, struct unw_trim *t)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	int fd = unwinder__store_fd(u);

	if (fd < 0)
		return -ENOENT;
	if (!t->capacity) {
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return -errno;
		t->capacity = info.max_entries;
	}
	return fd;
}

static void drop_ids(struct unw_trim *t)
{
	free(t->ids);
	t->ids = NULL;
	t->nr_ids = 0;
}

bool unwinder__store_crowded(struct unwinder *u, struct unw_trim *t)
{
	struct unwinder_stats st;
	int fd;

	drop_ids(t);
	unwinder__stats(u, &st);
	if (t->looked && t->held + (st.stacks - t->walks) <= t->capacity / 2)
		return false;
	fd = store_fd(u, t);
	if (fd < 0 || collector__map_keys(fd, (void **)&t->ids, &t->nr_ids, NULL))
		return false;
	t->held = t->nr_ids;
	t->walks = st.stacks;
	t->looked = true;
	ps_debug("unwind: user-stack store holds %u of %u", t->held, t->capacity);
	if (t->held > t->capacity / 2)
		return true;
	drop_ids(t);
	return false;
}

int unwinder__trim(struct unwinder *u, struct unw_keep *k, struct unw_trim *t)
{
	long ret;
	int fd;

	ret = k->err ?: store_fd(u, t);
	if (ret < 0) {
		drop_ids(t);
		return ret;
	}
	fd = ret;
	qsort(k->ids, k->n, sizeof(*k->ids), cmp_u32);
	ret = collector__delete_keys(fd, t->ids, t->nr_ids, sizeof(*t->ids), kept, k);
	t->deleted = ret < 0 ? 0 : ret;
	t->kept = t->nr_ids - t->deleted;
	/* what stays, as a count would find it now (walks since: the next look) */
	t->held = t->nr_ids - t->deleted;
	drop_ids(t);
	return ret < 0 ? ret : 0;
}
