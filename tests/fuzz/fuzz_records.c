// SPDX-License-Identifier: MIT
/*
 * The record codec: each input line is one pprof comment
 * ("peerscope:<kind> k=v ..."), decoded into a profile as a recording's
 * comments are; then every record is read back by kind and encoded again.
 */
#include "fuzz.h"
#include "core/profile.h"
#include "core/records.h"

#define ANY_MEMBER(kind) struct rec_##kind kind;
union any_record { REC_KINDS(ANY_MEMBER) };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct records_reader rd = RECORDS_READER_INIT;
	char *text = fuzz_strdup(data, size), *line, *save = NULL;
	struct profile *p = profile__new();
	union any_record rec;

	if (!text || !p)
		goto out;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (records__decode(p, &rd, line) < 0)
			break;
	for (int k = 0; k < REC_NR_KINDS; k++) {
		uint32_t pos = 0;

		while (records__next(p, k, &pos, &rec))
			;
	}
	for (uint32_t i = 0; i < p->nr_records; i++)
		free(records__encode(p, &p->records[i]));
out:
	profile__free(p);
	free(text);
	return 0;
}
