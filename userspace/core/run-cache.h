/* SPDX-License-Identifier: MIT */
/*
 * Files kept for the life of one boot (/run/peerscope by default): answers
 * that cost a record tens of milliseconds and cannot change until a reboot,
 * such as the kernel feature probes and the kernel's symbol table.  A file
 * there is trusted only when it and its directory belong to the effective
 * user and nobody else can write them; the readers still check every byte,
 * since the directory can be shared or the file cut short by a crash.
 */
#ifndef PEERSCOPE_RUN_CACHE_H
#define PEERSCOPE_RUN_CACHE_H

#include <stddef.h>
#include <sys/uio.h>

/* $PEERSCOPE_CACHE_DIR, else /run/peerscope; NULL when caching is off (set to ""). */
const char *run_cache__dir(void);
/* This boot's id (/proc/sys/kernel/random/boot_id, no newline); 0 or a negative errno. */
int run_cache__boot_id(char *buf, size_t len);
/*
 * Opens DIR/NAME for reading when both are ours and writable by nobody
 * else, and the file is a regular one of at most max bytes (its size in
 * *size).  An fd, or -ENOENT (no file, or the directory is not ours),
 * -EPERM (the file is not ours), -EFBIG (too large).
 */
int run_cache__open(const char *dir, const char *name, size_t max, size_t *size);
/*
 * A name in the cache for what fd holds, for answers derived from a file's contents
 * (the rules guess's scan, unwind tables): its device, inode, size, and
 * modification and change times in ns.  A file rewritten or replaced gets
 * a new change time, which no user can set, so a new name -- but the
 * kernel stamps times at a clock tick's granularity, so two writes within
 * one tick can leave the same times.  -EAGAIN for a file changed within
 * the last RUN_CACHE_SETTLE_S seconds: cache nothing of it, since a later
 * write could still carry the same times; once settled, any write gets
 * later times.  The name is prefix followed by that key.  0, -ENOENT
 * (caching is off), -EAGAIN, or a negative errno (not a regular file).
 */
#define RUN_CACHE_SETTLE_S	2
int run_cache__file_name(int fd, const char *prefix, char *buf, size_t len);
/* Reads all of an fd opened by run_cache__open(); 0 or -EIO on a short read. */
int run_cache__read_all(int fd, void *buf, size_t len);
/*
 * Writes DIR/NAME from the parts, atomically (a temporary file renamed into
 * place), creating DIR (mode 0700) if needed.  0 or a negative errno; on an
 * error nothing is left behind.
 */
int run_cache__write(const char *dir, const char *name, const struct iovec *iov, int n);

#endif /* PEERSCOPE_RUN_CACHE_H */
