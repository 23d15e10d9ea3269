/* SPDX-License-Identifier: MIT */
/* Kernel text symbols from /proc/kallsyms (or a file in its format). */
#ifndef PEERSCOPE_SYM_KALLSYMS_H
#define PEERSCOPE_SYM_KALLSYMS_H

#include <stdint.h>

#include "core/sym-table.h"

struct sym_kallsyms {
	struct sym_table syms;  /* aux = index into mods, 0 = core kernel */
	char **mods;            /* mods[0] = NULL; then "[nf_tables]"-style names */
	uint32_t nr_mods;
	uint64_t lo, hi;        /* lowest and highest core-kernel text address */
	struct sym_table dyn;   /* added after a cache hit: the BPF programs of now */
};

/* Long enough for "boot <uuid> kernel <release> modules <n>:<digest> kptr <n>". */
#define KALLSYMS_KEY_LEN	192

/*
 * Adds symbols that /proc/kallsyms lists but the per-boot cache leaves out
 * (BPF programs) to t, tagged aux; returns how many or a negative errno.
 * Set by the layer that can ask the kernel (collectors/bpf-ksyms.c).
 */
typedef int (*sym_kallsyms_source_fn)(struct sym_table *t, uint32_t aux);

/*
 * Loads path; module symbols are bounded by their module's extent from
 * modules_path (/proc/modules format) when given.  -EACCES when every address reads as 0 (kptr_restrict, not
 * root): names cannot be placed then.  0 or a negative errno.
 */
int sym_kallsyms__load(struct sym_kallsyms *k, const char *path, const char *modules_path);
void sym_kallsyms__free(struct sym_kallsyms *k);
/*
 * The running kernel's table (/proc/kallsyms bounded by /proc/modules),
 * loaded on the first get and shared by every user in the process until the
 * last put: the kernel formats 120k lines and we parse them, tens of ms of
 * CPU, and both the off-CPU drain and the symbolizer need them.  Read from
 * the per-boot cache when it holds this kernel's table (and stored there
 * when not), with the BPF programs of the moment from the dynamic source.  NULL with
 * *err set (negative errno) when it cannot be read; not thread-safe.
 */
struct sym_kallsyms *sym_kallsyms__get_running(int *err);
void sym_kallsyms__put_running(struct sym_kallsyms *k);
/* Where the running table comes from when the per-boot cache holds it. */
void sym_kallsyms__set_dynamic_source(sym_kallsyms_source_fn fn);
/*
 * The per-boot cache of the running table (sym-kallsyms-cache.c): the key
 * for this boot, kernel, module list and kptr_restrict; save a finished
 * table (without the BPF, ftrace and kprobe pseudo-modules); load it back
 * (0, or -ENOENT/-EPERM: no trusted file, -ESTALE: another key, -EINVAL:
 * not a valid file; k is empty then).
 */
int sym_kallsyms__running_key(char *key, size_t len, const char *modules_path);
int sym_kallsyms__save_cache(const struct sym_kallsyms *k, const char *dir, const char *key);
int sym_kallsyms__load_cache(struct sym_kallsyms *k, const char *dir, const char *key);
/* Symbol containing addr and its module ("[mod]" or NULL for the core). */
struct sym_entry *sym_kallsyms__lookup(const struct sym_kallsyms *k, uint64_t addr,
				       const char **module);
/* The table a looked-up symbol is in (its name is in that table's pool). */
const struct sym_table *sym_kallsyms__table_of(const struct sym_kallsyms *k,
					       const struct sym_entry *e);

static inline const char *sym_kallsyms__name(const struct sym_kallsyms *k,
					     const struct sym_entry *e)
{
	return sym_table__name(sym_kallsyms__table_of(k, e), e);
}

#endif /* PEERSCOPE_SYM_KALLSYMS_H */
