// SPDX-License-Identifier: MIT
/* The ELF symbol reader on a whole image: symbols, build id, debuglink, .gopclntab. */
#include "fuzz.h"
#include "core/sym-elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_elf e;
	void *image = malloc(size ? size : 1);
	uint64_t vaddr;

	if (!image)
		return 0;
	memcpy(image, data, size);
	sym_elf__init(&e);
	if (!sym_elf__load_mem(&e, image, size)) {
		sym_elf__finish(&e);
		sym_elf__offset_to_vaddr(&e, 0x1000, &vaddr);
	}
	sym_elf__free(&e);
	free(image);
	return 0;
}
