/* SPDX-License-Identifier: MIT */
/*
 * The kernel types one BPF object reads, as a BTF file of a few KB.
 *
 * libbpf resolves an object's CO-RE relocations against the kernel's BTF:
 * it reads all of /sys/kernel/btf/vmlinux (5.4 MB here) into memory, copies
 * it once more and indexes it, for every object that relocates.  A default
 * recording loads two such objects (sock, offcpu; span too for a target
 * with USDT probes): on the test machine 5,300 of a 2 s recording's 9,300
 * page faults and about 100 ms of its 360 ms of CPU.
 *
 * `bpftool gen min_core_btf` cuts out of the kernel's BTF only the types
 * and members an object's relocations use (1-2 KB for ours).  That is done
 * once per boot and object, and kept in the run cache (core/run-cache.h),
 * named by the boot id and a hash of the object: a rebuilt object or a new
 * kernel gets a new file.  libbpf then relocates against it
 * (bpf_object_open_opts.btf_custom_path), with the same offsets, since the
 * types are the kernel's own.
 *
 * An object loaded that way must need the kernel's BTF for nothing else:
 * a tp_btf or fentry program makes libbpf parse all of it anyway, so the
 * collectors pick their raw_tp variants with it.
 */
#ifndef PEERSCOPE_CORE_BTF_H
#define PEERSCOPE_CORE_BTF_H

#include <stddef.h>

/*
 * Puts in path (len bytes) the small BTF file for object name (its ELF
 * image: elf, elf_sz), making it when this boot has none.  0, or a
 * negative errno when there is none to use: caching is off, no bpftool
 * ($PEERSCOPE_BPFTOOL, else the usual sbin and bin directories), no kernel
 * BTF, or bpftool failed.  The caller then loads against the kernel's BTF.
 */
int core_btf__path(const char *name, const void *elf, size_t elf_sz, char *path, size_t len);

#endif /* PEERSCOPE_CORE_BTF_H */
