// SPDX-License-Identifier: MIT
/* The demangling wrapper (C++ and Rust names, through libiberty). */
#include "fuzz.h"
#include "core/sym-demangle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw = fuzz_strdup(data, size > 4096 ? 4096 : size);

	if (raw)
		free(sym_demangle(raw));
	free(raw);
	return 0;
}
