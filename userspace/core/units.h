/* SPDX-License-Identifier: MIT */
/*
 * Human-readable durations and byte counts, the one formatter every layer
 * uses (the analyses put numbers in verdict sentences, the renderers in
 * tables).  Two sections have long printed these differently and users
 * compare their output across versions, so each style is an explicit mode
 * rather than a second function.
 *
 * The formatters write into the caller's buffer and return it, so several
 * can be used in one printf; UNITS_LEN is always enough.
 */
#ifndef PEERSCOPE_UNITS_H
#define PEERSCOPE_UNITS_H

#include <stddef.h>

#define UNITS_LEN 32

enum units_ns_style {
	/* "850 ns", "12.3 us", "4.56 ms", "1.23 s", then "2 min 5 s" from 120 s on */
	UNITS_NS_MINUTES = 0,
	/* the same without minutes ("340 s"): the paths section and its verdicts */
	UNITS_NS_SECONDS,
};

enum units_bytes_style {
	/* binary, 3 significant digits: "512 B", "1.5 KiB", "12.3 MiB" */
	UNITS_BYTES_IEC = 0,
	/* decimal, one decimal: "512 B", "1.5 kB", "12.3 MB", "1.0 GB" (paths section) */
	UNITS_BYTES_SI,
};

const char *units__ns(double ns, enum units_ns_style style, char *buf, size_t len);
const char *units__bytes(double bytes, enum units_bytes_style style, char *buf, size_t len);

/*
 * name in at most max characters: a longer one keeps its head and tail
 * around "..." (a C++ or JIT name differs at both ends: the namespace and
 * the function, or the script and its line).  Written to buf (len > max).
 */
const char *units__shorten(const char *name, size_t max, char *buf, size_t len);

#endif /* PEERSCOPE_UNITS_H */
