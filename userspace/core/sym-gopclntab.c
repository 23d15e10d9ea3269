// SPDX-License-Identifier: MIT
/*
 * Go .gopclntab function tables; see sym-gopclntab.h.
 *
 * Layout (runtime/symtab.go, pcHeader), little-endian, p = pointer size:
 *   0 magic u32 · 4 two zero bytes · 6 pc quantum u8 · 7 p u8 · 8 nfunc ·
 *   8+p nfiles · then, from Go 1.18 (magics 0xfffffff0, 0xfffffff1):
 *   textStart, funcnameOffset, cuOffset, filetabOffset, pctabOffset,
 *   pclnOffset; in Go 1.16/1.17 (0xfffffffa) the same without textStart.
 * At pclnOffset the functab: 1.18+ pairs of u32 (entry offset from
 * textStart, _func offset), 1.16 pairs of uintptr (absolute entry, _func
 * offset), then one more entry: the end of the last function.  A _func
 * begins with its entry (u32 offset or uintptr) and then nameOff (i32 into
 * the funcname table).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/sym-gopclntab.h"
#include "core/input-limits.h"

#define GO_MAGIC_116 0xfffffffau
#define GO_MAGIC_118 0xfffffff0u
#define GO_MAGIC_120 0xfffffff1u

static uint64_t rd(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);  /* little-endian hosts only, as the profiler */
	return v;
}

int sym_gopclntab__load(const uint8_t *data, size_t len, uint64_t text_addr,
			struct sym_table *t)
{
	uint64_t nfunc, text_start, funcname_off, functab_off, i;
	unsigned int ptr, entsz, hdr_words;
	bool go118;
	uint32_t magic;
	int added = 0, err;

	if (len < 16)
		return -EINVAL;
	if (len > LIMIT_PCLNTAB_BYTES)
		return limit__exceeded("bytes of .gopclntab", len, LIMIT_PCLNTAB_BYTES);
	magic = (uint32_t)rd(data, 4);
	if (magic != GO_MAGIC_116 && magic != GO_MAGIC_118 && magic != GO_MAGIC_120)
		return -EINVAL;
	ptr = data[7];
	if (data[4] || data[5] || (ptr != 4 && ptr != 8))
		return -EINVAL;
	go118 = magic != GO_MAGIC_116;
	hdr_words = go118 ? 8 : 7;
	if (len < 8 + (size_t)hdr_words * ptr)
		return -EINVAL;
	nfunc = rd(data + 8, ptr);
	if (go118) {
		/*
		 * The header records where the functab's offsets start from,
		 * which need not be .text's address.  A PIE leaves it 0 in the
		 * file (a dynamic relocation fills it): then .text it is.
		 */
		text_start = rd(data + 8 + 2 * ptr, ptr);
		if (!text_start)
			text_start = text_addr;
		funcname_off = rd(data + 8 + 3 * ptr, ptr);
		functab_off = rd(data + 8 + 7 * ptr, ptr);
		entsz = 4;
	} else {
		text_start = 0;
		funcname_off = rd(data + 8 + 2 * ptr, ptr);
		functab_off = rd(data + 8 + 6 * ptr, ptr);
		entsz = ptr;
	}
	if (functab_off > len || funcname_off > len || nfunc > (len - functab_off) / (2 * entsz))
		return -EINVAL;
	/* nfunc pairs and one final entry */
	if (functab_off + (nfunc * 2 + 1) * entsz > len)
		return -EINVAL;

	for (i = 0; i < nfunc; i++) {
		const uint8_t *ent = data + functab_off + i * 2 * entsz;
		uint64_t start = rd(ent, entsz), end = rd(ent + 2 * entsz, entsz);
		uint64_t fo = rd(ent + entsz, entsz);
		const char *name;
		int32_t name_off;
		size_t nlen;

		/* functab_off + fo + entsz + 4 <= len, without wrapping around */
		if (fo > len - functab_off || len - functab_off - fo < entsz + 4)
			continue;
		fo += functab_off;
		memcpy(&name_off, data + fo + entsz, 4);
		if (name_off < 0 || funcname_off + (uint64_t)name_off >= len)
			continue;
		name = (const char *)data + funcname_off + name_off;
		nlen = strnlen(name, len - funcname_off - name_off);
		if (!nlen || end <= start)
			continue;
		err = sym_table__add(t, text_start + start, end - start, 0, name, nlen,
				     SYM_BIND_GLOBAL, 0);
		if (err)
			return err;
		added++;
	}
	return added;
}
