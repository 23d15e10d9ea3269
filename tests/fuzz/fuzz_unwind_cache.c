// SPDX-License-Identifier: MIT
/*
 * The unwind-table cache reader (unwind-cache.c).  The input is the whole
 * cache file, put in a private directory as the trusted cache under the
 * name a long-installed file (libc) has, so that every input is read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "core/run-cache.h"
#include "core/unwind-cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64], path[384];
	static int fd = -1;
	struct unw_table t;
	char name[256];

	if (fd < 0) {
		strcpy(dir, "/tmp/peerscope-fuzz-uc.XXXXXX");
		fd = open("/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY | O_CLOEXEC);
		if (!mkdtemp(dir) || fd < 0 || setenv("PEERSCOPE_CACHE_DIR", dir, 1) ||
		    run_cache__file_name(fd, "unwind-1-", name, sizeof(name)))
			abort();	/* the harness cannot work here: say so at once */
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	}
	if (!fuzz_write_at(path, data, size))
		return 0;
	unw_table__init(&t);
	if (!unw_cache__load(fd, &t)) {
		if (t.nr) {
			unw_table__find(&t, t.rows[0].pc);
			unw_table__find(&t, t.rows[t.nr - 1].pc + 1);
			unw_table__find(&t, t.rows[t.nr / 2].pc);
		}
		unw_table__free(&t);
	}
	return 0;
}
