// SPDX-License-Identifier: MIT
/* The CFI -> unwind-row builder on a whole ELF image (.eh_frame, .eh_frame_hdr, .debug_frame). */
#include "fuzz.h"
#include "core/unwind-table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unw_table t;
	void *image = malloc(size ? size : 1);
	uint64_t bias;

	if (!image)
		return 0;
	memcpy(image, data, size);
	unw_table__init(&t);
	if (!unw_table__load_mem(&t, image, size)) {
		unw_table__find(&t, 0x1000);
		unw_table__bias(&t, 0x400000, 0, &bias);
	}
	unw_table__free(&t);
	free(image);
	return 0;
}
