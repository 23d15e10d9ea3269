// SPDX-License-Identifier: MIT
/*
 * Symbolizer parsers on synthetic input: symbol tables (sizes, sections,
 * aliases), demangling, /proc/PID/maps lines, kallsyms and perf maps,
 * both directly and through the symbolizer and the profile model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/profile.h"
#include "core/sym-demangle.h"
#include "core/sym-kallsyms.h"
#include "core/sym-maps.h"
#include "core/sym-perfmap.h"
#include "core/sym-table.h"
#include "core/symbolizer.h"

static char tmpdir[] = "/tmp/peerscope-symtest-XXXXXX";

static int setup_dir(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? -1 : 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static const char *lookup_name(const struct sym_table *t, uint64_t addr)
{
	struct sym_entry *e = sym_table__lookup(t, addr);

	return e ? sym_table__name(t, e) : NULL;
}

static void test_table_sizes(void **state)
{
	struct sym_table t;

	sym_table__init(&t);
	/* sized: [0x1000, 0x1010) then a gap up to 0x1100 */
	assert_int_equal(sym_table__add(&t, 0x1000, 0x10, 0x2000, "sized", 5, SYM_BIND_GLOBAL, 0), 0);
	/* unsized: runs up to the next symbol */
	assert_int_equal(sym_table__add(&t, 0x1100, 0, 0x2000, "unsized", 7, SYM_BIND_GLOBAL, 0), 0);
	assert_int_equal(sym_table__add(&t, 0x1180, 8, 0x2000, "next", 4, SYM_BIND_LOCAL, 0), 0);
	/* unsized, last in its section: stops at the section end */
	assert_int_equal(sym_table__add(&t, 0x1f00, 0, 0x2000, "tail", 4, SYM_BIND_LOCAL, 0), 0);
	/* a symbol of another section far away */
	assert_int_equal(sym_table__add(&t, 0x5000, 0x20, 0x6000, "other", 5, SYM_BIND_GLOBAL, 0), 0);
	sym_table__finish(&t);

	assert_null(lookup_name(&t, 0xfff));
	assert_string_equal(lookup_name(&t, 0x1000), "sized");
	assert_string_equal(lookup_name(&t, 0x100f), "sized");
	/* the gap after a sized symbol belongs to nobody */
	assert_null(lookup_name(&t, 0x1010));
	assert_null(lookup_name(&t, 0x10ff));
	assert_string_equal(lookup_name(&t, 0x1100), "unsized");
	assert_string_equal(lookup_name(&t, 0x117f), "unsized");
	assert_string_equal(lookup_name(&t, 0x1184), "next");
	assert_null(lookup_name(&t, 0x1188));
	assert_string_equal(lookup_name(&t, 0x1fff), "tail");
	/* past the section end, even though the next symbol is far */
	assert_null(lookup_name(&t, 0x2000));
	assert_null(lookup_name(&t, 0x4fff));
	assert_string_equal(lookup_name(&t, 0x501f), "other");
	assert_null(lookup_name(&t, 0x5020));
	sym_table__free(&t);
}

static void test_table_aliases_nested(void **state)
{
	struct sym_table t;

	sym_table__init(&t);
	/* aliases: the global, plainest name wins; an unsized alias loses */
	sym_table__add(&t, 0x100, 0, 0, "malloc_label", 12, SYM_BIND_GLOBAL, 0);
	sym_table__add(&t, 0x100, 0x80, 0, "__libc_malloc", 13, SYM_BIND_GLOBAL, 0);
	sym_table__add(&t, 0x100, 0x80, 0, "malloc", 6, SYM_BIND_GLOBAL, 0);
	sym_table__add(&t, 0x100, 0x80, 0, "loc", 3, SYM_BIND_LOCAL, 0);
	/* a short symbol nested inside a long one */
	sym_table__add(&t, 0x1000, 0x100, 0, "outer", 5, SYM_BIND_GLOBAL, 0);
	sym_table__add(&t, 0x1010, 0x8, 0, "inner", 5, SYM_BIND_LOCAL, 0);
	sym_table__finish(&t);

	assert_int_equal(t.nr, 3);
	assert_string_equal(lookup_name(&t, 0x17f), "malloc");
	assert_null(lookup_name(&t, 0x180));
	assert_string_equal(lookup_name(&t, 0x1012), "inner");
	assert_string_equal(lookup_name(&t, 0x1020), "outer");
	assert_string_equal(lookup_name(&t, 0x10ff), "outer");
	assert_null(lookup_name(&t, 0x1100));
	sym_table__free(&t);
}

static void check_demangle(const char *raw, const char *want)
{
	char *d = sym_demangle(raw);

	if (!want) {
		assert_null(d);
		return;
	}
	assert_non_null(d);
	assert_string_equal(d, want);
	free(d);
}

static void test_demangle(void **state)
{
	check_demangle("_ZN3foo3barEv", "foo::bar()");
	check_demangle("_ZNSt6vectorIiSaIiEE9push_backERKi",
		       "std::vector<int, std::allocator<int> >::push_back(int const&)");
	check_demangle("_ZN5fixns6cxx_fnEi", "fixns::cxx_fn(int)");
	check_demangle("_ZN3foo3barEv.cold", "foo::bar() [clone .cold]");
	/* Rust legacy: the hash is dropped */
	check_demangle("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write");
	check_demangle("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17h8e2d5f3f5e4a1b2cE",
		       "std::rt::lang_start::{{closure}}");
	/* Rust v0 */
	check_demangle("_RNvCs1234_7mycrate3foo", "mycrate::foo");
	check_demangle("_RNvNtCs1cm6Ghk5gu1_4test5inner3bar", "test::inner::bar");
	/* plain C names are left alone */
	check_demangle("main", NULL);
	check_demangle("_start", NULL);
	check_demangle("_Zgarbage", NULL);
}

static void test_maps_parse(void **state)
{
	static const char text[] =
		"55b4301e2000-55b4301e3000 r--p 00000000 fe:00 10953030                   /usr/bin/app\n"
		"55b4301e3000-55b4301e4000 r-xp 00001000 fe:00 10953030                   /usr/bin/app\n"
		"55b44ef06000-55b44ef27000 rw-p 00000000 00:00 0                          [heap]\n"
		"7f0000000000-7f0000010000 rwxp 00000000 00:00 0 \n"
		"7f0000010000-7f0000020000 r-xp 00000000 00:00 0                          [anon:jit code]\n"
		"7f83ed115000-7f83ed26b000 r-xp 00026000 fe:00 332835                     /usr/lib/lib with space.so (deleted)\n"
		"7f83ed2e5000-7f83ed2e7000 r-xp 00000000 00:00 0                          [vdso]\n"
		"this line is not a mapping\n";
	struct sym_maps m;
	struct sym_map *e;
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	assert_non_null(f);
	assert_int_equal(sym_maps__parse(f, &m), 0);
	fclose(f);
	assert_int_equal(m.nr, 7);

	e = sym_maps__find(&m, 0x55b4301e3abc);
	assert_non_null(e);
	assert_int_equal(e->kind, SYM_MAP_FILE);
	assert_true(e->exec);
	assert_int_equal(e->offset, 0x1000);
	assert_int_equal(e->dev_major, 0xfe);
	assert_int_equal(e->inode, 10953030);
	assert_string_equal(e->path, "/usr/bin/app");

	assert_int_equal(sym_maps__find(&m, 0x55b44ef06000)->kind, SYM_MAP_SPECIAL);
	e = sym_maps__find(&m, 0x7f0000000010);
	assert_int_equal(e->kind, SYM_MAP_ANON);
	assert_string_equal(e->path, "");
	assert_int_equal(sym_maps__find(&m, 0x7f0000010000)->kind, SYM_MAP_ANON);
	e = sym_maps__find(&m, 0x7f83ed115000);
	assert_true(e->deleted);
	assert_string_equal(e->path, "/usr/lib/lib with space.so");
	assert_int_equal(sym_maps__find(&m, 0x7f83ed2e6000)->kind, SYM_MAP_VDSO);
	assert_null(sym_maps__find(&m, 0x55b4301e4000));
	assert_null(sym_maps__find(&m, 0x1000));
	sym_maps__free(&m);
}

static void parse_text(const char *text, struct sym_maps *m)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	assert_int_equal(sym_maps__parse(f, m), 0);
	fclose(f);
}

static void test_maps_merge(void **state)
{
	struct sym_maps old, fresh;
	int tag = 1;

	parse_text("1000-2000 r-xp 00000000 08:01 11 /a\n"
		   "3000-4000 r-xp 00000000 08:01 12 /gone.so\n"
		   "5000-6000 r-xp 00000000 08:01 13 /b\n", &old);
	old.maps[0].dso = &tag;
	parse_text("1000-2000 r-xp 00000000 08:01 11 /a\n"
		   "3800-3900 rw-p 00000000 00:00 0 \n"
		   "5000-6000 r-xp 00000000 08:01 14 /b\n"
		   "7000-8000 r-xp 00000000 08:01 15 /new.so\n", &fresh);
	assert_int_equal(sym_maps__merge(&old, &fresh), 0);
	/* /gone.so overlaps a fresh mapping: replaced; the rest is fresh */
	assert_int_equal(old.nr, 4);
	assert_ptr_equal(sym_maps__find(&old, 0x1000)->dso, &tag);
	assert_null(sym_maps__find(&old, 0x3000));
	assert_int_equal(sym_maps__find(&old, 0x5000)->inode, 14);
	assert_null(sym_maps__find(&old, 0x5000)->dso);
	assert_string_equal(sym_maps__find(&old, 0x7000)->path, "/new.so");
	sym_maps__free(&old);

	/* an unloaded library that nothing replaced survives a refresh */
	parse_text("1000-2000 r-xp 00000000 08:01 11 /a\n"
		   "3000-4000 r-xp 00000000 08:01 12 /unloaded.so\n", &old);
	parse_text("1000-2000 r-xp 00000000 08:01 11 /a\n"
		   "9000-a000 r-xp 00000000 08:01 16 /c\n", &fresh);
	assert_int_equal(sym_maps__merge(&old, &fresh), 0);
	assert_int_equal(old.nr, 3);
	assert_string_equal(sym_maps__find(&old, 0x3500)->path, "/unloaded.so");
	assert_string_equal(sym_maps__find(&old, 0x9500)->path, "/c");
	assert_true(old.maps[0].start < old.maps[1].start && old.maps[1].start < old.maps[2].start);
	sym_maps__free(&old);
}

static const char kallsyms_text[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff81000000 T _text\n"
	"ffffffff81001000 T do_one_initcall\n"
	"ffffffff81002000 t local_helper\n"
	"ffffffff81002800 D some_data\n"
	"ffffffff81003000 W weak_fn\n"
	"ffffffff81004000 T _etext\n"
	"ffffffffc0100000 t nft_do_chain\t[nf_tables]\n"
	"ffffffffc0100400 T nft_register\t[nf_tables]\n"
	"ffffffffc0200000 t bpf_prog_6deef7357e7b4530_sd_fw_ingress\t[bpf]\n";

static void test_kallsyms(void **state)
{
	char path[256], modpath[256];
	struct sym_kallsyms k;
	const char *mod;
	struct sym_entry *e;

	snprintf(path, sizeof(path), "%s/kallsyms", tmpdir);
	write_file(path, kallsyms_text);
	snprintf(modpath, sizeof(modpath), "%s/modules", tmpdir);
	write_file(modpath, "nf_tables 348160 0 - Live 0xffffffffc0100000\n"
			    "bpf_unrelated 4096 0 - Live 0xffffffffc0300000\n");
	assert_int_equal(sym_kallsyms__load(&k, path, modpath), 0);
	assert_int_equal(k.lo, 0xffffffff81000000ULL);

	e = sym_kallsyms__lookup(&k, 0xffffffff81001234ULL, &mod);
	assert_non_null(e);
	assert_string_equal(sym_table__name(&k.syms, e), "do_one_initcall");
	assert_null(mod);
	e = sym_kallsyms__lookup(&k, 0xffffffff81000010ULL, &mod);
	/* aliases: the shorter name */
	assert_string_equal(sym_table__name(&k.syms, e), "_text");
	/* data symbols are not code: local_helper runs up to weak_fn */
	e = sym_kallsyms__lookup(&k, 0xffffffff81002900ULL, &mod);
	assert_string_equal(sym_table__name(&k.syms, e), "local_helper");
	e = sym_kallsyms__lookup(&k, 0xffffffffc0100010ULL, &mod);
	assert_string_equal(sym_table__name(&k.syms, e), "nft_do_chain");
	assert_string_equal(mod, "[nf_tables]");
	/* bounded by the module's extent, not by the next module */
	e = sym_kallsyms__lookup(&k, 0xffffffffc0100000ULL + 348159, &mod);
	assert_string_equal(sym_table__name(&k.syms, e), "nft_register");
	assert_null(sym_kallsyms__lookup(&k, 0xffffffffc0100000ULL + 348160, &mod));
	/* the last symbol of all, with no extent known: its own address only */
	e = sym_kallsyms__lookup(&k, 0xffffffffc0200000ULL, &mod);
	assert_non_null(e);
	assert_string_equal(mod, "[bpf]");
	assert_null(sym_kallsyms__lookup(&k, 0xffffffffc0200010ULL, &mod));
	assert_null(sym_kallsyms__lookup(&k, 0xffffffff80000000ULL, &mod));
	sym_kallsyms__free(&k);

	/* what a non-root reader sees: every address 0 */
	snprintf(path, sizeof(path), "%s/kallsyms0", tmpdir);
	write_file(path, "0000000000000000 T _stext\n0000000000000000 T schedule\n");
	assert_int_equal(sym_kallsyms__load(&k, path, modpath), -EACCES);
	assert_int_equal(sym_kallsyms__load(&k, "/nonexistent/kallsyms", NULL), -ENOENT);
}

static void test_perfmap(void **state)
{
	char path[256];
	struct sym_perfmap m = {};
	struct sym_entry *e;

	snprintf(path, sizeof(path), "%s/perf-1.map", tmpdir);
	write_file(path, "7f0000001000 40 LazyCompile:~handler app.js:10\n"
			 "7f0000001040 20 stub\n"
			 "bogus line\n"
			 "7f0000002000 0 zero_size_is_ignored\n"
			 "7f0000001040 20 stub_recompiled\n");
	assert_int_equal(sym_perfmap__load(&m, path), 0);
	e = sym_table__lookup(&m.syms, 0x7f000000103fULL);
	assert_non_null(e);
	assert_string_equal(sym_table__name(&m.syms, e), "LazyCompile:~handler app.js:10");
	/* a later line for the same address wins */
	e = sym_table__lookup(&m.syms, 0x7f0000001050ULL);
	assert_string_equal(sym_table__name(&m.syms, e), "stub_recompiled");
	assert_null(sym_table__lookup(&m.syms, 0x7f0000001060ULL));
	assert_null(sym_table__lookup(&m.syms, 0x7f0000002000ULL));
	/* unchanged file: not re-read */
	assert_int_equal(sym_perfmap__load(&m, path), 0);
	assert_int_equal(m.nr_retired, 0);
	sym_perfmap__free(&m);
}

/* A pid that is not running, so its perf map is all there is. */
static uint32_t unused_pid(void)
{
	char path[64];
	uint32_t pid;

	for (pid = 4000000; pid > 3000000; pid--) {
		snprintf(path, sizeof(path), "/proc/%u", pid);
		if (access(path, F_OK))
			return pid;
	}
	return 0;
}

static void test_symbolizer_kernel_and_fake_pid(void **state)
{
	struct symbolizer_opts o = {};
	char kpath[256], mpath[256], buf[256];
	struct symbolizer *s;
	struct sym_frame f;
	struct profile *p;
	uint32_t pid = unused_pid(), l_k, l_k2, l_jit, l_none;
	int left;

	assert_true(pid != 0);
	snprintf(kpath, sizeof(kpath), "%s/kallsyms", tmpdir);
	write_file(kpath, kallsyms_text);
	snprintf(mpath, sizeof(mpath), "%s/perf-%u.map", tmpdir, pid);
	write_file(mpath, "10000 100 jit_func\n");
	o.kallsyms_path = kpath;
	o.perfmap_dir = tmpdir;
	s = symbolizer__new(&o);
	assert_non_null(s);

	assert_int_equal(symbolizer__resolve(s, 0, true, 0xffffffffc0100404ULL, &f), 0);
	assert_string_equal(f.name, "nft_register");
	assert_string_equal(f.module, "[kernel.kallsyms]");
	assert_string_equal(f.kmod, "[nf_tables]");
	assert_int_equal(f.sym_offset, 4);

	/* the pid is gone (or never was): its perf map still names JIT code */
	assert_int_equal(symbolizer__add_pid(s, pid), -ENOENT);
	assert_int_equal(symbolizer__resolve(s, pid, false, 0x10010, &f), 0);
	assert_string_equal(f.name, "jit_func");
	assert_string_equal(f.module, "[jit]");
	assert_int_equal(symbolizer__resolve(s, pid, false, 0x20000, &f), -ENOENT);

	p = profile__new();
	assert_non_null(p);
	l_k = profile__intern_address(p, 0, true, 0xffffffff81001010ULL);
	l_k2 = profile__intern_address(p, 0, true, 0xffffffff80000000ULL);
	l_jit = profile__intern_address(p, pid, false, 0x10004);
	l_none = profile__intern_address(p, pid, false, 0x30000);
	left = symbolizer__symbolize_profile(s, p);
	assert_int_equal(left, 2);
	assert_string_equal(profile__frame_name(p, l_k, 0, buf, sizeof(buf)), "do_one_initcall");
	assert_string_equal(profile__str(p, p->mappings[p->locations[l_k].mapping].filename),
			    "[kernel.kallsyms]");
	assert_string_equal(profile__frame_name(p, l_k2, 0, buf, sizeof(buf)), "[unknown]");
	assert_string_equal(profile__frame_name(p, l_jit, 0, buf, sizeof(buf)), "jit_func");
	assert_true(p->locations[l_none].symbolized);
	assert_int_equal(p->locations[l_none].mapping, 0);
	/* a second pass has nothing left to do */
	assert_int_equal(symbolizer__symbolize_profile(s, p), 0);
	assert_int_equal(p->locations[l_jit].nr_lines, 1);
	profile__free(p);
	symbolizer__free(s);
}

static void test_symbolizer_no_kernel(void **state)
{
	struct symbolizer_opts o = { .no_kernel = true, .kallsyms_path = "/nonexistent" };
	struct symbolizer *s = symbolizer__new(&o);
	struct sym_frame f;

	assert_non_null(s);
	assert_int_equal(symbolizer__resolve(s, 0, true, 0xffffffff81001010ULL, &f), 0);
	assert_null(f.name);
	assert_string_equal(f.module, "[kernel.kallsyms]");
	symbolizer__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sizes),
		cmocka_unit_test(test_table_aliases_nested),
		cmocka_unit_test(test_demangle),
		cmocka_unit_test(test_maps_parse),
		cmocka_unit_test(test_maps_merge),
		cmocka_unit_test(test_kallsyms),
		cmocka_unit_test(test_perfmap),
		cmocka_unit_test(test_symbolizer_kernel_and_fake_pid),
		cmocka_unit_test(test_symbolizer_no_kernel),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
