/* SPDX-License-Identifier: MIT */
/*
 * Unwind tables of one ELF file (x86-64), read with libelf from .eh_frame
 * (or .debug_frame when a file has no .eh_frame): every CIE and FDE is run
 * through a CFI interpreter and turned into compact rows (bpf/unwind.h,
 * struct unw_row) that the BPF unwinder binary-searches.  Rows are sorted by
 * pc, identical neighbours merged, and gaps between functions closed by an
 * UNW_CFA_INVALID row (frame pointers there).  docs/unwinding.md.
 */
#ifndef PEERSCOPE_UNWIND_TABLE_H
#define PEERSCOPE_UNWIND_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "bpf/unwind.h"

/* A PT_LOAD segment: file offset -> link-time address. */
struct unw_load {
	uint64_t offset, vaddr, filesz;
	bool exec;
};

struct unw_table {
	struct unw_row *rows;		/* sorted by pc */
	size_t nr, cap;
	struct unw_load *loads;
	size_t nr_loads;
	const char *source;		/* ".eh_frame", ".debug_frame" or NULL (none) */
	/* what the interpreter met, for -v and docs/unwinding.md */
	size_t nr_fdes;
	size_t nr_unsupported;		/* rows with UNW_CFA_UNSUPPORTED */
	size_t nr_plt;			/* rows with the PLT expression */
	size_t nr_skipped;		/* FDEs beyond 4 GiB or malformed */
};

void unw_table__init(struct unw_table *t);
void unw_table__free(struct unw_table *t);

/*
 * Reads the tables of the ELF file open at fd (not closed).  A file with
 * neither section gives 0 and an empty table.  0 or a negative errno
 * (-ENOEXEC: not a 64-bit x86-64 ELF file).
 */
int unw_table__load_fd(struct unw_table *t, int fd);
/* Same from an in-memory image (the vDSO). */
int unw_table__load_mem(struct unw_table *t, void *image, size_t len);
/*
 * Parses raw CFI: data is the contents of a .eh_frame (debug_frame false) or
 * .debug_frame section linked at address sh_addr.  Appends rows; call
 * unw_table__finish() after the last parse.  0 or a negative errno.
 */
int unw_table__parse(struct unw_table *t, const uint8_t *data, size_t len,
		     uint64_t sh_addr, bool debug_frame);
/* Sorts, closes gaps and merges identical neighbours. */
void unw_table__finish(struct unw_table *t);

/* The row covering link-time address pc, or NULL. */
const struct unw_row *unw_table__find(const struct unw_table *t, uint64_t pc);

/*
 * The bias (address - bias = link-time address) of an executable mapping of
 * this file at start with file offset pgoff.  -ENOENT when no PT_LOAD
 * segment contains pgoff.
 */
int unw_table__bias(const struct unw_table *t, uint64_t start, uint64_t pgoff, uint64_t *bias);

/* "rsp+8", "rbp+16", "plt", "end", "invalid", "unsupported" into buf. */
const char *unw_row__cfa_str(const struct unw_row *r, char *buf, size_t len);

#endif /* PEERSCOPE_UNWIND_TABLE_H */
