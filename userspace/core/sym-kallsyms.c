// SPDX-License-Identifier: MIT
/* /proc/kallsyms parsing; see sym-kallsyms.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/run-cache.h"
#include "core/sym-kallsyms.h"

#define KALLSYMS_READ_BUF	(256 * 1024)
#define RUNNING_KALLSYMS	"/proc/kallsyms"
#define RUNNING_MODULES		"/proc/modules"

static struct sym_kallsyms running;
static unsigned int running_refs;
static sym_kallsyms_source_fn dynamic_source;

static int mod_index(struct sym_kallsyms *k, const char *name, size_t len, uint32_t *idx)
{
	uint32_t i;
	char **n;

	/* modules come in runs in kallsyms: search from the last one added */
	for (i = k->nr_mods; i-- > 1;)
		if (!strncmp(k->mods[i] + 1, name, len) && k->mods[i][len + 1] == ']') {
			*idx = i;
			return 0;
		}
	/* slot 0 is the core kernel */
	i = k->nr_mods ? k->nr_mods : 1;
	n = realloc(k->mods, (i + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	k->mods = n;
	k->mods[0] = NULL;
	if (asprintf(&k->mods[i], "[%.*s]", (int)len, name) < 0)
		return -ENOMEM;
	k->nr_mods = i + 1;
	*idx = i;
	return 0;
}

/*
 * Module extents from /proc/modules ("name size refs deps state 0xaddr"):
 * kallsyms has no sizes, and without an end the last symbol of a module
 * would run up to the next module's first one.
 */
static void module_ends(struct sym_kallsyms *k, const char *modules_path)
{
	uint64_t *ends;
	char line[1024];
	size_t i;
	FILE *f;

	if (!modules_path || k->nr_mods < 2)
		return;
	f = fopen(modules_path, "re");
	if (!f)
		return;
	ends = calloc(k->nr_mods, sizeof(*ends));
	if (!ends)
		goto out_file;
	while (fgets(line, sizeof(line), f)) {
		char name[256];
		unsigned long long size, addr;
		uint32_t m;

		if (sscanf(line, "%255s %llu %*s %*s %*s %llx", name, &size, &addr) != 3 || !addr)
			continue;
		for (m = 1; m < k->nr_mods; m++)
			if (!strncmp(k->mods[m] + 1, name, strlen(name)) &&
			    k->mods[m][strlen(name) + 1] == ']')
				ends[m] = addr + size;
	}
	for (i = 0; i < k->syms.nr; i++) {
		struct sym_entry *e = &k->syms.syms[i];

		if (e->aux && ends[e->aux] > e->start)
			sym_table__set_sec_end(e, ends[e->aux]);
	}
	free(ends);
out_file:
	fclose(f);
}

int sym_kallsyms__load(struct sym_kallsyms *k, const char *path, const char *modules_path)
{
	char *line = NULL, *buf;
	size_t cap = 0;
	bool nonzero = false;
	FILE *f;
	int err = 0;

	memset(k, 0, sizeof(*k));
	sym_table__init(&k->syms);
	sym_table__init(&k->dyn);
	k->lo = UINT64_MAX;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* procfs says 1 KiB blocks: 5,000 read() calls instead of a few dozen */
	buf = malloc(KALLSYMS_READ_BUF);
	if (buf)
		setvbuf(f, buf, _IOFBF, KALLSYMS_READ_BUF);
	while (getline(&line, &cap, f) > 0) {
		char *p = line, *name, *end;
		uint64_t addr;
		uint32_t mod = 0;
		char type;
		size_t nlen;

		addr = strtoull(p, &end, 16);
		if (end == p || *end != ' ')
			continue;
		p = end + 1;
		type = *p;
		if (!type || p[1] != ' ')
			continue;
		/* text only: stacks hold code addresses */
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		name = p + 2;
		nlen = strcspn(name, "\t\n ");
		p = name + nlen;
		while (*p == '\t' || *p == ' ')
			p++;
		if (*p == '[') {
			size_t mlen = strcspn(p + 1, "]\n");

			err = mod_index(k, p + 1, mlen, &mod);
			if (err)
				break;
		}
		if (addr)
			nonzero = true;
		if (!mod && addr) {
			if (addr < k->lo)
				k->lo = addr;
			if (addr > k->hi)
				k->hi = addr;
		}
		err = sym_table__add(&k->syms, addr, 0, 0, name, nlen,
				     type == 'T' ? SYM_BIND_GLOBAL :
				     type == 'W' || type == 'w' ? SYM_BIND_WEAK : SYM_BIND_LOCAL,
				     mod);
		if (err)
			break;
	}
	free(line);
	fclose(f);
	free(buf);
	if (!err && !nonzero)
		err = k->syms.nr ? -EACCES : -ENODATA;
	if (err) {
		sym_kallsyms__free(k);
		return err;
	}
	module_ends(k, modules_path);
	sym_table__finish(&k->syms);
	return 0;
}

void sym_kallsyms__free(struct sym_kallsyms *k)
{
	uint32_t i;

	sym_table__free(&k->syms);
	sym_table__free(&k->dyn);
	for (i = 1; i < k->nr_mods; i++)
		free(k->mods[i]);
	free(k->mods);
	memset(k, 0, sizeof(*k));
}

void sym_kallsyms__set_dynamic_source(sym_kallsyms_source_fn fn)
{
	dynamic_source = fn;
}

static int load_running(struct sym_kallsyms *k)
{
	const char *dir = run_cache__dir();
	char key[KALLSYMS_KEY_LEN];
	bool keyed = dir && !sym_kallsyms__running_key(key, sizeof(key), RUNNING_MODULES);
	uint32_t aux;
	int err, e;

	err = keyed ? sym_kallsyms__load_cache(k, dir, key) : -ENOENT;
	if (!err) {
		int n = 0;

		/* best effort: without them BPF frames stay addresses */
		if (dynamic_source && !mod_index(k, "bpf", 3, &aux))
			n = dynamic_source(&k->dyn, aux);
		sym_table__finish(&k->dyn);
		ps_debug("kallsyms: %zu symbols from %s/kallsyms, %d of BPF programs from bpf()",
			 k->syms.nr, dir, n);
		return 0;
	}
	/* anything but "not there yet" or "another boot" is worth a word */
	if (keyed && err != -ENOENT && err != -ESTALE)
		ps_debug("kallsyms: %s/kallsyms not used (%s): reading %s", dir, strerror(-err),
			 RUNNING_KALLSYMS);
	err = sym_kallsyms__load(k, RUNNING_KALLSYMS, RUNNING_MODULES);
	if (err || !keyed)
		return err;
	/* best effort too: the next record of this boot reads it */
	e = sym_kallsyms__save_cache(k, dir, key);
	if (e)
		ps_debug("kallsyms: %zu symbols read from %s, not kept in %s: %s", k->syms.nr,
			 RUNNING_KALLSYMS, dir, strerror(-e));
	else
		ps_debug("kallsyms: %zu symbols read from %s, kept in %s/kallsyms for this boot",
			 k->syms.nr, RUNNING_KALLSYMS, dir);
	return 0;
}

struct sym_kallsyms *sym_kallsyms__get_running(int *err)
{
	int e;

	if (!running_refs) {
		e = load_running(&running);
		if (e) {
			*err = e;
			return NULL;
		}
	}
	running_refs++;
	*err = 0;
	return &running;
}

void sym_kallsyms__put_running(struct sym_kallsyms *k)
{
	if (k != &running || !running_refs)
		return;
	if (!--running_refs)
		sym_kallsyms__free(&running);
}

struct sym_entry *sym_kallsyms__lookup(const struct sym_kallsyms *k, uint64_t addr,
				       const char **module)
{
	/* the dynamic symbols first: exact sizes, in gaps of the table */
	struct sym_entry *e = k->dyn.nr ? sym_table__lookup(&k->dyn, addr) : NULL;

	if (!e)
		e = sym_table__lookup(&k->syms, addr);
	if (module)
		*module = e && e->aux && e->aux < k->nr_mods ? k->mods[e->aux] : NULL;
	return e;
}

const struct sym_table *sym_kallsyms__table_of(const struct sym_kallsyms *k,
					       const struct sym_entry *e)
{
	if (k->dyn.nr && e >= k->dyn.syms && e < k->dyn.syms + k->dyn.nr)
		return &k->dyn;
	return &k->syms;
}
