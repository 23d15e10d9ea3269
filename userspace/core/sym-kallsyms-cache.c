// SPDX-License-Identifier: MIT
/*
 * The running kernel's symbol table, kept per boot in the run cache.
 *
 * Reading /proc/kallsyms makes the kernel format ~180k lines (~40 ms of
 * system time here) and parsing them costs another ~10 ms: a quarter of
 * a short record's CPU.  The table cannot change until a module is loaded
 * or unloaded, so the first record of a boot stores it, already sorted and
 * bounded, and later ones read it back in a few milliseconds.  The key
 * holds the boot id, the kernel release, a digest of the loaded modules
 * (name, size, address) and kptr_restrict.  What changes all the time -- BPF
 * programs, trampolines, ftrace and kprobe stubs -- is not stored: the
 * caller adds the BPF programs from the bpf() syscall instead.
 *
 * The file is binary and native-endian (it never leaves the machine).  It
 * is checked byte by byte before use, like every other file we read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "core/input-limits.h"
#include "core/run-cache.h"
#include "core/sym-kallsyms.h"

#define CACHE_FILE	"kallsyms"
/*
 * Version 2 stores the symbols as the table holds them (struct sym_entry,
 * no demangled names yet), so a record maps the file and uses it in place
 * instead of copying ~7 MB into as much fresh memory: a record's peak RSS
 * is 1.8 MB lower, its CPU the same (2-3 ms to load and check either way).
 */
#define CACHE_MAGIC	"peerscope ksym 2"	/* 16 bytes with its NUL */

struct cache_header {
	char magic[16];
	char key[KALLSYMS_KEY_LEN];
	uint64_t lo, hi;
	uint32_t nr_syms, nr_mods, pool_len, mods_len;
};

/* The symbols follow the header in the mapping: they must be aligned there. */
_Static_assert(sizeof(struct cache_header) % _Alignof(struct sym_entry) == 0,
	       "the symbols start aligned after the header");
_Static_assert(sizeof(struct sym_entry) == 32, "sym_entry is the on-disk layout");

/* Pseudo-modules whose symbols come and go while the kernel runs. */
static bool dynamic_module(const char *mod)
{
	return mod && (!strcmp(mod, "[bpf]") || !strncmp(mod, "[__builtin__", 12));
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

int sym_kallsyms__running_key(char *key, size_t len, const char *modules_path)
{
	char boot[64], line[1024];
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned int nr = 0;
	struct utsname u;
	int kptr;
	FILE *f;
	int err;

	err = run_cache__boot_id(boot, sizeof(boot));
	if (err)
		return err;
	if (uname(&u))
		return -errno;
	/* name, size and load address; the use counts change all the time */
	f = fopen(modules_path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char name[256], addr[32];
		unsigned long long size;

		if (sscanf(line, "%255s %llu %*s %*s %*s %31s", name, &size, addr) != 3)
			continue;
		h = fnv1a(h, name, strlen(name) + 1);
		h = fnv1a(h, (const char *)&size, sizeof(size));
		h = fnv1a(h, addr, strlen(addr) + 1);
		nr++;
	}
	if (f)
		fclose(f);
	/* a table read while addresses showed must not outlive a tighter setting */
	f = fopen("/proc/sys/kernel/kptr_restrict", "re");
	if (!f || fscanf(f, "%d", &kptr) != 1)
		kptr = -1;
	if (f)
		fclose(f);
	if (snprintf(key, len, "boot %s kernel %s modules %u:%016" PRIx64 " kptr %d", boot,
		     u.release, nr, h, kptr) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int sym_kallsyms__save_cache(const struct sym_kallsyms *k, const char *dir, const char *key)
{
	const struct sym_table *t = &k->syms;
	struct cache_header h = {};
	struct sym_entry *out;
	char *mods = NULL;
	size_t nr = 0, mods_len = 0;
	struct iovec iov[4];
	int err;

	if (strlen(key) >= sizeof(h.key) || t->pool_len > UINT32_MAX || !t->finished)
		return -EINVAL;
	/* calloc: the padding bytes of what is written are zero too */
	out = calloc(t->nr ? t->nr : 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < t->nr; i++) {
		const struct sym_entry *e = &t->syms[i];

		if (e->aux && e->aux < k->nr_mods && dynamic_module(k->mods[e->aux]))
			continue;
		out[nr].start = e->start;
		out[nr].len = e->len;
		out[nr].name = e->name;
		out[nr].aux = e->aux < k->nr_mods ? e->aux : 0;
		out[nr].bind = e->bind;
		out[nr].sized = e->sized;
		nr++;
	}
	for (uint32_t i = 1; i < k->nr_mods; i++)
		mods_len += strlen(k->mods[i]) + 1;
	if (mods_len && !(mods = malloc(mods_len))) {
		free(out);
		return -ENOMEM;
	}
	for (uint32_t i = 1, off = 0; i < k->nr_mods; i++) {
		size_t n = strlen(k->mods[i]) + 1;

		memcpy(mods + off, k->mods[i], n);
		off += n;
	}
	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	strcpy(h.key, key);
	h.lo = k->lo;
	h.hi = k->hi;
	h.nr_syms = nr;
	/* slot 0, the core kernel, is there even when no module is (no [bpf] either) */
	h.nr_mods = k->nr_mods ? k->nr_mods : 1;
	h.pool_len = t->pool_len;
	h.mods_len = mods_len;
	iov[0] = (struct iovec){ &h, sizeof(h) };
	iov[1] = (struct iovec){ out, nr * sizeof(*out) };
	iov[2] = (struct iovec){ t->pool, t->pool_len };
	iov[3] = (struct iovec){ mods, mods_len };
	err = run_cache__write(dir, CACHE_FILE, iov, 4);
	free(mods);
	free(out);
	return err;
}

/* The module names: nr - 1 "[name]" strings, each NUL-terminated, filling buf exactly. */
static int parse_mods(struct sym_kallsyms *k, const char *buf, size_t len, uint32_t nr)
{
	size_t off = 0;

	if (!nr)
		return len ? -EINVAL : 0;
	k->mods = calloc(nr, sizeof(*k->mods));
	if (!k->mods)
		return -ENOMEM;
	k->nr_mods = 1;
	for (uint32_t i = 1; i < nr; i++) {
		const char *s = buf + off;
		const char *nul = memchr(s, '\0', len - off);
		size_t n;

		if (!nul)
			return -EINVAL;
		n = nul - s;
		if (n < 2 || s[0] != '[' || s[n - 1] != ']' || n > LIMIT_NAME_LEN)
			return -EINVAL;
		k->mods[i] = strdup(s);
		if (!k->mods[i])
			return -ENOMEM;
		k->nr_mods = i + 1;
		off += n + 1;
	}
	return off == len ? 0 : -EINVAL;
}

/*
 * The symbols, sorted with one per address (the lookup's binary search needs
 * it), each naming a string of the pool and a module slot, no demangled
 * name: the file's bytes are used as they are, so every one is checked.
 */
static int check_syms(const struct sym_entry *e, const struct cache_header *h)
{
	for (uint32_t i = 0; i < h->nr_syms; i++, e++) {
		if (e->name >= h->pool_len || e->aux >= h->nr_mods || e->bind > SYM_BIND_GLOBAL ||
		    e->sized > 1 || e->demangle_tried || e->demangled ||
		    (i && e->start <= e[-1].start))
			return -EINVAL;
	}
	return 0;
}

int sym_kallsyms__load_cache(struct sym_kallsyms *k, const char *dir, const char *key)
{
	struct sym_table *t = &k->syms;
	const struct cache_header *h;
	size_t size, body;
	char *base = MAP_FAILED;
	int fd, err;

	memset(k, 0, sizeof(*k));
	sym_table__init(t);
	sym_table__init(&k->dyn);
	fd = run_cache__open(dir, CACHE_FILE, sizeof(*h) + (size_t)LIMIT_SYMBOLS * sizeof(*t->syms) +
			     LIMIT_SYMBOL_NAMES + (1u << 20), &size);
	if (fd < 0)
		return fd;
	if (size < sizeof(*h)) {
		err = -EINVAL;
		goto out;
	}
	/*
	 * Private and writable: the symbolizer marks the entries it demangles,
	 * and those pages alone are copied.  The file is replaced by rename(),
	 * never rewritten in place, so the mapping keeps the bytes checked here.
	 */
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (base == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	h = (const struct cache_header *)base;
	if (memcmp(h->magic, CACHE_MAGIC, sizeof(h->magic)) ||
	    strnlen(h->key, sizeof(h->key)) == sizeof(h->key) || strcmp(h->key, key)) {
		err = -ESTALE;
		goto out;
	}
	body = (size_t)h->nr_syms * sizeof(*t->syms) + h->pool_len + h->mods_len;
	if (h->nr_syms > LIMIT_SYMBOLS || h->pool_len > LIMIT_SYMBOL_NAMES ||
	    h->mods_len > (1u << 20) || h->nr_mods > (1u << 16) || size - sizeof(*h) != body ||
	    (h->nr_syms && (!h->pool_len || !h->nr_mods)) || h->lo > h->hi) {
		err = -EINVAL;
		goto out;
	}
	t->syms = (struct sym_entry *)(base + sizeof(*h));
	t->pool = base + sizeof(*h) + (size_t)h->nr_syms * sizeof(*t->syms);
	err = check_syms(t->syms, h);
	/* every name ends inside the pool once its last byte is a NUL */
	if (!err && h->pool_len && t->pool[h->pool_len - 1])
		err = -EINVAL;
	if (!err)
		err = parse_mods(k, t->pool + h->pool_len, h->mods_len, h->nr_mods);
	if (err)
		goto out;
	t->map = base;
	t->map_len = size;
	base = MAP_FAILED;	/* the table owns it now */
	t->nr = t->cap = h->nr_syms;
	t->pool_len = t->pool_cap = h->pool_len;
	t->finished = 1;
	k->lo = h->lo;
	k->hi = h->hi;
out:
	close(fd);
	if (base != MAP_FAILED)
		munmap(base, size);
	if (err) {
		t->syms = NULL;	/* inside the mapping, not allocated */
		t->pool = NULL;
		t->nr = 0;
		sym_kallsyms__free(k);
	}
	return err;
}
