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

void unw_keep__add(struct unw_keep *k, int32_t stack_id)
{
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

static bool kept(const struct unw_keep *k, uint32_t id)
{
	return k->n && bsearch(&id, k->ids, k->n, sizeof(*k->ids), cmp_u32);
}

static int store_info(struct unwinder *u, int *fd, struct unw_trim *t)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	*fd = unwinder__store_fd(u);
	if (*fd < 0)
		return -ENOENT;
	if (bpf_obj_get_info_by_fd(*fd, &info, &len))
		return -errno;
	t->capacity = info.max_entries;
	return 0;
}

bool unwinder__store_crowded(struct unwinder *u, struct unw_trim *t)
{
	struct unwinder_stats st;
	uint32_t *ids = NULL;
	size_t n = 0;
	int fd;

	unwinder__stats(u, &st);
	if (t->looked && t->held + (st.stacks - t->walks) <= t->capacity / 2)
		return false;
	if (store_info(u, &fd, t) || collector__map_keys(fd, (void **)&ids, &n, NULL))
		return false;
	free(ids);
	t->held = n;
	t->walks = st.stacks;
	t->looked = true;
	ps_debug("unwind: user-stack store holds %u of %u", t->held, t->capacity);
	return n > t->capacity / 2;
}

int unwinder__trim(struct unwinder *u, struct unw_keep *k, struct unw_trim *t)
{
	uint32_t *ids = NULL;
	size_t n = 0;
	int fd, err;

	if (k->err)
		return k->err;
	err = store_info(u, &fd, t) ?: collector__map_keys(fd, (void **)&ids, &n, NULL);
	if (err)
		return err;
	qsort(k->ids, k->n, sizeof(*k->ids), cmp_u32);
	t->kept = t->deleted = 0;
	for (size_t i = 0; i < n; i++) {
		if (kept(k, ids[i])) {
			t->kept++;
		} else if (!bpf_map_delete_elem(fd, &ids[i])) {
			t->deleted++;
		} else if (errno != ENOENT) {
			err = -errno;
			break;
		}
	}
	free(ids);
	/* what stays, as a count would find it now (walks since: the next look) */
	t->held = n - t->deleted;
	return err;
}
