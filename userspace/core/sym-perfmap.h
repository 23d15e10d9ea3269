/* SPDX-License-Identifier: MIT */
/* JIT symbols from /tmp/perf-PID.map ("START SIZE name", hex without 0x). */
#ifndef PEERSCOPE_SYM_PERFMAP_H
#define PEERSCOPE_SYM_PERFMAP_H

#include <stdint.h>
#include <time.h>

#include "core/sym-table.h"

struct sym_perfmap {
	struct sym_table syms;
	uint64_t size;           /* file size and mtime when read, to re-read */
	struct timespec mtime;   /* only when the JIT has appended since */
	int loaded;
	/* tables replaced by a re-read, kept so that names handed out stay valid */
	struct sym_table *retired;
	size_t nr_retired;
};

/* Loads (or re-loads, if the file changed) path.  0 or a negative errno. */
int sym_perfmap__load(struct sym_perfmap *m, const char *path);
/* The same from a freshly opened file (left open). */
int sym_perfmap__load_fd(struct sym_perfmap *m, int fd);
void sym_perfmap__free(struct sym_perfmap *m);

#endif /* PEERSCOPE_SYM_PERFMAP_H */
