// SPDX-License-Identifier: MIT
/*
 * The pprof reader: byte 0 bit 0 set, the rest gzip-compressed here first
 * (the decoder's gzip path on valid streams); else the raw bytes, which
 * reach the inflater too when they start 1f 8b.
 */
#include <zlib.h>

#include "fuzz.h"
#include "core/profile.h"
#include "format/pprof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned mode = fuzz_take(&data, &size, 1);
	struct profile *p = profile__new();
	uint8_t *gz = NULL;

	if (!p)
		return 0;
	if (mode & 1) {
		z_stream zs = { 0 };
		size_t cap = compressBound(size) + 64;

		gz = malloc(cap);
		if (gz && deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
			zs.next_in = (uint8_t *)data;
			zs.avail_in = size;
			zs.next_out = gz;
			zs.avail_out = cap;
			if (deflate(&zs, Z_FINISH) == Z_STREAM_END)
				pprof__decode(p, gz, zs.total_out);
			deflateEnd(&zs);
		}
	} else {
		pprof__decode(p, data, size);
	}
	free(gz);
	profile__free(p);
	return 0;
}
