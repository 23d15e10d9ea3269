// SPDX-License-Identifier: MIT
/* The kallsyms parser; the same bytes as /proc/modules give the modules' ends. */
#include "fuzz.h"
#include "core/sym-kallsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_kallsyms k = { 0 };
	const char *path = fuzz_file(data, size), *mod;

	if (!path)
		return 0;
	if (!sym_kallsyms__load(&k, path, path)) {
		sym_kallsyms__lookup(&k, k.lo, &mod);
		sym_kallsyms__lookup(&k, k.hi, &mod);
	}
	sym_kallsyms__free(&k);
	return 0;
}
