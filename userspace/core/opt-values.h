/* SPDX-License-Identifier: MIT */
/*
 * Values of record's numeric options, parsed and range-checked: each
 * returns 0 and sets *out, or -EINVAL and leaves *out alone.  In core so
 * that a unit test and a libFuzzer harness (tests/fuzz/fuzz_record_opts.c)
 * reach them without the collectors.
 */
#ifndef PEERSCOPE_OPT_VALUES_H
#define PEERSCOPE_OPT_VALUES_H

#include <stdbool.h>
#include <stdint.h>

/* A whole string that is one finite number (strtod syntax; not nan or inf). */
int opt__double(const char *s, double *out);
/* -F: an integer number of Hz in [1, 100000]. */
int opt__freq(const char *s, int *out);
/* -d: seconds > 0. */
int opt__seconds(const char *s, double *out);
/* --alloc-sample: an integer >= 1. */
int opt__count(const char *s, unsigned *out);
/* --alloc-duty: a fraction in (0, 1]. */
int opt__fraction(const char *s, double *out);
/* --min-block: "10ms", "500us", "2s", "100ns"; a bare number is microseconds. */
int opt__time_ns(const char *s, uint64_t *out);
/* Whether the comma-separated list (-c cpu,offcpu) has name as an item. */
bool opt__list_has(const char *list, const char *name);

#endif /* PEERSCOPE_OPT_VALUES_H */
