// SPDX-License-Identifier: MIT
/*
 * record's own option parsers (core/opt-values.h, and -p's pid list in
 * core/target.h): byte 0 picks the option, the rest is its value as typed.
 * A value that parses must also be in the option's range.
 */
#include <math.h>
#include "fuzz.h"
#include "core/opt-values.h"
#include "core/target.h"

static void check(int ok)
{
	if (!ok)
		abort();	/* a value out of its range was accepted */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned which = fuzz_take(&data, &size, 1);
	char *s = fuzz_strdup(data, size);
	struct target t = {};
	const char *bad;
	unsigned n;
	uint64_t ns;
	double d;
	int hz;

	if (!s)
		return 0;
	switch (which % 7) {
	case 0:
		if (!opt__freq(s, &hz))
			check(hz >= 1 && hz <= 100000);
		break;
	case 1:
		if (!opt__seconds(s, &d))
			check(d > 0 && isfinite(d));
		break;
	case 2:
		if (!opt__count(s, &n))
			check(n >= 1);
		break;
	case 3:
		if (!opt__fraction(s, &d))
			check(d > 0 && d <= 1);
		break;
	case 4:
		opt__time_ns(s, &ns);
		break;
	case 5:
		opt__double(s, &d);
		break;
	default:
		if (!target__parse(&t, s, TARGET_MAX_PIDS, &bad))
			check(t.nr_pids >= 1 && t.nr_pids <= TARGET_MAX_PIDS);
		target__free(&t);
		break;
	}
	free(s);
	return 0;
}
