// SPDX-License-Identifier: MIT
/*
 * Which path rules apply: guessed from a process's binary, or the set kept
 * inside a recording (with the generic set as the one fallback).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "core/rules-int.h"

/* ---- guessing the set from the binary ----------------------------------- */

struct blob {
	const char *data;
	size_t len;
};

static bool has(const struct blob *b, const char *needle)
{
	return b->data && memmem(b->data, b->len, needle, strlen(needle)) != NULL;
}

static int map_file(const char *path, struct blob *b)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *m;

	b->data = NULL;
	b->len = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size <= 0) {
		close(fd);
		return -EINVAL;
	}
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -errno;
	b->data = m;
	b->len = st.st_size;
	return 0;
}

static void unmap_file(struct blob *b)
{
	if (b->data)
		munmap((void *)b->data, b->len);
}

static void text_file(const char *path, struct blob *b)
{
	int e;

	b->data = path_rules__read_text(path, &e);
	b->len = b->data ? strlen(b->data) : 0;
}

const char *path_rules__guess(uint32_t pid, const char *exe, char *why, size_t len)
{
	struct blob bin = {}, maps = {}, perfmap = {}, cmdline = {};
	char path[64];
	const char *pick = "default";

	if (!exe && pid) {
		snprintf(path, sizeof(path), "/proc/%u/exe", pid);
		exe = path;
	}
	if (exe)
		map_file(exe, &bin);
	if (pid) {
		char p[64];

		snprintf(p, sizeof(p), "/proc/%u/maps", pid);
		text_file(p, &maps);
		snprintf(p, sizeof(p), "/tmp/perf-%u.map", pid);
		text_file(p, &perfmap);
		snprintf(p, sizeof(p), "/proc/%u/cmdline", pid);
		text_file(p, &cmdline);
		/* cmdline is NUL-separated: only its first argument is seen by strlen */
	}

	if (has(&bin, "p2pnode") && has(&bin, "dht_lookup_start")) {
		pick = "p2pnode";
		snprintf(why, len, "USDT probes of provider p2pnode in the binary");
	} else if (has(&bin, "go.buildid") && has(&bin, "github.com/libp2p/go-libp2p")) {
		pick = "go-libp2p";
		snprintf(why, len, "a Go binary (.note.go.buildid) with go-libp2p symbols");
	} else if (has(&bin, "go.buildid") && has(&bin, "github.com/syncthing/syncthing/lib/")) {
		pick = "syncthing";
		snprintf(why, len, "a Go binary with syncthing's packages");
	} else if (has(&bin, "go.buildid") && has(&bin, "github.com/hashicorp/memberlist")) {
		pick = "memberlist";
		snprintf(why, len, "a Go binary with hashicorp/memberlist");
	} else if (has(&bin, "libp2p_kad") || has(&bin, "libp2p_gossipsub") ||
		   has(&bin, "libp2p_swarm")) {
		pick = "rust-libp2p";
		snprintf(why, len, "rust-libp2p symbols (libp2p_kad, libp2p_gossipsub, libp2p_swarm)");
	} else if (has(&perfmap, "libp2p") || (has(&maps, "node") && has(&cmdline, "libp2p"))) {
		pick = "js-libp2p";
		snprintf(why, len, "JIT frames of libp2p in /tmp/perf-%u.map", pid);
	} else if (has(&perfmap, "/bittorrent-dht/") || has(&perfmap, "/k-rpc/")) {
		pick = "bittorrent-dht";
		snprintf(why, len, "JIT frames of bittorrent-dht in /tmp/perf-%u.map", pid);
	} else if (has(&perfmap, "/hyperdht/") || has(&perfmap, "/dht-rpc/") ||
		   has(&maps, "udx-native")) {
		pick = "hyperdht";
		snprintf(why, len, "hyperdht: JIT frames in /tmp/perf-%u.map or udx-native loaded", pid);
	} else if (has(&bin, "10libtorrent") || has(&bin, "libtorrent-rasterbar") ||
		   has(&maps, "libtorrent-rasterbar")) {
		/* mangled libtorrent:: names; a bare "libtorrent" is also in other
		 * clients' peer-id tables (Transmission names it) */
		pick = "libtorrent";
		snprintf(why, len, "libtorrent in the binary or its linked libraries");
	} else if (has(&bin, "5aria2") || has(&bin, "aria2::")) {
		pick = "aria2";
		snprintf(why, len, "aria2's C++ symbols in the binary");
	} else if (has(&bin, "dht.bootstrap") || has(&bin, "dht_periodic") ||
		   has(&bin, "libtransmission")) {
		pick = "mainline-dht";
		snprintf(why, len, "jech's Mainline DHT (Transmission) in the binary");
	} else if (has(&bin, "DHT_bootstrap") || has(&bin, "toxcore") || has(&maps, "toxcore")) {
		pick = "toxcore";
		snprintf(why, len, "toxcore symbols (DHT_bootstrap) or libtoxcore linked");
	} else {
		snprintf(why, len, "no known P2P library recognised: generic name patterns");
	}
	unmap_file(&bin);
	free((void *)maps.data);
	free((void *)perfmap.data);
	free((void *)cmdline.data);
	return pick;
}

struct path_rules *path_rules__for_pid(uint32_t pid)
{
	char why[140], err[256];
	const char *name = path_rules__guess(pid, NULL, why, sizeof(why));
	struct path_rules *r = path_rules__parse(path_rules__builtin_text(name), name, err,
						 sizeof(err));

	if (r)
		snprintf(r->why, sizeof(r->why), "guessed: %s", why);
	return r;
}

/* ---- the rules inside a recording --------------------------------------- */

int path_rules__save(const struct path_rules *r, struct profile *p, const char *why)
{
	struct rec_rules rec = { .name = r->name, .text = r->text ? r->text : "",
				 .why = why ? why : r->why };

	return records__add_rules(p, &rec);
}

struct path_rules *path_rules__from_profile(const struct profile *p)
{
	struct rec_rules rec, last = {};
	char err[256];

	/* the last one with a text wins: a merged profile keeps every recording's */
	for (uint32_t pos = 0; records__next_rules(p, &pos, &rec);)
		if (rec.text && *rec.text)
			last = rec;
	if (last.text) {
		struct path_rules *r = path_rules__parse(last.text, last.name, err, sizeof(err));

		if (r && last.why)
			snprintf(r->why, sizeof(r->why), "%s", last.why);
		return r;
	}
	return NULL;
}

struct path_rules *path_rules__for_profile(const struct profile *p)
{
	struct path_rules *r = path_rules__from_profile(p);
	char msg[256];

	if (!r)
		r = path_rules__load("default", msg, sizeof(msg));
	if (r && !r->why[0])
		snprintf(r->why, sizeof(r->why), "none recorded: generic patterns");
	return r;
}
