// SPDX-License-Identifier: MIT
/*
 * The symbolizer: glue between processes' mappings, parsed files and the
 * profile model.  See symbolizer.h for the contract and
 * docs/symbolization.md for the order in which sources are tried.
 *
 * Ownership: a symbolizer owns one cache of parsed files ("dsos", keyed by
 * the (device, inode) that /proc/PID/maps shows, so a library shared by
 * many pids is parsed once), one snapshot of maps per pid, the kernel
 * symbols, and an intern pool for the strings it hands out.  The file
 * cache is sym-dso.c, kernel frames sym-kernel.c; this file holds the
 * rest: lifecycle, processes, perf maps, resolving and the profile pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/array.h"
#include "core/hashmap.h"
#include "core/input-limits.h"
#include "core/log.h"
#include "core/profile.h"
#include "core/root-open.h"
#include "core/sym-demangle.h"
#include "core/symbolizer-int.h"

/* ---- small tables ---- */

static const char *intern(struct symbolizer *s, const char *str)
{
	size_t len = strlen(str);
	uint32_t id;
	char *copy;
	int ret;

	id = hashmap__find(s->str_index, str, len);
	if (id)
		return s->strs[id - 1];
	if (ARRAY_ROOM(s->strs, s->nr_strs, s->cap_strs, 16))
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
	sym_dso__load_proc(s, p);
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
	if (ARRAY_ROOM(s->procs, s->nr_procs, s->cap_procs, 16) ||
	    hashmap__find_or_insert(s->proc_index, &pid, sizeof(pid), s->nr_procs + 1, &id) < 0) {
		sym_maps__free(&p->maps);
		free(p);
		return -ENOMEM;
	}
	s->procs[s->nr_procs++] = p;
	if (!err)
		sym_dso__load_proc(s, p);
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

int symbolizer__each_module(struct symbolizer *s, uint32_t pid,
			    int (*fn)(void *ctx, const char *path, const struct sym_elf *elf),
			    void *ctx)
{
	struct sym_proc *p = s ? proc_find(s, pid) : NULL;
	const struct sym_dso *last = NULL;

	if (!p || p->gone)
		return -ENOENT;
	for (size_t i = 0; i < p->maps.nr; i++) {
		struct sym_map *m = &p->maps.maps[i];
		struct sym_dso *d;

		if (!m->exec || m->kind != SYM_MAP_FILE)
			continue;
		d = sym_dso__get(s, p, m);
		if (d && d == last)
			continue;	/* the same file's next mapping */
		last = d;
		if (fn(ctx, m->path, d && !d->err ? &d->elf : NULL))
			break;
	}
	return 0;
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

void sym_frame__set_names(struct symbolizer *s, const struct sym_table *t, struct sym_entry *e,
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
		out->map_limit = sym_entry__end(e);
		out->module_offset = addr - e->start;
		out->has_symbols = true;
		sym_frame__set_names(s, &p->perfmap.syms, e, addr, out);
		return 0;
	}
	frame_from_map(m, addr, out);

	switch (m->kind) {
	case SYM_MAP_FILE:
	case SYM_MAP_VDSO:
		out->module = m->kind == SYM_MAP_VDSO ? "[vdso]" : intern(s, m->path);
		if (!out->module)
			return -ENOMEM;
		d = sym_dso__get(s, p, m);
		if (!d || d->err)
			return 0;
		out->build_id = d->elf.build_id[0] ? d->elf.build_id : NULL;
		out->has_symbols = d->elf.syms.nr > 0;
		if (sym_elf__offset_to_vaddr(&d->elf, out->module_offset, &vaddr))
			return 0;
		out->elf_addr = vaddr;
		e = sym_table__lookup(&d->elf.syms, vaddr);
		if (e)
			sym_frame__set_names(s, &d->elf.syms, e, vaddr, out);
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
			sym_frame__set_names(s, &p->perfmap.syms, e, addr, out);
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
		return sym_kernel__resolve(s, addr, out);
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
