// SPDX-License-Identifier: MIT
/* Durations and byte counts for people; see units.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"

/* v as "%.3g" prints it: 999.7 rounds to 1000, which belongs to the next unit. */
static double round3(double v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%.3g", v);
	return strtod(tmp, NULL);
}

const char *units__ns(double ns, enum units_ns_style style, char *buf, size_t len)
{
	/* the seconds style compares signed values: it only ever sees durations >= 0 */
	double a = style == UNITS_NS_MINUTES ? fabs(ns) : ns;

	if (style == UNITS_NS_MINUTES && a >= 120e9)
		snprintf(buf, len, "%.0f min %.0f s", trunc(ns / 60e9), fmod(fabs(ns), 60e9) / 1e9);
	else if (round3(a / 1e6) >= 1000)
		snprintf(buf, len, "%.3g s", ns / 1e9);
	else if (round3(a / 1e3) >= 1000)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else if (round(a) >= 1000)
		snprintf(buf, len, "%.3g us", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
	return buf;
}

static const char *bytes_si(double b, char *buf, size_t len)
{
	if (b >= 1e9)
		snprintf(buf, len, "%.1f GB", b / 1e9);
	else if (b >= 1e6)
		snprintf(buf, len, "%.1f MB", b / 1e6);
	else if (b >= 1e3)
		snprintf(buf, len, "%.1f kB", b / 1e3);
	else
		snprintf(buf, len, "%.0f B", b);
	return buf;
}

const char *units__bytes(double bytes, enum units_bytes_style style, char *buf, size_t len)
{
	static const char *const iec[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned int u = 0;
	double v = bytes;

	if (style == UNITS_BYTES_SI)
		return bytes_si(bytes, buf, len);
	while (fabs(v) >= 1024 && u < sizeof(iec) / sizeof(iec[0]) - 1) {
		v /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%.0f B", v);
	else if (fabs(v) >= 999.5) /* 1000..1023 of a unit: "%.3g" would print 1e+03 */
		snprintf(buf, len, "%.0f %s", v, iec[u]);
	else
		snprintf(buf, len, "%.3g %s", v, iec[u]);
	return buf;
}

const char *units__shorten(const char *name, size_t max, char *buf, size_t len)
{
	size_t n = strlen(name), head, tail;

	if (max >= len)
		max = len - 1;
	if (n <= max || max < 7) {
		snprintf(buf, len, "%.*s", (int)max, name);
		return buf;
	}
	tail = (max - 3) / 2;
	head = max - 3 - tail;
	snprintf(buf, len, "%.*s...%s", (int)head, name, name + n - tail);
	return buf;
}
