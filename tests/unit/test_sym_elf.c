// SPDX-License-Identifier: MIT
/*
 * The symbolizer on real ELF files built at test time from
 * tests/unit/fixtures/: a PIE and a non-PIE executable linked to a C++
 * shared library, a stripped copy with a .gnu_debuglink, a stripped copy
 * with its debug file under .build-id, a stripped copy with nothing.  Each
 * runs as a child that prints its functions' addresses; the test resolves
 * them by pid, while the child lives and after it exits.  Also: the test's
 * own process (dlopen after the snapshot, the vdso, a JIT region with a
 * perf map), the running kernel, and a 100k-address timing.
 *
 * Runs as root and not; what only root can see is checked only as root.
 */
#include <dlfcn.h>
#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/profile.h"
#include "core/sym-elf.h"
#include "core/symbolizer.h"

static char dir[] = "/tmp/peerscope-symelf-XXXXXX";
static char fixtures[PATH_MAX];
static bool built;

static int sh(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc)
		fprintf(stderr, "test_sym_elf: failed (%d): %s\n", rc, cmd);
	return rc;
}

/* tests/unit/fixtures from the source tree: $PEERSCOPE_FIXTURES, cwd, or beside the binary. */
static bool find_fixtures(void)
{
	const char *env = getenv("PEERSCOPE_FIXTURES");
	char exe[PATH_MAX], *p;
	ssize_t n;
	int up;

	if (env) {
		snprintf(fixtures, sizeof(fixtures), "%s", env);
		return !access(fixtures, R_OK);
	}
	if (realpath("tests/unit/fixtures", fixtures) && !access(fixtures, R_OK))
		return true;
	/* $(BUILD)/tests/test_sym_elf -> $(BUILD)/.. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	for (up = 0; up < 3 && (p = strrchr(exe, '/')); up++)
		*p = '\0';
	if (snprintf(fixtures, sizeof(fixtures), "%s/tests/unit/fixtures", exe) >=
	    (int)sizeof(fixtures))
		return false;
	return !access(fixtures, R_OK);
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	if (!find_fixtures()) {
		fprintf(stderr, "test_sym_elf: fixtures not found (run from the repo root)\n");
		return -1;
	}
	if (sh("command -v cc g++ objcopy strip nm >/dev/null"))
		return 0;  /* no toolchain: the fixture tests skip */
	if (sh("g++ -shared -fPIC -O1 -g -o %s/libsymfix.so %s/sym_lib.cc", dir, fixtures) ||
	    sh("cc -O1 -g -fPIE -pie -o %s/prog_pie %s/sym_prog.c -L%s -lsymfix -Wl,-rpath,%s",
	       dir, fixtures, dir, dir) ||
	    sh("cc -O1 -g -fno-pie -no-pie -o %s/prog_nopie %s/sym_prog.c -L%s -lsymfix "
	       "-Wl,-rpath,%s", dir, fixtures, dir, dir))
		return -1;
	/* stripped, with a debuglink to a debug file beside it */
	if (sh("cd %s && cp prog_pie prog_strip && objcopy --only-keep-debug prog_strip "
	       "prog_strip.debug && strip --strip-all prog_strip && "
	       "objcopy --add-gnu-debuglink=prog_strip.debug prog_strip", dir) ||
	    /* stripped, its debug file found only by build id */
	    sh("cd %s && mkdir -p nodebug debug && cp prog_pie prog_bid && strip --strip-all prog_bid"
	       " && objcopy --only-keep-debug prog_pie prog_bid.dbg", dir) ||
	    /* stripped, nothing to find */
	    sh("cd %s && cp prog_nopie prog_bare && strip --strip-all prog_bare", dir))
		return -1;
	{
		char bid[SYM_BUILD_ID_HEX_MAX], path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/prog_bid", dir);
		if (sym_elf__read_build_id(path, bid, sizeof(bid)))
			return -1;
		if (sh("mkdir -p %s/debug/.build-id/%.2s && mv %s/prog_bid.dbg "
		       "%s/debug/.build-id/%.2s/%s.debug", dir, bid, dir, dir, bid, bid + 2))
			return -1;
	}
	built = true;
	return 0;
}

static int teardown(void **state)
{
	return sh("rm -rf '%s'", dir) ? -1 : 0;
}

/* ---- a fixture child ---- */

struct child {
	pid_t pid;
	int in;                 /* its stdin: closing it ends the child */
	int n;
	struct {
		char name[32];
		uint64_t addr;
	} v[16];
};

static void child_start(struct child *c, const char *prog)
{
	char path[PATH_MAX], line[256];
	int in[2], out[2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, prog);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (!c->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->n = 0;
	f = fdopen(out[0], "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char name[32];

		if (!strncmp(line, "ready", 5))
			break;
		if (sscanf(line, "%31s %llx", name, &a) == 2 && c->n < 16) {
			snprintf(c->v[c->n].name, sizeof(c->v[c->n].name), "%s", name);
			c->v[c->n++].addr = a;
		}
	}
	fclose(f);
	assert_true(c->n >= 8);
}

static uint64_t child_addr(const struct child *c, const char *name)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name))
			return c->v[i].addr;
	fail_msg("fixture did not print %s", name);
	return 0;
}

static void child_stop(struct child *c)
{
	int st;

	close(c->in);
	assert_int_equal(waitpid(c->pid, &st, 0), c->pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The st_value nm reports, to check load-bias arithmetic independently. */
static uint64_t nm_value(const char *prog, const char *sym)
{
	char cmd[PATH_MAX + 128], line[512];
	uint64_t v = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "nm %s/%s", dir, prog);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char t, name[256];

		if (sscanf(line, "%llx %c %255s", &a, &t, name) == 3 && !strcmp(name, sym))
			v = a;
	}
	pclose(f);
	return v;
}

static struct symbolizer *new_sym(const char *debug_sub)
{
	struct symbolizer_opts o = {};
	char dbg[PATH_MAX];
	struct symbolizer *s;

	snprintf(dbg, sizeof(dbg), "%s/%s", dir, debug_sub);
	o.debug_dir = dbg;
	o.perfmap_dir = dir;
	s = symbolizer__new(&o);
	assert_non_null(s);
	return s;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static void expect_name(struct symbolizer *s, uint32_t pid, uint64_t addr, const char *name,
			uint64_t sym_off, const char *module_suffix)
{
	struct sym_frame f;

	assert_int_equal(symbolizer__resolve(s, pid, false, addr, &f), 0);
	if (!f.name)
		fail_msg("0x%" PRIx64 " in %s: no name, wanted %s", addr, f.module, name);
	assert_string_equal(f.name, name);
	assert_int_equal(f.sym_offset, sym_off);
	assert_non_null(f.module);
	if (!ends_with(f.module, module_suffix))
		fail_msg("module %s, wanted *%s", f.module, module_suffix);
}

/* The checks every build of sym_prog.c must pass. */
static void check_prog(struct symbolizer *s, const struct child *c, const char *prog,
		       bool have_locals)
{
	char suffix[64];
	struct sym_frame f;

	snprintf(suffix, sizeof(suffix), "/%s", prog);
	expect_name(s, c->pid, child_addr(c, "fix_alpha"), "fix_alpha", 0, suffix);
	expect_name(s, c->pid, child_addr(c, "fix_alpha") + 2, "fix_alpha", 2, suffix);
	if (have_locals)
		expect_name(s, c->pid, child_addr(c, "fix_beta"), "fix_beta", 0, suffix);
	expect_name(s, c->pid, child_addr(c, "fix_sized"), "fix_sized", 0, suffix);
	/* unsized: runs to the next symbol */
	expect_name(s, c->pid, child_addr(c, "fix_zero_mid"), "fix_zero", 2, suffix);
	/* in the gap after a 1-byte symbol: not fix_sized, not anything */
	assert_int_equal(symbolizer__resolve(s, c->pid, false, child_addr(c, "gap"), &f), 0);
	assert_null(f.name);
	assert_true(ends_with(f.module, suffix));
	assert_int_equal(f.module_offset, child_addr(c, "gap") - f.map_start + f.map_offset);
	/* the shared library, C++ demangled */
	expect_name(s, c->pid, child_addr(c, "lib_cxx"), "fixns::cxx_fn(int)", 0, "/libsymfix.so");
	assert_int_equal(symbolizer__resolve(s, c->pid, false, child_addr(c, "lib_cxx"), &f), 0);
	assert_string_equal(f.system_name, "_ZN5fixns6cxx_fnEi");
	assert_non_null(f.build_id);
	assert_int_equal(f.elf_addr, nm_value("libsymfix.so", "_ZN5fixns6cxx_fnEi"));
	expect_name(s, c->pid, child_addr(c, "lib_plain") + 3, "lib_plain", 3, "/libsymfix.so");
}

static void test_pie(void **state)
{
	struct symbolizer *s;
	struct child c;
	struct sym_frame f;
	struct profile *p;
	char buf[256], want[256], bid[SYM_BUILD_ID_HEX_MAX], path[PATH_MAX];
	uint32_t l_gap, l_alpha, l_cxx;
	const struct pf_mapping *m;

	if (!built)
		skip();
	s = new_sym("nodebug");
	child_start(&c, "prog_pie");
	assert_int_equal(symbolizer__add_pid(s, c.pid), 0);
	check_prog(s, &c, "prog_pie", true);

	/* PIE load bias: the link-time address is nm's */
	assert_int_equal(symbolizer__resolve(s, c.pid, false, child_addr(&c, "fix_alpha"), &f), 0);
	assert_int_equal(f.elf_addr, nm_value("prog_pie", "fix_alpha"));
	snprintf(path, sizeof(path), "%s/prog_pie", dir);
	assert_int_equal(sym_elf__read_build_id(path, bid, sizeof(bid)), 0);
	assert_string_equal(f.build_id, bid);

	/* through the profile model */
	p = profile__new();
	assert_non_null(p);
	l_gap = profile__intern_address(p, c.pid, false, child_addr(&c, "gap"));
	l_alpha = profile__intern_address(p, c.pid, false, child_addr(&c, "fix_alpha") + 1);
	l_cxx = profile__intern_address(p, c.pid, false, child_addr(&c, "lib_cxx"));
	assert_int_equal(symbolizer__symbolize_profile(s, p), 1);
	assert_string_equal(profile__frame_name(p, l_alpha, 0, buf, sizeof(buf)), "fix_alpha");
	assert_string_equal(profile__frame_name(p, l_cxx, 0, buf, sizeof(buf)),
			    "fixns::cxx_fn(int)");
	assert_string_equal(profile__str(p, p->functions[p->locations[l_cxx].lines[0].function]
					     .system_name), "_ZN5fixns6cxx_fnEi");
	assert_int_equal(symbolizer__resolve(s, c.pid, false, child_addr(&c, "gap"), &f), 0);
	snprintf(want, sizeof(want), "prog_pie+0x%" PRIx64, f.module_offset);
	assert_string_equal(profile__frame_name(p, l_gap, 0, buf, sizeof(buf)), want);
	m = &p->mappings[p->locations[l_gap].mapping];
	assert_true(ends_with(profile__str(p, m->filename), "/prog_pie"));
	assert_string_equal(profile__str(p, m->build_id), bid);
	assert_true(m->has_functions);
	/* one mapping shared by both frames of the executable */
	assert_int_equal(p->locations[l_gap].mapping, p->locations[l_alpha].mapping);
	assert_int_not_equal(p->locations[l_gap].mapping, p->locations[l_cxx].mapping);
	profile__free(p);

	/* the child exits: its snapshot still names everything */
	child_stop(&c);
	check_prog(s, &c, "prog_pie", true);
	symbolizer__free(s);
}

static void test_nopie(void **state)
{
	struct symbolizer *s;
	struct child c;
	struct sym_frame f;

	if (!built)
		skip();
	s = new_sym("nodebug");
	child_start(&c, "prog_nopie");
	assert_int_equal(symbolizer__add_pid(s, c.pid), 0);
	check_prog(s, &c, "prog_nopie", true);
	/* ET_EXEC: runtime address == link-time address */
	assert_int_equal(symbolizer__resolve(s, c.pid, false, child_addr(&c, "fix_alpha"), &f), 0);
	assert_int_equal(f.elf_addr, child_addr(&c, "fix_alpha"));
	child_stop(&c);
	symbolizer__free(s);
}

static void test_debuglink(void **state)
{
	struct symbolizer *s;
	struct child c;

	if (!built)
		skip();
	/* an empty debug dir: only the debuglink beside the binary can help */
	s = new_sym("nodebug");
	child_start(&c, "prog_strip");
	assert_int_equal(symbolizer__add_pid(s, c.pid), 0);
	check_prog(s, &c, "prog_strip", true);
	child_stop(&c);
	symbolizer__free(s);
}

static void test_build_id_debug(void **state)
{
	struct symbolizer *s;
	struct child c;

	if (!built)
		skip();
	s = new_sym("debug");
	child_start(&c, "prog_bid");
	assert_int_equal(symbolizer__add_pid(s, c.pid), 0);
	check_prog(s, &c, "prog_bid", true);
	child_stop(&c);
	symbolizer__free(s);
}

static void test_stripped_bare(void **state)
{
	struct symbolizer *s;
	struct child c;
	struct sym_frame f;
	struct profile *p;
	char buf[256], want[256];
	uint32_t loc;

	if (!built)
		skip();
	s = new_sym("nodebug");
	child_start(&c, "prog_bare");
	assert_int_equal(symbolizer__add_pid(s, c.pid), 0);
	/* .dynsym holds no fixture function: no name, and no neighbour's name */
	assert_int_equal(symbolizer__resolve(s, c.pid, false, child_addr(&c, "fix_alpha"), &f), 0);
	assert_null(f.name);
	p = profile__new();
	loc = profile__intern_address(p, c.pid, false, child_addr(&c, "fix_alpha"));
	assert_int_equal(symbolizer__symbolize_profile(s, p), 1);
	snprintf(want, sizeof(want), "prog_bare+0x%" PRIx64, f.module_offset);
	assert_string_equal(profile__frame_name(p, loc, 0, buf, sizeof(buf)), want);
	profile__free(p);
	/* the library is not stripped */
	expect_name(s, c.pid, child_addr(&c, "lib_plain"), "lib_plain", 0, "/libsymfix.so");
	child_stop(&c);
	symbolizer__free(s);
}

static void test_deleted(void **state)
{
	struct symbolizer *s;
	struct child c;
	struct sym_frame f;

	if (!built)
		skip();
	assert_int_equal(sh("cp %s/prog_pie %s/prog_del1 && cp %s/prog_pie %s/prog_del2",
			    dir, dir, dir, dir), 0);
	s = new_sym("nodebug");

	/* deleted after the snapshot: the file was read at add_pid */
	child_start(&c, "prog_del1");
	assert_int_equal(symbolizer__add_pid(s, c.pid), 0);
	assert_int_equal(sh("rm %s/prog_del1", dir), 0);
	expect_name(s, c.pid, child_addr(&c, "fix_alpha"), "fix_alpha", 0, "/prog_del1");
	child_stop(&c);

	/* deleted before: only /proc/PID/map_files has it, and only root may open that */
	child_start(&c, "prog_del2");
	assert_int_equal(sh("rm %s/prog_del2", dir), 0);
	assert_int_equal(symbolizer__add_pid(s, c.pid), 0);
	assert_int_equal(symbolizer__resolve(s, c.pid, false, child_addr(&c, "fix_alpha"), &f), 0);
	assert_true(ends_with(f.module, "/prog_del2"));  /* " (deleted)" is not part of it */
	if (geteuid() == 0)
		expect_name(s, c.pid, child_addr(&c, "fix_alpha"), "fix_alpha", 0, "/prog_del2");
	child_stop(&c);
	symbolizer__free(s);
}

static void test_dlopen_refresh(void **state)
{
	char path[PATH_MAX];
	struct symbolizer *s;
	void *h, *fn;

	if (!built)
		skip();
	s = new_sym("nodebug");
	assert_int_equal(symbolizer__add_pid(s, getpid()), 0);
	/* mapped after the snapshot: the miss re-reads the maps */
	snprintf(path, sizeof(path), "%s/libsymfix.so", dir);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(h);
	fn = dlsym(h, "lib_plain");
	assert_non_null(fn);
	expect_name(s, getpid(), (uint64_t)(uintptr_t)fn + 1, "lib_plain", 1, "/libsymfix.so");
	/* and the test's own code, from the first snapshot */
	expect_name(s, getpid(), (uint64_t)(uintptr_t)&symbolizer__resolve, "symbolizer__resolve",
		    0, "/test_sym_elf");
	dlclose(h);
	symbolizer__free(s);
}

/* [vdso] start and end in our own maps. */
static bool own_vdso(uint64_t *start, uint64_t *end)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long a, b;

		if (strstr(line, "[vdso]") && sscanf(line, "%llx-%llx", &a, &b) == 2) {
			*start = a;
			*end = b;
			found = true;
		}
	}
	fclose(f);
	return found;
}

static void test_vdso(void **state)
{
	uint64_t start = 0, end = 0, value = 0;
	struct symbolizer *s;
	struct sym_frame f;
	Elf_Scn *scn = NULL;
	Elf *elf;
	void *img;

	if (!own_vdso(&start, &end))
		skip();
	/* find __vdso_clock_gettime the plain libelf way */
	img = malloc(end - start);
	assert_non_null(img);
	memcpy(img, (void *)(uintptr_t)start, end - start);
	elf_version(EV_CURRENT);
	elf = elf_memory(img, end - start);
	assert_non_null(elf);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM)
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			gelf_getsym(d, (int)i, &sym);
			n = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (n && !strcmp(n, "__vdso_clock_gettime"))
				value = sym.st_value;
		}
	}
	elf_end(elf);
	free(img);
	if (!value)
		skip();

	s = new_sym("nodebug");
	assert_int_equal(symbolizer__resolve(s, getpid(), false, start + value + 1, &f), 0);
	assert_string_equal(f.module, "[vdso]");
	assert_non_null(f.name);
	assert_non_null(strstr(f.name, "clock_gettime"));
	assert_int_equal(f.sym_offset, 1);
	symbolizer__free(s);
}

static void test_perfmap_self(void **state)
{
	char path[PATH_MAX], buf[256];
	struct symbolizer *s;
	struct sym_frame f;
	struct profile *p;
	uint32_t loc;
	uint8_t *code;
	FILE *m;

	code = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(code != MAP_FAILED);
	snprintf(path, sizeof(path), "%s/perf-%d.map", dir, getpid());
	m = fopen(path, "w");
	assert_non_null(m);
	fprintf(m, "%" PRIxPTR " 40 jitted_fn\n", (uintptr_t)code);
	fprintf(m, "%" PRIxPTR " 20 Interpreter::frame with spaces\n", (uintptr_t)code + 0x40);
	fclose(m);

	s = new_sym("nodebug");
	assert_int_equal(symbolizer__add_pid(s, getpid()), 0);
	assert_int_equal(symbolizer__resolve(s, getpid(), false, (uintptr_t)code + 0x10, &f), 0);
	assert_string_equal(f.name, "jitted_fn");
	assert_string_equal(f.module, "[jit]");
	assert_int_equal(symbolizer__resolve(s, getpid(), false, (uintptr_t)code + 0x44, &f), 0);
	assert_string_equal(f.name, "Interpreter::frame with spaces");
	/* executable anonymous memory the map does not cover */
	assert_int_equal(symbolizer__resolve(s, getpid(), false, (uintptr_t)code + 0x100, &f), 0);
	assert_null(f.name);
	assert_string_equal(f.module, "[anon]");
	p = profile__new();
	loc = profile__intern_address(p, getpid(), false, (uintptr_t)code + 0x100);
	assert_int_equal(symbolizer__symbolize_profile(s, p), 1);
	assert_string_equal(profile__frame_name(p, loc, 0, buf, sizeof(buf)), "[anon]+0x100");
	profile__free(p);
	symbolizer__free(s);
	munmap(code, 4096);
	unlink(path);
}

/*
 * JIT code in a region that was not executable when the maps were read (V8
 * maps writable, then flips to executable), in a perf map written after the
 * first lookup: both still name the frame.
 */
static void test_perfmap_late_exec(void **state)
{
	char path[PATH_MAX];
	struct symbolizer *s;
	struct sym_frame f;
	uint8_t *code;
	FILE *m;

	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(code != MAP_FAILED);
	snprintf(path, sizeof(path), "%s/perf-%d.map", dir, getpid());
	unlink(path);
	s = new_sym("nodebug");
	assert_int_equal(symbolizer__add_pid(s, getpid()), 0);
	/* no perf map yet: an anonymous address, not named */
	assert_int_equal(symbolizer__resolve(s, getpid(), false, (uintptr_t)code + 0x8, &f), 0);
	assert_null(f.name);
	assert_string_equal(f.module, "[anon]");
	assert_int_equal(mprotect(code, 4096, PROT_READ | PROT_EXEC), 0);
	m = fopen(path, "w");
	assert_non_null(m);
	fprintf(m, "%" PRIxPTR " 80 JS:*lateFunction /x/node_modules/k-rpc/index.js:1:1\n",
		(uintptr_t)code);
	fclose(m);
	assert_int_equal(symbolizer__resolve(s, getpid(), false, (uintptr_t)code + 0x10, &f), 0);
	assert_non_null(f.name);
	assert_string_equal(f.name, "JS:*lateFunction /x/node_modules/k-rpc/index.js:1:1");
	assert_string_equal(f.module, "[jit]");
	symbolizer__free(s);
	munmap(code, 4096);
	unlink(path);
}

/* Address of a text symbol in /proc/kallsyms, 0 if hidden (not root). */
static uint64_t kallsyms_addr(const char *want)
{
	char line[512], name[256];
	unsigned long long a;
	uint64_t v = 0;
	char t;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (!v && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &a, &t, name) == 3 && (t == 'T' || t == 't') &&
		    !strcmp(name, want))
			v = a;
	fclose(f);
	return v;
}

static void test_kernel_live(void **state)
{
	struct symbolizer *s = symbolizer__new(NULL);
	uint64_t a = kallsyms_addr("schedule");
	struct sym_frame f;

	assert_non_null(s);
	if (!a) {
		/* addresses hidden: still a kernel frame, unnamed */
		assert_int_equal(symbolizer__resolve(s, 0, true, 0xffffffff81000000ULL, &f), 0);
		assert_string_equal(f.module, "[kernel.kallsyms]");
		assert_null(f.name);
	} else {
		assert_int_equal(symbolizer__resolve(s, 0, true, a + 4, &f), 0);
		assert_string_equal(f.module, "[kernel.kallsyms]");
		assert_string_equal(f.name, "schedule");
		assert_int_equal(f.sym_offset, 4);
	}
	symbolizer__free(s);
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Executable mappings of our own process whose path contains one of names. */
static int exec_ranges(const char *const *names, uint64_t *lo, uint64_t *hi, int max)
{
	char line[512];
	int n = 0, i;
	FILE *f = fopen("/proc/self/maps", "r");

	assert_non_null(f);
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s", &a, &b, perms) != 3 || perms[2] != 'x')
			continue;
		for (i = 0; names[i]; i++)
			if (strstr(line, names[i])) {
				lo[n] = a;
				hi[n++] = b;
				break;
			}
	}
	fclose(f);
	return n;
}

/*
 * 100k distinct addresses across the text of libc, libelf, libz and this
 * binary: lone resolves, then one symbolize pass over a 100k-location
 * profile.
 */
static void test_bench_100k(void **state)
{
	enum { N = 100000 };
	static const char *const names[] = { "libc.so", "libelf", "libz.so", "test_sym_elf", NULL };
	uint64_t lo[8], hi[8], *addrs;
	struct symbolizer *s;
	struct sym_frame f;
	struct profile *p;
	double t0, t1, t2, t3;
	int i, n, named = 0, left;

	n = exec_ranges(names, lo, hi, 8);
	assert_true(n > 0);
	addrs = calloc(N, sizeof(*addrs));
	assert_non_null(addrs);
	for (i = 0; i < N; i++) {
		int r = i % n;

		addrs[i] = lo[r] + ((uint64_t)i * 2654435761u) % (hi[r] - lo[r]);
	}
	s = new_sym("nodebug");
	t0 = now_sec();
	assert_int_equal(symbolizer__add_pid(s, getpid()), 0);
	t1 = now_sec();
	for (i = 0; i < N; i++)
		if (!symbolizer__resolve(s, getpid(), false, addrs[i], &f) && f.name)
			named++;
	t2 = now_sec();
	p = profile__new();
	assert_non_null(p);
	for (i = 0; i < N; i++)
		profile__intern_address(p, getpid(), false, addrs[i] ^ 1);
	t3 = now_sec();
	left = symbolizer__symbolize_profile(s, p);
	assert_true(left >= 0);
	print_message("add_pid (parse %d mappings' files): %.1f ms; 100k resolves: %.1f ms "
		      "(%d named); symbolize_profile, %u locations: %.1f ms\n", n,
		      (t1 - t0) * 1e3, (t2 - t1) * 1e3, named, p->nr_locations - 1,
		      (now_sec() - t3) * 1e3);
	/* the times are printed, not asserted: speed belongs to make bench */
	assert_true(named > N / 10);
	profile__free(p);
	symbolizer__free(s);
	free(addrs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pie),
		cmocka_unit_test(test_nopie),
		cmocka_unit_test(test_debuglink),
		cmocka_unit_test(test_build_id_debug),
		cmocka_unit_test(test_stripped_bare),
		cmocka_unit_test(test_deleted),
		cmocka_unit_test(test_dlopen_refresh),
		cmocka_unit_test(test_vdso),
		cmocka_unit_test(test_perfmap_self),
		cmocka_unit_test(test_perfmap_late_exec),
		cmocka_unit_test(test_kernel_live),
		cmocka_unit_test(test_bench_100k),
	};

	/* a child killed by a failed assertion must not take us with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
