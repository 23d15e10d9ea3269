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
