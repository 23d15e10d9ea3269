// SPDX-License-Identifier: MIT
/*
 * The per-boot kallsyms cache reader.  The input is the whole file, put in
 * a private directory as the trusted cache; the key asked for is the one the
 * file names (when it names one), so that inputs get past the key check.
 */
#include <stdio.h>

#include "fuzz.h"
#include "core/sym-kallsyms.h"

#define KEY_OFF	16	/* after the magic */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64], path[96];
	char key[KALLSYMS_KEY_LEN] = "none";
	struct sym_kallsyms k;
	const char *mod;

	if (!dir[0]) {
		strcpy(dir, "/tmp/peerscope-fuzz-kc.XXXXXX");
		if (!mkdtemp(dir))
			return 0;
		snprintf(path, sizeof(path), "%s/kallsyms", dir);
	}
	if (size >= KEY_OFF + sizeof(key) && memchr(data + KEY_OFF, '\0', sizeof(key)))
		memcpy(key, data + KEY_OFF, sizeof(key));
	if (!fuzz_write_at(path, data, size))
		return 0;
	if (!sym_kallsyms__load_cache(&k, dir, key)) {
		sym_kallsyms__lookup(&k, k.lo, &mod);
		sym_kallsyms__lookup(&k, k.hi, &mod);
		if (k.syms.nr)
			sym_kallsyms__lookup(&k, k.syms.syms[k.syms.nr / 2].start, &mod);
		sym_kallsyms__free(&k);
	}
	return 0;
}
