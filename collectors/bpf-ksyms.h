/* SPDX-License-Identifier: MIT */
/*
 * The kernel symbols of the BPF programs loaded right now, from the bpf()
 * syscall rather than /proc/kallsyms: the per-boot kallsyms cache leaves
 * them out because they come and go, and the off-CPU collector must still
 * recognise (and drop) the frames of tracing programs at the top of a stack.
 */
#ifndef PEERSCOPE_BPF_KSYMS_H
#define PEERSCOPE_BPF_KSYMS_H

#include <stdint.h>

#include "core/sym-table.h"

/*
 * Adds one symbol per JITed function of every loaded program, named as
 * kallsyms names them ("bpf_prog_<tag>_<name>"), tagged aux.  Programs
 * that go away meanwhile are skipped.  The count added, or a negative errno.
 */
int bpf_ksyms__add(struct sym_table *t, uint32_t aux);

/* Makes bpf_ksyms__add the source of the running kernel table's BPF symbols. */
void bpf_ksyms__register(void);

#endif /* PEERSCOPE_BPF_KSYMS_H */
