/* SPDX-License-Identifier: MIT */
/*
 * Unwind tables kept in the run cache (run-cache.h), one file per ELF file
 * whose tables are large: Node.js's 372k rows cost every record of it
 * 30-75 ms of parsing, the same answer each time until the file changes.
 * Named after the file's identity (run_cache__file_name), so a changed or
 * replaced file is parsed again; a cached file is checked whole before use
 * (sizes, counts, row order and kinds) and anything odd reads as a miss.
 * docs/unwinding.md.
 */
#ifndef PEERSCOPE_UNWIND_CACHE_H
#define PEERSCOPE_UNWIND_CACHE_H

#include "core/unwind-table.h"

/* Tables smaller than this are parsed each time: a few ms at most. */
#define UNW_CACHE_MIN_ROWS	8192
/* The cache's unwind files together stay under this; beyond it none is added. */
#define UNW_CACHE_MAX_BYTES	(256ull << 20)

/*
 * The cached tables of the file open at fd into t (initialised, empty).
 * 0, or -ENOENT when there are none to use (caching off, a file changed
 * moments ago, none kept, or a kept one that fails a check).
 */
int unw_cache__load(int fd, struct unw_table *t);
/*
 * Keeps t, the tables just parsed from the file open at fd, when large
 * enough and room is left.  0 or a negative errno (nothing kept).
 */
int unw_cache__store(int fd, const struct unw_table *t);

#endif /* PEERSCOPE_UNWIND_CACHE_H */
