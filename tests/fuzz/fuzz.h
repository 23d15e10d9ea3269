/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what the libFuzzer harnesses share: a NUL-terminated copy of the
 * input (text parsers), a private file holding it (parsers that take a
 * path) or a file of a given name holding it (the run cache's readers), and
 * reading fixed-size fields off the front of the input.
 */
#ifndef PEERSCOPE_FUZZ_H
#define PEERSCOPE_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A malloc'd NUL-terminated copy of data (freed by the caller). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/*
 * data as the whole content of this process's own file (mode 0600, owned
 * by the caller: trusted by the perf-map check); its path, or NULL.
 */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		strcpy(path, "/tmp/peerscope-fuzz.XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			return NULL;
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		return NULL;
	return path;
}

/*
 * data as the whole content of path (a cache file the harness names, in a
 * directory of its own); false when it cannot be written.
 */
static inline bool fuzz_write_at(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return false;
	if (size)
		fwrite(data, 1, size, f);
	return !fclose(f);
}

/* Takes n bytes (little-endian) off the front; 0 when the input is shorter. */
static inline uint64_t fuzz_take(const uint8_t **data, size_t *size, size_t n)
{
	uint64_t v = 0;

	if (*size < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)(*data)[i] << (8 * i);
	*data += n;
	*size -= n;
	return v;
}

#endif /* PEERSCOPE_FUZZ_H */
