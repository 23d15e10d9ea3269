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

/* ---- the JSON writer ---- */

void json__init(struct json_writer *w, FILE *f, enum json_style style)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->style = style;
}

void json__break(struct json_writer *w, int indent)
{
	w->brk = indent + 1;
}

static void json_line_break(struct json_writer *w)
{
	fprintf(w->f, "\n%*s", w->brk - 1, "");
	w->brk = 0;
}

/* What goes before an item: nothing after a key, else a comma after an item, a break or a space. */
static void json_item(struct json_writer *w)
{
	bool more = w->more[w->depth];

	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (more)
		fputc(',', w->f);
	if (w->brk)
		json_line_break(w);
	else if (more && w->style == JSON_SPACED)
		fputc(' ', w->f);
	w->more[w->depth] = true;
}

void json__begin(struct json_writer *w, char brace)
{
	json_item(w);
	fputc(brace, w->f);
	if (w->depth < JSON_MAX_DEPTH - 1)
		w->more[++w->depth] = false;
}

void json__end(struct json_writer *w, char brace)
{
	if (w->brk)
		json_line_break(w);
	fputc(brace, w->f);
	if (w->depth > 0)
		w->depth--;
}

void json__key(struct json_writer *w, const char *key)
{
	json_item(w);
	output__json_str(w->f, key);
	fputs(w->style == JSON_SPACED ? ": " : ":", w->f);
	w->after_key = true;
}

void json__key_external(struct json_writer *w, const char *key)
{
	json__key(w, key);
	w->after_key = false;
}

void json__str(struct json_writer *w, const char *s)
{
	json_item(w);
	output__json_str(w->f, s);
}

void json__str_or_null(struct json_writer *w, const char *s)
{
	if (s)
		json__str(w, s);
	else
		json__null(w);
}

void json__int(struct json_writer *w, int64_t v)
{
	json_item(w);
	fprintf(w->f, "%" PRId64, v);
}

void json__uint(struct json_writer *w, uint64_t v)
{
	json_item(w);
	fprintf(w->f, "%" PRIu64, v);
}

void json__num(struct json_writer *w, double v)
{
	json_item(w);
	output__json_num(w->f, v);
}

void json__fixed(struct json_writer *w, double v, int decimals)
{
	json_item(w);
	if (isfinite(v))
		fprintf(w->f, "%.*f", decimals, v);
	else
		fputs("null", w->f);
}

void json__bool(struct json_writer *w, bool v)
{
	json__raw(w, v ? "true" : "false");
}

void json__null(struct json_writer *w)
{
	json__raw(w, "null");
}

void json__raw(struct json_writer *w, const char *json)
{
	json_item(w);
	fputs(json, w->f);
}

void json__fields(struct json_writer *w, const struct json_field *fields, size_t n,
		  const void *obj)
{
	for (size_t i = 0; i < n; i++) {
		const char *at = (const char *)obj + fields[i].off;

		json__key(w, fields[i].key);
		switch (fields[i].kind) {
		case JSON_F_INT: json__int(w, *(const int *)at); break;
		case JSON_F_I64: json__int(w, *(const int64_t *)at); break;
		case JSON_F_U32: json__uint(w, *(const uint32_t *)at); break;
		case JSON_F_U64: json__uint(w, *(const uint64_t *)at); break;
		case JSON_F_DOUBLE: json__num(w, *(const double *)at); break;
		case JSON_F_BOOL: json__bool(w, *(const bool *)at); break;
		case JSON_F_STR: json__str(w, *(const char *const *)at); break;
		case JSON_F_CHARS: json__str(w, at); break;
		case JSON_F_FIXED: json__fixed(w, *(const double *)at, fields[i].decimals); break;
		}
	}
}

void json__rows(struct json_writer *w, const char *key, const struct json_field *fields,
		size_t n, const void *rows, int nr, size_t stride)
{
	json__key(w, key);
	json__begin(w, '[');
	for (int i = 0; i < nr; i++) {
		json__begin(w, '{');
		json__fields(w, fields, n, (const char *)rows + i * stride);
		json__end(w, '}');
	}
	json__end(w, ']');
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
