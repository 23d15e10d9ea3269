// SPDX-License-Identifier: MIT
/* Sorted symbol tables with size-aware lookup; see sym-table.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	free(t->syms);
	free(t->pool);
	memset(t, 0, sizeof(*t));
}

int sym_table__add(struct sym_table *t, uint64_t start, uint64_t size, uint64_t sec_end,
		   const char *name, size_t name_len, enum sym_bind bind, uint32_t aux)
{
	struct sym_entry *e;

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
	e->size = size;
	e->end = 0;
	e->sec_end = sec_end;
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

	if (!a->size != !b->size)
		return a->size ? -1 : 1;
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

			/* an unsized alias may still tell the size */
			if (!keep->size && t->syms[i].size)
				keep->size = t->syms[i].size;
			if (!keep->sec_end)
				keep->sec_end = t->syms[i].sec_end;
			free(t->syms[i].demangled);
			continue;
		}
		t->syms[j++] = t->syms[i];
	}
	t->nr = j;

	for (i = 0; i < t->nr; i++) {
		struct sym_entry *e = &t->syms[i];

		if (e->size) {
			e->end = e->start + e->size;
			continue;
		}
		/* unsized: up to the next symbol, within the section only */
		e->end = i + 1 < t->nr ? t->syms[i + 1].start : UINT64_MAX;
		if (e->sec_end && e->sec_end > e->start && e->sec_end < e->end)
			e->end = e->sec_end;
		if (e->end == UINT64_MAX)
			e->end = e->start + 1;  /* nothing says where the last one ends */
	}
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

		if (addr >= e->start && addr < e->end)
			return e;
	}
	return NULL;
}
