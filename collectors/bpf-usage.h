/* SPDX-License-Identifier: MIT */
/*
 * What this process's BPF objects hold in the kernel, for `record -v` and
 * `make bench`: the memory of every map it has open, as the kernel accounts
 * it (fdinfo "memlock"), each map counted once however many fds share it.
 */
#ifndef PEERSCOPE_BPF_USAGE_H
#define PEERSCOPE_BPF_USAGE_H

#include <stdint.h>

struct bpf_map_usage {
	uint64_t bytes;         /* sum of memlock */
	uint32_t nr_maps;       /* distinct map ids */
};

/* Reads /proc/self/fdinfo; 0 or a negative errno. */
int bpf_usage__maps(struct bpf_map_usage *u);

#endif /* PEERSCOPE_BPF_USAGE_H */
