// SPDX-License-Identifier: MIT
/* Sorted symbol tables with size-aware lookup; see sym-table.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/sym-table.h"
#include "core/input-limits.h"
#include "core/array.h"

/* How far back a lookup walks to find an enclosing symbol (nested symbols). */
#define SYM_NEST_SCAN 16

void sym_table__init(struct sym_table *t)
{
	memset(t, 0, sizeof(*t));
}

void sym_table__free(struct sym_table *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		free(t->syms[i].demangled);
	if (t->map) {
		munmap(t->map, t->map_len);
	} else {
		free(t->syms);
		free(t->pool);
	}
	memset(t, 0, sizeof(*t));
}

/* The length from start to end, 0 when end is not past start, capped at 4 GiB. */
static uint32_t span(uint64_t start, uint64_t end)
{
	if (end <= start)
		return 0;
	return end - start > UINT32_MAX ? UINT32_MAX : (uint32_t)(end - start);
}

int sym_table__add(struct sym_table *t, uint64_t start, uint64_t size, uint64_t sec_end,
		   const char *name, size_t name_len, enum sym_bind bind, uint32_t aux)
{
	struct sym_entry *e;

	if (t->map)
		return -EPERM;	/* a mapped table is read-only */
	if (name_len > LIMIT_NAME_LEN)
		name_len = LIMIT_NAME_LEN;	/* cut: still a useful name */
	if (t->nr >= LIMIT_SYMBOLS)
		return limit__exceeded("symbols", t->nr + 1, LIMIT_SYMBOLS);
	if (t->pool_len + name_len + 1 > LIMIT_SYMBOL_NAMES)
		return limit__exceeded("bytes of symbol names", t->pool_len + name_len + 1,
				       LIMIT_SYMBOL_NAMES);
	if (ARRAY_ROOM(t->syms, t->nr, t->cap, 256))
		return -ENOMEM;
	if (t->pool_len + name_len + 1 > t->pool_cap) {
		size_t cap = t->pool_cap ? t->pool_cap : 4096;
		void *n;

		while (cap < t->pool_len + name_len + 1)
			cap *= 2;
		if (cap > UINT32_MAX)
			return -E2BIG;
		n = realloc(t->pool, cap);
		if (!n)
			return -ENOMEM;
		t->pool = n;
		t->pool_cap = cap;
	}
	e = &t->syms[t->nr++];
	e->start = start;
	e->sized = size != 0;
	/* a size past the address space is no size */
	if (size && start + size < start)
		e->sized = 0;
	e->len = e->sized ? span(start, start + size) : span(start, sec_end);
	e->name = (uint32_t)t->pool_len;
	e->aux = aux;
	e->bind = (uint8_t)bind;
	e->demangled = NULL;
	e->demangle_tried = 0;
	memcpy(t->pool + t->pool_len, name, name_len);
	t->pool[t->pool_len + name_len] = '\0';
	t->pool_len += name_len + 1;
	t->finished = 0;
	return 0;
}

void sym_table__set_sec_end(struct sym_entry *e, uint64_t sec_end)
{
	if (!e->sized)
		e->len = span(e->start, sec_end);
}

static size_t leading_underscores(const char *s)
{
	size_t n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/* Negative when a is the better name for one address. */
static int sym_prefer(const struct sym_table *t, const struct sym_entry *a,
		      const struct sym_entry *b)
{
	const char *na = t->pool + a->name, *nb = t->pool + b->name;
	size_t ua, ub, la, lb;

	if (a->sized != b->sized)
		return a->sized ? -1 : 1;
	if (a->bind != b->bind)
		return a->bind > b->bind ? -1 : 1;
	/* perf maps: a later line (higher aux) re-used the address */
	if (a->aux != b->aux)
		return a->aux > b->aux ? -1 : 1;
	/* malloc over __libc_malloc: the name people call */
	ua = leading_underscores(na);
	ub = leading_underscores(nb);
	if (ua != ub)
		return ua < ub ? -1 : 1;
	la = strlen(na);
	lb = strlen(nb);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(na, nb);
}

/* Gives back what the doubling arrays left unused: a fifth of the kernel's table. */
static void shrink(struct sym_table *t)
{
	void *n;

	if (t->cap > t->nr && (n = realloc(t->syms, t->nr * sizeof(*t->syms)))) {
		t->syms = n;
		t->cap = t->nr;
	}
	if (t->pool_cap > t->pool_len && (n = realloc(t->pool, t->pool_len))) {
		t->pool = n;
		t->pool_cap = t->pool_len;
	}
}

static const struct sym_table *sort_table;

static int sym_cmp(const void *pa, const void *pb)
{
	const struct sym_entry *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return sym_prefer(sort_table, a, b);
}

void sym_table__finish(struct sym_table *t)
{
	size_t i, j;

	if (t->finished)
		return;
	if (!t->nr) {
		t->finished = 1;
		return;
	}
	/* qsort has no context argument; tables are finished one at a time */
	sort_table = t;
	qsort(t->syms, t->nr, sizeof(*t->syms), sym_cmp);
	sort_table = NULL;

	/* aliases: the first of a run of equal starts is the preferred one */
	for (i = 0, j = 0; i < t->nr; i++) {
		if (j && t->syms[j - 1].start == t->syms[i].start) {
			struct sym_entry *keep = &t->syms[j - 1];

			/* an unsized alias may still tell the size, or the section */
			if (!keep->sized && t->syms[i].sized) {
				keep->sized = 1;
				keep->len = t->syms[i].len;
			} else if (!keep->sized && !keep->len) {
				keep->len = t->syms[i].len;
			}
			free(t->syms[i].demangled);
			continue;
		}
		t->syms[j++] = t->syms[i];
	}
	t->nr = j;

	for (i = 0; i < t->nr; i++) {
		struct sym_entry *e = &t->syms[i];
		uint32_t sec_len = e->len;

		if (e->sized)
			continue;
		/* unsized: up to the next symbol, within the section only */
		if (i + 1 < t->nr)
			e->len = span(e->start, t->syms[i + 1].start);
		else
			e->len = sec_len ? sec_len : 1;	/* nothing says where the last one ends */
		if (sec_len && sec_len < e->len)
			e->len = sec_len;
	}
	shrink(t);
	t->finished = 1;
}

struct sym_entry *sym_table__lookup(const struct sym_table *t, uint64_t addr)
{
	size_t lo = 0, hi = t->nr, k;

	if (!t->nr || addr < t->syms[0].start)
		return NULL;
	/* last symbol with start <= addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/*
	 * The nearest start may belong to a symbol that ended before addr,
	 * while an earlier, longer one (a function with a nested local label)
	 * still covers it; look back a little, never attribute by proximity.
	 */
	for (k = 0; k < SYM_NEST_SCAN && k <= lo; k++) {
		struct sym_entry *e = &t->syms[lo - k];

		if (addr >= e->start && addr - e->start < e->len)
			return e;
	}
	return NULL;
}
