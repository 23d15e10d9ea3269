/* SPDX-License-Identifier: MIT */
/*
 * pprof I/O: the profile model to and from profile.proto (gzip-compressed
 * or plain), with a hand-written protobuf encoder/decoder.  The layout of a
 * peerscope recording inside pprof is in docs/format.md.
 *
 * All functions return 0 or a negative errno.  Malformed input (truncated,
 * corrupt, inconsistent ids) gives -EBADMSG and leaves the profile as it was.
 */
#ifndef PEERSCOPE_PPROF_H
#define PEERSCOPE_PPROF_H

#include <stddef.h>

struct profile;

/*
 * Write p as gzip-compressed pprof to path ("-" = stdout).  A file is
 * written to a temporary name in the same directory and renamed into place,
 * so a failure never leaves a partial file behind.
 */
int pprof__write(const struct profile *p, const char *path);
/* Same to an open fd (not closed). */
int pprof__write_fd(const struct profile *p, int fd);
/*
 * Encode p as plain (uncompressed) protobuf into a malloc()ed buffer; the
 * caller frees *buf.
 */
int pprof__encode(const struct profile *p, void **buf, size_t *len);
/* The same gzip-compressed. */
int pprof__encode_gz(const struct profile *p, void **buf, size_t *len);

/*
 * Read a pprof file (gzip or plain, detected by magic; "-" = stdin) into p.
 * p is normally fresh from profile__new(); if it already holds data the
 * file is merged into it (profile__merge).  Errors: -ENOENT etc. from
 * open/read, -EBADMSG for malformed content, -EFBIG past 4 GiB inflated.
 */
int pprof__read(struct profile *p, const char *path);
int pprof__read_fd(struct profile *p, int fd);
/* Decode a buffer (gzip or plain). */
int pprof__decode(struct profile *p, const void *buf, size_t len);

#endif /* PEERSCOPE_PPROF_H */
