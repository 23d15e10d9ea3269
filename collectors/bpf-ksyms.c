// SPDX-License-Identifier: MIT
/* BPF program symbols from the bpf() syscall; see bpf-ksyms.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "collectors/bpf-ksyms.h"
#include "core/sym-kallsyms.h"

/* Functions of one program we name; a program with more keeps its first ones. */
#define MAX_FUNCS	256
/* Programs we look at: a bound on the syscalls, whatever the machine runs. */
#define MAX_PROGS	65536

static int add_prog(struct sym_table *t, int fd, uint32_t aux)
{
	__u64 addrs[MAX_FUNCS];
	__u32 lens[MAX_FUNCS];
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n;
	char name[64];
	int nlen, added = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	n = info.nr_jited_ksyms < MAX_FUNCS ? info.nr_jited_ksyms : MAX_FUNCS;
	if (!n || info.nr_jited_func_lens < n)
		return 0;
	/* the kernel fills them; zeroed for checkers that cannot know it */
	memset(addrs, 0, sizeof(addrs));
	memset(lens, 0, sizeof(lens));
	memset(&info, 0, sizeof(info));
	info.nr_jited_ksyms = n;
	info.jited_ksyms = (__u64)(uintptr_t)addrs;
	info.nr_jited_func_lens = n;
	info.jited_func_lens = (__u64)(uintptr_t)lens;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	info.name[sizeof(info.name) - 1] = '\0';
	nlen = snprintf(name, sizeof(name), "bpf_prog_%02x%02x%02x%02x%02x%02x%02x%02x_%s",
			info.tag[0], info.tag[1], info.tag[2], info.tag[3], info.tag[4],
			info.tag[5], info.tag[6], info.tag[7], info.name);
	if (nlen < 0 || nlen >= (int)sizeof(name))
		nlen = sizeof(name) - 1;
	for (__u32 i = 0; i < n; i++) {
		/* no address: kptr_restrict hides them from us */
		if (!addrs[i] || !lens[i])
			continue;
		if (sym_table__add(t, addrs[i], lens[i], 0, name, nlen, SYM_BIND_GLOBAL, aux))
			return -ENOMEM;
		added++;
	}
	return added;
}

int bpf_ksyms__add(struct sym_table *t, uint32_t aux)
{
	__u32 id = 0;
	int total = 0;

	for (int i = 0; i < MAX_PROGS && !bpf_prog_get_next_id(id, &id); i++) {
		int fd = bpf_prog_get_fd_by_id(id);
		int n;

		if (fd < 0)
			continue;	/* unloaded since */
		n = add_prog(t, fd, aux);
		close(fd);
		if (n == -ENOMEM)
			return n;
		if (n > 0)
			total += n;
	}
	return total;
}

void bpf_ksyms__register(void)
{
	sym_kallsyms__set_dynamic_source(bpf_ksyms__add);
}
