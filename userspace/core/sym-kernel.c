// SPDX-License-Identifier: MIT
/*
 * Kernel frames for the symbolizer: one mapping for the whole kernel, the
 * kernel's build id, names from kallsyms (the running kernel's table shared
 * with the collectors, or a file given for tests).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "core/input-limits.h"
#include "core/log.h"
#include "core/symbolizer-int.h"

static int kernel_load(struct symbolizer *s)
{
	if (s->kallsyms_err != 1)
		return s->kallsyms_err;
	/* the running kernel's table is shared with collectors; a test file is ours */
	if (!strcmp(s->kallsyms_path, DEFAULT_KALLSYMS)) {
		s->kallsyms = sym_kallsyms__get_running(&s->kallsyms_err);
	} else {
		s->kallsyms_err = sym_kallsyms__load(&s->kallsyms_own, s->kallsyms_path, NULL);
		if (!s->kallsyms_err)
			s->kallsyms = &s->kallsyms_own;
	}
	if (s->kallsyms_err == -EFBIG)
		ps_warn("%s: %s (docs/limits.md): kernel frames stay addresses",
			s->kallsyms_path, limit__why());
	return s->kallsyms_err;
}

/* The kernel's build id from /sys/kernel/notes (raw ELF notes). */
static void kernel_build_id(struct symbolizer *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[4096];
	size_t off = 0;
	ssize_t n;
	int fd;

	if (s->kernel_build_id[0])
		return;
	fd = open_ro("/sys/kernel/notes");
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	while (n > 0 && off + 12 <= (size_t)n) {
		uint32_t namesz, descsz, type, i;
		size_t name_off = off + 12, desc_off;

		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		desc_off = name_off + ((namesz + 3) & ~3u);
		if (desc_off + descsz > (size_t)n)
			break;
		if (type == 3 /* NT_GNU_BUILD_ID */ && namesz == 4 &&
		    !memcmp(buf + name_off, "GNU", 4) && descsz * 2 < sizeof(s->kernel_build_id)) {
			for (i = 0; i < descsz; i++) {
				s->kernel_build_id[2 * i] = hex[buf[desc_off + i] >> 4];
				s->kernel_build_id[2 * i + 1] = hex[buf[desc_off + i] & 15];
			}
			s->kernel_build_id[2 * descsz] = '\0';
			return;
		}
		off = desc_off + ((descsz + 3) & ~3u);
	}
}

int sym_kernel__resolve(struct symbolizer *s, uint64_t addr, struct sym_frame *out)
{
	struct sym_entry *e;

	out->module = KERNEL_MODULE;
	out->map_limit = UINT64_MAX;
	kernel_build_id(s);
	out->build_id = s->kernel_build_id[0] ? s->kernel_build_id : NULL;
	if (s->no_kernel || kernel_load(s)) {
		/* one mapping for the whole kernel; names unknown */
		out->module_offset = addr;
		return 0;
	}
	/* one mapping from the kernel's text start, so offsets read like perf's */
	out->map_start = addr >= s->kallsyms->lo ? s->kallsyms->lo : 0;
	out->module_offset = addr - out->map_start;
	out->has_symbols = true;
	e = sym_kallsyms__lookup(s->kallsyms, addr, &out->kmod);
	if (e)
		sym_frame__set_names(s, sym_kallsyms__table_of(s->kallsyms, e), e, addr, out);
	return 0;
}

