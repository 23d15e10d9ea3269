// SPDX-License-Identifier: MIT
/*
 * Which symbols of a running target a rule set can match: every function
 * symbol of its executable mappings (demangled, or Go's gopclntab names)
 * and of its JIT perf map, tested against each path's symbol rules.  A set
 * that matches nothing attributes nothing by symbol: `rules --guess` says
 * so, with what would help.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/rules-check.h"
#include "core/sym-demangle.h"
#include "core/sym-elf.h"
#include "core/sym-maps.h"
#include "core/sym-perfmap.h"
#include "core/symbolizer.h"

/* Only C++ and Rust patterns ("aria2::DHT") need demangled names: skip the cost otherwise. */
static bool wants_demangled(const struct path_rules *r)
{
	for (uint32_t i = 0; i < r->nr_syms; i++) {
		for (uint32_t k = 0; k < r->syms[i].nr_pats; k++) {
			if (strstr(r->syms[i].pats[k], "::"))
				return true;
		}
	}
	return false;
}

static void count_name(const struct path_rules *r, const char *name, struct rules_hits *h)
{
	char *dem = NULL;

	if (h->demangle && name[0] == '_' && (name[1] == 'Z' || name[1] == 'R'))
		dem = sym_demangle(name);
	h->symbols++;
	for (uint32_t p = 1; p < r->nr_paths && p < PATH_MAX_PATHS; p++) {
		if (!path_rules__symbol_matches(r, p, dem ? dem : name))
			continue;
		if (!h->per_path[p]++)
			snprintf(h->example[p], sizeof(h->example[p]), "%s", dem ? dem : name);
		h->any = true;
	}
	free(dem);
}

static void count_table(const struct path_rules *r, const struct sym_table *t,
			struct rules_hits *h)
{
	for (size_t i = 0; i < t->nr && !(h->first_only && h->any); i++)
		count_name(r, sym_table__name(t, &t->syms[i]), h);
}

/* One module's symbols (NULL: unreadable, counted as a module only). */
static void count_elf(const struct path_rules *r, const struct sym_elf *e, struct rules_hits *h)
{
	h->modules++;
	if (!e)
		return;
	if (!e->has_symtab && !e->go_names)
		h->stripped_modules++;
	count_table(r, &e->syms, h);
}

struct count_ctx {
	const struct path_rules *r;
	struct rules_hits *h;
};

/* symbolizer__each_module() callback: stop at the first match when that is all we need */
static int count_parsed(void *ctx, const char *path, const struct sym_elf *e)
{
	struct count_ctx *c = ctx;

	count_elf(c->r, e, c->h);
	return c->h->first_only && c->h->any;
}

/* One executable mapping's file, parsed here: its symbols, or none (counted as unnamed). */
static void count_module(const struct path_rules *r, const char *path, struct rules_hits *h)
{
	struct sym_elf e;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		count_elf(r, NULL, h);
		return;
	}
	sym_elf__init(&e);
	if (!sym_elf__load_fd(&e, fd)) {
		/*
		 * Sorted, aliases merged, for the counts `rules --guess` prints;
		 * a first match needs no order, and sorting Node.js's 107k
		 * symbols was a tenth of a record's start-up.
		 */
		if (!h->first_only)
			sym_elf__finish(&e);
		count_elf(r, &e, h);
	} else {
		count_elf(r, NULL, h);
	}
	sym_elf__free(&e);
	close(fd);
}

/* The modules' symbols as the symbolizer s parsed them: each file is parsed once. */
static int parsed_hits(const struct path_rules *r, struct symbolizer *s, uint32_t pid,
		       struct rules_hits *h)
{
	struct count_ctx c = { r, h };

	return symbolizer__each_module(s, pid, count_parsed, &c);
}

/* Each executable file of pid, parsed here. */
static int file_hits(const struct path_rules *r, uint32_t pid, struct rules_hits *h)
{
	struct sym_maps maps = {};
	const char *last = "";
	int err = sym_maps__read(pid, &maps);

	if (err)
		return err;
	for (size_t i = 0; i < maps.nr; i++) {
		const struct sym_map *m = &maps.maps[i];

		/* each file once (its mappings are adjacent), file-backed code only */
		if (h->first_only && h->any)
			break;
		if (!m->exec || m->path[0] != '/' || !strcmp(m->path, last))
			continue;
		last = m->path;
		count_module(r, m->path, h);
	}
	sym_maps__free(&maps);
	return 0;
}

static int target_hits(const struct path_rules *r, struct symbolizer *s, uint32_t pid,
		       bool first_only, struct rules_hits *h)
{
	struct sym_perfmap pm = {};
	char path[64];
	int err;

	memset(h, 0, sizeof(*h));
	h->demangle = wants_demangled(r);
	h->first_only = first_only;
	err = s ? parsed_hits(r, s, pid, h) : file_hits(r, pid, h);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/tmp/perf-%u.map", pid);
	if (!sym_perfmap__load(&pm, path)) {
		h->jit = true;
		count_table(r, &pm.syms, h);
	}
	sym_perfmap__free(&pm);
	return 0;
}

int path_rules__target_hits(const struct path_rules *r, uint32_t pid, struct rules_hits *h)
{
	return target_hits(r, NULL, pid, false, h);
}

uint32_t rules_hits__total(const struct rules_hits *h)
{
	uint32_t n = 0;

	for (int p = 1; p < PATH_MAX_PATHS; p++)
		n += h->per_path[p];
	return n;
}

int path_rules__check_target(const struct path_rules *r, struct symbolizer *s, uint32_t pid,
			     bool first_only, struct rules_hits *h)
{
	int err = target_hits(r, s, pid, first_only, h);

	if (err)
		return err;
	if (!rules_hits__total(h))
		ps_warn("rules: %s matches none of the %u symbols of pid %u (%u of %u modules "
			"without a symbol table%s): paths will get only what --port places (install "
			"the debug symbols, e.g. the -dbgsym package; --port PATH=udp:LO-HI for the "
			"node's sockets; or a rules file, docs/rules.md)",
			r->name, h->symbols, pid, h->stripped_modules, h->modules,
			h->jit ? "; JIT map read" : "; no JIT map");
	return 0;
}
