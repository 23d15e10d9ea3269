/* SPDX-License-Identifier: MIT */
/*
 * The cpu collector's sizing, apart from its BPF object so that a unit test
 * can check it (the collector itself is cpu_collector_ops, listed in collector.c).
 */
#ifndef PEERSCOPE_COLLECTORS_CPU_H
#define PEERSCOPE_COLLECTORS_CPU_H

#include <stdint.h>

/*
 * Entries of one set's stack or counts map: room for every sample of a
 * few drain intervals at freq Hz on nr_cpus CPUs, a power of two, at
 * most max; max when drain_s is 0 (unknown).
 */
uint32_t cpu__map_entries(int freq, int nr_cpus, double drain_s, uint32_t max);

#endif /* PEERSCOPE_COLLECTORS_CPU_H */
