// SPDX-License-Identifier: MIT
/* The .gopclntab reader: 8 bytes of .text address, then the section. */
#include "fuzz.h"
#include "core/sym-gopclntab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t text = fuzz_take(&data, &size, 8);
	uint8_t *sec = malloc(size ? size : 1);
	struct sym_table t;

	if (!sec)
		return 0;
	memcpy(sec, data, size);
	sym_table__init(&t);
	if (!sym_gopclntab__load(sec, size, text, &t))
		sym_table__finish(&t);
	sym_table__free(&t);
	free(sec);
	return 0;
}
