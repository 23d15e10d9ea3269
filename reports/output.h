/* SPDX-License-Identifier: MIT */
/*
 * Small output helpers shared by the reports: JSON and XML string escaping,
 * and human-readable numbers ("12.3 ms", "4.5 %", "1.2 MiB", "12,345").
 *
 * The formatters write into a caller's buffer and return it, so that several
 * can be used in one printf without static storage.  OUTPUT_NUM_LEN is always
 * enough.
 */
#ifndef PEERSCOPE_OUTPUT_H
#define PEERSCOPE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OUTPUT_NUM_LEN 32

/* s as a JSON string, quotes included; invalid UTF-8 bytes become U+FFFD. */
void output__json_str(FILE *f, const char *s);
/*
 * A double as a JSON number: finite values with up to 6 significant
 * decimals after rounding, NaN/inf as null (JSON has neither).
 */
void output__json_num(FILE *f, double v);
/*
 * The JSON writer every renderer uses: it places commas, separators and
 * line breaks, so a renderer only says what comes next.  Two styles, as the
 * documents have always been printed: JSON_SPACED (", " and ": ", the
 * report and its sections) and JSON_COMPACT ("," and ":", the machine-
 * oriented parts).  json__break() starts the next item on a new line.
 *
 *	struct json_writer w;
 *
 *	json__init(&w, f, JSON_SPACED);
 *	json__begin(&w, '{');
 *	json__key(&w, "name"); json__str(&w, "dht");
 *	json__break(&w, 2);
 *	json__key(&w, "count"); json__int(&w, 3);
 *	json__end(&w, '}');		-> {"name": "dht",\n  "count": 3}
 *
 * A writer started after a key someone else printed writes one value there.
 */
enum json_style { JSON_SPACED = 0, JSON_COMPACT };

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *f;
	enum json_style style;
	int depth;
	bool more[JSON_MAX_DEPTH];	/* an item was written at this depth */
	bool after_key;
	int brk;			/* pending line break: indent + 1, 0 = none */
};

void json__init(struct json_writer *w, FILE *f, enum json_style style);
/* The next item (or the closing bracket) starts on a new line, indented. */
void json__break(struct json_writer *w, int indent);
/* brace '{' or '[' */
void json__begin(struct json_writer *w, char brace);
/* brace '}' or ']' */
void json__end(struct json_writer *w, char brace);
void json__key(struct json_writer *w, const char *key);
/* A key whose value something else prints (a report section's own writer). */
void json__key_external(struct json_writer *w, const char *key);
void json__str(struct json_writer *w, const char *s);
/* s, or null when there is none (json__str prints a NULL as "") */
void json__str_or_null(struct json_writer *w, const char *s);
void json__int(struct json_writer *w, int64_t v);
void json__uint(struct json_writer *w, uint64_t v);
/* output__json_num's rules: integers plain, else 6 significant digits, null if not finite */
void json__num(struct json_writer *w, double v);
/* a fixed number of decimals ("%.4f") */
void json__fixed(struct json_writer *w, double v, int decimals);
void json__bool(struct json_writer *w, bool v);
void json__null(struct json_writer *w);
/* a value already in JSON (a number kept as text, a literal) */
void json__raw(struct json_writer *w, const char *json);

/*
 * A struct's JSON schema declared once as data: one row per member, in the
 * order the keys are printed, written by json__fields().  JSON_FIELD picks
 * the kind from the member's type, so a row cannot disagree with the struct.
 *
 *	static const struct json_field conn_fields[] = {
 *		JSON_FIELD(struct conn_row, peer, "peer"),
 *		JSON_FIELD(struct conn_row, tx, "tx_bytes"),
 *	};
 *	json__fields(w, conn_fields, JSON_NR_FIELDS(conn_fields), c);
 */
enum json_field_kind {
	JSON_F_INT, JSON_F_I64, JSON_F_U32, JSON_F_U64, JSON_F_DOUBLE, JSON_F_BOOL,
	JSON_F_STR,		/* const char *, NULL printed as "" like json__str */
	JSON_F_CHARS,		/* a char array member */
	JSON_F_FIXED,		/* a double with a fixed number of decimals */
};

struct json_field {
	const char *key;
	enum json_field_kind kind;
	size_t off;
	int decimals;		/* JSON_F_FIXED only */
};

#define JSON_MEMBER_(type, m) (((type *)0)->m)
#define JSON_FIELD_KIND_(type, m)						\
	(__builtin_types_compatible_p(__typeof__(JSON_MEMBER_(type, m)),		\
				      char[sizeof(JSON_MEMBER_(type, m))]) ?	\
	 JSON_F_CHARS :								\
	 _Generic(JSON_MEMBER_(type, m),					\
		  int: JSON_F_INT, long: JSON_F_I64, long long: JSON_F_I64,	\
		  unsigned int: JSON_F_U32, unsigned long: JSON_F_U64,		\
		  unsigned long long: JSON_F_U64, double: JSON_F_DOUBLE,	\
		  bool: JSON_F_BOOL, char *: JSON_F_STR, const char *: JSON_F_STR))
#define JSON_FIELD(type, m, key) { key, JSON_FIELD_KIND_(type, m), offsetof(type, m), 0 }
/* a double member printed as json__fixed(decimals) */
#define JSON_FIXED(type, m, key, decimals)						\
	{ key, _Generic(JSON_MEMBER_(type, m), double: JSON_F_FIXED), offsetof(type, m), decimals }
#define JSON_NR_FIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* Writes key and value for each of the n fields of the struct at obj. */
void json__fields(struct json_writer *w, const struct json_field *fields, size_t n,
		  const void *obj);
/* key: an array of nr objects, rows[i] (stride bytes apart) each written by json__fields */
void json__rows(struct json_writer *w, const char *key, const struct json_field *fields,
		size_t n, const void *rows, int nr, size_t stride);
/* json__rows of a typed array, the table's fields from the skip-th on */
#define JSON_ROWS(w, key, fields, skip, rows, nr)					\
	json__rows(w, key, (fields) + (skip), JSON_NR_FIELDS(fields) - (skip), rows, nr,	\
		   sizeof(*(rows)))

/* s with & < > " ' replaced by entities, and control bytes by spaces. */
void output__xml_str(FILE *f, const char *s);
/* The same into buf (cut at len - 1); returns buf. */
const char *output__xml_escape(const char *s, char *buf, size_t len);

/* Nanoseconds: "850 ns", "12.3 us", "4.56 ms", "1.23 s", "2 min 5 s". */
const char *output__fmt_ns(double ns, char *buf, size_t len);
/* Bytes in binary units: "512 B", "1.5 KiB", "12.3 MiB", "1.02 GiB". */
const char *output__fmt_bytes(double bytes, char *buf, size_t len);
/* An integer with thousands separators: "1,234,567". */
const char *output__fmt_count(int64_t v, char *buf, size_t len);
/* A share 0..1 as "45.6 %" (">99.9 %"-free: plain one decimal). */
const char *output__fmt_pct(double share, char *buf, size_t len);
/*
 * A sample value in its pprof unit: nanoseconds as time, bytes as bytes,
 * anything else as a count (with " unit" appended unless it is "count").
 */
const char *output__fmt_value(int64_t v, const char *unit, char *buf, size_t len);

#endif /* PEERSCOPE_OUTPUT_H */
