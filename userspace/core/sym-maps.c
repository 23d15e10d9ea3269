// SPDX-License-Identifier: MIT
/* /proc/PID/maps parsing and snapshot merging; see sym-maps.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/sym-maps.h"
#include "core/array.h"

static void map_free(struct sym_map *m)
{
	free(m->path);
	m->path = NULL;
}

void sym_maps__free(struct sym_maps *m)
{
	size_t i;

	for (i = 0; i < m->nr; i++)
		map_free(&m->maps[i]);
	free(m->maps);
	memset(m, 0, sizeof(*m));
}

static int maps_push(struct sym_maps *m, const struct sym_map *src)
{
	if (ARRAY_ROOM(m->maps, m->nr, m->cap, 64))
		return -ENOMEM;
	m->maps[m->nr++] = *src;
	return 0;
}

static const char deleted_suffix[] = " (deleted)";

static int parse_line(char *line, struct sym_map *m)
{
	char perms[8];
	unsigned long long start, end, off, ino;
	unsigned int maj, min;
	int pos = 0;
	char *path;
	size_t len;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off, &maj,
		   &min, &ino, &pos) < 7 || !pos)
		return -EINVAL;
	path = line + pos;
	len = strlen(path);
	while (len && (path[len - 1] == '\n' || path[len - 1] == ' '))
		path[--len] = '\0';

	m->start = start;
	m->end = end;
	m->offset = off;
	m->dev_major = maj;
	m->dev_minor = min;
	m->inode = ino;
	m->exec = perms[2] == 'x';
	if (len > sizeof(deleted_suffix) - 1 &&
	    !strcmp(path + len - (sizeof(deleted_suffix) - 1), deleted_suffix)) {
		m->deleted = true;
		len -= sizeof(deleted_suffix) - 1;
		path[len] = '\0';
	}
	if (!len)
		m->kind = SYM_MAP_ANON;
	else if (!strcmp(path, "[vdso]"))
		m->kind = SYM_MAP_VDSO;
	else if (path[0] == '[')
		m->kind = SYM_MAP_SPECIAL;  /* [heap], [stack], [vsyscall]... */
	else
		m->kind = SYM_MAP_FILE;
	/* "[anon:...]" names given by prctl(PR_SET_VMA) are still anonymous code */
	if (!strncmp(path, "[anon:", 6) || !strncmp(path, "//anon", 6))
		m->kind = SYM_MAP_ANON;
	m->path = strdup(path);
	return m->path ? 0 : -ENOMEM;
}

int sym_maps__parse(FILE *f, struct sym_maps *out)
{
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	memset(out, 0, sizeof(*out));
	while (getline(&line, &cap, f) > 0) {
		struct sym_map m;

		if (parse_line(line, &m))
			continue;  /* tolerate lines we do not understand */
		err = maps_push(out, &m);
		if (err) {
			map_free(&m);
			break;
		}
	}
	free(line);
	if (err)
		sym_maps__free(out);
	return err;
}

int sym_maps__read(uint32_t pid, struct sym_maps *out)
{
	char path[64];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	err = sym_maps__parse(f, out);
	fclose(f);
	/* a zombie or a kernel thread has an empty maps file */
	if (!err && !out->nr)
		err = -ESRCH;
	return err;
}

struct sym_map *sym_maps__find(const struct sym_maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct sym_map *e = &m->maps[mid];

		if (addr < e->start)
			hi = mid;
		else if (addr >= e->end)
			lo = mid + 1;
		else
			return e;
	}
	return NULL;
}

static bool same_map(const struct sym_map *a, const struct sym_map *b)
{
	return a->start == b->start && a->end == b->end && a->offset == b->offset &&
	       a->inode == b->inode && a->dev_major == b->dev_major &&
	       a->dev_minor == b->dev_minor && !strcmp(a->path, b->path);
}

static int map_cmp(const void *pa, const void *pb)
{
	const struct sym_map *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return 0;
}

int sym_maps__merge(struct sym_maps *old, struct sym_maps *fresh)
{
	size_t i, nr_fresh = fresh->nr;
	int err;

	for (i = 0; i < nr_fresh; i++) {
		struct sym_map *f = &fresh->maps[i];
		struct sym_map *o = sym_maps__find(old, f->start);

		if (o && same_map(o, f))
			f->dso = o->dso;
	}
	/* old mappings that nothing fresh overlaps survive */
	for (i = 0; i < old->nr; i++) {
		struct sym_map *o = &old->maps[i];
		size_t lo = 0, hi = nr_fresh;
		bool overlap = false;

		/* first fresh mapping that ends after o->start */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (fresh->maps[mid].end <= o->start)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < nr_fresh && fresh->maps[lo].start < o->end)
			overlap = true;
		if (overlap)
			continue;
		err = maps_push(fresh, o);
		if (err)
			return err;
		o->path = NULL;  /* moved */
	}
	/* the survivors were appended; restore order */
	qsort(fresh->maps, fresh->nr, sizeof(*fresh->maps), map_cmp);
	sym_maps__free(old);
	*old = *fresh;
	memset(fresh, 0, sizeof(*fresh));
	return 0;
}
