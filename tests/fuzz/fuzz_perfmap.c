// SPDX-License-Identifier: MIT
/* The perf-map parser (/tmp/perf-PID.map, written by the target's JIT). */
#include "fuzz.h"
#include "core/sym-perfmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_perfmap m = { 0 };
	const char *path = fuzz_file(data, size);

	if (!path)
		return 0;
	sym_perfmap__load(&m, path);
	sym_perfmap__free(&m);
	return 0;
}
