/* SPDX-License-Identifier: MIT */
/*
 * One ELF file's symbolization data, read with libelf: the PT_LOAD segments
 * (to turn file offsets into link-time addresses), the build id, the
 * .gnu_debuglink, and function symbols from .symtab and .dynsym (or a
 * separate debug file, or Go's .gopclntab when everything else is
 * stripped).  Nothing of the file is kept open after loading.
 */
#ifndef PEERSCOPE_SYM_ELF_H
#define PEERSCOPE_SYM_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sym-table.h"

/* 64 bytes of id at most (SHA-512 would be the longest in use). */
#define SYM_BUILD_ID_HEX_MAX 129

struct sym_load {
	uint64_t offset, vaddr, filesz, memsz;
};

struct sym_elf {
	struct sym_table syms;
	struct sym_load *loads;
	size_t nr_loads;
	uint16_t e_type;                    /* ET_EXEC, ET_DYN */
	char build_id[SYM_BUILD_ID_HEX_MAX]; /* hex, "" if none */
	char *debuglink;                    /* .gnu_debuglink file name, or NULL */
	uint32_t debuglink_crc;
	bool has_symtab;                    /* a full .symtab (not stripped) */
	bool has_gopclntab;
	bool go_names;                      /* names came from .gopclntab */
};

void sym_elf__init(struct sym_elf *e);
void sym_elf__free(struct sym_elf *e);

/* Reads an ELF file from fd (not closed).  0 or a negative errno. */
int sym_elf__load_fd(struct sym_elf *e, int fd);
/* Same from an in-memory image (the vdso). */
int sym_elf__load_mem(struct sym_elf *e, void *image, size_t len);
/*
 * Adds the symbols of a separate debug file.  -ESTALE when its build id (or,
 * lacking build ids, the debuglink CRC) does not match e.
 */
int sym_elf__add_debug_fd(struct sym_elf *e, int fd);
/* Sorts the symbols; call once after the last add. */
void sym_elf__finish(struct sym_elf *e);

/*
 * Maps a file offset to the link-time virtual address through the PT_LOAD
 * segment containing it.  -ENOENT if no segment contains it.
 */
int sym_elf__offset_to_vaddr(const struct sym_elf *e, uint64_t off, uint64_t *vaddr);

/* Reads only the build id of the ELF file at path (hex into buf). */
int sym_elf__read_build_id(const char *path, char *buf, size_t len);

#endif /* PEERSCOPE_SYM_ELF_H */
