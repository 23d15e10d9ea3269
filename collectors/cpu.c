// SPDX-License-Identifier: MIT
/*
 * The "cpu" collector: on-CPU stack samples at -F Hz.  A software cpu-clock
 * event in frequency mode on every online CPU runs bpf/cpu.bpf.c, which
 * keeps only the samples of traced processes (shared "ps_targets" map) and
 * counts them per (thread, user stack, kernel stack, path) in the kernel.
 * Userspace drains the counts and the stacks they name every second, from
 * the one of two sets of maps the samples just left, and empties it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collectors/collector.h"
#include "collectors/cpu.h"
#include "collectors/features.h"
#include "collectors/record-opts.h"
#include "collectors/peers.h"
#include "collectors/shared-maps.h"
#include "core/log.h"
#include "core/profile.h"
#include "bpf/cpu.h"
#include "cpu.skel.h"
#include "collectors/unwinder.h"

/* What adding one (key, count) to a profile needs; set per drain. */
struct cpu_sink {
	struct collector *c;
	struct profile *p;
	struct peer_names peers;
	int types[2];
	int64_t period;
	int err;
};

struct cpu_priv {
	struct cpu *skel;
	struct bpf_link **links;	/* one per CPU; each owns its perf fd */
	int nr_links;
	int freq;
	struct unwinder *unw;		/* shared (sm->unw); NULL: frame pointers only */
	struct ring_buffer *overflow;	/* samples whose stack collided */
	struct cpu_sink *sink;		/* where on_overflow adds, while draining it */
	uint64_t nr_overflow;		/* samples kept through it */
};

static int on_overflow(void *ctx, void *data, size_t size);

static bool cpu_supported(const struct kernel_features *kf, const struct record_opts *o,
			  char *why, size_t len)
{
	/* cpu-clock is a software event: no PMU, tracefs or BTF needed */
	return true;
}

/*
 * Each set holds the samples of one drain interval, and there can be no
 * more of them than freq x CPUs x interval.  Sized for CPU_DRAIN_ROOM times
 * that many samples, all distinct, between CPU_MIN_ENTRIES and the fixed
 * sizes of bpf/cpu.h.  Why 8: d distinct stacks in 8d buckets collide about
 * d/16 times, and collisions travel through the overflow ring, which holds
 * ~245 a second (docs/usage.md): far below that for every rate under the
 * stack maps' cap (2048 samples a second), and above it the maps are the
 * fixed size they always were.  A drain late by several intervals on a
 * loaded host still finds room.  Record's 1 s flush at 99 Hz on 2 CPUs
 * needs 2 k stack slots, not 16 k: 28 MiB of kernel memory less.  A full
 * counts map is counted as map_full.
 */
#define CPU_DRAIN_ROOM		8
#define CPU_MIN_ENTRIES		2048
/*
 * With the unwinder on, user and kernel stacks go to its stores, and a
 * set's stack map takes only the stacks the store could not (this CPU's
 * scratch busy, the store full): a handful a second.  Preallocated at
 * 2,048 x 1,016 bytes, the two maps were 4.1 MB of kernel memory and
 * 5-9 ms of every record's start-up.
 */
#define CPU_FALLBACK_STACKS	256

uint32_t cpu__map_entries(int freq, int nr_cpus, double drain_s, uint32_t max)
{
	double need = (double)freq * nr_cpus * drain_s * CPU_DRAIN_ROOM;
	uint32_t n = CPU_MIN_ENTRIES;

	if (drain_s <= 0 || freq <= 0 || nr_cpus <= 0)
		return max;
	while (n < max && n < need)
		n <<= 1;
	return n < max ? n : max;
}

static void size_maps(struct cpu_priv *cp, const struct record_opts *o)
{
	int nr_cpus = libbpf_num_possible_cpus();
	uint32_t stacks = cp->unw ? CPU_FALLBACK_STACKS
				  : cpu__map_entries(cp->freq, nr_cpus, o->drain_s, CPU_STACK_ENTRIES);
	uint32_t counts = cpu__map_entries(cp->freq, nr_cpus, o->drain_s, CPU_COUNT_ENTRIES);

	bpf_map__set_max_entries(cp->skel->maps.stacks, stacks);
	bpf_map__set_max_entries(cp->skel->maps.counts, counts);
	bpf_map__set_max_entries(cp->skel->maps.stacks_b, stacks);
	bpf_map__set_max_entries(cp->skel->maps.counts_b, counts);
	ps_debug("cpu: maps sized for %.0f s between drains at %d Hz on %d CPUs: "
		 "%u stacks, %u counts a set", o->drain_s, cp->freq, nr_cpus, stacks, counts);
}

static int cpu_open(struct collector *c, const struct record_opts *o,
		    const struct kernel_features *kf, const struct shared_maps *sm)
{
	struct cpu_priv *cp;
	int err;

	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return -ENOMEM;
	cp->freq = o->freq > 0 ? o->freq : 99;

	cp->skel = cpu__open();
	if (!cp->skel) {
		err = -errno;
		ps_err("cpu: opening the BPF object failed: %s (rebuild peerscope)", strerror(-err));
		goto free_priv;
	}
	err = shared_maps__reuse(sm, cp->skel->obj);
	if (err) {
		ps_err("cpu: sharing the target maps failed: %s (report a bug)", strerror(-err));
		goto destroy_skel;
	}
	cp->skel->rodata->kernel_stacks = !o->no_kernel;
	/* own stores: emptied with the counts that name their stacks (cpu_flush) */
	err = unwinder__reuse(sm->unw, cp->skel->obj, true);
	if (err < 0) {
		ps_err("cpu: sharing the unwinder maps failed: %s (report a bug; --unwind fp avoids them)",
		       strerror(-err));
		goto destroy_skel;
	}
	cp->skel->rodata->unw_enabled = err > 0;
	cp->unw = err > 0 ? sm->unw : NULL;
	size_maps(cp, o);
	if (!features__perf_event_noprealloc()) {
		bpf_map__set_map_flags(cp->skel->maps.counts, 0);
		bpf_map__set_map_flags(cp->skel->maps.counts_b, 0);
	}

	err = cpu__load(cp->skel);
	if (err) {
		ps_err("cpu: loading the BPF program failed: %s (run with -v for the verifier log)",
		       strerror(-err));
		goto destroy_skel;
	}
	cp->overflow = ring_buffer__new(bpf_map__fd(cp->skel->maps.overflow), on_overflow, cp, NULL);
	if (!cp->overflow) {
		err = -errno;
		ps_err("cpu: opening the overflow ring failed: %s (report a bug)", strerror(-err));
		goto destroy_skel;
	}
	c->priv = cp;
	return 0;

destroy_skel:
	cpu__destroy(cp->skel);
free_priv:
	free(cp);
	return err;
}

static int cpu_attach(struct collector *c, const struct target *t)
{
	struct cpu_priv *cp = c->priv;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.size = sizeof(attr),
		.freq = 1,
		.sample_freq = cp->freq,
	};
	int nr_cpus = libbpf_num_possible_cpus();
	int fd, err;

	if (nr_cpus < 0)
		return nr_cpus;
	/* tables first: a sample taken before would fall back to frame pointers */
	if (cp->unw) {
		err = unwinder__add_target(cp->unw, t);
		if (err)
			return err;
	}
	cp->links = calloc(nr_cpus, sizeof(*cp->links));
	if (!cp->links)
		return -ENOMEM;

	/*
	 * System-wide per CPU rather than per thread: threads the targets
	 * create later are covered, and the kernel filters by tgid.
	 */
	for (int cpu = 0; cpu < nr_cpus; cpu++) {
		fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			if (errno == ENODEV)
				continue;	/* offline CPU */
			err = -errno;
			ps_err("cpu: opening the cpu-clock event at %d Hz on CPU %d failed: %s (%s)",
			       cp->freq, cpu, strerror(-err),
			       err == -EINVAL ? "lower -F; see /proc/sys/kernel/perf_event_max_sample_rate"
					      : "check /proc/sys/kernel/perf_event_paranoid and privileges");
			return err;
		}
		cp->links[cp->nr_links] = bpf_program__attach_perf_event(cp->skel->progs.cpu_sample, fd);
		if (!cp->links[cp->nr_links]) {
			err = -errno;
			close(fd);
			ps_err("cpu: attaching to the cpu-clock event on CPU %d failed: %s (report a bug)",
			       cpu, strerror(-err));
			return err;
		}
		cp->nr_links++;
	}
	if (!cp->nr_links) {
		ps_err("cpu: no online CPU accepted a cpu-clock event (check /sys/devices/system/cpu/online)");
		return -ENODEV;
	}
	ps_debug("cpu: sampling at %d Hz on %d CPUs", cp->freq, cp->nr_links);
	return 0;
}

static int cpu_poll(struct collector *c)
{
	struct cpu_priv *cp = c->priv;

	unwinder__poll(cp->unw);
	return 0;
}

/* Sample types, the period and the peer names for adding to p. */
static int sink__init(struct cpu_sink *k, struct collector *c, struct profile *p)
{
	struct cpu_priv *cp = c->priv;

	*k = (struct cpu_sink){ .c = c, .p = p, .period = 1000000000LL / cp->freq };
	if (peer_names__read(&k->peers, bpf_map__fd(cp->skel->maps.ps_peer_slots)))
		return -ENOMEM;
	k->types[0] = profile__add_type(p, "samples", "count");
	k->types[1] = profile__add_type(p, "cpu", "nanoseconds");
	if (k->types[0] < 0 || k->types[1] < 0)
		return k->types[0] < 0 ? k->types[0] : k->types[1];
	p->period_type.type = profile__intern(p, "cpu");
	p->period_type.unit = profile__intern(p, "nanoseconds");
	p->period = k->period;
	return 0;
}

/* count samples of key with these frames -> p; a count already in p grows */
static int sink__add(struct cpu_sink *k, const struct cpu_key *key, uint64_t count,
		     const uint64_t *kips, int nk, const uint64_t *uips, int nu)
{
	char comm[PS_TASK_COMM_LEN + 1];
	struct pf_label_kv kv[4 + PEER_TAG_LABELS];
	int64_t vals[2] = { count, count * k->period };
	uint32_t stack, labels, nl = 4;
	int idx;

	stack = profile__intern_raw_stack(k->p, key->tgid, kips, nk, uips, nu);
	memcpy(comm, key->comm, PS_TASK_COMM_LEN);
	comm[PS_TASK_COMM_LEN] = '\0';
	kv[0] = (struct pf_label_kv){ .key = "pid", .num = key->tgid };
	kv[1] = (struct pf_label_kv){ .key = "tid", .num = key->tid };
	kv[2] = (struct pf_label_kv){ .key = "thread", .str = comm };
	kv[3] = (struct pf_label_kv){ .key = "path",
				      .str = collector__path_name(k->c->opts, key->path) };
	peer_tag__labels(&k->peers, k->c->opts, &key->tag, kv, &nl);
	labels = profile__intern_labels(k->p, kv, nl);
	idx = profile__add_values(k->p, stack, labels, k->types, vals, 2);
	return idx < 0 ? idx : 0;
}

/* The frames of id (user or kernel): an unwinder store of this object, or stacks_fd. */
static int read_stack(struct cpu_priv *cp, int stacks_fd, int32_t id, uint64_t *ips)
{
	struct bpf_map *store = unwinder__in_set_b(id) ? cp->skel->maps.unw_stacks_b
						       : cp->skel->maps.unw_stacks;

	if (unwinder__owns_stack(id))
		return unwinder__read_store(bpf_map__fd(store), id, ips);
	return collector__read_stack(stacks_fd, id, ips);
}

/* One counted key, its stacks read from the set -> the sink. */
static int drain_key(struct cpu_sink *sink, int stacks_fd, const struct cpu_key *key,
		     uint64_t count, uint64_t *kips, uint64_t *uips)
{
	struct cpu_priv *cp = sink->c->priv;
	int nk, nu;

	nk = read_stack(cp, stacks_fd, key->kern_stack_id, kips);
	nu = read_stack(cp, stacks_fd, key->user_stack_id, uips);
	return sink__add(sink, key, count, kips, nk, uips, nu);
}

/*
 * The set's counts, emptied as they are read: one syscall per
 * CPU_DRAIN_BATCH keys, where the walk below costs a next-key and a
 * lookup per key and clear_set() another next-key and a delete (4 of the
 * 6 bpf() calls per distinct stack and flush).  -EOPNOTSUPP before the
 * first key when there are no batch operations (collector__no_batch()).
 */
#define CPU_DRAIN_BATCH 256

static int drain_counts_batch(struct cpu_sink *sink, int counts_fd, int stacks_fd,
			      uint64_t *kips, uint64_t *uips)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct cpu_key *keys = malloc(CPU_DRAIN_BATCH * sizeof(*keys));
	uint64_t *vals = malloc(CPU_DRAIN_BATCH * sizeof(*vals));
	__u32 token, count, *in = NULL;
	int err = keys && vals ? 0 : -ENOMEM;

	while (!err) {
		int r;

		count = CPU_DRAIN_BATCH;
		r = bpf_map_lookup_and_delete_batch(counts_fd, in, &token, keys, vals, &count, &opts);
		if (r && errno != ENOENT) {
			err = !in && collector__no_batch(errno) ? -EOPNOTSUPP : -errno;
			break;
		}
		for (__u32 i = 0; i < count && !err; i++)
			err = drain_key(sink, stacks_fd, &keys[i], vals[i], kips, uips);
		if (r)		/* ENOENT: the map was read to its end */
			break;
		in = &token;
	}
	free(keys);
	free(vals);
	return err;
}

/* The same a key at a time, leaving the map as it was. */
static int drain_counts_walk(struct cpu_sink *sink, int counts_fd, int stacks_fd,
			     uint64_t *kips, uint64_t *uips)
{
	struct cpu_key key, next, *prev = NULL;
	int err = 0;

	while (!err && bpf_map_get_next_key(counts_fd, prev, &next) == 0) {
		uint64_t count;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(counts_fd, &key, &count))
			continue;	/* deleted under us: cannot happen, the set is idle or stopped */
		err = drain_key(sink, stacks_fd, &key, count, kips, uips);
	}
	return err;
}

/* One set of (counts, stacks) -> p; the counts map is left empty or as it was. */
static int drain_set(struct collector *c, struct profile *p, int counts_fd, int stacks_fd)
{
	struct cpu_sink sink = {};
	uint64_t *uips, *kips;
	int err;

	uips = calloc(PS_MAX_STACK_DEPTH, sizeof(*uips));
	kips = calloc(PS_MAX_STACK_DEPTH, sizeof(*kips));
	err = !uips || !kips ? -ENOMEM : sink__init(&sink, c, p);
	if (err)
		goto free_ips;
	err = drain_counts_batch(&sink, counts_fd, stacks_fd, kips, uips);
	if (err == -EOPNOTSUPP)
		err = drain_counts_walk(&sink, counts_fd, stacks_fd, kips, uips);

free_ips:
	peer_names__free(&sink.peers);
	free(uips);
	free(kips);
	return err;
}

/* One sample from the overflow ring (struct cpu_overflow) -> the sink's profile. */
static int on_overflow(void *ctx, void *data, size_t size)
{
	struct cpu_priv *cp = ctx;
	struct cpu_sink *k = cp->sink;
	const struct cpu_overflow *o = data;
	uint64_t uips[PS_MAX_STACK_DEPTH];
	int nu, nk;

	if (!k || size < sizeof(*o))
		return 0;	/* no sink: a reset drops the window's samples */
	nk = o->kern_bytes / sizeof(__u64);
	nk = nk < PS_MAX_STACK_DEPTH ? nk : PS_MAX_STACK_DEPTH;
	if (unwinder__owns_stack(o->key.user_stack_id)) {
		nu = read_stack(cp, -1, o->key.user_stack_id, uips);
	} else {
		nu = o->user_bytes / sizeof(__u64);
		nu = nu < PS_MAX_STACK_DEPTH ? nu : PS_MAX_STACK_DEPTH;
		memcpy(uips, o->user_ips, nu * sizeof(*uips));
	}
	k->err = sink__add(k, &o->key, 1, (const uint64_t *)o->kern_ips, nk, uips, nu);
	cp->nr_overflow++;
	return k->err;
}

/* The overflow ring -> p: every sample in it now. */
static int drain_overflow(struct collector *c, struct profile *p)
{
	struct cpu_priv *cp = c->priv;
	struct cpu_sink sink = {};
	int err;

	err = sink__init(&sink, c, p);
	if (!err) {
		cp->sink = &sink;
		err = ring_buffer__consume(cp->overflow);
		err = err < 0 ? err : sink.err;
		cp->sink = NULL;
	}
	peer_names__free(&sink.peers);
	return err;
}

static int set_counts_fd(struct cpu_priv *cp, int set)
{
	return bpf_map__fd(set ? cp->skel->maps.counts_b : cp->skel->maps.counts);
}

static int set_stacks_fd(struct cpu_priv *cp, int set)
{
	return bpf_map__fd(set ? cp->skel->maps.stacks_b : cp->skel->maps.stacks);
}

static int clear_set(struct cpu_priv *cp, int set)
{
	struct bpf_map *store = set ? cp->skel->maps.unw_stacks_b : cp->skel->maps.unw_stacks;

	return collector__clear_map(set_counts_fd(cp, set)) ?:
	       collector__clear_map(set_stacks_fd(cp, set)) ?:
	       (cp->unw ? collector__clear_map(bpf_map__fd(store)) : 0);
}

/* At the end: both sets (the idle one is empty unless a flush failed). */
static int cpu_drain(struct collector *c, struct profile *p)
{
	struct cpu_priv *cp = c->priv;
	int err = 0;

	for (int set = 0; set < 2; set++)
		err = drain_set(c, p, set_counts_fd(cp, set), set_stacks_fd(cp, set)) ?: err;
	err = drain_overflow(c, p) ?: err;
	ps_debug("cpu: %llu samples kept through the stack-collision overflow ring",
		 (unsigned long long)cp->nr_overflow);
	return err;
}

/*
 * While recording: samples switch to the other set, the one they left is
 * drained into p and emptied.  A program that read the old flag finishes
 * within microseconds (perf_event programs do not sleep), hence the short
 * wait before reading.  No sample is lost and the maps never fill.
 */
static int cpu_flush(struct collector *c, struct profile *p)
{
	struct cpu_priv *cp = c->priv;
	const struct timespec settle = { 0, 2 * 1000000L };
	int idle = cp->skel->bss->active_set;
	int err;

	cp->skel->bss->active_set = !idle;
	nanosleep(&settle, NULL);
	err = drain_set(c, p, set_counts_fd(cp, idle), set_stacks_fd(cp, idle));
	err = drain_overflow(c, p) ?: err;
	return clear_set(cp, idle) ?: err;
}

/* The agent's windows: counts and the stacks they point at start empty. */
static int cpu_reset(struct collector *c)
{
	struct cpu_priv *cp = c->priv;

	ring_buffer__consume(cp->overflow);	/* no sink: dropped */
	return clear_set(cp, 0) ?: clear_set(cp, 1);
}

static void cpu_stats(struct collector *c)
{
	struct cpu_priv *cp = c->priv;

	collector__read_stats(bpf_map__fd(cp->skel->maps.stats), &c->stats);
}

static void cpu_close(struct collector *c)
{
	struct cpu_priv *cp = c->priv;

	if (!cp)
		return;
	for (int i = 0; i < cp->nr_links; i++)
		bpf_link__destroy(cp->links[i]);
	free(cp->links);
	ring_buffer__free(cp->overflow);
	cpu__destroy(cp->skel);
	free(cp);
	c->priv = NULL;
}

const struct collector_ops cpu_collector_ops = {
	.name = "cpu",
	.summary = "on-CPU stacks sampled at -F Hz (software cpu-clock, every CPU)",
	.supported = cpu_supported,
	.open = cpu_open,
	.attach = cpu_attach,
	.poll = cpu_poll,
	.drain = cpu_drain,
	.flush = cpu_flush,
	.reset = cpu_reset,
	.stats = cpu_stats,
	.close = cpu_close,
};
