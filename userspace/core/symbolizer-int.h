/* SPDX-License-Identifier: MIT */
/*
 * Inside the symbolizer (symbolizer.c: lifecycle, processes, perf maps,
 * resolving, the profile pass; sym-dso.c: the cache of parsed files;
 * sym-kernel.c: kernel frames).  Not for use outside those files.
 */
#ifndef PEERSCOPE_SYMBOLIZER_INT_H
#define PEERSCOPE_SYMBOLIZER_INT_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/sym-elf.h"
#include "core/sym-kallsyms.h"
#include "core/sym-maps.h"
#include "core/sym-perfmap.h"
#include "core/symbolizer.h"

struct hashmap;

#define KERNEL_MODULE "[kernel.kallsyms]"
#define DEFAULT_DEBUG_DIR "/usr/lib/debug"
#define DEFAULT_PERFMAP_DIR "/tmp"
#define DEFAULT_KALLSYMS "/proc/kallsyms"

struct sym_dso {
	struct sym_elf elf;
	int err;        /* < 0: the file could not be read; the mapping still shows */
	char *path;     /* path it was first read from, for messages */
};

struct sym_proc {
	uint32_t pid;
	uint32_t nspid;         /* pid inside its own namespace, for perf-NSPID.map */
	uid_t uid;              /* owner, to trust only its own perf map */
	bool uid_known;
	bool gone;              /* maps cannot be read anymore: keep the snapshot */
	uint64_t refresh_gen;   /* generation of the last maps refresh */
	uint64_t refresh_ns;    /* when a miss last re-read the maps (lone resolves) */
	uint64_t perfmap_gen;   /* generation of the last perf map (re)load */
	struct sym_maps maps;
	struct sym_perfmap perfmap;
};

struct symbolizer {
	bool no_kernel, no_demangle;
	char *debug_dir, *perfmap_dir, *kallsyms_path;

	struct sym_dso **dsos;
	uint32_t nr_dsos, cap_dsos;
	struct hashmap *dso_index;   /* key -> index + 1 */

	struct sym_proc **procs;
	uint32_t nr_procs, cap_procs;
	struct hashmap *proc_index;  /* pid -> index + 1 */

	char **strs;                 /* interned strings handed out in sym_frame */
	uint32_t nr_strs, cap_strs;
	struct hashmap *str_index;

	struct sym_kallsyms *kallsyms; /* &kallsyms_own, or the shared running table */
	struct sym_kallsyms kallsyms_own;
	int kallsyms_err;            /* 0 loaded, 1 not tried, < 0 failed */
	char kernel_build_id[SYM_BUILD_ID_HEX_MAX];

	/*
	 * Each symbolize pass (and each lone resolve) is a generation: a pid's
	 * maps or perf map are re-read at most once per generation, so garbage
	 * addresses in a big profile cost one re-read, not one each.
	 */
	uint64_t gen;
	bool in_batch;
};

static inline int open_ro(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* The frame's names from symbol e of t (demangled once, kept in e). */
void sym_frame__set_names(struct symbolizer *s, const struct sym_table *t, struct sym_entry *e,
			  uint64_t addr, struct sym_frame *out);

/* The parsed file behind mapping m of p (cached in m), or NULL. */
struct sym_dso *sym_dso__get(struct symbolizer *s, struct sym_proc *p, struct sym_map *m);
/*
 * Parse the files of executable mappings now, while the process (and its
 * /proc/PID/root, map_files and mem) still exists.
 */
void sym_dso__load_proc(struct symbolizer *s, struct sym_proc *p);

/* A kernel address: module "[kernel.kallsyms]", names from kallsyms. */
int sym_kernel__resolve(struct symbolizer *s, uint64_t addr, struct sym_frame *out);

#endif /* PEERSCOPE_SYMBOLIZER_INT_H */
