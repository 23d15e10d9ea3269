/* SPDX-License-Identifier: MIT */
/*
 * The symbolizer: addresses of a process (or the kernel) to mapping, module
 * offset, build id and demangled function names.
 *
 * Sources: /proc/PID/maps (snapshotted when a pid is added, refreshed when an
 * address falls outside every known mapping), ELF .symtab/.dynsym through
 * libelf with PIE/shared-library load bias, build ids, .gnu_debuglink and
 * /usr/lib/debug/.build-id/xx/yyyy.debug, binaries read through
 * /proc/PID/root, "(deleted)" mappings, /tmp/perf-PID.map for JIT code, and
 * /proc/kallsyms for kernel frames.  C++ and Rust names are demangled with
 * libiberty.  An address that cannot be named is reported as
 * "module+0xoffset" by the profile model, never dropped.
 */
#ifndef PEERSCOPE_SYMBOLIZER_H
#define PEERSCOPE_SYMBOLIZER_H

#include <stdbool.h>
#include <stdint.h>

struct profile;
struct symbolizer;

struct symbolizer_opts {
	bool no_kernel;         /* do not read /proc/kallsyms */
	bool no_demangle;
	const char *debug_dir;  /* default "/usr/lib/debug" */
	const char *perfmap_dir;/* default "/tmp" */
	/* additions */
	const char *kallsyms_path; /* default $PEERSCOPE_KALLSYMS, else "/proc/kallsyms" */
};

/* One resolved frame; strings are owned by the symbolizer. */
struct sym_frame {
	const char *name;         /* demangled function name, NULL if unknown */
	const char *system_name;  /* raw (mangled) name, NULL if unknown */
	const char *module;       /* file path of the mapping, "[kernel.kallsyms]", "[vdso]", "[jit]" */
	const char *build_id;     /* hex, NULL if none */
	uint64_t map_start, map_limit, map_offset;  /* the mapping, as in /proc/PID/maps */
	uint64_t module_offset;   /* file offset: addr - map_start + map_offset (what "module+0x..." shows) */
	uint64_t sym_offset;      /* addr - symbol start */
	/* additions */
	uint64_t elf_addr;        /* link-time address, what addr2line -e module wants; 0 if unknown */
	const char *kmod;         /* kernel frames: "[module]" of a module symbol, NULL for the core */
	bool has_symbols;         /* the module's symbol table was read and is not empty */
};

struct symbolizer *symbolizer__new(const struct symbolizer_opts *opts);
void symbolizer__free(struct symbolizer *s);

/* Snapshot the maps of pid now, while it lives.  0 or negative errno. */
int symbolizer__add_pid(struct symbolizer *s, uint32_t pid);

struct sym_elf;
/*
 * Calls fn once for each file that pid (added already) maps executable,
 * with the symbols its frames are named from (NULL: the file could not be
 * read), so that others need not parse a large binary a second time.
 * Stops when fn returns non-zero.  0, or -ENOENT for a pid never added or
 * whose maps could not be read.
 */
int symbolizer__each_module(struct symbolizer *s, uint32_t pid,
			    int (*fn)(void *ctx, const char *path, const struct sym_elf *elf),
			    void *ctx);

/*
 * Resolve one address.  Returns 0 when a mapping was found (name may still
 * be NULL), -ENOENT when the address is in no known mapping.  A pid never
 * added is added on first use.  The strings in *out stay valid until
 * symbolizer__free().
 */
int symbolizer__resolve(struct symbolizer *s, uint32_t pid, bool kernel, uint64_t addr,
			struct sym_frame *out);

/*
 * Fill mappings, functions and lines of every location of p that has an
 * address and is not yet symbolized.  Returns the number of locations left
 * without a name, or a negative errno.
 */
int symbolizer__symbolize_profile(struct symbolizer *s, struct profile *p);

#endif /* PEERSCOPE_SYMBOLIZER_H */
