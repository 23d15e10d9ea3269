// SPDX-License-Identifier: MIT
/*
 * The collector table and the helpers every collector uses when draining.
 * Adding a collector is one extern line and one table line below.
 *
 * How record reads a collector's supported(): false with a non-empty why
 * prints "note: <name> collector off: <why>" and records without it (an
 * error when the user named it in -c); false with an empty why means "not
 * asked for" (e.g. alloc without --alloc) and is silent.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "collectors/collector.h"
#include "collectors/record-opts.h"
#include "core/array.h"
#include "core/log.h"
#include "core/names.h"
#include "core/rules.h"
#include "bpf/peerscope.h"

extern const struct collector_ops cpu_collector_ops;
extern const struct collector_ops span_collector_ops;
extern const struct collector_ops sock_collector_ops;
extern const struct collector_ops offcpu_collector_ops;
extern const struct collector_ops alloc_collector_ops;
extern const struct collector_ops hwc_collector_ops;

/*
 * Order is the order of open/attach/drain and of the sample types in the
 * file; no drain depends on another (collectors__finish() runs after all).
 * Keep NULL last.
 */
const struct collector_ops *const collector_table[] = {
	&cpu_collector_ops,
	&span_collector_ops,
	&sock_collector_ops,
	&offcpu_collector_ops,
	&alloc_collector_ops,
	&hwc_collector_ops,	/* silent unless -e is given */
	NULL,
};

const struct collector_ops *collector__find(const char *name)
{
	for (int i = 0; collector_table[i]; i++) {
		if (!strcmp(collector_table[i]->name, name))
			return collector_table[i];
	}
	return NULL;
}

/* Sums the per-CPU counters; drops are reported, never hidden. */
int collector__read_stats(int stats_map_fd, struct collector_stats *st)
{
	__u64 sum[PS_STAT_MAX] = {};
	int nr_cpus = libbpf_num_possible_cpus();
	__u64 *vals;
	int err = 0;

	if (nr_cpus < 0)
		return nr_cpus;
	vals = calloc(nr_cpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 i = 0; i < PS_STAT_MAX; i++) {
		if (bpf_map_lookup_elem(stats_map_fd, &i, vals)) {
			err = -errno;
			goto free_vals;
		}
		for (int cpu = 0; cpu < nr_cpus; cpu++)
			sum[i] += vals[cpu];
	}
	st->events = sum[PS_STAT_EVENTS];
	st->stack_errors = sum[PS_STAT_STACK_ERR_USER] + sum[PS_STAT_STACK_ERR_KERN];
	st->map_full = sum[PS_STAT_MAP_FULL];
	st->lost = sum[PS_STAT_RB_DROP] + sum[PS_STAT_OTHER_DROP];
	st->bpf_run_ns = sum[PS_STAT_RUN_NS];
	st->bpf_run_cnt = sum[PS_STAT_RUNS];

free_vals:
	free(vals);
	return err;
}

void collector__debug_memo(const char *name, int memo_stats_fd, const char *where)
{
	__u64 sum[PS_MEMO_STAT_MAX] = {};
	int ncpu = libbpf_num_possible_cpus();
	__u64 *v;

	if (!ps_verbose || ncpu <= 0 || !(v = calloc(ncpu, sizeof(*v))))
		return;
	for (__u32 i = 0; i < PS_MEMO_STAT_MAX; i++) {
		if (bpf_map_lookup_elem(memo_stats_fd, &i, v))
			continue;
		for (int cpu = 0; cpu < ncpu; cpu++)
			sum[i] += v[cpu];
	}
	free(v);
	ps_debug("%s: stacks reused at %llu %s, walked at %llu (%llu with no site: preemptions in "
		 "user mode, faults, interrupts, kernel threads; %llu sites vary)", name,
		 (unsigned long long)sum[PS_MEMO_REUSED], where,
		 (unsigned long long)sum[PS_MEMO_WALKED], (unsigned long long)sum[PS_MEMO_NOSITE],
		 (unsigned long long)sum[PS_MEMO_VARIED]);
}

int collector__read_stack(int stack_map_fd, int32_t stack_id, uint64_t *ips)
{
	int n;

	if (stack_id < 0)
		return 0;
	if (bpf_map_lookup_elem(stack_map_fd, &stack_id, ips))
		return 0;
	/* the map zero-fills after the deepest frame */
	for (n = 0; n < PS_MAX_STACK_DEPTH && ips[n]; n++)
		;
	return n;
}

const char *collector__path_name(const struct record_opts *o, uint32_t path_id)
{
	const char *name = NULL;

	if (o && o->rules)
		name = path_rules__name(o->rules, path_id);
	if (name)
		return name;
	/* no rules: the built-in paths (core/rules numbers paths the same way) */
	if (path_id < PATH_NR_BUILTIN)
		return path_builtin_names[path_id];
	return PATH_OTHER_NAME;
}

/* Worker i of step destroys links first, first + step, ... */
struct link_batch {
	struct bpf_link **links;
	size_t n, first, step;
};

static void *destroy_batch(void *arg)
{
	struct link_batch *b = arg;

	for (size_t i = b->first; i < b->n; i += b->step) {
		bpf_link__destroy(b->links[i]);	/* NULL-safe */
		b->links[i] = NULL;
	}
	return NULL;
}

void collector__destroy_links(struct bpf_link **links, size_t n, size_t workers)
{
	struct link_batch *b;
	pthread_t *th;
	bool *started;

	if (!workers || workers > n)
		workers = n;
	b = calloc(workers, sizeof(*b));
	th = calloc(workers, sizeof(*th));
	started = calloc(workers, sizeof(*started));
	if (!b || !th || !started)
		workers = 1;	/* one after the other, from here */
	for (size_t w = 1; w < workers; w++) {
		b[w] = (struct link_batch){ links, n, w, workers };
		started[w] = !pthread_create(&th[w], NULL, destroy_batch, &b[w]);
	}
	destroy_batch(&(struct link_batch){ links, n, 0, workers });
	for (size_t w = 1; w < workers; w++) {
		if (started[w])
			pthread_join(th[w], NULL);
		else
			destroy_batch(&b[w]);
	}
	free(b);
	free(th);
	free(started);
}

int collector__map_keys(int map_fd, void **keysp, size_t *np, uint32_t *key_sizep)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char *keys = NULL, *prev = NULL;
	size_t n = 0, cap = 0;

	*keysp = NULL;
	*np = 0;
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (key_sizep)
		*key_sizep = info.key_size;
	if (!info.key_size || !info.max_entries)
		return 0;
	/*
	 * Sized to the keys present, not max_entries: the cpu collector
	 * clears its maps every second, and zeroing room for 64 k keys each
	 * time was a tenth of its CPU.
	 */
	while (n < info.max_entries) {
		if (n >= cap && !(cap = array__grow((void **)&keys, n, cap, 64, info.key_size))) {
			free(keys);
			return -ENOMEM;
		}
		/* the previous key by index: the array may have moved */
		prev = n ? keys + (n - 1) * info.key_size : NULL;
		if (bpf_map_get_next_key(map_fd, prev, keys + n * info.key_size))
			break;
		n++;
	}
	*keysp = keys;
	*np = n;
	return 0;
}

int collector__take(int map_fd, const void *key, void *value)
{
	if (!bpf_map_lookup_and_delete_elem(map_fd, key, value))
		return 0;
	if (errno == ENOENT)
		return -ENOENT;
	/* a kernel without it for this map type: read, then delete */
	if (bpf_map_lookup_elem(map_fd, key, value))
		return -errno;
	bpf_map_delete_elem(map_fd, key);
	return 0;
}

#define KERNEL_ENOTSUPP 524

bool collector__no_batch(int err)
{
	return err == EINVAL || err == ENOTSUP || err == KERNEL_ENOTSUPP;
}

/*
 * keys[0..n) in BPF_MAP_DELETE_BATCH calls: one syscall where
 * delete_each() makes n (the cpu collector empties a store and two count
 * maps every second).  A key gone already stops a batch: it is stepped
 * over.  -EOPNOTSUPP, nothing deleted, when there is no batch delete.
 */
static long delete_batch(int map_fd, const char *keys, size_t n, uint32_t key_size)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	long deleted = 0;
	size_t i = 0;

	while (i < n) {
		__u32 count = n - i > UINT32_MAX ? UINT32_MAX : (__u32)(n - i);

		if (!bpf_map_delete_batch(map_fd, keys + i * key_size, &count, &opts)) {
			deleted += count;
			i += count;
			continue;
		}
		if (errno != ENOENT)
			return !i && collector__no_batch(errno) ? -EOPNOTSUPP : -errno;
		deleted += count;
		i += count + 1;		/* past the missing key */
	}
	return deleted;
}

/* The same a key at a time, skipping those keep() names (keep may be NULL). */
static long delete_each(int map_fd, const char *keys, size_t n, uint32_t key_size,
			bool (*keep)(const void *key, void *ctx), void *ctx)
{
	long deleted = 0;

	for (size_t i = 0; i < n; i++, keys += key_size) {
		if (keep && keep(keys, ctx))
			continue;
		if (!bpf_map_delete_elem(map_fd, keys))
			deleted++;
		else if (errno != ENOENT)
			return -errno;
	}
	return deleted;
}

long collector__delete_keys(int map_fd, const void *keys, size_t n, uint32_t key_size,
			    bool (*keep)(const void *key, void *ctx), void *ctx)
{
	const char *del = keys;
	char *picked = NULL;
	size_t nd = n;
	long deleted;

	if (keep && n) {
		/* the keys to delete, together for one batch */
		picked = malloc(n * key_size);
		if (!picked)
			return delete_each(map_fd, keys, n, key_size, keep, ctx);
		nd = 0;
		for (size_t i = 0; i < n; i++) {
			const char *key = (const char *)keys + i * key_size;

			if (!keep(key, ctx))
				memcpy(picked + nd++ * key_size, key, key_size);
		}
		del = picked;
	}
	deleted = delete_batch(map_fd, del, nd, key_size);
	if (deleted == -EOPNOTSUPP)
		deleted = delete_each(map_fd, del, nd, key_size, NULL, NULL);
	free(picked);
	return deleted;
}

int collector__clear_map_except(int map_fd, bool (*keep)(const void *key, void *ctx), void *ctx)
{
	uint32_t key_size;
	void *keys;
	size_t n;
	long ret;

	ret = collector__map_keys(map_fd, &keys, &n, &key_size);
	if (ret)
		return ret;
	ret = collector__delete_keys(map_fd, keys, n, key_size, keep, ctx);
	free(keys);
	return ret < 0 ? ret : 0;
}

int collector__clear_map(int map_fd)
{
	return collector__clear_map_except(map_fd, NULL, NULL);
}
