/* SPDX-License-Identifier: MIT */
/*
 * The pprof wire format through protobuf-c's generated code (the
 * benchmark's contender): plain (uncompressed) protobuf to and from the
 * profile model, byte for byte what userspace/format/pprof.c writes and
 * with the same checks on reading.
 * 0 or a negative errno (-EBADMSG: malformed input).
 */
#ifndef PEERSCOPE_PPROF_PBC_H
#define PEERSCOPE_PPROF_PBC_H

#include <stddef.h>

struct profile;

int pprof_pbc__encode(const struct profile *p, void **buf, size_t *len);
/* Into p, which should be fresh from profile__new(). */
int pprof_pbc__decode_plain(struct profile *p, const void *buf, size_t len);

#endif /* PEERSCOPE_PPROF_PBC_H */
