// SPDX-License-Identifier: MIT
/*
 * record's numeric option values (opt-values.h).  What the user typed is
 * the input: every check happens before a conversion, so no string can
 * make a cast overflow.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/opt-values.h"

int opt__double(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	/* "nan" and "inf" are numbers to strtod, not values of an option */
	if (errno || end == s || *end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

int opt__freq(const char *s, int *out)
{
	double d;

	if (opt__double(s, &d) || d < 1 || d > 100000 || d != (int)d)
		return -EINVAL;
	*out = d;
	return 0;
}

int opt__seconds(const char *s, double *out)
{
	double d;

	if (opt__double(s, &d) || d <= 0)
		return -EINVAL;
	*out = d;
	return 0;
}

int opt__count(const char *s, unsigned *out)
{
	double d;

	if (opt__double(s, &d) || d < 1 || d > UINT_MAX || d != (unsigned)d)
		return -EINVAL;
	*out = d;
	return 0;
}

int opt__fraction(const char *s, double *out)
{
	double d;

	if (opt__double(s, &d) || d <= 0 || d > 1)
		return -EINVAL;
	*out = d;
	return 0;
}

int opt__time_ns(const char *s, uint64_t *out)
{
	static const struct { const char *sfx; double mul; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1e3 },
	};
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].sfx)) {
			/* 2^64 ns is 584 years: beyond it the cast is undefined */
			if (v * units[i].mul >= 18446744073709551616.0)
				return -EINVAL;
			*out = (uint64_t)(v * units[i].mul);
			return 0;
		}
	}
	return -EINVAL;
}

bool opt__list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; s && *s;) {
		size_t len = strcspn(s, ",");

		if (len == n && !strncmp(s, name, n))
			return true;
		s += len;
		if (*s == ',')
			s++;
	}
	return false;
}
