// SPDX-License-Identifier: MIT
/* perf map files for JIT code; see sym-perfmap.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sym-perfmap.h"

void sym_perfmap__free(struct sym_perfmap *m)
{
	size_t i;

	for (i = 0; i < m->nr_retired; i++)
		sym_table__free(&m->retired[i]);
	free(m->retired);
	sym_table__free(&m->syms);
	memset(m, 0, sizeof(*m));
}

int sym_perfmap__load(struct sym_perfmap *m, const char *path)
{
	/* never through a symlink: it could point anywhere */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), err;

	if (fd < 0)
		return -errno;
	err = sym_perfmap__load_fd(m, fd);
	close(fd);
	return err;
}

int sym_perfmap__load_fd(struct sym_perfmap *m, int fd)
{
	struct sym_table t;
	char *line = NULL;
	size_t cap = 0;
	uint32_t lineno = 0;
	struct stat st;
	FILE *f;
	int dfd = dup(fd), err = 0;

	if (dfd < 0)
		return -errno;
	f = fdopen(dfd, "r");
	if (!f) {
		err = -errno;
		close(dfd);
		return err;
	}
	if (fstat(fileno(f), &st)) {
		err = -errno;
		goto out_file;
	}
	if (m->loaded && (uint64_t)st.st_size == m->size &&
	    st.st_mtim.tv_sec == m->mtime.tv_sec && st.st_mtim.tv_nsec == m->mtime.tv_nsec)
		goto out_file;  /* unchanged */

	sym_table__init(&t);
	while (getline(&line, &cap, f) > 0) {
		char *p = line, *end;
		uint64_t start, size;
		size_t len;

		lineno++;
		start = strtoull(p, &end, 16);
		if (end == p || *end != ' ')
			continue;
		p = end + 1;
		size = strtoull(p, &end, 16);
		if (end == p || *end != ' ' || !size)
			continue;
		p = end + 1;
		len = strcspn(p, "\n");
		/* names may hold spaces ("LazyCompile:~foo bar.js:1"); keep them */
		while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (!len)
			continue;
		/* aux = line number: a later line re-using an address wins */
		err = sym_table__add(&t, start, size, 0, p, len, SYM_BIND_GLOBAL, lineno);
		if (err)
			break;
	}
	free(line);
	if (err) {
		sym_table__free(&t);
		goto out_file;
	}
	sym_table__finish(&t);
	if (m->loaded) {
		void *n = realloc(m->retired, (m->nr_retired + 1) * sizeof(*m->retired));

		if (!n) {
			sym_table__free(&t);
			err = -ENOMEM;
			goto out_file;
		}
		m->retired = n;
		m->retired[m->nr_retired++] = m->syms;
	}
	m->syms = t;
	m->size = st.st_size;
	m->mtime = st.st_mtim;
	m->loaded = 1;
out_file:
	fclose(f);
	return err;
}
