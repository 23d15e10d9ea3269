// SPDX-License-Identifier: MIT
/*
 * Allocator discovery (alloc-discover.h): scan /proc/PID/maps for a known
 * allocator library, else the executable, else libc, and read the entry
 * points' offsets from its symbol tables with libelf.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>

#include "collectors/alloc-discover.h"
#include "bpf/alloc.h"

/* Entry points in probing order; aliases at one offset are probed once. */
static const struct {
	const char *sym;
	unsigned fn;
	bool ret;
	bool cxx;	/* only where the allocator itself defines it */
} entry_points[] = {
	{ "malloc", AF_MALLOC, true, false },
	{ "calloc", AF_CALLOC, true, false },
	{ "realloc", AF_REALLOC, true, false },
	{ "free", AF_FREE, false, false },
	{ "posix_memalign", AF_POSIX_MEMALIGN, true, false },
	{ "aligned_alloc", AF_MEMALIGN, true, false },
	{ "memalign", AF_MEMALIGN, true, false },
	{ "valloc", AF_MALLOC, true, false },
	{ "_Znwm", AF_MALLOC, true, true },
	{ "_Znam", AF_MALLOC, true, true },
	{ "_ZnwmRKSt9nothrow_t", AF_MALLOC, true, true },
	{ "_ZnamRKSt9nothrow_t", AF_MALLOC, true, true },
	{ "_ZdlPv", AF_FREE, false, true },
	{ "_ZdaPv", AF_FREE, false, true },
	{ "_ZdlPvm", AF_FREE, false, true },
	{ "_ZdaPvm", AF_FREE, false, true },
};
#define NR_ENTRY_POINTS (sizeof(entry_points) / sizeof(entry_points[0]))

static const struct {
	const char *prefix;	/* of the file's basename */
	const char *name;
} libs[] = {
	{ "libjemalloc", "jemalloc" },
	{ "libmimalloc", "mimalloc" },
	{ "libtcmalloc", "tcmalloc" },
};

static int scan_symtab(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, const char *const *names, int n,
		       uint64_t *vaddrs)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count;
	int found = 0;

	if (!data || !sh->sh_entsize)
		return 0;
	count = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < count; i++) {
		GElf_Sym sym;
		const char *name;
		int type;

		if (!gelf_getsym(data, i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF ||
		    !sym.st_value)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name)
			continue;
		for (int k = 0; k < n; k++) {
			if (!vaddrs[k] && !strcmp(name, names[k])) {
				vaddrs[k] = sym.st_value;
				found++;
			}
		}
	}
	return found;
}

int alloc__sym_offsets(const char *path, const char *const *names, int n, uint64_t *offs)
{
	size_t nphdr;
	Elf_Scn *scn = NULL;
	int fd, found = 0, err = 0;
	Elf *elf;

	memset(offs, 0, n * sizeof(*offs));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = -ENOEXEC;
		goto end_elf;
	}
	/* .symtab first (complete when not stripped), then .dynsym */
	for (int pass = 0; pass < 2; pass++) {
		scn = NULL;
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;

			if (!gelf_getshdr(scn, &sh))
				continue;
			if (sh.sh_type == (pass ? SHT_DYNSYM : SHT_SYMTAB))
				found += scan_symtab(elf, scn, &sh, names, n, offs);
		}
	}
	/* link-time addresses -> file offsets, through the PT_LOAD holding them */
	if (elf_getphdrnum(elf, &nphdr)) {
		err = -ENOEXEC;
		goto end_elf;
	}
	for (int k = 0; k < n; k++) {
		bool mapped = false;

		for (size_t i = 0; offs[k] && i < nphdr; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
				continue;
			if (offs[k] >= ph.p_vaddr && offs[k] < ph.p_vaddr + ph.p_memsz) {
				offs[k] = offs[k] - ph.p_vaddr + ph.p_offset;
				mapped = true;
				break;
			}
		}
		if (offs[k] && !mapped) {
			offs[k] = 0;
			found--;
		}
	}
end_elf:
	if (elf)
		elf_end(elf);
	close(fd);
	return err ? err : found;
}

/*
 * Where to put the entry probe of a function at file offset off.  The
 * kernel emulates some instructions at a probe (jumps, push, nop) and
 * single-steps the others, which costs far more (~60 us against ~2 us in
 * a VM).  glibc's free starts with "test %rdi,%rdi; je": the test only
 * sets flags and every path goes through the jump, so probing the jump
 * sees the same calls with the same arguments.
 */
static uint64_t probe_point(const char *path, uint64_t off)
{
	unsigned char b[5];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return off;
	n = pread(fd, b, sizeof(b), off);
	close(fd);
	if (n != sizeof(b))
		return off;
	/* test %rdi,%rdi (48 85 ff) then jcc rel8 (7x) or jcc rel32 (0f 8x) */
	if (b[0] == 0x48 && b[1] == 0x85 && b[2] == 0xff &&
	    ((b[3] & 0xf0) == 0x70 || (b[3] == 0x0f && (b[4] & 0xf0) == 0x80)))
		return off + 3;
	return off;
}

/* Fills t->probes from the file at t->path; the number found. */
static int resolve(struct alloc_target *t, bool with_cxx)
{
	const char *names[NR_ENTRY_POINTS];
	uint64_t offs[NR_ENTRY_POINTS];
	int n;

	for (size_t i = 0; i < NR_ENTRY_POINTS; i++)
		names[i] = entry_points[i].sym;
	n = alloc__sym_offsets(t->path, names, NR_ENTRY_POINTS, offs);
	if (n <= 0 || !offs[0])
		return n < 0 ? n : -ENOENT;	/* no malloc: not the allocator */
	t->nr_probes = 0;
	for (size_t i = 0; i < NR_ENTRY_POINTS && t->nr_probes < ALLOC_MAX_PROBES; i++) {
		bool dup = false;

		if (!offs[i] || (entry_points[i].cxx && !with_cxx))
			continue;
		for (int k = 0; k < t->nr_probes; k++)
			dup |= t->probes[k].offset == offs[i];
		if (dup)
			continue;
		t->probes[t->nr_probes++] = (struct alloc_probe){
			.sym = entry_points[i].sym,
			/* only where no return probe is needed: a uretprobe must be at entry */
			.offset = entry_points[i].ret ? offs[i] : probe_point(t->path, offs[i]),
			.fn = entry_points[i].fn,
			.ret = entry_points[i].ret,
		};
	}
	return t->nr_probes;
}

static void set_path(struct alloc_target *t, const char *file)
{
	snprintf(t->path, sizeof(t->path), "/proc/%u/root%s", t->pid, file);
}

int alloc__discover(uint32_t pid, struct alloc_target *t, char *why, size_t len)
{
	char maps[64], line[4096], exe[512] = "", libc[512] = "";
	ssize_t n;
	FILE *f;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	snprintf(maps, sizeof(maps), "/proc/%u/maps", pid);
	f = fopen(maps, "re");
	if (!f) {
		snprintf(why, len, "cannot read %s: %s", maps, strerror(errno));
		return -errno;
	}
	snprintf(line, sizeof(line), "/proc/%u/exe", pid);
	n = readlink(line, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';

	/* a dedicated allocator interposes malloc: it wins over libc */
	while (fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/'), *base;

		if (!file)
			continue;
		file[strcspn(file, "\n")] = '\0';
		if (strstr(file, " (deleted)"))
			continue;
		base = strrchr(file, '/') + 1;
		for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
			if (strncmp(base, libs[i].prefix, strlen(libs[i].prefix)))
				continue;
			set_path(t, file);
			if (resolve(t, true) > 0) {
				snprintf(t->allocator, sizeof(t->allocator), "%s", libs[i].name);
				fclose(f);
				return 0;
			}
		}
		if (!libc[0] && (!strncmp(base, "libc.so", 7) || !strncmp(base, "libc-", 5) ||
				 !strncmp(base, "ld-musl", 7)))
			snprintf(libc, sizeof(libc), "%s", file);
	}
	fclose(f);
	/* a static binary, or one with its own malloc */
	if (exe[0]) {
		set_path(t, exe);
		if (resolve(t, true) > 0) {
			snprintf(t->allocator, sizeof(t->allocator), "%s", libc[0] ? "own" : "static");
			return 0;
		}
	}
	if (libc[0]) {
		set_path(t, libc);
		/* libstdc++'s operator new/delete call malloc/free: those are enough */
		if (resolve(t, false) > 0) {
			snprintf(t->allocator, sizeof(t->allocator), "%s",
				 strstr(libc, "musl") ? "musl" : "glibc");
			return 0;
		}
	}
	snprintf(why, len, "no mapped file of pid %u defines malloc (looked at %s%s%s)", pid,
		 exe[0] ? exe : "the executable", libc[0] ? " and " : "", libc);
	return -ENOENT;
}
