// SPDX-License-Identifier: MIT
/*
 * The maps every BPF object shares: the target set and the per-thread path.
 * They are created once per recording and handed to each object before it
 * loads, so one bpf_map_update_elem() on "ps_targets" reaches every program
 * and span programs' path updates are seen by the cpu, offcpu, sock... ones.
 * The unwinder's maps (unwinder.c) are created here too, for the same
 * reason: one set of tables for every object that walks user stacks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "collectors/features.h"
#include "collectors/shared-maps.h"
#include "core/log.h"
#include "core/target.h"
#include "bpf/peerscope.h"
#include "collectors/unwinder.h"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

uint32_t shared_maps__thread_slots(uint64_t nr_threads)
{
	uint64_t want = nr_threads < PS_MAX_THREADS ? 4 * nr_threads + 2048 : PS_MAX_THREADS;
	uint32_t n = 2048;

	while (n < want && n < PS_MAX_THREADS)
		n <<= 1;
	return n;
}

/* Without targets (the agent, whose targets come and go): the largest. */
static uint32_t thread_slots_of(const struct target *t)
{
	uint64_t nr = 0;
	uint32_t slots;

	if (!t)
		return PS_MAX_THREADS;
	for (int i = 0; i < t->nr_pids; i++) {
		uint32_t *tids = NULL;
		int n = target__threads(t->pids[i], &tids);

		free(tids);
		nr += n > 0 ? n : 1;
	}
	slots = shared_maps__thread_slots(nr);
	ps_debug("per-thread maps sized %u entries for the targets' %" PRIu64 " threads", slots, nr);
	return slots;
}

int shared_maps__create(struct shared_maps *sm, enum unwind_mode unwind,
			const struct target *targets)
{
	LIBBPF_OPTS(bpf_map_create_opts, no_prealloc, .map_flags = BPF_F_NO_PREALLOC);
	int err;

	sm->unw = NULL;
	sm->thread_slots = thread_slots_of(targets);

	sm->targets_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ps_targets", sizeof(__u32),
					sizeof(__u32), PS_MAX_TARGETS, NULL);
	sm->thread_path_fd = sm->thread_tag_fd = sm->peers_fd = sm->peer_slots_fd = -1;
	sm->peer_ctl_fd = -1;
	if (sm->targets_fd < 0) {
		err = -errno;
		return err;
	}
	/*
	 * Only threads inside a span have an entry: memory on demand where
	 * the cpu collector's perf_event program may read such a map (6.1+),
	 * else 6 MiB preallocated for PS_MAX_THREADS.
	 */
	sm->thread_path_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ps_thread_path", sizeof(__u32),
					    sizeof(struct ps_thread_path), sm->thread_slots,
					    features__perf_event_noprealloc() ? &no_prealloc : NULL);
	if (sm->thread_path_fd < 0) {
		err = -errno;
		goto close_targets;
	}
	/* memory on demand: only threads that read sockets, only peers seen */
	sm->thread_tag_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ps_thread_tag", sizeof(__u32),
					   sizeof(struct ps_tag_state), sm->thread_slots, &no_prealloc);
	sm->peers_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ps_peers", sizeof(struct sock_addr),
				      sizeof(__u32), 2 * PS_MAX_PEERS, &no_prealloc);
	sm->peer_slots_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ps_peer_slots", sizeof(__u32),
					   sizeof(struct ps_peer), PS_MAX_PEERS, NULL);
	sm->peer_ctl_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ps_peer_ctl", sizeof(__u32),
					 sizeof(struct ps_peer_ctl), 1, NULL);
	if (sm->thread_tag_fd < 0 || sm->peers_fd < 0 || sm->peer_slots_fd < 0 ||
	    sm->peer_ctl_fd < 0) {
		err = -errno;
		goto close_tags;
	}
	sm->unw = unwinder__create(unwind, targets);
	if (!sm->unw && unwind != UNWIND_FP)
		ps_warn("unwind: creating the unwind table maps failed: %s: frame pointers only (check RLIMIT_MEMLOCK, or use --unwind fp)",
			strerror(errno ? errno : ENOMEM));
	return 0;

close_tags:
	close_fd(&sm->thread_tag_fd);
	close_fd(&sm->peers_fd);
	close_fd(&sm->peer_slots_fd);
	close_fd(&sm->peer_ctl_fd);
	close_fd(&sm->thread_path_fd);
close_targets:
	close(sm->targets_fd);
	sm->targets_fd = -1;
	return err;
}

void shared_maps__destroy(struct shared_maps *sm)
{
	close_fd(&sm->targets_fd);
	close_fd(&sm->thread_path_fd);
	close_fd(&sm->thread_tag_fd);
	close_fd(&sm->peers_fd);
	close_fd(&sm->peer_slots_fd);
	close_fd(&sm->peer_ctl_fd);
	unwinder__free(sm->unw);
	sm->unw = NULL;
}

int shared_maps__add_target(const struct shared_maps *sm, uint32_t tgid)
{
	__u32 flags = 1;

	if (bpf_map_update_elem(sm->targets_fd, &tgid, &flags, BPF_ANY))
		return -errno;
	return 0;
}

/* Objects that do not declare a shared map simply do not get it. */
int shared_maps__reuse(const struct shared_maps *sm, struct bpf_object *obj)
{
	struct bpf_map *map;
	int err;

	map = bpf_object__find_map_by_name(obj, "ps_targets");
	if (map) {
		err = bpf_map__reuse_fd(map, sm->targets_fd);
		if (err)
			return err;
	}
	static const char *const names[] = { "ps_thread_path", "ps_thread_tag", "ps_peers",
					     "ps_peer_slots", "ps_peer_ctl" };
	const int fds[] = { sm->thread_path_fd, sm->thread_tag_fd, sm->peers_fd,
			    sm->peer_slots_fd, sm->peer_ctl_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		map = bpf_object__find_map_by_name(obj, names[i]);
		if (!map)
			continue;
		err = bpf_map__reuse_fd(map, fds[i]);
		if (err)
			return err;
	}
	return 0;
}
