// SPDX-License-Identifier: MIT
/* Output helpers; see output.h. */
#include "reports/output.h"
#include "core/units.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void output__json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	while (*p) {
		size_t n;

		switch (*p) {
		case '"':  fputs("\\\"", f); p++; continue;
		case '\\': fputs("\\\\", f); p++; continue;
		case '\n': fputs("\\n", f); p++; continue;
		case '\r': fputs("\\r", f); p++; continue;
		case '\t': fputs("\\t", f); p++; continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
			p++;
			continue;
		}
		n = utf8_len(p);
		if (!n) {
			/* A JSON parser would reject the byte: say it was there. */
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

void output__json_num(FILE *f, double v)
{
	if (!isfinite(v)) {
		fputs("null", f);
		return;
	}
	if (v == floor(v) && fabs(v) < 9e15)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.6g", v);
}

static const char *xml_entity(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&apos;";
	}
	/* XML 1.0 forbids most control characters even as references. */
	if (c < 0x20 || c == 0x7f)
		return " ";
	return NULL;
}

void output__xml_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : ""), *run = p;

	for (; *p; p++) {
		const char *e = xml_entity(*p);

		if (!e)
			continue;
		if (p > run)
			fwrite(run, 1, p - run, f);
		fputs(e, f);
		run = p + 1;
	}
	if (p > run)
		fwrite(run, 1, p - run, f);
}

const char *output__xml_escape(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return buf;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		const char *e = xml_entity(*p);
		size_t n = e ? strlen(e) : 1;

		if (o + n >= len)
			break;
		if (e)
			memcpy(buf + o, e, n);
		else
			buf[o] = *p;
		o += n;
	}
	buf[o] = '\0';
	return buf;
}

const char *output__fmt_ns(double ns, char *buf, size_t len)
{
	return units__ns(ns, UNITS_NS_MINUTES, buf, len);
}

const char *output__fmt_bytes(double bytes, char *buf, size_t len)
{
	return units__bytes(bytes, UNITS_BYTES_IEC, buf, len);
}

const char *output__fmt_count(int64_t v, char *buf, size_t len)
{
	char tmp[32];
	size_t n, o = 0, lead;
	const char *d = tmp;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	n = snprintf(tmp, sizeof(tmp), "%" PRIu64, u);
	if (!len)
		return buf;
	if (v < 0 && o + 1 < len)
		buf[o++] = '-';
	lead = n % 3 ? n % 3 : 3;
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (i >= lead && (i - lead) % 3 == 0) {
			buf[o++] = ',';
			if (o + 1 >= len)
				break;
		}
		buf[o++] = d[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *output__fmt_pct(double share, char *buf, size_t len)
{
	if (!isfinite(share))
		snprintf(buf, len, "- %%");
	else
		snprintf(buf, len, "%.1f %%", share * 100.0);
	return buf;
}

const char *output__fmt_value(int64_t v, const char *unit, char *buf, size_t len)
{
	if (unit && !strcmp(unit, "nanoseconds"))
		return output__fmt_ns((double)v, buf, len);
	if (unit && !strcmp(unit, "bytes"))
		return output__fmt_bytes((double)v, buf, len);
	output__fmt_count(v, buf, len);
	if (unit && *unit && strcmp(unit, "count")) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, " %s", unit);
	}
	return buf;
}
