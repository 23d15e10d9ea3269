// SPDX-License-Identifier: MIT
/* ELF symbol tables, segments, build ids and debuglinks; see sym-elf.h. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/sym-elf.h"
#include "core/input-limits.h"
#include "core/sym-gopclntab.h"

void sym_elf__init(struct sym_elf *e)
{
	memset(e, 0, sizeof(*e));
	sym_table__init(&e->syms);
}

void sym_elf__free(struct sym_elf *e)
{
	sym_table__free(&e->syms);
	free(e->loads);
	free(e->debuglink);
	memset(e, 0, sizeof(*e));
}

static void hex_encode(const uint8_t *id, size_t n, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (!len)
		return;
	for (i = 0; i < n && 2 * i + 2 < len; i++) {
		out[2 * i] = hex[id[i] >> 4];
		out[2 * i + 1] = hex[id[i] & 15];
	}
	out[2 * i] = '\0';
}

/* NT_GNU_BUILD_ID out of one note data block. */
static bool notes_build_id(Elf_Data *d, char *out, size_t len)
{
	GElf_Nhdr nh;
	size_t off = 0, name_off, desc_off;

	if (!d->d_buf)
		return false;
	while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp((char *)d->d_buf + name_off, "GNU", 4) && nh.n_descsz) {
			hex_encode((uint8_t *)d->d_buf + desc_off, nh.n_descsz, out, len);
			return true;
		}
	}
	return false;
}

static void elf_build_id(Elf *elf, char *out, size_t len)
{
	Elf_Scn *scn = NULL;
	size_t i, n;

	out[0] = '\0';
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		if (d && notes_build_id(d, out, len))
			return;
	}
	/* no section headers (some vdso or hand-made images): program headers */
	if (elf_getphdrnum(elf, &n))
		return;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;
		Elf_Data *d;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_NOTE)
			continue;
		d = elf_getdata_rawchunk(elf, ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		if (d && notes_build_id(d, out, len))
			return;
	}
}

static int elf_loads(Elf *elf, struct sym_elf *e)
{
	size_t i, n;

	if (elf_getphdrnum(elf, &n))
		return -EINVAL;
	e->loads = calloc(n ? n : 1, sizeof(*e->loads));
	if (!e->loads)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		e->loads[e->nr_loads++] = (struct sym_load){
			.offset = ph.p_offset,
			.vaddr = ph.p_vaddr,
			.filesz = ph.p_filesz,
			.memsz = ph.p_memsz,
		};
	}
	return 0;
}

static bool symbol_is_code(const GElf_Sym *sym, const GElf_Shdr *sh, const char *name)
{
	int type = GELF_ST_TYPE(sym->st_info);

	if (!name[0] || sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE)
		return false;
	if (!(sh->sh_flags & SHF_ALLOC))
		return false;
	if (type == STT_FUNC || type == STT_GNU_IFUNC)
		return true;
	/*
	 * Assembly entry points are often untyped; take them only in code
	 * sections, and never mapping symbols ($x, $d) or local labels (.L).
	 */
	if (type == STT_NOTYPE && (sh->sh_flags & SHF_EXECINSTR))
		return name[0] != '$' && strncmp(name, ".L", 2);
	return false;
}

static int elf_symbols(Elf *elf, Elf_Scn *symscn, struct sym_table *t)
{
	GElf_Shdr symsh;
	Elf_Data *d;
	size_t i, n;
	int err;

	if (!gelf_getshdr(symscn, &symsh) || !symsh.sh_entsize)
		return -EINVAL;
	if (symsh.sh_size > LIMIT_SECTION_BYTES)
		return limit__exceeded("bytes of symbol table", symsh.sh_size, LIMIT_SECTION_BYTES);
	d = elf_getdata(symscn, NULL);
	if (!d)
		return -EINVAL;
	n = symsh.sh_size / symsh.sh_entsize;
	for (i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Shdr sh;
		Elf_Scn *scn;
		const char *name;
		enum sym_bind bind;

		if (!gelf_getsym(d, (int)i, &sym))
			continue;
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		scn = elf_getscn(elf, sym.st_shndx);
		if (!scn || !gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, symsh.sh_link, sym.st_name);
		if (!name || !symbol_is_code(&sym, &sh, name))
			continue;
		switch (GELF_ST_BIND(sym.st_info)) {
		case STB_GLOBAL:
			bind = SYM_BIND_GLOBAL;
			break;
		case STB_WEAK:
			bind = SYM_BIND_WEAK;
			break;
		default:
			bind = SYM_BIND_LOCAL;
		}
		err = sym_table__add(t, sym.st_value, sym.st_size, sh.sh_addr + sh.sh_size, name,
				     strlen(name), bind, 0);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The first section named want that has bytes in the file: a SHT_NOBITS one
 * (.bss-like, or every section of a separate debug file) has a size but no
 * data, and a hostile file can put one ahead of the real section.
 */
static Elf_Scn *find_section(Elf *elf, const char *want, GElf_Shdr *out)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, out) || out->sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, out->sh_name);
		if (name && !strcmp(name, want))
			return scn;
	}
	return NULL;
}

static void elf_debuglink(Elf *elf, struct sym_elf *e)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(elf, ".gnu_debuglink", &sh);
	Elf_Data *d;
	size_t len, crc_off;

	if (!scn || !(d = elf_getdata(scn, NULL)) || !d->d_buf || !d->d_size)
		return;
	len = strnlen(d->d_buf, d->d_size);
	/* name, NUL, padding to 4, then the CRC32 of the debug file */
	crc_off = (len + 4) & ~(size_t)3;
	if (len == d->d_size || crc_off + 4 > d->d_size)
		return;
	e->debuglink = strndup(d->d_buf, len);
	memcpy(&e->debuglink_crc, (char *)d->d_buf + crc_off, 4);
}

/* Symbols of every symbol table of elf; sets has_symtab. */
static int elf_all_symbols(Elf *elf, struct sym_elf *e, bool *had_symtab)
{
	Elf_Scn *scn = NULL;
	int err;

	*had_symtab = false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM)
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			*had_symtab = true;
		err = elf_symbols(elf, scn, &e->syms);
		if (err)
			return err;
	}
	return 0;
}

static int elf_go(Elf *elf, struct sym_elf *e)
{
	GElf_Shdr sh, text;
	Elf_Scn *scn = find_section(elf, ".gopclntab", &sh);
	Elf_Data *d;
	uint64_t text_addr = 0;
	int n;

	/* PIE and c-shared builds put it in relro */
	if (!scn)
		scn = find_section(elf, ".data.rel.ro.gopclntab", &sh);

	if (!scn)
		return 0;
	e->has_gopclntab = true;
	if (e->has_symtab)
		return 0;  /* the symbol table is as good and already read */
	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf)
		return 0;
	if (find_section(elf, ".text", &text))
		text_addr = text.sh_addr;
	n = sym_gopclntab__load(d->d_buf, d->d_size, text_addr, &e->syms);
	if (n > 0)
		e->go_names = true;
	/* an unknown pclntab layout is not an error: the file still maps */
	return n == -ENOMEM || n == -EFBIG ? n : 0;
}

static int elf_read(Elf *elf, struct sym_elf *e)
{
	GElf_Ehdr eh;
	int err;

	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		return -ENOEXEC;
	e->e_type = eh.e_type;
	err = elf_loads(elf, e);
	if (err)
		return err;
	elf_build_id(elf, e->build_id, sizeof(e->build_id));
	elf_debuglink(elf, e);
	err = elf_all_symbols(elf, e, &e->has_symtab);
	if (err)
		return err;
	return elf_go(elf, e);
}

int sym_elf__load_fd(struct sym_elf *e, int fd)
{
	Elf *elf;
	int err;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return -EINVAL;
	err = elf_read(elf, e);
	elf_end(elf);
	return err;
}

int sym_elf__load_mem(struct sym_elf *e, void *image, size_t len)
{
	Elf *elf;
	int err;

	elf_version(EV_CURRENT);
	elf = elf_memory(image, len);
	if (!elf)
		return -EINVAL;
	err = elf_read(elf, e);
	elf_end(elf);
	return err;
}

static int file_crc32(int fd, uint32_t *out)
{
	unsigned char buf[65536];
	uLong crc = crc32(0L, Z_NULL, 0);
	off_t pos = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), pos)) > 0) {
		crc = crc32(crc, buf, (uInt)n);
		pos += n;
	}
	if (n < 0)
		return -errno;
	*out = (uint32_t)crc;
	return 0;
}

int sym_elf__add_debug_fd(struct sym_elf *e, int fd)
{
	char id[SYM_BUILD_ID_HEX_MAX];
	Elf *elf;
	bool had_symtab;
	int err;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return -EINVAL;
	if (elf_kind(elf) != ELF_K_ELF) {
		err = -ENOEXEC;
		goto out_elf;
	}
	/* a debug file of another build would name frames wrongly: worse than none */
	elf_build_id(elf, id, sizeof(id));
	if (e->build_id[0] && id[0]) {
		if (strcmp(id, e->build_id)) {
			err = -ESTALE;
			goto out_elf;
		}
	} else if (e->debuglink) {
		uint32_t crc;

		err = file_crc32(fd, &crc);
		if (err)
			goto out_elf;
		if (crc != e->debuglink_crc) {
			err = -ESTALE;
			goto out_elf;
		}
	}
	err = elf_all_symbols(elf, e, &had_symtab);
	if (!err && had_symtab)
		e->has_symtab = true;
	if (!err && !e->go_names && !had_symtab)
		err = elf_go(elf, e);
out_elf:
	elf_end(elf);
	return err;
}

void sym_elf__finish(struct sym_elf *e)
{
	sym_table__finish(&e->syms);
}

int sym_elf__offset_to_vaddr(const struct sym_elf *e, uint64_t off, uint64_t *vaddr)
{
	size_t i;

	for (i = 0; i < e->nr_loads; i++) {
		const struct sym_load *l = &e->loads[i];

		/*
		 * filesz, not memsz: code is always file-backed, and with
		 * memsz a .bss tail could claim offsets of the next segment.
		 */
		if (off >= l->offset && off < l->offset + l->filesz) {
			*vaddr = off - l->offset + l->vaddr;
			return 0;
		}
	}
	return -ENOENT;
}

int sym_elf__read_build_id(const char *path, char *buf, size_t len)
{
	Elf *elf;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		err = -EINVAL;
		goto out_fd;
	}
	elf_build_id(elf, buf, len);
	if (!buf[0])
		err = -ENODATA;
	elf_end(elf);
out_fd:
	close(fd);
	return err;
}
