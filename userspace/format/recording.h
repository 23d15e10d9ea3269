/* SPDX-License-Identifier: MIT */
/*
 * Loading a recording, whatever its format: the file is read once
 * (bounded), its format told apart by content (pprof, gzip or plain, or
 * FlameGraph folded stacks) and decoded into a new profile.  report, flame
 * and diff all load through here; they also share the choice of the sample
 * column to show.
 *
 * All functions return 0 (or an index) or a negative errno.
 */
#ifndef PEERSCOPE_RECORDING_H
#define PEERSCOPE_RECORDING_H

#include <stdbool.h>
#include <stddef.h>

struct profile;

/*
 * Largest file (and largest inflated pprof) a reader accepts: a recording
 * is hostile input, and a length field or a gzip bomb must not make us
 * allocate without bound.
 */
#define RECORDING_MAX_BYTES (4ull << 30)

/*
 * Reads all of fd / path ("-" = stdin) into a malloc()ed buffer with one
 * spare byte past *len (callers may NUL-terminate).  -EFBIG past
 * RECORDING_MAX_BYTES.
 */
int recording__slurp_fd(int fd, char **buf, size_t *len);
int recording__slurp(const char *path, char **buf, size_t *len);

/*
 * Reads a recording into a new profile: pprof (gzip or plain) or
 * FlameGraph folded stacks, told apart by content; path "-" is stdin.
 * Returns 0 or a negative errno (-EBADMSG: neither format, or corrupt);
 * *what gets a short description of the format found ("pprof", "folded").
 */
int recording__load(const char *path, struct profile **out, const char **what);

/*
 * The sample column to show: name (e.g. "cpu") if given, else the
 * profile's default type, else "samples", else "cpu", else column 0.
 * Returns the index, or -ENOENT (unknown name) / -ENODATA (no columns).
 */
int recording__pick_type(const struct profile *p, const char *name);
/* A recording of counters alone (-c hwc): counter records, no sample column. */
bool recording__counters_only(const struct profile *p);
/* "cpu, samples, offcpu": the column names, for messages. */
const char *recording__type_list(const struct profile *p, char *buf, size_t len);

#endif /* PEERSCOPE_RECORDING_H */
