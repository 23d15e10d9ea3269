/* SPDX-License-Identifier: MIT */
/*
 * A sorted symbol table: the one lookup structure behind ELF symbols,
 * kallsyms, perf maps and Go pclntab.  Symbols are added in any order, then
 * sym_table__finish() sorts them, folds aliases and computes where each
 * symbol ends, after which lookups are binary searches.
 */
#ifndef PEERSCOPE_SYM_TABLE_H
#define PEERSCOPE_SYM_TABLE_H

#include <stddef.h>
#include <stdint.h>

/* Binding ranks used to choose among aliases at one address. */
enum sym_bind {
	SYM_BIND_LOCAL = 0,
	SYM_BIND_WEAK = 1,
	SYM_BIND_GLOBAL = 2,
};

/*
 * 32 bytes: the kernel's table alone has ~120k of them.  Until
 * sym_table__finish(), len holds the size of a sized symbol and the
 * distance to the end of its section (0 = unknown) for an unsized one;
 * after it, how far the symbol reaches.  Lengths are capped at 4 GiB.
 */
struct sym_entry {
	uint64_t start;
	uint32_t len;        /* the symbol is [start, start + len) once finished */
	uint32_t name;       /* offset into the string pool */
	uint32_t aux;        /* caller's tag (kernel module index, file index) */
	uint8_t bind;
	uint8_t sized;       /* the size was given */
	uint8_t demangle_tried;
	char *demangled;     /* lazily filled by the symbolizer */
};

/* Where a finished symbol ends (exclusive). */
static inline uint64_t sym_entry__end(const struct sym_entry *e)
{
	return e->start + e->len;
}

struct sym_table {
	struct sym_entry *syms;
	size_t nr, cap;
	char *pool;
	size_t pool_len, pool_cap;
	int finished;
	/*
	 * Set when syms and pool lie in one read-only file mapping (the
	 * per-boot kallsyms cache): freed with munmap(), never grown.
	 */
	void *map;
	size_t map_len;
};

void sym_table__init(struct sym_table *t);
void sym_table__free(struct sym_table *t);

/* Adds one symbol (size 0 = unknown, sec_end 0 = unknown); the name is copied.  0 or -ENOMEM. */
int sym_table__add(struct sym_table *t, uint64_t start, uint64_t size, uint64_t sec_end,
		   const char *name, size_t name_len, enum sym_bind bind, uint32_t aux);

/* Bounds an unsized symbol by the end of its section (before finishing). */
void sym_table__set_sec_end(struct sym_entry *e, uint64_t sec_end);

/*
 * Sorts, keeps one symbol per address (sized over unsized, global over weak
 * over local, then the plainest name), and sets each end: start + size for
 * sized symbols; for unsized ones the next symbol's start, but never past
 * the end of the section.  Then gives back the unused capacity.
 */
void sym_table__finish(struct sym_table *t);

/* The symbol that contains addr, or NULL.  Never a mere predecessor. */
struct sym_entry *sym_table__lookup(const struct sym_table *t, uint64_t addr);

static inline const char *sym_table__name(const struct sym_table *t, const struct sym_entry *e)
{
	return t->pool + e->name;
}

#endif /* PEERSCOPE_SYM_TABLE_H */
