// SPDX-License-Identifier: MIT
/*
 * BPF program symbols from the bpf() syscall name the same functions at the
 * same addresses as /proc/kallsyms does (the per-boot kallsyms cache relies
 * on them for the programs it leaves out).  Loads a small program of its
 * own so that there is at least one; needs root (skipped otherwise).
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
#include <sys/syscall.h>
#include <cmocka.h>
#include <linux/bpf.h>

#include "collectors/bpf-ksyms.h"

/* Through the raw syscall with a zeroed attr: valgrind checks every byte of it. */
static int load_own_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (__u64)(uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (__u64)(uintptr_t)"GPL";
	strcpy(attr.prog_name, "ps_ksyms_test");
	return syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

static void test_same_as_kallsyms(void **state)
{
	struct sym_table t;
	char line[512];
	size_t checked = 0, own = 0;
	FILE *f;
	int fd;

	(void)state;
	fd = load_own_prog();
	if (fd < 0) {
		skip();
		return;
	}
	sym_table__init(&t);
	assert_true(bpf_ksyms__add(&t, 7) >= 1);
	sym_table__finish(&t);
	f = fopen("/proc/kallsyms", "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256], mod[64];
		struct sym_entry *e;

		if (sscanf(line, "%llx %c %255s %63s", &addr, &type, name, mod) != 4 ||
		    strcmp(mod, "[bpf]") || strncmp(name, "bpf_prog_", 9) || !addr)
			continue;
		e = sym_table__lookup(&t, addr);
		/*
		 * Other programs come and go while we read (another record, a
		 * test): one loaded after our walk is not in it, and its JIT
		 * memory may be a gone program's.  Ours stays: it must match.
		 */
		if (strstr(name, "ps_ksyms_test")) {
			assert_non_null(e);
			assert_int_equal(e->start, addr);
			assert_int_equal(e->aux, 7);
			assert_string_equal(sym_table__name(&t, e), name);
			own++;
		}
		if (e && e->start == addr) {
			/* subprograms have their own tags in kallsyms, so only the prefix */
			assert_memory_equal(sym_table__name(&t, e), name, 9);
			checked++;
		}
	}
	fclose(f);
	assert_int_equal(own, 1);
	assert_true(checked >= 1);
	sym_table__free(&t);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_kallsyms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
