// SPDX-License-Identifier: MIT
/* The /proc/PID/maps parser, then a merge of the result into a copy of itself. */
#include <stdio.h>

#include "fuzz.h"
#include "core/sym-maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_maps a = { 0 }, b = { 0 };
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (!sym_maps__parse(f, &a) && a.nr) {
		sym_maps__find(&a, a.maps[a.nr / 2].start);
		rewind(f);
		if (!sym_maps__parse(f, &b))
			sym_maps__merge(&a, &b);
	}
	fclose(f);
	sym_maps__free(&a);
	sym_maps__free(&b);
	return 0;
}
