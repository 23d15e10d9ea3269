// SPDX-License-Identifier: MIT
/*
 * Which path rules apply: guessed from a process's binary, or the set kept
 * inside a recording (with the generic set as the one fallback).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "core/rules-int.h"
#include "core/run-cache.h"

/* ---- guessing the set from the binary ----------------------------------- */

struct blob {
	const char *data;
	size_t len;
};

static bool has(const struct blob *b, const char *needle)
{
	return b->data && memmem(b->data, b->len, needle, strlen(needle)) != NULL;
}

/*
 * Everything the guess looks for in the binary, found in one pass.  It
 * searched the file once per string, up to fifteen times over a binary
 * that has none of them: 0.74 s of CPU and 100 MB of mapped pages for
 * Node.js, as much as the rest of a recording.
 */
static const char *const bin_needles[] = {
	"p2pnode", "dht_lookup_start", "go.buildid", "github.com/libp2p/go-libp2p",
	"github.com/syncthing/syncthing/lib/", "github.com/hashicorp/memberlist",
	"libp2p_kad", "libp2p_gossipsub", "libp2p_swarm", "10libtorrent",
	"libtorrent-rasterbar", "5aria2", "aria2::", "dht.bootstrap", "dht_periodic",
	"libtransmission", "DHT_bootstrap", "toxcore",
};
#define NR_BIN_NEEDLES	(sizeof(bin_needles) / sizeof(bin_needles[0]))

struct bin_scan {
	bool found[NR_BIN_NEEDLES];
	size_t len[NR_BIN_NEEDLES];
	uint8_t first2[65536 / 8];	/* bit set: a needle starts with these two bytes */
};

/* Marks the needles that start at a position of buf[0, len). */
static void scan_chunk(const unsigned char *buf, size_t len, struct bin_scan *sc)
{
	for (size_t i = 0; i + 1 < len; i++) {
		unsigned int two = buf[i] << 8 | buf[i + 1];

		if (!(sc->first2[two >> 3] & (1u << (two & 7))))
			continue;
		for (size_t j = 0; j < NR_BIN_NEEDLES; j++) {
			if (!sc->found[j] && i + sc->len[j] <= len &&
			    !memcmp(buf + i, bin_needles[j], sc->len[j]))
				sc->found[j] = true;
		}
	}
}

/*
 * What a scan found, kept in the run cache per file (run-cache.h): the
 * scan reads the whole binary, 100 MB for Node.js, on every record of it.
 * The name holds a hash of the needles, so another list is another file.
 */
struct bin_scan_cached {
	char magic[4];			/* "PSG1" */
	uint32_t nr;			/* NR_BIN_NEEDLES */
	uint32_t found;			/* bit j: needle j */
};

static bool scan_cache_name(int fd, char *name, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a over the needles, NULs included */
	char prefix[32];

	for (size_t j = 0; j < NR_BIN_NEEDLES; j++)
		for (const char *c = bin_needles[j]; ; c++) {
			h = (h ^ (uint8_t)*c) * 16777619u;
			if (!*c)
				break;
		}
	snprintf(prefix, sizeof(prefix), "guess-%08x-", h);
	return !run_cache__file_name(fd, prefix, name, len);
}

static bool scan_cache_get(const char *name, struct bin_scan *sc)
{
	struct bin_scan_cached c;
	size_t size;
	int fd = run_cache__open(run_cache__dir(), name, sizeof(c), &size);
	bool ok;

	if (fd < 0)
		return false;
	ok = size == sizeof(c) && !run_cache__read_all(fd, &c, sizeof(c)) &&
	     !memcmp(c.magic, "PSG1", 4) && c.nr == NR_BIN_NEEDLES && !(c.found >> NR_BIN_NEEDLES);
	close(fd);
	for (size_t j = 0; ok && j < NR_BIN_NEEDLES; j++)
		sc->found[j] = c.found >> j & 1;
	return ok;
}

static void scan_cache_put(const char *name, const struct bin_scan *sc)
{
	struct bin_scan_cached c = { .magic = "PSG1", .nr = NR_BIN_NEEDLES };
	struct iovec iov = { .iov_base = &c, .iov_len = sizeof(c) };

	for (size_t j = 0; j < NR_BIN_NEEDLES; j++)
		c.found |= (uint32_t)sc->found[j] << j;
	run_cache__write(run_cache__dir(), name, &iov, 1);
}

/*
 * Reads path a chunk at a time (a bounded buffer, whatever the file's
 * size) and notes which needles it holds; a needle across two chunks is
 * seen through the bytes kept from the first.  A file scanned before (the
 * same device, inode, size and times) is not read again.  0 or a negative
 * errno.
 */
static int scan_file(const char *path, struct bin_scan *sc)
{
	size_t keep = 0, longest = 0;
	unsigned char *buf;
	char name[256];
	bool cache;
	ssize_t n;
	int fd;

	_Static_assert(NR_BIN_NEEDLES <= 32, "the cached scan keeps one bit per needle");
	memset(sc, 0, sizeof(*sc));
	for (size_t j = 0; j < NR_BIN_NEEDLES; j++) {
		const unsigned char *s = (const unsigned char *)bin_needles[j];
		unsigned int two = s[0] << 8 | s[1];	/* every needle has two bytes or more */

		sc->first2[two >> 3] |= 1u << (two & 7);
		sc->len[j] = strlen(bin_needles[j]);
		if (sc->len[j] > longest)
			longest = sc->len[j];
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	cache = scan_cache_name(fd, name, sizeof(name));
	if (cache && scan_cache_get(name, sc)) {
		close(fd);
		return 0;
	}
	buf = malloc(RULES_SCAN_CHUNK + longest);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = read(fd, buf + keep, RULES_SCAN_CHUNK)) != 0) {
		size_t len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			cache = false;	/* what was read so far still counts, not for later */
			break;
		}
		len = keep + n;
		scan_chunk(buf, len, sc);
		keep = len < longest - 1 ? len : longest - 1;
		memmove(buf, buf + len - keep, keep);
	}
	free(buf);
	close(fd);
	if (cache)
		scan_cache_put(name, sc);
	return 0;
}

/* Whether the scanned binary holds needle; one missing from bin_needles reads as absent. */
static bool bin_has(const struct bin_scan *sc, const char *needle)
{
	for (size_t j = 0; j < NR_BIN_NEEDLES; j++)
		if (!strcmp(bin_needles[j], needle))
			return sc->found[j];
	return false;
}

static void text_file(const char *path, struct blob *b)
{
	int e;

	b->data = path_rules__read_text(path, &e);
	b->len = b->data ? strlen(b->data) : 0;
}

const char *path_rules__guess(uint32_t pid, const char *exe, char *why, size_t len)
{
	struct blob maps = {}, perfmap = {}, cmdline = {};
	struct bin_scan bin;
	char path[64];
	const char *pick = "default";

	if (!exe && pid) {
		snprintf(path, sizeof(path), "/proc/%u/exe", pid);
		exe = path;
	}
	memset(&bin, 0, sizeof(bin));
	if (exe)
		scan_file(exe, &bin);
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

	if (bin_has(&bin, "p2pnode") && bin_has(&bin, "dht_lookup_start")) {
		pick = "p2pnode";
		snprintf(why, len, "USDT probes of provider p2pnode in the binary");
	} else if (bin_has(&bin, "go.buildid") && bin_has(&bin, "github.com/libp2p/go-libp2p")) {
		pick = "go-libp2p";
		snprintf(why, len, "a Go binary (.note.go.buildid) with go-libp2p symbols");
	} else if (bin_has(&bin, "go.buildid") &&
		   bin_has(&bin, "github.com/syncthing/syncthing/lib/")) {
		pick = "syncthing";
		snprintf(why, len, "a Go binary with syncthing's packages");
	} else if (bin_has(&bin, "go.buildid") && bin_has(&bin, "github.com/hashicorp/memberlist")) {
		pick = "memberlist";
		snprintf(why, len, "a Go binary with hashicorp/memberlist");
	} else if (bin_has(&bin, "libp2p_kad") || bin_has(&bin, "libp2p_gossipsub") ||
		   bin_has(&bin, "libp2p_swarm")) {
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
	} else if (bin_has(&bin, "10libtorrent") || bin_has(&bin, "libtorrent-rasterbar") ||
		   has(&maps, "libtorrent-rasterbar")) {
		/* mangled libtorrent:: names; a bare "libtorrent" is also in other
		 * clients' peer-id tables (Transmission names it) */
		pick = "libtorrent";
		snprintf(why, len, "libtorrent in the binary or its linked libraries");
	} else if (bin_has(&bin, "5aria2") || bin_has(&bin, "aria2::")) {
		pick = "aria2";
		snprintf(why, len, "aria2's C++ symbols in the binary");
	} else if (bin_has(&bin, "dht.bootstrap") || bin_has(&bin, "dht_periodic") ||
		   bin_has(&bin, "libtransmission")) {
		pick = "mainline-dht";
		snprintf(why, len, "jech's Mainline DHT (Transmission) in the binary");
	} else if (bin_has(&bin, "DHT_bootstrap") || bin_has(&bin, "toxcore") ||
		   has(&maps, "toxcore")) {
		pick = "toxcore";
		snprintf(why, len, "toxcore symbols (DHT_bootstrap) or libtoxcore linked");
	} else {
		snprintf(why, len, "no known P2P library recognised: generic name patterns");
	}
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
