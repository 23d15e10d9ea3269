// SPDX-License-Identifier: MIT
/*
 * Tables for the in-kernel .eh_frame unwinder (see unwinder.h).
 *
 * The maps are created here, once per recording, and reused by every BPF
 * object that unwinds (cpu, offcpu, sock, alloc): one copy of the tables
 * (up to 8 MiB of rows) whatever the number of collectors.  The store of
 * unwound stacks is shared too (up to 17 MiB), except by the cpu
 * collector, which keeps two of its own and empties them in turn while
 * recording (unwinder__reuse's own_stores).
 *
 * Each distinct file (device, inode) is parsed once and its rows appended
 * to the shared unw_rows array, which is mmap-ed: copying 30k rows of libc
 * is a memcpy, not 30k bpf() calls.  A process's entry in unw_procs lists
 * its executable mappings with their bias and their file's slice of rows;
 * the entry is replaced whole (hash map updates are atomic for readers).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <elf.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "collectors/unwinder.h"
#include "collectors/features.h"
#include "core/array.h"
#include "core/input-limits.h"
#include "core/log.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/sym-maps.h"
#include "core/unwind-cache.h"
#include "core/unwind-table.h"
#include "core/target.h"
#include "bpf/peerscope.h"
#include "bpf/unwind.h"

#define POLL_INTERVAL_NS	1000000000LL	/* re-read /proc/PID/maps once a second */
#define ROWS_MAP_CHUNK		(256 * 1024)	/* unw_rows is mapped in steps of this */
/*
 * Sized to the targets' tables (unwinder__create with targets): twice the
 * rows they need now, for libraries loaded later, and at least this many
 * (1 MiB) -- a typical node needs 30-60 k rows, where the fixed size was
 * 512 k (8 MiB).  A table that no longer fits uses frame pointers, with a
 * warning.
 */
#define ROWS_MIN		(64 * 1024)
#define ROWS_HEADROOM		2

/* One parsed file: where its rows went, and how to compute a mapping's bias. */
struct unw_file {
	uint64_t dev, ino;	/* dev = major << 32 | minor; ino 0 + dev ~0: the vDSO */
	struct unw_load *loads;
	size_t nr_loads;
	uint32_t table_off, count;	/* count 0: no table (frame pointers) */
};

/* The maps every unwinding object shares; names as in bpf/unwind.bpf.h. */
enum { UNW_MAP_ROWS, UNW_MAP_PROCS, UNW_MAP_STACKS, UNW_MAP_STATS, UNW_NR_MAPS };

static const struct {
	const char *name;
	enum bpf_map_type type;
	uint32_t value_size, max_entries, flags;
} unw_map_defs[UNW_NR_MAPS] = {
	[UNW_MAP_ROWS] = { "unw_rows", BPF_MAP_TYPE_ARRAY, sizeof(struct unw_row),
			   UNW_MAX_ROWS, BPF_F_MMAPABLE },
	[UNW_MAP_PROCS] = { "unw_procs", BPF_MAP_TYPE_HASH, sizeof(struct unw_proc),
			    PS_MAX_TARGETS + 1, BPF_F_NO_PREALLOC },	/* see bpf/unwind.bpf.h */
	[UNW_MAP_STACKS] = { "unw_stacks", BPF_MAP_TYPE_HASH, sizeof(struct unw_stack),
			     UNW_STACK_ENTRIES, BPF_F_NO_PREALLOC },	/* 18 MiB if preallocated */
	[UNW_MAP_STATS] = { "unw_stats", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint64_t),
			    UNW_STAT_MAX, 0 },
};

struct unwinder {
	enum unwind_mode mode;
	int fds[UNW_NR_MAPS];
	struct unw_row *rows_mem;	/* mmap of unw_rows */
	size_t rows_cap, rows_used, rows_mmap_len;
	/* before unw_rows exists: the targets' rows, to size it (rows_cap) */
	struct unw_row *staged;
	size_t staged_cap;
	bool rows_full_warned;
	bool in_use;			/* a collector attached through it: record it */

	struct unw_file *files;
	size_t nr_files, cap_files;

	uint32_t pids[PS_MAX_TARGETS];
	int nr_pids;
	int64_t last_poll_ns;
	uint64_t nr_procs;
	struct unw_proc proc;	/* scratch: 8 KiB, not on the stack */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int create_map(struct unwinder *u, int i, uint32_t max_entries)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = unw_map_defs[i].flags);
	int err;

	/* the cpu collector's perf_event program uses unw_stacks too */
	if (i == UNW_MAP_STACKS && !features__perf_event_noprealloc())
		opts.map_flags &= ~BPF_F_NO_PREALLOC;
	u->fds[i] = bpf_map_create(unw_map_defs[i].type, unw_map_defs[i].name, sizeof(__u32),
				   unw_map_defs[i].value_size, max_entries, &opts);
	if (u->fds[i] >= 0)
		return 0;
	err = -errno;
	ps_debug("unwind: creating %s failed: %s", unw_map_defs[i].name, strerror(-err));
	return err;
}

static int add_pids(struct unwinder *u, const struct target *t);
static int map_rows(struct unwinder *u, size_t rows);

/* Rows for what the targets need now, with room to grow (ROWS_MIN). */
static size_t rows_to_create(size_t used)
{
	size_t chunk = ROWS_MAP_CHUNK / sizeof(struct unw_row);
	size_t n = (used * ROWS_HEADROOM + chunk - 1) / chunk * chunk;

	if (n < ROWS_MIN)
		n = ROWS_MIN;
	return n < UNW_MAX_ROWS ? n : UNW_MAX_ROWS;
}

/*
 * unw_rows, sized to the rows staged so far (t given) or the largest,
 * and the staged rows copied into it.
 */
static int create_rows(struct unwinder *u, bool sized)
{
	int err;

	u->rows_cap = sized ? rows_to_create(u->rows_used) : UNW_MAX_ROWS;
	err = create_map(u, UNW_MAP_ROWS, u->rows_cap);
	if (!err && u->rows_used && !(err = map_rows(u, u->rows_used)))
		memcpy(u->rows_mem, u->staged, u->rows_used * sizeof(*u->staged));
	free(u->staged);
	u->staged = NULL;
	u->staged_cap = 0;
	return err;
}

/*
 * The entry BPF walks for a process without tables: no mapping, so every
 * step is a frame-pointer one (bpf/unwind.h, UNW_PROC_NO_TABLES).
 */
static int add_no_tables(struct unwinder *u)
{
	__u32 key = UNW_PROC_NO_TABLES;

	memset(&u->proc, 0, sizeof(u->proc));
	return bpf_map_update_elem(u->fds[UNW_MAP_PROCS], &key, &u->proc, BPF_ANY) ? -errno : 0;
}

struct unwinder *unwinder__create(enum unwind_mode mode, const struct target *t)
{
	struct unwinder *u;
	int err = 0;

	if (mode == UNWIND_FP) {
		errno = 0;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->mode = mode;
	for (int i = 0; i < UNW_NR_MAPS; i++)
		u->fds[i] = -1;
	u->rows_cap = UNW_MAX_ROWS;
	for (int i = 0; i < UNW_NR_MAPS && !err; i++)
		if (i != UNW_MAP_ROWS)
			err = create_map(u, i, unw_map_defs[i].max_entries);
	if (!err)
		err = add_no_tables(u);
	/* the targets' tables first (rows staged in memory), then unw_rows */
	if (!err && t)
		err = add_pids(u, t);
	if (!err)
		err = create_rows(u, t);
	if (err) {
		unwinder__free(u);
		errno = -err;
		return NULL;
	}
	if (t)
		ps_debug("unwind: unw_rows sized %zu rows (%zu KiB) for %zu rows of %zu files",
			 u->rows_cap, u->rows_cap * sizeof(struct unw_row) / 1024, u->rows_used,
			 u->nr_files);
	return u;
}

void unwinder__free(struct unwinder *u)
{
	if (!u)
		return;
	if (u->rows_mem)
		munmap(u->rows_mem, u->rows_mmap_len);
	free(u->staged);
	for (int i = 0; i < UNW_NR_MAPS; i++)
		if (u->fds[i] >= 0)
			close(u->fds[i]);
	for (size_t i = 0; i < u->nr_files; i++)
		free(u->files[i].loads);
	free(u->files);
	free(u);
}

/* The object's own store: sized like the shared one, or one entry when unused. */
static void size_own_store(struct bpf_map *store, bool used)
{
	bpf_map__set_max_entries(store, used ? unw_map_defs[UNW_MAP_STACKS].max_entries : 1);
	if (used && !features__perf_event_noprealloc())
		bpf_map__set_map_flags(store, 0);
}

int unwinder__reuse(struct unwinder *u, struct bpf_object *obj, bool own_stores)
{
	struct bpf_map *maps[UNW_NR_MAPS], *stacks_b;
	int err;

	stacks_b = bpf_object__find_map_by_name(obj, "unw_stacks_b");
	for (int i = 0; i < UNW_NR_MAPS; i++) {
		maps[i] = bpf_object__find_map_by_name(obj, unw_map_defs[i].name);
		if (!maps[i] || !stacks_b) {
			if (u)
				ps_warn("unwind: the BPF object has no %s map: frame pointers only (rebuild peerscope)",
					stacks_b ? unw_map_defs[i].name : "unw_stacks_b");
			return 0;
		}
	}
	/* unused maps: do not pin 25 MiB of kernel memory for nothing */
	size_own_store(stacks_b, u && own_stores);
	if (!u) {
		bpf_map__set_max_entries(maps[UNW_MAP_ROWS], 1);
		bpf_map__set_max_entries(maps[UNW_MAP_STACKS], 1);
		bpf_map__set_max_entries(maps[UNW_MAP_PROCS], 1);
		return 0;
	}
	for (int i = 0; i < UNW_NR_MAPS; i++) {
		if (i == UNW_MAP_STACKS && own_stores) {
			size_own_store(maps[i], true);
			continue;
		}
		err = bpf_map__reuse_fd(maps[i], u->fds[i]);
		if (err)
			return err;
	}
	return 1;
}

/*
 * Map the first `rows` rows of unw_rows (at least one chunk), remapping
 * larger as files are added.  Every mapped page of a BPF array counts in
 * our RSS: mapping all 8 MiB made it a third of a default record's peak,
 * for the ~0.5 MiB of rows a typical target needs.
 */
static int map_rows(struct unwinder *u, size_t rows)
{
	size_t page = sysconf(_SC_PAGESIZE), max, len;
	void *mem;

	max = (u->rows_cap * sizeof(struct unw_row) + page - 1) & ~(page - 1);
	len = (rows * sizeof(struct unw_row) + ROWS_MAP_CHUNK - 1) & ~(size_t)(ROWS_MAP_CHUNK - 1);
	if (len < ROWS_MAP_CHUNK)
		len = ROWS_MAP_CHUNK;
	if (len > max)
		len = max;
	if (u->rows_mem && u->rows_mmap_len >= len)
		return 0;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, u->fds[UNW_MAP_ROWS], 0);
	if (mem == MAP_FAILED)
		return -errno;
	if (u->rows_mem)
		munmap(u->rows_mem, u->rows_mmap_len);
	u->rows_mem = mem;
	u->rows_mmap_len = len;
	return 0;
}

/* Room for `rows` rows where they go now: staged before unw_rows exists, else its mmap. */
static int rows_room(struct unwinder *u, size_t rows)
{
	size_t cap = u->staged_cap ? u->staged_cap : 4096;
	void *n;

	if (u->fds[UNW_MAP_ROWS] >= 0)
		return map_rows(u, rows);
	if (rows <= u->staged_cap)
		return 0;
	while (cap < rows)
		cap *= 2;
	n = realloc(u->staged, cap * sizeof(*u->staged));
	if (!n)
		return -ENOMEM;
	u->staged = n;
	u->staged_cap = cap;
	return 0;
}

static struct unw_row *rows_dst(struct unwinder *u)
{
	return u->fds[UNW_MAP_ROWS] >= 0 ? u->rows_mem : u->staged;
}

/* Our own vDSO: the same image in every process of this kernel and ABI. */
static int load_vdso(struct unw_table *t)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);

	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64)
		return -ENOENT;
	/* the image ends with its section headers */
	return unw_table__load_mem(t, (void *)eh, eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize);
}

/* The file behind mapping m of pid, parsed and copied into unw_rows once. */
static struct unw_file *file_get(struct unwinder *u, uint32_t pid, const struct sym_map *m)
{
	bool vdso = m->kind == SYM_MAP_VDSO;
	uint64_t dev = vdso ? ~0ULL : (uint64_t)m->dev_major << 32 | m->dev_minor;
	uint64_t ino = vdso ? 0 : m->inode;
	struct unw_table t;
	struct unw_file *f;
	bool cached = false;
	char path[128];
	int fd, err;

	for (size_t i = 0; i < u->nr_files; i++)
		if (u->files[i].dev == dev && u->files[i].ino == ino)
			return &u->files[i];
	if (ARRAY_ROOM(u->files, u->nr_files, u->cap_files, 16))
		return NULL;

	unw_table__init(&t);
	if (vdso) {
		err = load_vdso(&t);
	} else {
		/* map_files: right file even across mount namespaces or if deleted */
		snprintf(path, sizeof(path), "/proc/%" PRIu32 "/map_files/%" PRIx64 "-%" PRIx64,
			 pid, m->start, m->end);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fd = open(m->path, O_RDONLY | O_CLOEXEC);
		err = fd < 0 ? -errno : 0;
		if (!err)
			cached = !unw_cache__load(fd, &t);
		if (!err && !cached) {
			err = unw_table__load_fd(&t, fd);
			if (!err)
				unw_cache__store(fd, &t);
		}
		if (fd >= 0)
			close(fd);
	}
	if (err == -EFBIG)
		ps_warn("unwind: %s: %s (docs/limits.md): frame pointers there", m->path,
			limit__why());
	else if (err)
		ps_debug("unwind: %s: no tables: %s (frame pointers there)",
			 vdso ? "[vdso]" : m->path, strerror(-err));

	f = &u->files[u->nr_files++];
	memset(f, 0, sizeof(*f));
	f->dev = dev;
	f->ino = ino;
	f->loads = t.loads;
	f->nr_loads = t.nr_loads;
	t.loads = NULL;
	t.nr_loads = 0;
	if (t.nr && u->rows_used + t.nr > u->rows_cap) {
		if (!u->rows_full_warned)
			ps_warn("unwind: table space full (%zu rows): %s and later files use frame pointers",
				u->rows_cap, vdso ? "[vdso]" : m->path);
		u->rows_full_warned = true;
	} else if (t.nr && (err = rows_room(u, u->rows_used + t.nr))) {
		ps_debug("unwind: %s: mapping the table space failed: %s (frame pointers there)",
			 vdso ? "[vdso]" : m->path, strerror(-err));
	} else if (t.nr) {
		memcpy(rows_dst(u) + u->rows_used, t.rows, t.nr * sizeof(*t.rows));
		f->table_off = u->rows_used;
		f->count = t.nr;
		u->rows_used += t.nr;
		ps_debug("unwind: %s: %zu rows from %s%s (%zu FDEs, %zu unsupported, %zu PLT)",
			 vdso ? "[vdso]" : m->path, t.nr, t.source, cached ? ", cached" : "",
			 t.nr_fdes, t.nr_unsupported, t.nr_plt);
	}
	unw_table__free(&t);
	return f;
}

/*
 * (Re)builds pid's unw_procs entry from /proc/PID/maps.  In auto mode a
 * process without any table gets no entry: BPF then walks it on the empty
 * UNW_PROC_NO_TABLES entry, by frame pointers alone.
 */
static int load_pid(struct unwinder *u, uint32_t pid)
{
	struct unw_proc *proc = &u->proc;
	struct sym_maps maps = {};
	int err, tables = 0;

	err = sym_maps__read(pid, &maps);
	if (err)
		return err;
	memset(proc, 0, sizeof(*proc));
	for (size_t i = 0; i < maps.nr && proc->nr < UNW_MAX_MAPS; i++) {
		const struct sym_map *m = &maps.maps[i];
		struct unw_map *um;
		struct unw_file *f;
		uint64_t bias;

		if (!m->exec || (m->kind != SYM_MAP_FILE && m->kind != SYM_MAP_VDSO))
			continue;	/* anonymous (JIT) code: not listed, frame pointers */
		f = file_get(u, pid, m);
		if (!f) {
			err = -ENOMEM;
			goto free_maps;
		}
		if (!f->count)
			continue;
		{
			struct unw_table lt = { .loads = f->loads, .nr_loads = f->nr_loads };

			if (m->kind == SYM_MAP_VDSO)
				bias = m->start - (f->nr_loads ? f->loads[0].vaddr : 0);
			else if (unw_table__bias(&lt, m->start, m->offset, &bias))
				continue;
		}
		um = &proc->maps[proc->nr++];
		um->start = m->start;
		um->end = m->end;
		um->bias = bias;
		um->table_off = f->table_off;
		um->count = f->count;
		um->kind = UNW_MAP_TABLE;
		/* the vDSO alone does not make a process worth walking in BPF */
		tables += m->kind != SYM_MAP_VDSO;
	}
	if (!tables && u->mode == UNWIND_AUTO) {
		bpf_map_delete_elem(u->fds[UNW_MAP_PROCS], &pid);
		ps_debug("unwind: pid %" PRIu32 ": no .eh_frame tables: frame pointers", pid);
		goto free_maps;
	}
	err = bpf_map_update_elem(u->fds[UNW_MAP_PROCS], &pid, proc, BPF_ANY) ? -errno : 0;
	if (err) {
		ps_err("unwind: loading the mappings of pid %" PRIu32 " failed: %s (report a bug)",
		       pid, strerror(-err));
		goto free_maps;
	}
	u->nr_procs++;
free_maps:
	sym_maps__free(&maps);
	return err;
}

/* Tables for t's pids not loaded yet. */
static int add_pids(struct unwinder *u, const struct target *t)
{
	int64_t t0 = now_ns();
	int err, added = 0;

	for (int i = 0; i < t->nr_pids && u->nr_pids < PS_MAX_TARGETS; i++) {
		bool known = false;

		/* the second collector to attach finds the tables built */
		for (int k = 0; k < u->nr_pids && !known; k++)
			known = u->pids[k] == t->pids[i];
		if (known)
			continue;
		u->pids[u->nr_pids++] = t->pids[i];
		added++;
		err = load_pid(u, t->pids[i]);
		if (err == -ENOMEM)
			return err;
		if (err)
			ps_debug("unwind: pid %" PRIu32 ": %s", t->pids[i], strerror(-err));
	}
	if (!added)
		return 0;
	u->last_poll_ns = now_ns();
	ps_debug("unwind: %zu files, %zu rows (%zu KiB) loaded in %.1f ms", u->nr_files,
		 u->rows_used, u->rows_used * sizeof(struct unw_row) / 1024,
		 (u->last_poll_ns - t0) / 1e6);
	return 0;
}

int unwinder__add_target(struct unwinder *u, const struct target *t)
{
	int err;

	u->in_use = true;
	err = map_rows(u, u->rows_used);
	if (err) {
		ps_err("unwind: mapping the unwind table map failed: %s (use --unwind fp)",
		       strerror(-err));
		return err;
	}
	return add_pids(u, t);
}

void unwinder__poll(struct unwinder *u)
{
	int64_t now = now_ns();

	if (!u || !u->rows_mem || now - u->last_poll_ns < POLL_INTERVAL_NS)
		return;
	u->last_poll_ns = now;
	for (int i = 0; i < u->nr_pids; i++)
		load_pid(u, u->pids[i]);	/* gone: keep its last entry */
}

bool unwinder__owns_stack(int32_t stack_id)
{
	return stack_id >= 0 && (stack_id & UNW_STACK_ID_FLAG);
}

bool unwinder__in_set_b(int32_t stack_id)
{
	return unwinder__owns_stack(stack_id) && (stack_id & UNW_STACK_ID_SET_B);
}

int unwinder__store_fd(struct unwinder *u)
{
	return u ? u->fds[UNW_MAP_STACKS] : -1;
}

int unwinder__read_stack(struct unwinder *u, int32_t stack_id, uint64_t *ips)
{
	return u ? unwinder__read_store(u->fds[UNW_MAP_STACKS], stack_id, ips) : 0;
}

int unwinder__read_store(int store_fd, int32_t stack_id, uint64_t *ips)
{
	struct unw_stack st;
	uint32_t key = (uint32_t)stack_id & UNW_STACK_ID_MASK;
	uint32_t n;

	if (!unwinder__owns_stack(stack_id) || bpf_map_lookup_elem(store_fd, &key, &st))
		return 0;
	n = st.nr < UNW_MAX_FRAMES ? st.nr : UNW_MAX_FRAMES;
	if (n > PS_MAX_STACK_DEPTH)
		n = PS_MAX_STACK_DEPTH;
	memcpy(ips, st.ips, n * sizeof(*ips));
	return (int)n;
}

void unwinder__stats(struct unwinder *u, struct unwinder_stats *st)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t v[UNW_STAT_MAX] = {};

	memset(st, 0, sizeof(*st));
	if (!u)
		return;
	if (ncpu > 0) {
		uint64_t *vals = calloc(ncpu, sizeof(*vals));

		for (uint32_t k = 0; vals && k < UNW_STAT_MAX; k++) {
			if (bpf_map_lookup_elem(u->fds[UNW_MAP_STATS], &k, vals))
				continue;
			for (int c = 0; c < ncpu; c++)
				v[k] += vals[c];
		}
		free(vals);
	}
	st->stacks = v[UNW_STAT_STACKS];
	st->root = v[UNW_STAT_ROOT];
	st->truncated = v[UNW_STAT_TRUNCATED];
	st->frames_table = v[UNW_STAT_FRAMES_TABLE];
	st->frames_fp = v[UNW_STAT_FRAMES_FP];
	st->read_err = v[UNW_STAT_READ_ERR];
	st->store_err = v[UNW_STAT_STORE_ERR];
	st->busy = v[UNW_STAT_BUSY];
	st->no_tables = v[UNW_STAT_NO_TABLES];
	st->kernel = v[UNW_STAT_KERNEL];
	st->kernel_spill = v[UNW_STAT_KERNEL_SPILL];
	st->files = u->nr_files;
	st->rows = u->rows_used;
	st->procs = u->nr_procs;
}

int unwinder__record(struct unwinder *u, struct profile *p)
{
	struct unwinder_stats st;

	if (!u || !u->in_use)
		return 0;
	unwinder__stats(u, &st);
	ps_debug("unwind: %" PRIu64 " stacks walked, %" PRIu64 " reached an outermost frame, %"
		 PRIu64 " truncated; frames: %" PRIu64 " by table, %" PRIu64 " by frame pointer; %"
		 PRIu64 " read errors, %" PRIu64 " store errors, %" PRIu64 " busy; %" PRIu64
		 " of them in processes without tables (frame pointers only); %" PRIu64
		 " kernel stacks stored, %" PRIu64 " kept in the stack map instead", st.stacks,
		 st.root, st.truncated, st.frames_table, st.frames_fp, st.read_err, st.store_err,
		 st.busy, st.no_tables, st.kernel, st.kernel_spill);
	return records__add_unwind(p, &(struct rec_unwind){
		.mode = u->mode == UNWIND_DWARF ? "dwarf" : "auto", .stacks = st.stacks,
		.root = st.root, .truncated = st.truncated, .frames_table = st.frames_table,
		.frames_fp = st.frames_fp, .read_err = st.read_err, .store_err = st.store_err,
		.busy = st.busy, .files = st.files, .rows = st.rows, .procs = st.procs,
	});
}
