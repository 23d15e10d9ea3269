/* SPDX-License-Identifier: MIT */
/*
 * Function names of stripped Go binaries from .gopclntab (Go 1.16+ layout,
 * i.e. the 1.16, 1.18 and 1.20 magics).  Go's linker keeps this table even
 * with -ldflags=-s because the runtime needs it for tracebacks.
 */
#ifndef PEERSCOPE_SYM_GOPCLNTAB_H
#define PEERSCOPE_SYM_GOPCLNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "core/sym-table.h"

/*
 * Adds one symbol per function of the pclntab at data (len bytes).
 * text_addr is the address of .text, used only by layouts whose header does
 * not record the text start (1.16).  Returns the number of functions added
 * or a negative errno (-EINVAL for an unknown layout).
 */
int sym_gopclntab__load(const uint8_t *data, size_t len, uint64_t text_addr,
			struct sym_table *t);

#endif /* PEERSCOPE_SYM_GOPCLNTAB_H */
