// SPDX-License-Identifier: MIT
/*
 * The symbolizer: glue between processes' mappings, parsed files and the
 * profile model.  See symbolizer.h for the contract and
 * docs/symbolization.md for the order in which sources are tried.
 *
 * Ownership: a symbolizer owns one cache of parsed files ("dsos", keyed by
 * the (device, inode) that /proc/PID/maps shows, so a library shared by
 * many pids is parsed once), one snapshot of maps per pid, the kernel
 * symbols, and an intern pool for the strings it hands out.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/hashmap.h"
#include "core/input-limits.h"
#include "core/log.h"
#include "core/profile.h"
#include "core/root-open.h"
#include "core/sym-demangle.h"
#include "core/sym-elf.h"
#include "core/sym-kallsyms.h"
#include "core/sym-maps.h"
#include "core/sym-perfmap.h"
#include "core/symbolizer.h"

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

/* ---- small tables ---- */

static int grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t ncap;
	void *n;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*arr, (size_t)ncap * elem);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = ncap;
	return 0;
}

static const char *intern(struct symbolizer *s, const char *str)
{
	size_t len = strlen(str);
	uint32_t id;
	char *copy;
	int ret;

	id = hashmap__find(s->str_index, str, len);
	if (id)
		return s->strs[id - 1];
	if (grow((void **)&s->strs, &s->cap_strs, s->nr_strs + 1, sizeof(*s->strs)))
		return NULL;
	copy = strdup(str);
	if (!copy)
		return NULL;
	ret = hashmap__find_or_insert(s->str_index, str, len, s->nr_strs + 1, &id);
	if (ret < 0) {
		free(copy);
		return NULL;
	}
	s->strs[s->nr_strs++] = copy;
	return copy;
}

/* ---- lifecycle ---- */

static char *dup_or(const char *v, const char *def)
{
	return strdup(v && *v ? v : def);
}

struct symbolizer *symbolizer__new(const struct symbolizer_opts *opts)
{
	struct symbolizer_opts none = {};
	const char *ks;
	struct symbolizer *s;

	if (!opts)
		opts = &none;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->no_kernel = opts->no_kernel;
	s->no_demangle = opts->no_demangle;
	ks = opts->kallsyms_path ? opts->kallsyms_path : getenv("PEERSCOPE_KALLSYMS");
	s->debug_dir = dup_or(opts->debug_dir, DEFAULT_DEBUG_DIR);
	s->perfmap_dir = dup_or(opts->perfmap_dir, DEFAULT_PERFMAP_DIR);
	s->kallsyms_path = dup_or(ks, DEFAULT_KALLSYMS);
	s->dso_index = hashmap__new(NULL, NULL);
	s->proc_index = hashmap__new(NULL, NULL);
	s->str_index = hashmap__new(NULL, NULL);
	s->kallsyms_err = 1;
	if (!s->debug_dir || !s->perfmap_dir || !s->kallsyms_path || !s->dso_index ||
	    !s->proc_index || !s->str_index) {
		symbolizer__free(s);
		return NULL;
	}
	return s;
}

void symbolizer__free(struct symbolizer *s)
{
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->nr_dsos; i++) {
		sym_elf__free(&s->dsos[i]->elf);
		free(s->dsos[i]->path);
		free(s->dsos[i]);
	}
	free(s->dsos);
	for (i = 0; i < s->nr_procs; i++) {
		sym_maps__free(&s->procs[i]->maps);
		sym_perfmap__free(&s->procs[i]->perfmap);
		free(s->procs[i]);
	}
	free(s->procs);
	for (i = 0; i < s->nr_strs; i++)
		free(s->strs[i]);
	free(s->strs);
	hashmap__free(s->dso_index);
	hashmap__free(s->proc_index);
	hashmap__free(s->str_index);
	if (s->kallsyms == &s->kallsyms_own)
		sym_kallsyms__free(&s->kallsyms_own);
	else if (s->kallsyms)
		sym_kallsyms__put_running(s->kallsyms);
	free(s->debug_dir);
	free(s->perfmap_dir);
	free(s->kallsyms_path);
	free(s);
}

/* ---- the file cache ---- */

struct dso_key {
	char kind;              /* 'f' file (dev, inode), 'p' path, 'v' vdso image */
	char pad[3];
	uint32_t dev_major, dev_minor;
	uint64_t inode;         /* or image length for 'v' */
	uint32_t crc;           /* 'v' only */
};

static struct sym_dso *dso_find(struct symbolizer *s, const void *key, size_t len)
{
	uint32_t id = hashmap__find(s->dso_index, key, len);

	return id ? s->dsos[id - 1] : NULL;
}

static struct sym_dso *dso_insert(struct symbolizer *s, const void *key, size_t len,
				  struct sym_dso *d)
{
	uint32_t id;

	if (grow((void **)&s->dsos, &s->cap_dsos, s->nr_dsos + 1, sizeof(*s->dsos)))
		return NULL;
	if (hashmap__find_or_insert(s->dso_index, key, len, s->nr_dsos + 1, &id) < 0)
		return NULL;
	s->dsos[s->nr_dsos++] = d;
	return d;
}

static void dso_destroy(struct sym_dso *d)
{
	sym_elf__free(&d->elf);
	free(d->path);
	free(d);
}

static int open_ro(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * Separate debug info for a stripped file: by build id first (exact by
 * construction), then by .gnu_debuglink beside the file, in .debug/ and
 * under the debug dir, as gdb looks.  add_debug_fd() rejects a mismatch.
 */
static void dso_find_debug(struct symbolizer *s, struct sym_dso *d, const char *root,
			   const char *path)
{
	char cand[PATH_MAX], dir[PATH_MAX];
	const char *slash;
	int i, fd;

	if (d->elf.build_id[0] && strlen(d->elf.build_id) > 2) {
		snprintf(cand, sizeof(cand), "%s/.build-id/%.2s/%s.debug", s->debug_dir,
			 d->elf.build_id, d->elf.build_id + 2);
		fd = root__open(root, cand);
		if (fd >= 0) {
			int err = sym_elf__add_debug_fd(&d->elf, fd);

			close(fd);
			if (!err)
				return;
		}
	}
	if (!d->elf.debuglink || !path || path[0] != '/')
		return;
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	for (i = 0; i < 3; i++) {
		int n;

		if (i == 0)
			n = snprintf(cand, sizeof(cand), "%s/%s", dir, d->elf.debuglink);
		else if (i == 1)
			n = snprintf(cand, sizeof(cand), "%s/.debug/%s", dir, d->elf.debuglink);
		else
			n = snprintf(cand, sizeof(cand), "%s%s/%s", s->debug_dir, dir,
				     d->elf.debuglink);
		if (n < 0 || n >= (int)sizeof(cand))
			continue;
		/* a debuglink naming the file itself is no help */
		if (!strcmp(cand, path))
			continue;
		fd = root__open(root, cand);
		if (fd < 0)
			continue;
		if (!sym_elf__add_debug_fd(&d->elf, fd)) {
			close(fd);
			return;
		}
		close(fd);
	}
}

/* Reads one file-backed mapping's file, through the pid's view when possible. */
static int dso_open_map(struct sym_proc *p, const struct sym_map *m, char *root, size_t len)
{
	char buf[PATH_MAX];
	struct stat st;
	int fd;

	snprintf(root, len, "/proc/%" PRIu32 "/root", p->pid);
	/* a deleted file lives on only through map_files */
	if (m->deleted) {
		snprintf(buf, sizeof(buf), "/proc/%" PRIu32 "/map_files/%" PRIx64 "-%" PRIx64,
			 p->pid, m->start, m->end);
		fd = open_ro(buf);
		if (fd >= 0)
			return fd;
	}
	/* the pid's own mount namespace (containers), never out of its root */
	fd = root__open_in(root, m->path, 0);
	if (fd >= 0)
		return fd;
	/*
	 * The plain path: the process has exited, or its root is not ours to
	 * read.  Only if it is still the same file: a replaced or re-built
	 * file would name frames wrongly.
	 */
	root[0] = '\0';
	fd = open_ro(m->path);
	if (fd >= 0) {
		if (!fstat(fd, &st) && m->inode && st.st_ino != m->inode) {
			close(fd);
			return -ESTALE;
		}
		return fd;
	}
	return -errno;
}

static struct sym_dso *dso_get_file(struct symbolizer *s, struct sym_proc *p,
				    const struct sym_map *m)
{
	char root[64];
	struct dso_key key = { .kind = 'f' };
	struct sym_dso *d;
	int fd;

	/* without an inode there is no identity to cache by (nor a real file) */
	if (!m->inode)
		return NULL;
	key.dev_major = m->dev_major;
	key.dev_minor = m->dev_minor;
	key.inode = m->inode;
	d = dso_find(s, &key, sizeof(key));
	if (d)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	sym_elf__init(&d->elf);
	d->path = strdup(m->path);
	fd = dso_open_map(p, m, root, sizeof(root));
	if (fd < 0) {
		d->err = fd;
	} else {
		d->err = sym_elf__load_fd(&d->elf, fd);
		close(fd);
		if (d->err == -EFBIG)
			ps_warn("%s: %s (docs/limits.md): its symbols are skipped", m->path,
				limit__why());
		if (!d->err && !d->elf.has_symtab && !d->elf.go_names)
			dso_find_debug(s, d, root[0] ? root : NULL, m->path);
		sym_elf__finish(&d->elf);
	}
	if (!dso_insert(s, &key, sizeof(key), d)) {
		dso_destroy(d);
		return NULL;
	}
	return d;
}

/*
 * The vdso is not a file: read its image out of the process, or, when the
 * process cannot be read (gone, not ptrace-able), take our own, which is the
 * same image for every process of our ABI on this kernel.
 */
static struct sym_dso *dso_get_vdso(struct symbolizer *s, struct sym_proc *p,
				    const struct sym_map *m)
{
	struct dso_key key = { .kind = 'v' };
	size_t len = m->end - m->start;
	unsigned long self = getauxval(AT_SYSINFO_EHDR);
	char path[64];
	struct sym_dso *d;
	void *img;
	int fd;

	if (!len || len > (64u << 20))
		return NULL;
	img = malloc(len);
	if (!img)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/mem", p->pid);
	fd = open_ro(path);
	if (fd < 0 || pread(fd, img, len, (off_t)m->start) != (ssize_t)len) {
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)self;
		size_t self_len;

		if (!self || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
		    eh->e_ident[EI_CLASS] != ELFCLASS64) {
			if (fd >= 0)
				close(fd);
			free(img);
			return NULL;
		}
		/* the image ends with its section headers; never read past ours */
		self_len = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
		if (self_len > len) {
			if (fd >= 0)
				close(fd);
			free(img);
			return NULL;
		}
		memcpy(img, (void *)self, self_len);
		len = self_len;
	}
	if (fd >= 0)
		close(fd);
	key.inode = len;
	key.crc = (uint32_t)crc32(0, img, (uInt)len);
	d = dso_find(s, &key, sizeof(key));
	if (d)
		goto out_img;
	d = calloc(1, sizeof(*d));
	if (!d)
		goto out_img;
	sym_elf__init(&d->elf);
	d->path = strdup("[vdso]");
	d->err = sym_elf__load_mem(&d->elf, img, len);
	sym_elf__finish(&d->elf);
	if (!dso_insert(s, &key, sizeof(key), d)) {
		dso_destroy(d);
		d = NULL;
	}
out_img:
	free(img);
	return d;
}

static struct sym_dso *map_dso(struct symbolizer *s, struct sym_proc *p, struct sym_map *m)
{
	if (m->dso)
		return m->dso;
	if (m->kind == SYM_MAP_FILE)
		m->dso = dso_get_file(s, p, m);
	else if (m->kind == SYM_MAP_VDSO)
		m->dso = dso_get_vdso(s, p, m);
	return m->dso;
}

/*
 * Parse the files of executable mappings now, while the process (and its
 * /proc/PID/root, map_files and mem) still exists.
 */
static void proc_load_dsos(struct symbolizer *s, struct sym_proc *p)
{
	size_t i;

	for (i = 0; i < p->maps.nr; i++) {
		struct sym_map *m = &p->maps.maps[i];

		if (m->exec && (m->kind == SYM_MAP_FILE || m->kind == SYM_MAP_VDSO))
			map_dso(s, p, m);
	}
}

/* ---- processes ---- */

static void proc_ids(struct sym_proc *p)
{
	char path[64], line[256];
	struct stat st;
	FILE *f;

	p->nspid = p->pid;
	snprintf(path, sizeof(path), "/proc/%" PRIu32, p->pid);
	if (!stat(path, &st)) {
		p->uid = st.st_uid;
		p->uid_known = true;
	}
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/status", p->pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *last, *tok, *save = NULL;

		if (strncmp(line, "NSpid:", 6))
			continue;
		/* the last entry is the pid in the innermost namespace */
		last = NULL;
		for (tok = strtok_r(line + 6, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save))
			last = tok;
		if (last)
			p->nspid = (uint32_t)strtoul(last, NULL, 10);
		break;
	}
	fclose(f);
}

static struct sym_proc *proc_find(struct symbolizer *s, uint32_t pid)
{
	uint32_t id = hashmap__find(s->proc_index, &pid, sizeof(pid));

	return id ? s->procs[id - 1] : NULL;
}

static int proc_refresh(struct symbolizer *s, struct sym_proc *p)
{
	struct sym_maps fresh;
	int err;

	p->refresh_gen = s->gen;
	if (p->gone)
		return -ESRCH;
	err = sym_maps__read(p->pid, &fresh);
	if (err) {
		/* exited: from now on the snapshot is all there is */
		if (err == -ENOENT || err == -ESRCH)
			p->gone = true;
		return err;
	}
	err = sym_maps__merge(&p->maps, &fresh);
	if (err) {
		sym_maps__free(&fresh);
		return err;
	}
	proc_load_dsos(s, p);
	return 0;
}

static int proc_add(struct symbolizer *s, uint32_t pid, struct sym_proc **out)
{
	struct sym_proc *p;
	uint32_t id;
	int err;

	p = proc_find(s, pid);
	if (p) {
		/* added again: take a new look, the caller expects it current */
		if (out)
			*out = p;
		proc_refresh(s, p);
		return 0;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->refresh_gen = s->gen;
	err = sym_maps__read(pid, &p->maps);
	if (err) {
		/* remember it anyway, so later lookups do not retry each time */
		p->gone = true;
	} else {
		proc_ids(p);
	}
	if (grow((void **)&s->procs, &s->cap_procs, s->nr_procs + 1, sizeof(*s->procs)) ||
	    hashmap__find_or_insert(s->proc_index, &pid, sizeof(pid), s->nr_procs + 1, &id) < 0) {
		sym_maps__free(&p->maps);
		free(p);
		return -ENOMEM;
	}
	s->procs[s->nr_procs++] = p;
	if (!err)
		proc_load_dsos(s, p);
	if (out)
		*out = p;
	return err;
}

int symbolizer__add_pid(struct symbolizer *s, uint32_t pid)
{
	if (!s || !pid)
		return -EINVAL;
	return proc_add(s, pid, NULL);
}

/* ---- perf maps ---- */

/*
 * The perf map at path (inside root when set), opened never through a
 * symlink and loaded if trusted: anyone can write /tmp, so names are taken
 * only from a regular file of the process's user or root (perf's rule;
 * for a pid never seen alive, ours) that others may not write.  Checked on
 * the open file: nothing can be swapped in between.
 */
static int perfmap_load(struct sym_proc *p, const char *root, const char *path)
{
	int fd = root ? root__open_in(root, path, O_NOFOLLOW)
		      : open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	int err;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (st.st_mode & S_IWOTH) ||
	    (st.st_uid != 0 && st.st_uid != (p->uid_known ? p->uid : getuid())))
		err = -EPERM;
	else
		err = sym_perfmap__load_fd(&p->perfmap, fd);
	close(fd);
	return err;
}

static struct sym_entry *perfmap_lookup(struct symbolizer *s, struct sym_proc *p, uint64_t addr)
{
	struct sym_entry *e = NULL;
	char path[PATH_MAX], root[64];

	if (p->perfmap.loaded)
		e = sym_table__lookup(&p->perfmap.syms, addr);
	if (e || p->perfmap_gen == s->gen + 1)
		return e;
	/* (re)read once per generation: the JIT appends as it compiles */
	p->perfmap_gen = s->gen + 1;
	snprintf(root, sizeof(root), "/proc/%" PRIu32 "/root", p->pid);
	snprintf(path, sizeof(path), "%s/perf-%" PRIu32 ".map", s->perfmap_dir,
		 p->nspid ? p->nspid : p->pid);
	if (p->gone || perfmap_load(p, root, path)) {
		int err;

		snprintf(path, sizeof(path), "%s/perf-%" PRIu32 ".map", s->perfmap_dir, p->pid);
		err = perfmap_load(p, NULL, path);
		if (err == -EFBIG)
			ps_warn("%s: %s (docs/limits.md): its names are skipped", path,
				limit__why());
		if (err)
			return NULL;
	}
	return sym_table__lookup(&p->perfmap.syms, addr);
}

/* ---- resolving ---- */

static void set_names(struct symbolizer *s, const struct sym_table *t, struct sym_entry *e,
		      uint64_t addr, struct sym_frame *out)
{
	out->system_name = sym_table__name(t, e);
	out->sym_offset = addr - e->start;
	if (!s->no_demangle && !e->demangle_tried) {
		e->demangled = sym_demangle(out->system_name);
		e->demangle_tried = 1;
	}
	out->name = !s->no_demangle && e->demangled ? e->demangled : out->system_name;
}

static int kernel_load(struct symbolizer *s)
{
	if (s->kallsyms_err != 1)
		return s->kallsyms_err;
	/* the running kernel's table is shared with collectors; a test file is ours */
	if (!strcmp(s->kallsyms_path, DEFAULT_KALLSYMS)) {
		s->kallsyms = sym_kallsyms__get_running(&s->kallsyms_err);
	} else {
		s->kallsyms_err = sym_kallsyms__load(&s->kallsyms_own, s->kallsyms_path, NULL);
		if (!s->kallsyms_err)
			s->kallsyms = &s->kallsyms_own;
	}
	if (s->kallsyms_err == -EFBIG)
		ps_warn("%s: %s (docs/limits.md): kernel frames stay addresses",
			s->kallsyms_path, limit__why());
	return s->kallsyms_err;
}

/* The kernel's build id from /sys/kernel/notes (raw ELF notes). */
static void kernel_build_id(struct symbolizer *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[4096];
	size_t off = 0;
	ssize_t n;
	int fd;

	if (s->kernel_build_id[0])
		return;
	fd = open_ro("/sys/kernel/notes");
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	while (n > 0 && off + 12 <= (size_t)n) {
		uint32_t namesz, descsz, type, i;
		size_t name_off = off + 12, desc_off;

		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		desc_off = name_off + ((namesz + 3) & ~3u);
		if (desc_off + descsz > (size_t)n)
			break;
		if (type == 3 /* NT_GNU_BUILD_ID */ && namesz == 4 &&
		    !memcmp(buf + name_off, "GNU", 4) && descsz * 2 < sizeof(s->kernel_build_id)) {
			for (i = 0; i < descsz; i++) {
				s->kernel_build_id[2 * i] = hex[buf[desc_off + i] >> 4];
				s->kernel_build_id[2 * i + 1] = hex[buf[desc_off + i] & 15];
			}
			s->kernel_build_id[2 * descsz] = '\0';
			return;
		}
		off = desc_off + ((descsz + 3) & ~3u);
	}
}

static int resolve_kernel(struct symbolizer *s, uint64_t addr, struct sym_frame *out)
{
	struct sym_entry *e;

	out->module = KERNEL_MODULE;
	out->map_limit = UINT64_MAX;
	kernel_build_id(s);
	out->build_id = s->kernel_build_id[0] ? s->kernel_build_id : NULL;
	if (s->no_kernel || kernel_load(s)) {
		/* one mapping for the whole kernel; names unknown */
		out->module_offset = addr;
		return 0;
	}
	/* one mapping from the kernel's text start, so offsets read like perf's */
	out->map_start = addr >= s->kallsyms->lo ? s->kallsyms->lo : 0;
	out->module_offset = addr - out->map_start;
	out->has_symbols = true;
	e = sym_kallsyms__lookup(s->kallsyms, addr, &out->kmod);
	if (e)
		set_names(s, &s->kallsyms->syms, e, addr, out);
	return 0;
}

static void frame_from_map(const struct sym_map *m, uint64_t addr, struct sym_frame *out)
{
	out->map_start = m->start;
	out->map_limit = m->end;
	out->map_offset = m->offset;
	out->module_offset = addr - m->start + m->offset;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * A miss re-reads the maps at most once per symbolize pass, and for lone
 * resolves at most once per REFRESH_MIN_NS: a stream of garbage addresses
 * must not turn into a stream of /proc reads.
 */
#define REFRESH_MIN_NS 10000000ull

static bool may_refresh(struct symbolizer *s, struct sym_proc *p)
{
	uint64_t now;

	if (p->gone || p->refresh_gen == s->gen)
		return false;
	if (s->in_batch)
		return true;
	now = mono_ns();
	if (p->refresh_ns && now - p->refresh_ns < REFRESH_MIN_NS)
		return false;
	p->refresh_ns = now;
	return true;
}

static int resolve_user(struct symbolizer *s, uint32_t pid, uint64_t addr, struct sym_frame *out)
{
	struct sym_proc *p = proc_find(s, pid);
	struct sym_map *m;
	struct sym_dso *d;
	struct sym_entry *e;
	uint64_t vaddr;

	if (!p) {
		/* an exited pid is remembered as gone; only ENOMEM leaves none */
		proc_add(s, pid, &p);
		if (!p)
			return -ENOMEM;
	}
	m = sym_maps__find(&p->maps, addr);
	if (!m && may_refresh(s, p)) {
		/* mapped since the snapshot (dlopen, a new JIT region) */
		proc_refresh(s, p);
		m = sym_maps__find(&p->maps, addr);
	}
	if (!m) {
		/* JIT code in a region we never saw mapped: the perf map may know */
		e = perfmap_lookup(s, p, addr);
		if (!e)
			return -ENOENT;
		out->module = "[jit]";
		out->map_start = e->start;
		out->map_limit = e->end;
		out->module_offset = addr - e->start;
		out->has_symbols = true;
		set_names(s, &p->perfmap.syms, e, addr, out);
		return 0;
	}
	frame_from_map(m, addr, out);

	switch (m->kind) {
	case SYM_MAP_FILE:
	case SYM_MAP_VDSO:
		out->module = m->kind == SYM_MAP_VDSO ? "[vdso]" : intern(s, m->path);
		if (!out->module)
			return -ENOMEM;
		d = map_dso(s, p, m);
		if (!d || d->err)
			return 0;
		out->build_id = d->elf.build_id[0] ? d->elf.build_id : NULL;
		out->has_symbols = d->elf.syms.nr > 0;
		if (sym_elf__offset_to_vaddr(&d->elf, out->module_offset, &vaddr))
			return 0;
		out->elf_addr = vaddr;
		e = sym_table__lookup(&d->elf.syms, vaddr);
		if (e)
			set_names(s, &d->elf.syms, e, vaddr, out);
		return 0;
	case SYM_MAP_ANON:
	case SYM_MAP_SPECIAL:
		/* "[anon:name]", "[heap]"... as the kernel shows them */
		out->module = m->path[0] ? intern(s, m->path) : "[anon]";
		if (!out->module)
			return -ENOMEM;
		/*
		 * Even when the maps read said not executable: a JIT maps a
		 * region writable and makes it executable later (V8 does), and
		 * only code ever sits in its perf map.
		 */
		e = perfmap_lookup(s, p, addr);
		if (e) {
			out->module = "[jit]";
			out->has_symbols = true;
			set_names(s, &p->perfmap.syms, e, addr, out);
		}
		return 0;
	}
	return 0;
}

static int resolve(struct symbolizer *s, uint32_t pid, bool kernel, uint64_t addr,
		   struct sym_frame *out)
{
	memset(out, 0, sizeof(*out));
	if (kernel)
		return resolve_kernel(s, addr, out);
	return resolve_user(s, pid, addr, out);
}

int symbolizer__resolve(struct symbolizer *s, uint32_t pid, bool kernel, uint64_t addr,
			struct sym_frame *out)
{
	if (!s || !out)
		return -EINVAL;
	if (!s->in_batch)
		s->gen++;
	return resolve(s, pid, kernel, addr, out);
}

/* ---- the profile pass ---- */

static uint32_t frame_mapping(struct profile *p, const struct sym_frame *f)
{
	struct pf_mapping m = {
		.start = f->map_start,
		.limit = f->map_limit,
		.offset = f->map_offset,
		.has_functions = f->has_symbols,
	};

	m.filename = profile__intern(p, f->module);
	m.build_id = f->build_id ? profile__intern(p, f->build_id) : 0;
	if (!m.filename || (f->build_id && !m.build_id))
		return 0;
	return profile__add_mapping(p, &m);
}

int symbolizer__symbolize_profile(struct symbolizer *s, struct profile *p)
{
	struct sym_frame f;
	uint32_t i, mid, fid;
	int unnamed = 0, err;

	if (!s || !p)
		return -EINVAL;
	s->gen++;
	s->in_batch = true;
	for (i = 1; i < p->nr_locations; i++) {
		struct pf_location *l = &p->locations[i];

		/* named frames and frames read back from a file have their lines */
		if (l->symbolized || l->nr_lines || l->mapping || !l->address)
			continue;
		err = resolve(s, l->pid, l->kernel, l->address, &f);
		l->symbolized = true;
		if (err == -ENOMEM)
			goto out_batch;
		if (err) {
			unnamed++;
			continue;
		}
		mid = frame_mapping(p, &f);
		if (!mid) {
			err = -ENOMEM;
			goto out_batch;
		}
		/* the profile's tables may have moved: index again */
		p->locations[i].mapping = mid;
		if (!f.name) {
			unnamed++;
			continue;
		}
		fid = profile__intern_function(p, f.name, f.system_name, "");
		if (!fid) {
			err = -ENOMEM;
			goto out_batch;
		}
		err = profile__location_add_line(p, i, fid, 0);
		if (err)
			goto out_batch;
	}
	err = unnamed;
out_batch:
	s->in_batch = false;
	return err;
}
