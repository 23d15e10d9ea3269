// SPDX-License-Identifier: MIT
/*
 * Kernel feature probes, run once by `record` before any collector is asked
 * whether it can work here.  Each probe tries the real thing (load a two-
 * instruction program, attach it, open the event) rather than guessing from
 * the kernel version: distribution kernels backport and configs differ.
 * The program probes are cached per boot (features-cache.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collectors/features.h"
#include "collectors/features-cache.h"
#include "core/log.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* r0 = 0; exit */
static const struct bpf_insn ret0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static int load_ret0(enum bpf_prog_type type, enum bpf_attach_type attach, __u32 btf_id)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = attach,
		    .attach_btf_id = btf_id);

	return bpf_prog_load(type, NULL, "GPL", ret0, 2, &opts);
}

/* Load a tracing program against vmlinux BTF id and attach it (then detach). */
static bool probe_tracing(const struct btf *vmlinux, const char *name, int kind,
			  enum bpf_attach_type attach)
{
	int id, prog, link;

	if (!vmlinux)
		return false;
	id = btf__find_by_name_kind(vmlinux, name, kind);
	if (id <= 0)
		return false;
	prog = load_ret0(BPF_PROG_TYPE_TRACING, attach, id);
	if (prog < 0) {
		ps_debug("features: %s program on %s does not load: %s",
			 attach == BPF_TRACE_RAW_TP ? "tp_btf" : "fentry", name, strerror(errno));
		return false;
	}
	link = bpf_raw_tracepoint_open(NULL, prog);
	if (link < 0)
		ps_debug("features: %s program on %s does not attach: %s",
			 attach == BPF_TRACE_RAW_TP ? "tp_btf" : "fentry", name, strerror(errno));
	else
		close(link);
	close(prog);
	return link >= 0;
}

static bool probe_raw_tp(void)
{
	int prog, link;

	prog = load_ret0(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0);
	if (prog < 0)
		return false;
	link = bpf_raw_tracepoint_open("sched_switch", prog);
	if (link >= 0)
		close(link);
	close(prog);
	return link >= 0;
}

static bool dir_has(const char *dir, const char *entry)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, entry);
	return access(path, F_OK) == 0;
}

/*
 * tp/ programs find tracepoint ids under tracefs.  When it is not mounted we
 * mount it at the standard place ourselves (root only) and say so.
 */
static void probe_tracefs(struct kernel_features *kf)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (dir_has(dirs[i], "events")) {
			kf->tracefs = true;
			snprintf(kf->tracefs_path, sizeof(kf->tracefs_path), "%s", dirs[i]);
			return;
		}
	}
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL)) {
		ps_debug("features: tracefs is not mounted and mounting it at %s failed: %s",
			 dirs[0], strerror(errno));
		return;
	}
	if (!dir_has(dirs[0], "events")) {
		umount(dirs[0]);
		return;
	}
	kf->tracefs = true;
	snprintf(kf->tracefs_path, sizeof(kf->tracefs_path), "%s", dirs[0]);
	/* a change to the system: say it, not only under -v */
	fprintf(stderr, "peerscope: note: tracefs was not mounted: mounted it at %s (it stays mounted)\n",
		dirs[0]);
}

static bool probe_hw_pmu(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.disabled = 1,
		.exclude_kernel = 1,
	};
	int fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * Before 6.1 the verifier refuses hash maps allocated on demand in perf_event
 * programs ("can only use preallocated hash map"): load one that looks a key
 * up in such a map.  A 1-entry map and a 7-instruction program, once per
 * process.
 */
static bool noprealloc_answer;

static void probe_perf_event_noprealloc(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_NO_PREALLOC);
	int map, prog;

	map = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, sizeof(__u32), sizeof(__u64), 1, &mopts);
	if (map < 0)
		return;
	{
		const struct bpf_insn lookup[] = {
			/* *(u32 *)(r10 - 4) = 0; r2 = r10 - 4; r1 = map; call lookup */
			{ .code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_10, .off = -4 },
			{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_10 },
			{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -4 },
			{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
			  .src_reg = BPF_PSEUDO_MAP_FD, .imm = map },
			{ 0 },
			{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem },
			ret0[0], ret0[1],
		};

		prog = bpf_prog_load(BPF_PROG_TYPE_PERF_EVENT, NULL, "GPL", lookup,
				     sizeof(lookup) / sizeof(lookup[0]), NULL);
	}
	noprealloc_answer = prog >= 0;
	if (prog >= 0)
		close(prog);
	else
		ps_debug("features: perf_event programs need preallocated hash maps here: %s",
			 strerror(errno));
	close(map);
}

/* Collectors open in parallel threads: probed once, whoever asks first. */
bool features__perf_event_noprealloc(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, probe_perf_event_noprealloc);
	return noprealloc_answer;
}

/*
 * Does the tcp_retransmit_skb tracepoint pass an err argument (sk, skb,
 * err)?  Newer kernels fire it for failed attempts too (-EBUSY while the
 * first copy is still queued, common on loopback), so only err == 0 is a
 * retransmitted segment; older ones fire it only on success and have no
 * third argument to read.
 */
static bool probe_retrans_err(const struct btf *vmlinux)
{
	const struct btf_type *t;
	int id;

	if (!vmlinux)
		return false;
	id = btf__find_by_name_kind(vmlinux, "btf_trace_tcp_retransmit_skb", BTF_KIND_TYPEDEF);
	if (id <= 0)
		return false;
	t = btf__type_by_id(vmlinux, id);	/* typedef -> pointer -> prototype */
	if (!t || !btf_is_typedef(t) || !(t = btf__type_by_id(vmlinux, t->type)) || !btf_is_ptr(t) ||
	    !(t = btf__type_by_id(vmlinux, t->type)) || !btf_is_func_proto(t))
		return false;
	return btf_vlen(t) >= 4;	/* void *ctx, sk, skb, err */
}

/* The probes that load programs or parse BTF: the ones worth caching per boot. */
static void probe_programs(struct kernel_features *kf)
{
	struct btf *vmlinux = NULL;

	if (kf->btf)
		vmlinux = btf__load_vmlinux_btf();	/* NULL on failure */
	kf->tp_btf = probe_tracing(vmlinux, "btf_trace_sched_switch", BTF_KIND_TYPEDEF,
				   BPF_TRACE_RAW_TP);
	kf->fentry = probe_tracing(vmlinux, "do_nanosleep", BTF_KIND_FUNC, BPF_TRACE_FENTRY);
	kf->raw_tp = probe_raw_tp();
	kf->ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	kf->hw_pmu = probe_hw_pmu();
	kf->perf_read_value = libbpf_probe_bpf_helper(BPF_PROG_TYPE_PERF_EVENT,
						      BPF_FUNC_perf_event_read_value, NULL) == 1;
	kf->tcp_retrans_err = probe_retrans_err(vmlinux);
	btf__free(vmlinux);
}

void features__probe(struct kernel_features *kf)
{
	const char *dir = run_cache__dir();
	struct features_key key;
	bool keyed;
	int err;

	memset(kf, 0, sizeof(*kf));
	kf->btf = access(VMLINUX_BTF, R_OK) == 0;
	keyed = dir && !features_cache__key(&key);
	if (keyed && !features_cache__read(dir, &key, kf)) {
		ps_debug("features: program probes from %s/features (this boot)", dir);
	} else {
		probe_programs(kf);
		err = keyed ? features_cache__write(dir, &key, kf) : 0;
		if (err)
			ps_debug("features: cannot cache the probes in %s: %s", dir, strerror(-err));
	}
	probe_tracefs(kf);
	kf->kprobes = access("/sys/bus/event_source/devices/kprobe", F_OK) == 0;
	kf->uprobes = access("/sys/bus/event_source/devices/uprobe", F_OK) == 0;

	ps_debug("features: btf=%d tp_btf=%d raw_tp=%d tracefs=%d%s%s kprobes=%d fentry=%d "
		 "uprobes=%d ringbuf=%d hw_pmu=%d perf_read_value=%d",
		 kf->btf, kf->tp_btf, kf->raw_tp, kf->tracefs, kf->tracefs ? " at " : "",
		 kf->tracefs_path, kf->kprobes, kf->fentry, kf->uprobes, kf->ringbuf,
		 kf->hw_pmu, kf->perf_read_value);
}
