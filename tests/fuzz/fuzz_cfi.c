// SPDX-License-Identifier: MIT
/*
 * The CFI interpreter on one raw section: byte 0 bit 0 chooses .debug_frame
 * over .eh_frame, the next 8 bytes are the section's address, the rest its
 * content (the seeds are real sections cut out of this machine's libraries).
 */
#include "fuzz.h"
#include "core/unwind-table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool debug_frame = fuzz_take(&data, &size, 1) & 1;
	uint64_t sh_addr = fuzz_take(&data, &size, 8);
	char buf[64];
	struct unw_table t;
	uint8_t *sec = malloc(size ? size : 1);

	if (!sec)
		return 0;
	memcpy(sec, data, size);
	unw_table__init(&t);
	if (!unw_table__parse(&t, sec, size, sh_addr, debug_frame)) {
		unw_table__finish(&t);
		for (size_t i = 0; i < t.nr; i += 1 + t.nr / 16) {
			unw_table__find(&t, t.rows[i].pc);
			unw_row__cfa_str(&t.rows[i], buf, sizeof(buf));
		}
	}
	unw_table__free(&t);
	free(sec);
	return 0;
}
