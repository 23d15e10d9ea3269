// SPDX-License-Identifier: MIT
/*
 * The per-boot cache of kernel feature probes; see features-cache.h.
 *
 * The file is small text ("name value" lines).  It is trusted only when it
 * and its directory belong to us and nobody else can write them: a forged
 * "fentry 1" would only make a collector fail to load, but a record run as
 * root reads nothing that another user could have planted.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "collectors/features-cache.h"
#include "core/run-cache.h"

#define CACHE_MAGIC	"peerscope features 1"
#define CACHE_FILE	"features"
#define CACHE_MAX	4096

/* The probed answers worth caching: each costs a program load or a BTF parse. */
static const struct {
	const char *name;
	size_t off;
} cached[] = {
	{ "tp_btf", offsetof(struct kernel_features, tp_btf) },
	{ "fentry", offsetof(struct kernel_features, fentry) },
	{ "raw_tp", offsetof(struct kernel_features, raw_tp) },
	{ "ringbuf", offsetof(struct kernel_features, ringbuf) },
	{ "hw_pmu", offsetof(struct kernel_features, hw_pmu) },
	{ "perf_read_value", offsetof(struct kernel_features, perf_read_value) },
	{ "tcp_retrans_err", offsetof(struct kernel_features, tcp_retrans_err) },
};
#define NR_CACHED (sizeof(cached) / sizeof(cached[0]))

static uint64_t read_cap_eff(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	}
	fclose(f);
	return eff;
}

int features_cache__key(struct features_key *key)
{
	struct utsname u;
	int err;

	memset(key, 0, sizeof(*key));
	err = run_cache__boot_id(key->boot_id, sizeof(key->boot_id));
	if (err)
		return err;
	if (!uname(&u))
		snprintf(key->kernel, sizeof(key->kernel), "%s", u.release);
	key->euid = geteuid();
	key->cap_eff = read_cap_eff();
	return 0;
}

static int format_key(char *buf, size_t len, const struct features_key *key)
{
	return snprintf(buf, len, "%s\nboot_id %s\nkernel %s\neuid %" PRIu32 "\ncap_eff %" PRIx64 "\n",
			CACHE_MAGIC, key->boot_id, key->kernel, key->euid, key->cap_eff);
}

/* Reads DIR/features into buf (NUL-terminated); its length or a negative errno. */
static int read_file(const char *dir, char *buf, size_t len)
{
	size_t size;
	int fd, err;

	fd = run_cache__open(dir, CACHE_FILE, len - 1, &size);
	if (fd == -EFBIG)
		return -EPERM;
	if (fd < 0)
		return fd;
	err = run_cache__read_all(fd, buf, size);
	close(fd);
	if (err)
		return err;
	buf[size] = '\0';
	return size;
}

int features_cache__read(const char *dir, const struct features_key *key,
			 struct kernel_features *kf)
{
	char buf[CACHE_MAX], want[512], *p;
	bool val[NR_CACHED];
	int n, klen;

	n = read_file(dir, buf, sizeof(buf));
	if (n < 0)
		return n;
	klen = format_key(want, sizeof(want), key);
	if (klen >= (int)sizeof(want) || n < klen || memcmp(buf, want, klen))
		return -ESTALE;
	p = buf + klen;
	for (size_t i = 0; i < NR_CACHED; i++) {
		size_t nlen = strlen(cached[i].name);

		/* fixed order, fixed form: anything else is not ours */
		if (strncmp(p, cached[i].name, nlen) || p[nlen] != ' ' ||
		    (p[nlen + 1] != '0' && p[nlen + 1] != '1') || p[nlen + 2] != '\n')
			return -EINVAL;
		val[i] = p[nlen + 1] == '1';
		p += nlen + 3;
	}
	if (*p)
		return -EINVAL;
	for (size_t i = 0; i < NR_CACHED; i++)
		*(bool *)((char *)kf + cached[i].off) = val[i];
	return 0;
}

int features_cache__write(const char *dir, const struct features_key *key,
			  const struct kernel_features *kf)
{
	char buf[CACHE_MAX];
	struct iovec iov;
	int n;

	n = format_key(buf, sizeof(buf), key);
	for (size_t i = 0; i < NR_CACHED && n < (int)sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s %d\n", cached[i].name,
			      *(const bool *)((const char *)kf + cached[i].off));
	if (n >= (int)sizeof(buf))
		return -E2BIG;
	iov.iov_base = buf;
	iov.iov_len = n;
	return run_cache__write(dir, CACHE_FILE, &iov, 1);
}
