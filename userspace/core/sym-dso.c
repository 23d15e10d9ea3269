// SPDX-License-Identifier: MIT
/*
 * The symbolizer's cache of parsed files ("dsos"), keyed by the (device,
 * inode) that /proc/PID/maps shows, so a library shared by many pids is
 * parsed once: opening a mapping's file through the pid's view, separate
 * debug files, and the vdso image.
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
#include <unistd.h>
#include <zlib.h>

#include "core/array.h"
#include "core/hashmap.h"
#include "core/input-limits.h"
#include "core/log.h"
#include "core/root-open.h"
#include "core/symbolizer-int.h"

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

	if (ARRAY_ROOM(s->dsos, s->nr_dsos, s->cap_dsos, 16))
		return NULL;
	if (hashmap__find_or_insert(s->dso_index, key, len, s->nr_dsos + 1, &id) < 0)
		return NULL;
	s->dsos[s->nr_dsos++] = d;
	return d;
}

/* A new entry read from path (NULL when out of memory); not cached yet. */
static struct sym_dso *dso_new(const char *path)
{
	struct sym_dso *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	sym_elf__init(&d->elf);
	d->path = strdup(path);
	return d;
}

static void dso_destroy(struct sym_dso *d)
{
	sym_elf__free(&d->elf);
	free(d->path);
	free(d);
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
	d = dso_new(m->path);
	if (!d)
		return NULL;
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
	d = dso_new("[vdso]");
	if (!d)
		goto out_img;
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

struct sym_dso *sym_dso__get(struct symbolizer *s, struct sym_proc *p, struct sym_map *m)
{
	if (m->dso)
		return m->dso;
	if (m->kind == SYM_MAP_FILE)
		m->dso = dso_get_file(s, p, m);
	else if (m->kind == SYM_MAP_VDSO)
		m->dso = dso_get_vdso(s, p, m);
	return m->dso;
}

void sym_dso__load_proc(struct symbolizer *s, struct sym_proc *p)
{
	size_t i;

	for (i = 0; i < p->maps.nr; i++) {
		struct sym_map *m = &p->maps.maps[i];

		if (m->exec && (m->kind == SYM_MAP_FILE || m->kind == SYM_MAP_VDSO))
			sym_dso__get(s, p, m);
	}
}
