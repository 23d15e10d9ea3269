// SPDX-License-Identifier: MIT
/*
 * The folded-stack reader: inputs of odd length through the merging reader
 * (identical stacks merged first, as report loads collapser output), one
 * in two of those from a file descriptor, as report reads a large file.
 */
#include "fuzz.h"
#include "core/profile.h"
#include "format/folded.h"

#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile *p = profile__new();
	size_t bad = 0;

	if (!p)
		return 0;
	if (size % 4 == 3) {
		int fd = memfd_create("fuzz_folded", 0);

		if (fd >= 0) {
			if (write(fd, data, size) == (ssize_t)size && !lseek(fd, 0, SEEK_SET))
				folded__read_fd_merged(p, fd);
			close(fd);
		}
	} else if (size & 1)
		folded__read_buf_merged(p, (const char *)data, size);
	else
		folded__read_buf(p, (const char *)data, size, "samples", "count", &bad);
	profile__free(p);
	return 0;
}
