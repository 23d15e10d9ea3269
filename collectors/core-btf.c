// SPDX-License-Identifier: MIT
/* Small per-object BTF files made by bpftool, cached per boot; see core-btf.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <bpf/btf.h>

#include "collectors/core-btf.h"
#include "core/log.h"
#include "core/run-cache.h"

#define KERNEL_BTF	"/sys/kernel/btf/vmlinux"
#define CORE_BTF_MAX	(1u << 20)	/* ours are 1-2 KB: anything near this is not one */
#define BPFTOOL_WAIT_MS	10000		/* it takes 0.1-0.3 s: a hung one is given up on */

static const char *const bpftool_dirs[] = {
	"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin",
};

/* FNV-1a: tells a rebuilt object from the one a cached file was made for. */
static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Not $PATH: record runs as root, and the tool is run with its privileges. */
static int find_bpftool(char *buf, size_t len)
{
	const char *env = getenv("PEERSCOPE_BPFTOOL");

	if (env) {
		if (!*env || access(env, X_OK))
			return -ENOENT;
		snprintf(buf, len, "%s", env);
		return 0;
	}
	for (size_t i = 0; i < sizeof(bpftool_dirs) / sizeof(bpftool_dirs[0]); i++) {
		snprintf(buf, len, "%s/bpftool", bpftool_dirs[i]);
		if (!access(buf, X_OK))
			return 0;
	}
	return -ENOENT;
}

/* A usable BTF file: it parses and holds some type. */
static int check_btf(const char *path)
{
	struct btf *btf = btf__parse(path, NULL);
	int err;

	if (!btf)
		return errno ? -errno : -EINVAL;
	err = btf__type_cnt(btf) > 1 ? 0 : -ENODATA;
	btf__free(btf);
	return err;
}

/* Waits for pid up to BPFTOOL_WAIT_MS, then kills it: 0 when it exited 0. */
static int wait_tool(pid_t pid)
{
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	int status, waited = 0;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r < 0 && errno == EINTR)
			continue;	/* a signal to record, not the end of bpftool */
		if (r != 0 || waited >= BPFTOOL_WAIT_MS)
			break;
		nanosleep(&tick, NULL);
		waited += 5;
	}
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -ETIMEDOUT;
	}
	if (r < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EPROTO;
}

/* bpftool gen min_core_btf KERNEL_BTF out obj, silent, with no environment. */
static int run_bpftool(const char *tool, const char *obj, const char *out)
{
	char *const argv[] = { "bpftool", "gen", "min_core_btf", KERNEL_BTF,
			       (char *)out, (char *)obj, NULL };
	char *const envp[] = { NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int err;

	if (posix_spawn_file_actions_init(&fa))
		return -ENOMEM;
	err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) ||
	      posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) ||
	      posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (!err)
		err = posix_spawn(&pid, tool, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		return err > 0 ? -err : -ENOMEM;
	return wait_tool(pid);
}

/* Makes dir/final from the object: written out, cut by bpftool, checked, renamed. */
static int make_core_btf(const char *dir, const char *name, const void *elf, size_t elf_sz,
			 const char *final)
{
	char tool[256], obj_name[128], obj[4096], out[4096];
	struct iovec iov = { (void *)elf, elf_sz };
	int err;

	err = find_bpftool(tool, sizeof(tool));
	if (err)
		return err;
	snprintf(obj_name, sizeof(obj_name), ".core-btf-%s-%d.o", name, (int)getpid());
	err = run_cache__write(dir, obj_name, &iov, 1);
	if (err)
		return err;
	snprintf(obj, sizeof(obj), "%s/%s", dir, obj_name);
	snprintf(out, sizeof(out), "%s/.core-btf-%s-%d.btf", dir, name, (int)getpid());
	err = run_bpftool(tool, obj, out);
	/* private like the rest of the cache, whatever umask bpftool ran with */
	if (!err && chmod(out, 0600))
		err = -errno;
	if (!err)
		err = check_btf(out);
	if (!err && rename(out, final))
		err = -errno;
	unlink(obj);
	if (err)
		unlink(out);
	return err;
}

int core_btf__path(const char *name, const void *elf, size_t elf_sz, char *path, size_t len)
{
	const char *dir = run_cache__dir();
	char boot[40], file[256];
	size_t size;
	int fd, err;

	if (!dir)
		return -ENOENT;
	if (access(KERNEL_BTF, R_OK))
		return -ENOENT;
	err = run_cache__boot_id(boot, sizeof(boot));
	if (err)
		return err;
	snprintf(file, sizeof(file), "core-btf-%s-%016" PRIx64 "-%s", name,
		 hash_bytes(elf, elf_sz), boot);
	if (snprintf(path, len, "%s/%s", dir, file) >= (int)len)
		return -ENAMETOOLONG;

	/* ours, private, small: libbpf reads the file itself, checked here first */
	fd = run_cache__open(dir, file, CORE_BTF_MAX, &size);
	if (fd >= 0) {
		close(fd);
		err = check_btf(path);
		if (!err)
			return 0;
		ps_debug("core-btf: %s does not parse (%s): making it again", path, strerror(-err));
	} else if (fd != -ENOENT) {
		/* not ours, writable by others, or too large: left as it is */
		ps_debug("core-btf: %s cannot be trusted (%s): libbpf reads the kernel's BTF",
			 path, strerror(-fd));
		return fd;
	}
	err = make_core_btf(dir, name, elf, elf_sz, path);
	if (err)
		ps_debug("core-btf: no small BTF for %s (%s): libbpf reads the kernel's",
			 name, strerror(-err));
	else
		ps_debug("core-btf: made %s", path);
	return err;
}
