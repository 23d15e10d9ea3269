/* SPDX-License-Identifier: MIT */
/*
 * Finding a process's allocator: which mapped file implements malloc
 * (glibc, jemalloc, mimalloc, tcmalloc, or the executable itself when it
 * is statically linked or brings its own), and the file offsets of its
 * entry points, read with libelf, so that uprobes can be attached (and
 * re-attached by --alloc-duty) without resolving names again.
 */
#ifndef PEERSCOPE_ALLOC_DISCOVER_H
#define PEERSCOPE_ALLOC_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALLOC_MAX_PROBES 24

struct alloc_probe {
	const char *sym;	/* static string: "malloc", "_Znwm", ... */
	uint64_t offset;	/* file offset of the entry point */
	unsigned fn;		/* enum alloc_fn (bpf/alloc.h) */
	bool ret;		/* also a uretprobe: the result is needed */
};

struct alloc_target {
	uint32_t pid;
	char path[512];		/* the file probed, as seen from here (/proc/PID/root/...) */
	char allocator[32];	/* "glibc", "jemalloc", "mimalloc", "tcmalloc", "static" */
	struct alloc_probe probes[ALLOC_MAX_PROBES];
	int nr_probes;
};

/*
 * Fills t for pid.  0, or a negative errno: -ENOENT when no mapped file
 * defines malloc (why says what was looked at).
 */
int alloc__discover(uint32_t pid, struct alloc_target *t, char *why, size_t len);

/*
 * File offsets of the given function names in the ELF file at path
 * (STT_FUNC/STT_GNU_IFUNC, defined, from .symtab or .dynsym); offs[i] = 0
 * when names[i] is absent.  Returns how many were found, or a negative errno.
 */
int alloc__sym_offsets(const char *path, const char *const *names, int n, uint64_t *offs);

#endif /* PEERSCOPE_ALLOC_DISCOVER_H */
