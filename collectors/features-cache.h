/* SPDX-License-Identifier: MIT */
/*
 * Kernel feature probes, cached per boot.  Probing loads and attaches BPF
 * programs (one on sched_switch, which patches kernel text) and parses the
 * 5 MB vmlinux BTF: 20-40 ms of every `record`.  What those probes find
 * cannot change until the machine reboots, so the answers are kept in
 * DIR/features, keyed by the boot id and the privileges they were probed
 * with.  The cheap, changeable facts (BTF file, tracefs mount, probe PMUs)
 * are always checked live.
 */
#ifndef PEERSCOPE_FEATURES_CACHE_H
#define PEERSCOPE_FEATURES_CACHE_H

#include <stdint.h>

#include "collectors/features.h"
#include "core/run-cache.h"	/* run_cache__dir(): where DIR is */

/* What the cached answers are valid for. */
struct features_key {
	char boot_id[40];       /* /proc/sys/kernel/random/boot_id */
	char kernel[65];        /* uname -r */
	uint32_t euid;
	uint64_t cap_eff;       /* CapEff: probes answer EPERM differently */
};

/* The running system's key; 0 or a negative errno (no boot id: no caching). */
int features_cache__key(struct features_key *key);
/*
 * Fill the cached fields of kf (tp_btf, fentry, raw_tp, ringbuf, hw_pmu,
 * perf_read_value) from DIR/features when it was written for key by us and
 * nobody else can have written it.  0, or -ENOENT/-ESTALE/-EINVAL/-EPERM:
 * probe instead.
 */
int features_cache__read(const char *dir, const struct features_key *key,
			 struct kernel_features *kf);
/* Store them (atomically: a temporary file renamed into place). */
int features_cache__write(const char *dir, const struct features_key *key,
			  const struct kernel_features *kf);

#endif /* PEERSCOPE_FEATURES_CACHE_H */
