// SPDX-License-Identifier: MIT
/*
 * Unwind tables of one ELF file (see unwind-table.h): finding .eh_frame or
 * .debug_frame and the PT_LOAD segments with libelf, sorting and merging the
 * rows the CFI interpreter (unwind-cfi.c) emitted, and looking them up.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/unwind-table.h"
#include "core/input-limits.h"

void unw_table__init(struct unw_table *t)
{
	memset(t, 0, sizeof(*t));
}

void unw_table__free(struct unw_table *t)
{
	free(t->rows);
	free(t->loads);
	unw_table__init(t);
}

static int row_cmp(const void *a, const void *b)
{
	const struct unw_row *x = a, *y = b;

	if (x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	/* at equal pc, the end-of-function marker goes first: the next function wins */
	return (x->cfa_type != UNW_CFA_INVALID) - (y->cfa_type != UNW_CFA_INVALID);
}

static bool same_rule(const struct unw_row *a, const struct unw_row *b)
{
	return a->cfa_type == b->cfa_type && a->cfa_off == b->cfa_off &&
	       a->rbp_type == b->rbp_type && a->rbp_off == b->rbp_off;
}

void unw_table__finish(struct unw_table *t)
{
	size_t n = 0;

	if (t->nr > 1)		/* rows is NULL when there are none */
		qsort(t->rows, t->nr, sizeof(*t->rows), row_cmp);
	for (size_t i = 0; i < t->nr; i++) {
		struct unw_row *r = &t->rows[i];

		/* equal pc: the later row (a function start over a gap) wins */
		if (n && t->rows[n - 1].pc == r->pc) {
			t->rows[n - 1] = *r;
			if (n >= 2 && same_rule(&t->rows[n - 2], &t->rows[n - 1]))
				n--;
			continue;
		}
		if (n && same_rule(&t->rows[n - 1], r))
			continue;
		if (!n && r->cfa_type == UNW_CFA_INVALID)
			continue;
		t->rows[n++] = *r;
	}
	t->nr = n;
	t->nr_unsupported = t->nr_plt = 0;
	for (size_t i = 0; i < n; i++) {
		t->nr_unsupported += t->rows[i].cfa_type == UNW_CFA_UNSUPPORTED;
		t->nr_plt += t->rows[i].cfa_type == UNW_CFA_PLT;
	}
}

const struct unw_row *unw_table__find(const struct unw_table *t, uint64_t pc)
{
	size_t lo = 0, hi = t->nr;

	if (pc > UINT32_MAX)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].pc <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->rows[lo - 1] : NULL;
}

/*
 * The executable segment first: lld packs segments in the file without page
 * alignment (sodium-native's read-only segment ends at file offset 0x2d704,
 * its text starts at 0x2d720 but at vaddr 0x2e720), so the page at pgoff
 * belongs to both, and the read-only one's vaddr put every row lookup
 * 0x1000 away from the right function.
 */
int unw_table__bias(const struct unw_table *t, uint64_t start, uint64_t pgoff, uint64_t *bias)
{
	for (int want_exec = 1; want_exec >= 0; want_exec--) {
		for (size_t i = 0; i < t->nr_loads; i++) {
			const struct unw_load *l = &t->loads[i];
			uint64_t page_off = l->offset & ~0xfffULL;

			if (l->exec != want_exec || pgoff < page_off || pgoff >= l->offset + l->filesz)
				continue;
			/* address of file offset pgoff is start; its vaddr is l->vaddr + (pgoff - l->offset) */
			*bias = start - (l->vaddr + pgoff - l->offset);
			return 0;
		}
	}
	return -ENOENT;
}

static int load_elf(struct unw_table *t, Elf *elf)
{
	Elf_Scn *scn = NULL, *eh = NULL, *dbg = NULL;
	GElf_Ehdr ehdr;
	size_t shstrndx, nph;
	Elf_Data *d;
	GElf_Shdr sh;
	int err;

	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr) ||
	    ehdr.e_ident[EI_CLASS] != ELFCLASS64 || ehdr.e_machine != EM_X86_64)
		return -ENOEXEC;
	if (elf_getphdrnum(elf, &nph) == 0 && nph) {
		t->loads = calloc(nph, sizeof(*t->loads));
		if (!t->loads)
			return -ENOMEM;
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
				continue;
			t->loads[t->nr_loads++] = (struct unw_load){
				.offset = ph.p_offset, .vaddr = ph.p_vaddr,
				.filesz = ph.p_filesz, .exec = ph.p_flags & PF_X };
		}
	}
	if (elf_getshdrstrndx(elf, &shstrndx))
		return 0;	/* no sections: no tables */
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, ".eh_frame"))
			eh = scn;
		else if (!strcmp(name, ".debug_frame"))
			dbg = scn;
	}
	scn = eh ? eh : dbg;
	if (!scn)
		return 0;
	if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_COMPRESSED)) {
		GElf_Chdr ch;

		/* its inflated size is the file's word: check it before inflating */
		if (!gelf_getchdr(scn, &ch))
			return 0;
		if (ch.ch_size > LIMIT_SECTION_BYTES)
			return limit__exceeded("bytes of inflated CFI", ch.ch_size,
					       LIMIT_SECTION_BYTES);
		if (elf_compress(scn, 0, 0) < 0)
			return 0;	/* compressed and unreadable: frame pointers */
	}
	if (!gelf_getshdr(scn, &sh))
		return 0;
	if (sh.sh_size > LIMIT_SECTION_BYTES)
		return limit__exceeded("bytes of CFI", sh.sh_size, LIMIT_SECTION_BYTES);
	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf)
		return 0;
	err = unw_table__parse(t, d->d_buf, d->d_size, sh.sh_addr, scn == dbg);
	if (err)
		return err;
	t->source = scn == eh ? ".eh_frame" : ".debug_frame";
	unw_table__finish(t);
	return 0;
}

int unw_table__load_fd(struct unw_table *t, int fd)
{
	Elf *elf;
	int err;

	elf_version(EV_CURRENT);
	/* a private mapping: elf_compress() of .debug_frame writes into it */
	elf = elf_begin(fd, ELF_C_READ_MMAP_PRIVATE, NULL);
	if (!elf)
		return -ENOEXEC;
	err = load_elf(t, elf);
	elf_end(elf);
	return err;
}

int unw_table__load_mem(struct unw_table *t, void *image, size_t len)
{
	Elf *elf;
	int err;

	elf_version(EV_CURRENT);
	elf = elf_memory(image, len);
	if (!elf)
		return -ENOEXEC;
	err = load_elf(t, elf);
	elf_end(elf);
	return err;
}

const char *unw_row__cfa_str(const struct unw_row *r, char *buf, size_t len)
{
	switch (r->cfa_type) {
	case UNW_CFA_RSP:
		snprintf(buf, len, "rsp+%d", r->cfa_off);
		break;
	case UNW_CFA_RBP:
		snprintf(buf, len, "rbp+%d", r->cfa_off);
		break;
	case UNW_CFA_PLT:
		snprintf(buf, len, "plt");
		break;
	case UNW_CFA_END:
		snprintf(buf, len, "end");
		break;
	case UNW_CFA_INVALID:
		snprintf(buf, len, "invalid");
		break;
	case UNW_CFA_SIGNAL:
		snprintf(buf, len, "signal");
		break;
	default:
		snprintf(buf, len, "unsupported");
		break;
	}
	return buf;
}
