// SPDX-License-Identifier: MIT
/*
 * The per-boot kallsyms cache: a table read back names every address as
 * the table it was saved from did, except the symbols that come and go
 * (BPF programs), which it leaves out; another key, a damaged file, or a
 * file or directory someone else could have written is not used.  On this
 * machine's own /proc/kallsyms (as root), the whole table round-trips.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "core/sym-kallsyms.h"

#define KEY "boot 0a1b-test kernel 6.18.0-test modules 1:0123456789abcdef kptr 0"
#define HEADER_SIZE 240		/* magic 16, key 192, lo/hi 16, four counts 16 */
#define ENTRY_SIZE 32		/* struct sym_entry, as the table holds it */

static char dir[64], file[96], kfile[96], mfile[96];

static const char kallsyms_text[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff81001000 T do_one_initcall\n"
	"ffffffff81002000 t local_helper\n"
	"ffffffff81003000 W weak_fn\n"
	"ffffffff81004000 T _etext\n"
	"ffffffffc0100000 t nft_do_chain\t[nf_tables]\n"
	"ffffffffc0100400 T nft_register\t[nf_tables]\n"
	"ffffffffc0200000 t bpf_prog_6deef7357e7b4530_sd_fw_ingress\t[bpf]\n";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/peerscope-kc.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(file, sizeof(file), "%s/kallsyms", dir);
	snprintf(kfile, sizeof(kfile), "%s/in.kallsyms", dir);
	snprintf(mfile, sizeof(mfile), "%s/in.modules", dir);
	write_file(kfile, kallsyms_text);
	write_file(mfile, "nf_tables 348160 0 - Live 0xffffffffc0100000\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(file);
	unlink(kfile);
	unlink(mfile);
	rmdir(dir);
	return 0;
}


static void save_fixture(struct sym_kallsyms *k)
{
	assert_int_equal(sym_kallsyms__load(k, kfile, mfile), 0);
	assert_int_equal(sym_kallsyms__save_cache(k, dir, KEY), 0);
}

static void test_round_trip(void **state)
{
	static const uint64_t addrs[] = {
		0xffffffff81000000ULL, 0xffffffff81001234ULL, 0xffffffff81002fffULL,
		0xffffffff81003000ULL, 0xffffffffc0100010ULL, 0xffffffffc0100000ULL + 348159,
		0xffffffffc0100000ULL + 348160, 0xffffffff80000000ULL,
	};
	struct sym_kallsyms a, b;
	const char *ma, *mb;
	struct stat st;

	(void)state;
	save_fixture(&a);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), 0);
	assert_int_equal(b.lo, a.lo);
	assert_int_equal(b.hi, a.hi);
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		struct sym_entry *ea = sym_kallsyms__lookup(&a, addrs[i], &ma);
		struct sym_entry *eb = sym_kallsyms__lookup(&b, addrs[i], &mb);

		assert_int_equal(!ea, !eb);
		if (!ea)
			continue;
		assert_string_equal(sym_table__name(&a.syms, ea), sym_table__name(&b.syms, eb));
		assert_int_equal(sym_entry__end(ea), sym_entry__end(eb));
		assert_int_equal(!ma, !mb);
		if (ma)
			assert_string_equal(ma, mb);
	}
	/* the BPF program is not kept: it may be gone, or another in its place */
	assert_non_null(sym_kallsyms__lookup(&a, 0xffffffffc0200000ULL, &ma));
	assert_null(sym_kallsyms__lookup(&b, 0xffffffffc0200000ULL, &mb));
	/* the dynamic symbols of now come first */
	assert_int_equal(sym_table__add(&b.dyn, 0xffffffffc0200000ULL, 0x80, 0,
					"bpf_prog_0123456789abcdef_now", 29, SYM_BIND_GLOBAL, 0), 0);
	sym_table__finish(&b.dyn);
	/* named from the table it is in, not from the main table's pool */
	assert_string_equal(sym_kallsyms__name(&b, sym_kallsyms__lookup(&b, 0xffffffffc020007fULL,
								       NULL)),
			    "bpf_prog_0123456789abcdef_now");
	assert_string_equal(sym_kallsyms__name(&b, sym_kallsyms__lookup(&b, 0xffffffff81001234ULL,
								       NULL)),
			    "do_one_initcall");
	/*
	 * Used in place, from a private mapping: what the symbolizer writes
	 * (a demangled name) is the process's own, never the file's.
	 */
	assert_non_null(b.syms.map);
	assert_ptr_equal(b.syms.syms, (char *)b.syms.map + HEADER_SIZE);
	assert_int_equal(sym_table__add(&b.syms, 1, 1, 0, "x", 1, SYM_BIND_GLOBAL, 0), -EPERM);
	b.syms.syms[0].demangled = strdup("written");
	b.syms.syms[0].demangle_tried = 1;
	sym_kallsyms__free(&b);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), 0);
	assert_null(b.syms.syms[0].demangled);
	sym_kallsyms__free(&a);
	sym_kallsyms__free(&b);
}

static void test_other_key(void **state)
{
	struct sym_kallsyms a, b;

	(void)state;
	save_fixture(&a);
	sym_kallsyms__free(&a);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY "1"), -ESTALE);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, "boot other"), -ESTALE);
	assert_int_equal(b.syms.nr, 0);
}

/* Overwrites len bytes at off of the saved file. */
static void poke(off_t off, const void *bytes, size_t len)
{
	int fd = open(file, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, len, off), (ssize_t)len);
	close(fd);
}

static void test_damaged(void **state)
{
	struct sym_kallsyms a, b;
	uint32_t nr_syms, pool_len, big = 0x7fffffff;
	uint64_t zero = 0;
	struct stat st;
	int fd;

	(void)state;
	save_fixture(&a);
	sym_kallsyms__free(&a);
	fd = open(file, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &nr_syms, 4, HEADER_SIZE - 16), 4);
	assert_int_equal(pread(fd, &pool_len, 4, HEADER_SIZE - 8), 4);
	close(fd);
	assert_int_equal(nr_syms, 7);	/* the fixture's code symbols, less the BPF one */

	/* cut short by a crash */
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(truncate(file, st.st_size - 1), 0);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), -EINVAL);

	/* a name outside the pool */
	save_fixture(&a);
	sym_kallsyms__free(&a);
	poke(HEADER_SIZE + 12, &big, 4);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), -EINVAL);

	/* out of order: the binary search would miss */
	save_fixture(&a);
	sym_kallsyms__free(&a);
	poke(HEADER_SIZE + ENTRY_SIZE, &zero, 8);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), -EINVAL);

	/* a bind that does not exist */
	save_fixture(&a);
	sym_kallsyms__free(&a);
	poke(HEADER_SIZE + 20, &(uint8_t){ 9 }, 1);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), -EINVAL);

	/* a pointer: the file is used in place, and a demangled name would be freed */
	save_fixture(&a);
	sym_kallsyms__free(&a);
	poke(HEADER_SIZE + 24, &(uint64_t){ 0x1000 }, 8);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), -EINVAL);

	/* a last name that runs off the pool's end */
	save_fixture(&a);
	sym_kallsyms__free(&a);
	poke(HEADER_SIZE + (off_t)nr_syms * ENTRY_SIZE + pool_len - 1, "x", 1);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), -EINVAL);

	/* counts that promise more than the file holds */
	save_fixture(&a);
	sym_kallsyms__free(&a);
	poke(HEADER_SIZE - 16, &big, 4);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), -EINVAL);
	assert_int_equal(b.syms.nr, 0);
}

static void test_not_ours(void **state)
{
	struct sym_kallsyms a, b;

	(void)state;
	save_fixture(&a);
	sym_kallsyms__free(&a);
	assert_int_equal(chmod(file, 0666), 0);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), -EPERM);
	assert_int_equal(chmod(file, 0600), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), -ENOENT);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), 0);
	sym_kallsyms__free(&b);
}

/* No module and no BPF program loaded: only the core kernel's slot. */
static void test_no_modules(void **state)
{
	struct sym_kallsyms a, b;

	(void)state;
	write_file(kfile, "ffffffff81000000 T _stext\nffffffff81001000 T schedule\n");
	assert_int_equal(sym_kallsyms__load(&a, kfile, NULL), 0);
	assert_int_equal(a.nr_mods, 0);
	assert_int_equal(sym_kallsyms__save_cache(&a, dir, KEY), 0);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, KEY), 0);
	assert_string_equal(sym_kallsyms__name(&b, sym_kallsyms__lookup(&b, 0xffffffff81000010ULL,
								       NULL)), "_stext");
	sym_kallsyms__free(&a);
	sym_kallsyms__free(&b);
	write_file(kfile, kallsyms_text);
}

/* The running kernel's whole table: every symbol's first and last byte. */
static void test_running_kernel(void **state)
{
	struct sym_kallsyms a, b;
	char key[KALLSYMS_KEY_LEN];
	size_t checked = 0;

	(void)state;
	if (sym_kallsyms__load(&a, "/proc/kallsyms", "/proc/modules")) {
		skip();
		return;
	}
	assert_int_equal(sym_kallsyms__running_key(key, sizeof(key), "/proc/modules"), 0);
	assert_non_null(strstr(key, "boot "));
	assert_int_equal(sym_kallsyms__save_cache(&a, dir, key), 0);
	assert_int_equal(sym_kallsyms__load_cache(&b, dir, key), 0);
	for (size_t i = 0; i < a.syms.nr; i++) {
		const struct sym_entry *e = &a.syms.syms[i];
		const char *mod = e->aux ? a.mods[e->aux] : NULL;
		uint64_t probe[2] = { e->start, sym_entry__end(e) - 1 };

		if (mod && (!strcmp(mod, "[bpf]") || !strncmp(mod, "[__builtin__", 12)))
			continue;
		for (int j = 0; j < 2; j++) {
			const char *mb;
			struct sym_entry *eb = sym_kallsyms__lookup(&b, probe[j], &mb);

			assert_non_null(eb);
			assert_string_equal(sym_table__name(&b.syms, eb),
					    sym_table__name(&a.syms, e));
			assert_int_equal(!mb, !mod);
			checked++;
		}
	}
	assert_true(checked > 1000);
	sym_kallsyms__free(&a);
	sym_kallsyms__free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_other_key),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_no_modules),
		cmocka_unit_test(test_running_kernel),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
