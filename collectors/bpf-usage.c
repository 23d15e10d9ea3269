// SPDX-License-Identifier: MIT
/* BPF map memory of this process, from fdinfo; see bpf-usage.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/bpf-usage.h"

#define MAX_MAP_IDS	1024

/* map_id and memlock of one fd's fdinfo; false when it is not a map. */
static bool map_fdinfo(int dir_fd, const char *name, uint32_t *id, uint64_t *bytes)
{
	char buf[1024], *p;
	ssize_t n;
	int fd;

	fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "\nmemlock:");
	if (!p || !strstr(buf, "\nmap_type:"))
		return false;
	*bytes = strtoull(p + 9, NULL, 10);
	p = strstr(buf, "\nmap_id:");
	*id = p ? strtoul(p + 8, NULL, 10) : 0;
	return true;
}

int bpf_usage__maps(struct bpf_map_usage *u)
{
	uint32_t *seen, id;
	struct dirent *de;
	uint64_t bytes;
	DIR *d;

	memset(u, 0, sizeof(*u));
	d = opendir("/proc/self/fdinfo");
	if (!d)
		return -errno;
	seen = calloc(MAX_MAP_IDS, sizeof(*seen));
	if (!seen) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		bool dup = false;

		if (de->d_name[0] == '.' || !map_fdinfo(dirfd(d), de->d_name, &id, &bytes))
			continue;
		for (uint32_t i = 0; i < u->nr_maps && i < MAX_MAP_IDS; i++)
			dup |= seen[i] == id;
		if (dup)
			continue;
		if (u->nr_maps < MAX_MAP_IDS)
			seen[u->nr_maps] = id;
		u->nr_maps++;
		u->bytes += bytes;
	}
	free(seen);
	closedir(d);
	return 0;
}
