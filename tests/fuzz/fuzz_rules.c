// SPDX-License-Identifier: MIT
/* The rules-file parser, and writing the parsed rules back out. */
#include <stdio.h>

#include "fuzz.h"
#include "core/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size), err[256];
	struct path_rules *r;
	FILE *null;

	if (!text)
		return 0;
	r = path_rules__parse(text, "fuzz", err, sizeof(err));
	if (r) {
		null = fopen("/dev/null", "w");
		if (null) {
			path_rules__write(r, null);
			fclose(null);
		}
		path_rules__match_port(r, "udp", 4000);
		path_rules__free(r);
	}
	free(text);
	return 0;
}
