/* SPDX-License-Identifier: MIT */
/* /proc/PID/maps snapshots. */
#ifndef PEERSCOPE_SYM_MAPS_H
#define PEERSCOPE_SYM_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum sym_map_kind {
	SYM_MAP_FILE,      /* a file (possibly deleted) */
	SYM_MAP_ANON,      /* anonymous: JIT code if executable */
	SYM_MAP_VDSO,
	SYM_MAP_SPECIAL,   /* [heap], [stack], [vsyscall], [anon:...] ... */
};

struct sym_map {
	uint64_t start, end, offset;
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	bool exec;
	bool deleted;          /* path had " (deleted)"; stripped from path */
	enum sym_map_kind kind;
	char *path;            /* "" for anonymous mappings */
	void *dso;             /* symbolizer's parsed file, not owned here */
};

struct sym_maps {
	struct sym_map *maps;  /* sorted by start, non-overlapping */
	size_t nr, cap;
};

void sym_maps__free(struct sym_maps *m);
/* Parses maps text from f; 0 or a negative errno. */
int sym_maps__parse(FILE *f, struct sym_maps *out);
/* Reads /proc/<pid>/maps; -ENOENT/-ESRCH when the process is gone. */
int sym_maps__read(uint32_t pid, struct sym_maps *out);
/* The mapping containing addr, or NULL. */
struct sym_map *sym_maps__find(const struct sym_maps *m, uint64_t addr);
/*
 * Merges a fresh snapshot into an old one: fresh mappings win; old ones
 * that no fresh one overlaps are kept (a library unloaded since, whose
 * earlier samples must still resolve).  Identical mappings keep their dso.
 * fresh is consumed.  0 or -ENOMEM.
 */
int sym_maps__merge(struct sym_maps *old, struct sym_maps *fresh);

#endif /* PEERSCOPE_SYM_MAPS_H */
