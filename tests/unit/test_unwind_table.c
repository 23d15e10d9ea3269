// SPDX-License-Identifier: MIT
/*
 * The .eh_frame parser against binutils: every row `readelf
 * --debug-dump=frames-interp` prints for a program this test builds with
 * -O2 -fomit-frame-pointer (and for libc), looked up in our table, must give
 * the same CFA rule, the same saved-RBP rule and the same "return address
 * undefined" verdict.  Plus the pieces: LEB128/PLT expression/gap handling.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/unwind-table.h"

static const char prog_src[] =
	"#include <stdlib.h>\n"
	"#include <string.h>\n"
	"volatile unsigned long sink;\n"
	"__attribute__((noinline)) unsigned long c_hot(unsigned long n)\n"
	"{ volatile unsigned long s = 0; for (unsigned long i = 0; i < n; i++) s += i * i; return s; }\n"
	"__attribute__((noinline)) unsigned long b(unsigned long n)\n"
	"{ volatile char buf[300]; buf[n % 300] = 1; return c_hot(n) + buf[7]; }\n"
	"__attribute__((noinline)) unsigned long a(unsigned long n)\n"
	"{ volatile char *v = __builtin_alloca(n % 64 + 8); v[0] = 1; return b(n) + v[0]; }\n"
	"int main(int argc, char **argv) { sink = a(argc); return 0; }\n";

struct fixture {
	char dir[64];
	char bin[96];
};

static int setup(void **state)
{
	static struct fixture f;
	char src[128], cmd[512];
	FILE *fp;

	snprintf(f.dir, sizeof(f.dir), "/tmp/test_unwind_table.XXXXXX");
	if (!mkdtemp(f.dir))
		return -1;
	snprintf(src, sizeof(src), "%s/p.c", f.dir);
	snprintf(f.bin, sizeof(f.bin), "%s/p", f.dir);
	fp = fopen(src, "w");
	if (!fp)
		return -1;
	fputs(prog_src, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "cc -O2 -fomit-frame-pointer -o %s %s", f.bin, src);
	if (system(cmd))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	return system(cmd) ? -1 : 0;
}

static struct unw_table load(const char *path)
{
	struct unw_table t;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	unw_table__init(&t);
	assert_int_equal(unw_table__load_fd(&t, fd), 0);
	close(fd);
	return t;
}

/* One readelf row, reduced to what our rows keep. */
struct ref_row {
	char cfa[32];	/* "rsp+8", "rbp+16", "exp" */
	char rbp[16];	/* "c-16", "u", "" (no column) */
	char ra[16];	/* "c-8", "u" */
};

static void check_row(const struct unw_table *t, unsigned long loc, const struct ref_row *ref,
		      int *checked, int *exp_rows)
{
	const struct unw_row *r = unw_table__find(t, loc);
	char buf[32], msg[256];

	snprintf(msg, sizeof(msg), "at %#lx: readelf cfa=%s rbp=%s ra=%s, ours %s rbp=%d/%d",
		 loc, ref->cfa, ref->rbp, ref->ra,
		 r ? unw_row__cfa_str(r, buf, sizeof(buf)) : "none",
		 r ? r->rbp_type : -1, r ? r->rbp_off : 0);
	if (!r) {
		fail_msg("%s", msg);
		return;
	}
	(*checked)++;
	if (!strcmp(ref->ra, "u")) {
		if (r->cfa_type != UNW_CFA_END)
			fail_msg("%s", msg);
		return;
	}
	if (!strcmp(ref->cfa, "exp")) {
		(*exp_rows)++;
		if (r->cfa_type != UNW_CFA_PLT && r->cfa_type != UNW_CFA_UNSUPPORTED &&
		    r->cfa_type != UNW_CFA_SIGNAL)
			fail_msg("%s", msg);
		return;
	}
	if (strcmp(ref->ra, "c-8")) {
		if (r->cfa_type != UNW_CFA_UNSUPPORTED)
			fail_msg("%s", msg);
		return;
	}
	if (strcmp(unw_row__cfa_str(r, buf, sizeof(buf)), ref->cfa))
		fail_msg("%s", msg);
	if (ref->rbp[0] == 'c') {
		if (r->rbp_type != UNW_RBP_OFFSET || r->rbp_off != atoi(ref->rbp + 1))
			fail_msg("%s", msg);
	} else if (r->rbp_type == UNW_RBP_OFFSET) {
		fail_msg("%s", msg);
	}
}

/*
 * Walks readelf's frames-interp output: "... FDE cie=X pc=A..B" headers,
 * then a "LOC CFA reg... ra" column header and rows.  An FDE without rows
 * inherits its CIE's initial row, which readelf prints under the CIE.
 */
static void compare_with_readelf(const char *path, int *checked, int *exp_rows)
{
	struct unw_table t = load(path);
	char cmd[256], line[512];
	char cols[16][16];
	int ncols = 0, in_cie = 0, fde_rows = 0;
	unsigned long fde_pc = 0, fde_end = 0, cie_off = 0;
	struct ref_row cie_init[64];
	unsigned long cie_offs[64];
	int ncie = 0;
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames-interp %s 2>/dev/null", path);
	fp = popen(cmd, "r");
	assert_non_null(fp);

	while (fgets(line, sizeof(line), fp)) {
		unsigned long off, a, b, c;
		char kind[8];

		if (sscanf(line, "%lx %lx %lx %7s", &off, &a, &b, kind) == 4 &&
		    (!strcmp(kind, "CIE") || !strcmp(kind, "FDE"))) {
			/* close the previous FDE: no rows means the CIE's rule */
			if (!in_cie && fde_pc && !fde_rows) {
				for (int i = 0; i < ncie; i++)
					if (cie_offs[i] == cie_off)
						check_row(&t, fde_pc, &cie_init[i], checked, exp_rows);
			}
			ncols = 0;
			fde_rows = 0;
			fde_pc = 0;
			in_cie = !strcmp(kind, "CIE");
			if (in_cie && ncie < 64) {
				cie_offs[ncie] = off;
				memset(&cie_init[ncie], 0, sizeof(cie_init[ncie]));
				ncie++;
			} else if (!in_cie) {
				char *p = strstr(line, "cie=");

				if (p && sscanf(p, "cie=%lx pc=%lx..%lx", &cie_off, &c, &a) == 3) {
					fde_pc = c;
					fde_end = a;
				}
			}
			continue;
		}
		if (strstr(line, "LOC") && strstr(line, "CFA")) {
			char *tok = strtok(line, " \n");

			ncols = 0;
			while (tok && ncols < 16) {
				snprintf(cols[ncols++], sizeof(cols[0]), "%s", tok);
				tok = strtok(NULL, " \n");
			}
			continue;
		}
		if (strstr(line, "ZERO terminator"))
			continue;
		if (ncols && sscanf(line, "%lx", &a) == 1 && strlen(line) > 20) {
			struct ref_row ref = {};
			char *tok = strtok(line, " \n");

			for (int i = 0; tok && i < ncols; i++, tok = strtok(NULL, " \n")) {
				/* "r10 (r10)" is one column: skip the parenthesised part */
				if (tok[0] == '(') {
					i--;
					continue;
				}
				if (!strcmp(cols[i], "CFA"))
					snprintf(ref.cfa, sizeof(ref.cfa), "%s", tok);
				else if (!strcmp(cols[i], "rbp"))
					snprintf(ref.rbp, sizeof(ref.rbp), "%s", tok);
				else if (!strcmp(cols[i], "ra"))
					snprintf(ref.ra, sizeof(ref.ra), "%s", tok);
			}
			if (in_cie) {
				if (ncie)
					cie_init[ncie - 1] = ref;
			} else if (a < fde_end) {
				/* (readelf also prints rows advanced to the end: empty, skipped) */
				fde_rows++;
				check_row(&t, a, &ref, checked, exp_rows);
			}
		}
	}
	pclose(fp);
	unw_table__free(&t);
}

static void test_matches_readelf_on_nofp_program(void **state)
{
	struct fixture *f = *state;
	int checked = 0, exp_rows = 0;

	compare_with_readelf(f->bin, &checked, &exp_rows);
	/* _start, the PLT, main, a, b, c_hot and the crt helpers at least */
	assert_true(checked >= 10);
}

static void test_matches_readelf_on_libc(void **state)
{
	const char *libc = "/lib/x86_64-linux-gnu/libc.so.6";
	int checked = 0, exp_rows = 0;

	if (access(libc, R_OK))
		skip();
	compare_with_readelf(libc, &checked, &exp_rows);
	assert_true(checked > 10000);
	/* signal trampolines and a few hand-written functions use expressions */
	assert_true(exp_rows < 100);
}

/*
 * glibc's __restore_rt: its CIE has the 'S' augmentation and its FDE (from
 * the nop before it, for lookups at a return address minus one) describes
 * the saved ucontext with expressions.  The row must say "signal" so that
 * the BPF unwinder reads the interrupted registers from the ucontext.
 */
static void test_libc_sigreturn_is_signal_frame(void **state)
{
	const char *libc = "/lib/x86_64-linux-gnu/libc.so.6";
	char cmd[256], line[512];
	unsigned long off, a, b, sig_cie = ~0ul, pc, end;
	int found = 0;
	struct unw_table t;
	FILE *fp;

	if (access(libc, R_OK))
		skip();
	t = load(libc);
	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames %s 2>/dev/null", libc);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		char kind[8], *p;

		if (sscanf(line, "%lx %lx %lx %7s", &off, &a, &b, kind) == 4 && !strcmp(kind, "CIE")) {
			if (fgets(line, sizeof(line), fp) && fgets(line, sizeof(line), fp) &&
			    strstr(line, "Augmentation:") && strchr(line, 'S'))
				sig_cie = off;
			continue;
		}
		p = strstr(line, " FDE cie=");
		if (p && sscanf(p, " FDE cie=%lx pc=%lx..%lx", &off, &pc, &end) == 3 && off == sig_cie) {
			for (unsigned long at = pc; at < end; at++) {
				const struct unw_row *r = unw_table__find(&t, at);

				assert_non_null(r);
				assert_int_equal(r->cfa_type, UNW_CFA_SIGNAL);
			}
			found++;
		}
	}
	pclose(fp);
	unw_table__free(&t);
	assert_true(found >= 1);	/* __restore_rt */
}

/* a's alloca forces a frame: CFA = RBP + 16 in its body, saved RBP at CFA - 16 */
static void test_alloca_function_uses_rbp(void **state)
{
	struct fixture *f = *state;
	struct unw_table t = load(f->bin);
	char cmd[256], line[256];
	unsigned long a_start = 0, a_end = 0;
	bool saw_rbp = false;
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "nm -S %s", f->bin);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		unsigned long addr, size;
		char type, name[64];

		if (sscanf(line, "%lx %lx %c %63s", &addr, &size, &type, name) == 4 && !strcmp(name, "a")) {
			a_start = addr;
			a_end = addr + size;
		}
	}
	pclose(fp);
	assert_true(a_start && a_end > a_start);

	/* entry: nothing pushed yet */
	const struct unw_row *r = unw_table__find(&t, a_start);

	assert_non_null(r);
	assert_int_equal(r->cfa_type, UNW_CFA_RSP);
	assert_int_equal(r->cfa_off, 8);
	for (unsigned long pc = a_start; pc < a_end; pc++) {
		r = unw_table__find(&t, pc);
		assert_non_null(r);
		if (r->cfa_type == UNW_CFA_RBP) {
			saw_rbp = true;
			assert_int_equal(r->cfa_off, 16);
			assert_int_equal(r->rbp_type, UNW_RBP_OFFSET);
			assert_int_equal(r->rbp_off, -16);
		}
	}
	assert_true(saw_rbp);
	unw_table__free(&t);
}

/* _start: DW_CFA_undefined rip marks the outermost frame */
static void test_start_is_outermost(void **state)
{
	struct fixture *f = *state;
	struct unw_table t = load(f->bin);
	char cmd[256], line[256];
	unsigned long start = 0;
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "nm %s", f->bin);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		unsigned long addr;
		char type, name[64];

		if (sscanf(line, "%lx %c %63s", &addr, &type, name) == 3 && !strcmp(name, "_start"))
			start = addr;
	}
	pclose(fp);
	assert_true(start);
	const struct unw_row *r = unw_table__find(&t, start + 4);

	assert_non_null(r);
	assert_int_equal(r->cfa_type, UNW_CFA_END);
	unw_table__free(&t);
}

/* Hand-built .eh_frame: one CIE, a PLT FDE, a gap, a function FDE. */
static void test_synthetic_plt_gap_and_merge(void **state)
{
	static const uint8_t eh[] = {
		/* CIE at 0: len 20, id 0, v1, "zR", code 1, data -8, ra 16, aug len 1, enc pcrel|sdata4 */
		0x14, 0, 0, 0, 0, 0, 0, 0, 1, 'z', 'R', 0, 1, 0x78, 16, 1, 0x1b,
		/* def_cfa rsp+8; offset ra, 1 (c-8); nop pad */
		0x0c, 7, 8, 0x90, 1, 0, 0,
		/* FDE at 24: len 36, cie ptr 28 */
		0x24, 0, 0, 0, 0x1c, 0, 0, 0,
		/* pc: field at 32 -> 0x1000 - 32 = 0xfe0 (sh_addr 0); range 0x20; aug len 0 */
		0xe0, 0x0f, 0, 0, 0x20, 0, 0, 0, 0,
		/* def_cfa_offset 16; advance 6; def_cfa_offset 24; advance 10; def_cfa_expression (PLT, lit11) */
		0x0e, 16, 0x46, 0x0e, 24, 0x4a,
		0x0f, 11, 0x77, 8, 0x80, 0, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22,
		0, 0, 0, 0,
		/* FDE at 64: len 28, cie ptr 68; pc field at 72 -> 0x2000 - 72 = 0x1fb8, range 0x10 */
		0x1c, 0, 0, 0, 0x44, 0, 0, 0,
		0xb8, 0x1f, 0, 0, 0x10, 0, 0, 0, 0,
		/* advance 1; def_cfa_offset 16; offset rbp, 2 (c-16); advance 4; def_cfa_register rbp; nops */
		0x41, 0x0e, 16, 0x86, 2, 0x44, 0x0d, 6, 0, 0, 0, 0, 0, 0, 0,
		/* terminator */
		0, 0, 0, 0,
	};
	struct unw_table t;
	const struct unw_row *r;

	unw_table__init(&t);
	assert_int_equal(unw_table__parse(&t, eh, sizeof(eh), 0, false), 0);
	unw_table__finish(&t);
	assert_int_equal(t.nr_fdes, 2);

	r = unw_table__find(&t, 0x1000);
	assert_int_equal(r->cfa_type, UNW_CFA_RSP);
	assert_int_equal(r->cfa_off, 16);
	r = unw_table__find(&t, 0x1008);
	assert_int_equal(r->cfa_off, 24);
	r = unw_table__find(&t, 0x1015);
	assert_int_equal(r->cfa_type, UNW_CFA_PLT);
	assert_int_equal(r->cfa_off, 8);
	assert_int_equal(r->plt_threshold, 11);
	/* between the two functions: no rule */
	r = unw_table__find(&t, 0x1800);
	assert_int_equal(r->cfa_type, UNW_CFA_INVALID);
	r = unw_table__find(&t, 0x2000);
	assert_int_equal(r->cfa_type, UNW_CFA_RSP);
	assert_int_equal(r->cfa_off, 8);
	r = unw_table__find(&t, 0x2003);
	assert_int_equal(r->cfa_off, 16);
	assert_int_equal(r->rbp_type, UNW_RBP_OFFSET);
	assert_int_equal(r->rbp_off, -16);
	r = unw_table__find(&t, 0x200f);
	assert_int_equal(r->cfa_type, UNW_CFA_RBP);
	assert_int_equal(r->cfa_off, 16);
	r = unw_table__find(&t, 0x2010);
	assert_int_equal(r->cfa_type, UNW_CFA_INVALID);
	assert_null(unw_table__find(&t, 0xfff));
	/* no two neighbours carry the same rule */
	for (size_t i = 1; i < t.nr; i++)
		assert_true(t.rows[i].pc > t.rows[i - 1].pc);
	unw_table__free(&t);
}

static void test_truncated_input_is_rejected(void **state)
{
	static const uint8_t eh[] = { 0x14, 0, 0, 0, 0, 0, 0, 0, 1, 'z' };
	struct unw_table t;

	unw_table__init(&t);
	assert_int_equal(unw_table__parse(&t, eh, sizeof(eh), 0, false), -EINVAL);
	unw_table__finish(&t);
	assert_int_equal(t.nr, 0);
	unw_table__free(&t);
}

static void test_bias_of_pie_mapping(void **state)
{
	struct fixture *f = *state;
	struct unw_table t = load(f->bin);
	uint64_t bias = 0;

	/* a PIE's text at file offset 0x1000 mapped at 0x555555555000 */
	assert_int_equal(unw_table__bias(&t, 0x555555555000ULL, 0x1000, &bias), 0);
	assert_true(bias == 0x555555554000ULL);
	assert_int_equal(unw_table__bias(&t, 0x1000, 0x7fff0000, &bias), -ENOENT);
	unw_table__free(&t);
}

/*
 * lld's layout (sodium-native.node): the read-only segment's last page is
 * also the text segment's first, at another vaddr.  An executable mapping
 * of that page is the text's.
 */
static void test_bias_of_lld_shared_page(void **state)
{
	struct unw_load loads[] = {
		{ .offset = 0, .vaddr = 0, .filesz = 0x2d704, .exec = false },
		{ .offset = 0x2d720, .vaddr = 0x2e720, .filesz = 0x865a0, .exec = true },
		{ .offset = 0xb3cc0, .vaddr = 0xb5cc0, .filesz = 0x13b0, .exec = false },
	};
	struct unw_table t = { .loads = loads, .nr_loads = 3 };
	uint64_t bias = 0;

	assert_int_equal(unw_table__bias(&t, 0x7f0000001000ULL, 0x2d000, &bias), 0);
	/* file offset 0x2d000 is vaddr 0x2e000 in the text segment */
	assert_true(bias == 0x7f0000001000ULL - 0x2e000);
	/* a page only a read-only segment holds still maps */
	assert_int_equal(unw_table__bias(&t, 0x7f0000000000ULL, 0, &bias), 0);
	assert_true(bias == 0x7f0000000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_readelf_on_nofp_program),
		cmocka_unit_test(test_matches_readelf_on_libc),
		cmocka_unit_test(test_libc_sigreturn_is_signal_frame),
		cmocka_unit_test(test_alloca_function_uses_rbp),
		cmocka_unit_test(test_start_is_outermost),
		cmocka_unit_test(test_synthetic_plt_gap_and_merge),
		cmocka_unit_test(test_truncated_input_is_rejected),
		cmocka_unit_test(test_bias_of_pie_mapping),
		cmocka_unit_test(test_bias_of_lld_shared_page),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
