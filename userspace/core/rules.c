// SPDX-License-Identifier: MIT
/*
 * Path rules: the built-in sets and parsing a rules text or file.  Matching
 * is in rules-match.c, choosing a set (guess, recording) in rules-choose.c.
 * docs/rules.md is the user's description of the format; keep them in step.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/names.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"

#include "core/rules-int.h"
/* ---- built-in sets ------------------------------------------------------ */

struct builtin_set {
	const char *name;
	const char *summary;
	const char *text;
};

static const struct builtin_set builtins[] = {
	{ "p2pnode", "the peerscope test node (tests/node): USDT spans + dht_/gossip_/bootstrap_",
	  "# p2pnode: the test node of tests/node (docs/testnet.md).\n"
	  "# Its USDT probes (provider p2pnode) time each operation in the kernel.\n"
	  "span dht usdt:p2pnode:dht_lookup_start:dht_lookup_done:0:1\n"
	  "span bootstrap usdt:p2pnode:bootstrap_start:bootstrap_done\n"
	  "# a message is published on one node and delivered on the others:\n"
	  "# latency only (record several nodes to see it), never a thread label\n"
	  "span gossip usdt:p2pnode:gossip_publish:gossip_deliver:0 nothread multi\n"
	  "# functions, and thread names (dht-worker, gossip-N, gossip-mesh, bootstrap)\n"
	  "bootstrap outermost = ^bootstrap_|^bootstrap$\n"
	  "dht = ^dht_|^dht-\n"
	  "gossip = ^gossip_|^gossip-\n"
	  "port dht = udp:4000-4999\n"
	  "port gossip = tcp:5000-5999\n"
	  "txn dht = 3:8\n"

	  "# the main thread waits for control commands (stdin) between them\n"
	  "idle = ^ctl_run$\n" },
	{ "rust-libp2p", "rust-libp2p (demangled Rust names: libp2p_kad::, libp2p_gossipsub::, ...)",
	  "dht = libp2p_kad::|Kademlia|kbucket\n"
	  "gossip = libp2p_gossipsub::|libp2p_floodsub::|Gossipsub\n"
	  "bootstrap outermost = ::bootstrap|libp2p_identify::|Swarm*::dial|libp2p_dns::\n" },
	{ "go-libp2p", "go-libp2p (go-libp2p-kad-dht, go-libp2p-pubsub, identify, dial)",
	  "dht = go-libp2p-kad-dht|go-libp2p-kbucket|go-libp2p-routing-helpers\n"
	  "gossip = go-libp2p-pubsub\n"
	  "bootstrap outermost = .Bootstrap|p2p/protocol/identify|(*BasicHost).Connect"
	  "|(*Swarm).dial\n" },
	{ "js-libp2p", "js-libp2p on Node.js (JIT frames from /tmp/perf-PID.map: @libp2p/kad-dht, ...)",
	  "dht = @libp2p/kad-dht|kad-dht|KadDHT|getClosestPeers|findProviders|findPeer\n"
	  "gossip = gossipsub|libp2p-gossipsub|floodsub|pubsub\n"
	  "bootstrap outermost = @libp2p/bootstrap|identify|dialPeer|dialer\n" },
	{ "libtorrent", "libtorrent-rasterbar (BitTorrent DHT: libtorrent::dht::, traversal_algorithm)",
	  "dht = libtorrent::dht::|traversal_algorithm|routing_table|dht_tracker\n"
	  "gossip = ut_pex|ut_metadata|lsd::\n"
	  "bootstrap outermost = bootstrap|add_dht_router|add_router_node\n"
	  "port dht = udp:6881-6891\n" },
	{ "toxcore", "c-toxcore (DHT_, onion_, net_crypto, TCP_)",
	  "dht = DHT_|do_DHT|onion_|getnodes|sendnodes|ping_\n"
	  "gossip = gc_|group_|conference_|net_crypto|TCP_|friend_connection\n"
	  "bootstrap outermost = DHT_bootstrap|tox_bootstrap|bootstrap\n"
	  "port dht = udp:33445-33545\n" },
	{ "mainline-dht", "Mainline DHT in C (jech/dht: Transmission, ...): dht_, tr_dht; udp 6881-6889",
	  "# jech's dht.c, built into Transmission and others.  Distributions strip\n"
	  "# these names: without debug symbols only the port rule places its traffic.\n"
	  "dht = ^dht_|^tr_dht|^bucket_|^send_nodes_peers|^process_message|^parse_message\n"
	  "bootstrap outermost = ^dht_bootstrap|^tr_dhtInit|bootstrap_from_name\n"
	  "gossip = ^tr_peerMgr|^tr_peerIo|^tr_pex\n"
	  "port dht = udp:6881-6889, udp:51413\n" },
	{ "aria2", "aria2 (C++): its Mainline DHT (aria2::DHT*) and BitTorrent peers (aria2::Peer*)",
	  "dht = aria2::DHT\n"
	  "bootstrap outermost = aria2::DHTEntryPointNameResolveCommand|aria2::DHTBucketRefresh"
	  "|aria2::DHTAutoSaveCommand\n"
	  "gossip = aria2::Peer|aria2::BtPex|aria2::UTPex|aria2::BtMessage\n"
	  "port dht = udp:6881-6999\n" },
	{ "syncthing", "syncthing (Go): BEP index exchange (gossip), pulling and hashing (sync), connections",
	  "path sync\n"
	  "gossip = syncthing/lib/protocol.|(*indexHandler)|(*indexSender)"
	  "|lib/model.(*model).Index|lib/model.(*model).ClusterConfig\n"
	  "sync = lib/model.(*sendReceiveFolder)|lib/model.(*folder)|syncthing/lib/scanner."
	  "|syncthing/lib/fs.|syncthing/lib/db.|syncthing/notify.\n"
	  "bootstrap outermost = syncthing/lib/connections.|syncthing/lib/discover."
	  "|crypto/tls.(*Conn).Handshake\n"
	  "port gossip = tcp:22000\n"
	  "# the file watcher's thread waiting for inotify events\n"
	  "idle = syncthing/notify.(*inotify).loop\n" },
	{ "memberlist", "HashiCorp memberlist / Serf gossip (Go): probes, gossip, push-pull state sync",
	  "gossip = hashicorp/memberlist.|hashicorp/serf/serf.\n"
	  "bootstrap outermost = (*Memberlist).Join|(*Serf).Join|(*Memberlist).pushPullNode\n"
	  "port gossip = 7946\n" },
	{ "bittorrent-dht", "bittorrent-dht on Node.js (npm; k-rpc, k-bucket; JIT frames from the perf map)",
	  "dht = /bittorrent-dht/|/k-rpc/|/k-rpc-socket/|/k-bucket/|/bencode/\n" },
	{ "hyperdht", "hyperdht on Node.js (npm; dht-rpc, udx-native; JIT frames from the perf map)",
	  "dht = /hyperdht/|/dht-rpc/|/kademlia-routing-table/|/udx-native/|udx_|/compact-encoding\n"
	  "# its own bootstrap, not Node's (node:internal/bootstrap/...)\n"
	  "bootstrap outermost = bootstrap */dht-rpc/|bootstrap */hyperdht/"
	  "|Bootstrapped */hyperdht/|Bootstrapped */dht-rpc/\n" },
	{ "default", "generic Kademlia / gossip / bootstrap name patterns",
	  "dht = kad|kademlia|dht_|find_node|get_closest_peers|get_providers|DHT\n"
	  "gossip = gossip|pubsub|floodsub|mesh\n"
	  "bootstrap = bootstrap|dial|identify\n" },
};

#define NR_BUILTINS (sizeof(builtins) / sizeof(builtins[0]))

const char *const path_rules_builtin_names[] = {
	"p2pnode", "rust-libp2p", "go-libp2p", "js-libp2p", "libtorrent", "toxcore",
	"mainline-dht", "aria2", "syncthing", "memberlist", "bittorrent-dht", "hyperdht",
	"default", NULL,
};

static const struct builtin_set *builtin_find(const char *name)
{
	for (size_t i = 0; i < NR_BUILTINS; i++) {
		if (!strcmp(builtins[i].name, name))
			return &builtins[i];
	}
	return NULL;
}

const char *path_rules__builtin_text(const char *name)
{
	const struct builtin_set *b = builtin_find(name);

	return b ? b->text : NULL;
}

const char *path_rules__builtin_summary(const char *name)
{
	const struct builtin_set *b = builtin_find(name);

	return b ? b->summary : NULL;
}

/* ---- parsing ------------------------------------------------------------ */

static void set_err(char *err, size_t len, int line, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!err || !len)
		return;
	if (line > 0)
		n = snprintf(err, len, "line %d: ", line);
	if (n < 0 || (size_t)n >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, len - n, fmt, ap);
	va_end(ap);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static bool valid_path_name(const char *s)
{
	if (!*s || strlen(s) > 31)
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	}
	return true;
}

static struct path_rules *rules_new(const char *name)
{
	struct path_rules *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	for (int i = 0; i < PATH_NR_BUILTIN; i++)
		r->names[i] = strdup(path_builtin_names[i]);
	r->nr_paths = PATH_NR_BUILTIN;
	r->name = strdup(name ? name : "rules");
	return r;
}

/* The id of path name, adding it as a user path; -1 when full. */
static int path_intern(struct path_rules *r, const char *name)
{
	int id = path_rules__id(r, name);

	if (id >= 0)
		return id;
	if (r->nr_paths >= PATH_MAX_PATHS)
		return -1;
	r->names[r->nr_paths] = strdup(name);
	return r->nr_paths++;
}

static void *grow(void *arr, uint32_t nr, size_t size)
{
	/* one more slot; arrays are small, grow by doubling from 8 */
	if (nr && (nr & (nr - 1)))
		return arr;
	return realloc(arr, (nr ? nr * 2 : 8) * size);
}

static int parse_symbol(struct path_rules *r, int line, char *lhs, char *rhs, char *err,
			size_t errlen)
{
	struct path_symbol_rule sr = {};
	char *tok, *save = NULL, *pname;
	bool idle;
	int id;

	pname = strtok_r(lhs, " \t", &save);
	if (!pname || !valid_path_name(pname)) {
		set_err(err, errlen, line, "bad path name '%s' (letters, digits, _ and -)",
			pname ? pname : "");
		return -EINVAL;
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (!strcmp(tok, "outermost"))
			sr.outermost = true;
		else if (!strcmp(tok, "innermost"))
			sr.outermost = false;
		else if (!strcmp(tok, "nocase"))
			sr.nocase = true;
		else {
			set_err(err, errlen, line, "unknown flag '%s' (outermost, innermost, nocase)",
				tok);
			return -EINVAL;
		}
	}
	idle = !strcmp(pname, "idle");
	id = idle ? PATH_OTHER : path_intern(r, pname);
	if (id < 0) {
		set_err(err, errlen, line, "too many paths (at most %d)", PATH_MAX_PATHS - 1);
		return -E2BIG;
	}
	if (id == PATH_OTHER && !idle) {
		set_err(err, errlen, line, "'other' is what no rule matches; it takes no rule");
		return -EINVAL;
	}
	sr.path = id;
	save = NULL;
	for (tok = strtok_r(rhs, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		char *pat = trim(tok);
		char **np;

		if (!*pat)
			continue;
		np = realloc(sr.pats, (sr.nr_pats + 1) * sizeof(*np));
		if (!np)
			goto nomem;
		sr.pats = np;
		sr.pats[sr.nr_pats] = strdup(pat);
		if (!sr.pats[sr.nr_pats])
			goto nomem;
		sr.nr_pats++;
	}
	if (!sr.nr_pats) {
		set_err(err, errlen, line, "no pattern after '='");
		free(sr.pats);
		return -EINVAL;
	}
	if (idle) {
		r->idle = grow(r->idle, r->nr_idle, sizeof(*r->idle));
		if (!r->idle)
			goto nomem;
		r->idle[r->nr_idle++] = sr;
		return 0;
	}
	r->syms = grow(r->syms, r->nr_syms, sizeof(*r->syms));
	if (!r->syms)
		goto nomem;
	r->syms[r->nr_syms++] = sr;
	return 0;

nomem:
	for (uint32_t i = 0; i < sr.nr_pats; i++)
		free(sr.pats[i]);
	free(sr.pats);
	set_err(err, errlen, line, "out of memory");
	return -ENOMEM;
}

static int parse_int_arg(const char *s, int *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	v = strtol(s, &end, 10);
	if (*end || v < 0 || v > 11)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "span PATH uprobe:[BINARY:]SYMBOL [flags]" or "span PATH usdt:PROV:START:DONE[:ID[:OK]]" */
static int parse_span(struct path_rules *r, int line, char *rest, char *err, size_t errlen)
{
	struct path_span_rule sp = { .id_arg = -1, .ok_arg = -1 };
	char *save = NULL, *pname, *spec, *tok;
	char *f[8] = {};
	int nf = 0, id;

	pname = strtok_r(rest, " \t", &save);
	spec = strtok_r(NULL, " \t", &save);
	if (!pname || !spec) {
		set_err(err, errlen, line, "expected 'span PATH uprobe:SYMBOL' or "
			"'span PATH usdt:PROVIDER:START:DONE[:IDARG[:OKARG]]'");
		return -EINVAL;
	}
	if (!valid_path_name(pname) || !strcmp(pname, "other")) {
		set_err(err, errlen, line, "bad path name '%s'", pname);
		return -EINVAL;
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (!strcmp(tok, "nothread"))
			sp.nothread = true;
		else if (!strcmp(tok, "multi"))
			sp.multi = true;
		else {
			set_err(err, errlen, line, "unknown span flag '%s' (nothread, multi)", tok);
			return -EINVAL;
		}
	}
	/* split spec on ':' keeping empty fields */
	for (char *p = spec; nf < 8;) {
		char *c = strchr(p, ':');

		f[nf++] = p;
		if (!c)
			break;
		*c = '\0';
		p = c + 1;
	}
	if (!strcmp(f[0], "uprobe")) {
		sp.kind = SPAN_UPROBE;
		if (nf == 2 && *f[1]) {
			sp.symbol = strdup(f[1]);
		} else if (nf == 3 && *f[1] && *f[2]) {
			sp.binary = strdup(f[1]);
			sp.symbol = strdup(f[2]);
		} else {
			set_err(err, errlen, line, "expected uprobe:[BINARY:]SYMBOL");
			return -EINVAL;
		}
		if (sp.multi) {
			set_err(err, errlen, line, "'multi' is for usdt spans with an id");
			goto free_fields;
		}
	} else if (!strcmp(f[0], "usdt")) {
		sp.kind = SPAN_USDT;
		if (nf < 4 || nf > 6 || !*f[1] || !*f[2] || !*f[3]) {
			set_err(err, errlen, line, "expected usdt:PROVIDER:START:DONE[:IDARG[:OKARG]]");
			return -EINVAL;
		}
		if ((nf >= 5 && parse_int_arg(f[4], &sp.id_arg)) ||
		    (nf >= 6 && parse_int_arg(f[5], &sp.ok_arg))) {
			set_err(err, errlen, line, "USDT argument index must be 0..11");
			return -EINVAL;
		}
		if (sp.multi && sp.id_arg < 0) {
			set_err(err, errlen, line, "'multi' needs an id argument");
			return -EINVAL;
		}
		sp.provider = strdup(f[1]);
		sp.start = strdup(f[2]);
		sp.done = strdup(f[3]);
	} else {
		set_err(err, errlen, line, "unknown span kind '%s' (uprobe, usdt)", f[0]);
		return -EINVAL;
	}
	id = path_intern(r, pname);
	if (id < 0) {
		set_err(err, errlen, line, "too many paths (at most %d)", PATH_MAX_PATHS - 1);
		goto free_fields;
	}
	sp.path = id;
	r->spans = grow(r->spans, r->nr_spans, sizeof(*r->spans));
	if (!r->spans)
		goto free_fields;
	r->spans[r->nr_spans++] = sp;
	return 0;

free_fields:
	free(sp.binary);
	free(sp.symbol);
	free(sp.provider);
	free(sp.start);
	free(sp.done);
	return -EINVAL;
}

/* "port PATH = udp:4000-4100,tcp:5000" */
static int parse_port(struct path_rules *r, int line, char *lhs, char *rhs, char *err,
		      size_t errlen)
{
	char *save = NULL, *tok, *pname = trim(lhs);
	int id;

	if (!valid_path_name(pname) || !strcmp(pname, "other")) {
		set_err(err, errlen, line, "bad path name '%s'", pname);
		return -EINVAL;
	}
	id = path_intern(r, pname);
	if (id < 0) {
		set_err(err, errlen, line, "too many paths (at most %d)", PATH_MAX_PATHS - 1);
		return -E2BIG;
	}
	for (tok = strtok_r(rhs, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		struct path_port_rule pr = { .path = id };
		char *range = tok, *c = strchr(tok, ':'), *end;
		long lo, hi;

		if (c) {
			*c = '\0';
			if (!strcmp(tok, "udp"))
				pr.proto = 17;
			else if (!strcmp(tok, "tcp"))
				pr.proto = 6;
			else if (strcmp(tok, "any")) {
				set_err(err, errlen, line, "unknown protocol '%s' (tcp, udp, any)", tok);
				return -EINVAL;
			}
			range = c + 1;
		}
		lo = strtol(range, &end, 10);
		hi = lo;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (*end || end == range || lo < 1 || hi > 65535 || lo > hi) {
			set_err(err, errlen, line, "bad port range '%s' (PORT or LOW-HIGH, 1..65535)",
				range);
			return -EINVAL;
		}
		pr.lo = lo;
		pr.hi = hi;
		r->ports = grow(r->ports, r->nr_ports, sizeof(*r->ports));
		if (!r->ports) {
			set_err(err, errlen, line, "out of memory");
			return -ENOMEM;
		}
		r->ports[r->nr_ports++] = pr;
	}
	return 0;
}

/* A rules argument index: 0..11 (USDT has at most 12, uprobes 6); -1 if not one. */
static int arg_index(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s && !*end && v >= 0 && v < 12 ? (int)v : -1;
}

/* "peer PATH usdt:PROVIDER:PROBE:ADDRARG[:IDARG]", "peer PATH uprobe:[BIN:]SYM:ADDRARG[:IDARG]" */
static int parse_peer(struct path_rules *r, int line, char *rest, char *err, size_t errlen)
{
	struct path_peer_rule pr = { .id_arg = -1 };
	char *save = NULL, *pname = strtok_r(rest, " \t", &save);
	char *spec = strtok_r(NULL, " \t", &save), *f[6] = {};
	int nf = 0, nargs = 0, id;

	for (char *p = spec; p && nf < 6;) {
		char *c = strchr(p, ':');

		f[nf++] = p;
		if (!c)
			break;
		*c = '\0';
		p = c + 1;
	}
	while (nargs < 2 && nf - nargs > 1 && arg_index(f[nf - 1 - nargs]) >= 0)
		nargs++;
	if (!pname || !valid_path_name(pname) || !strcmp(pname, "other") || !nargs) {
		set_err(err, errlen, line, "expected 'peer PATH usdt:PROVIDER:PROBE:ADDRARG[:IDARG]' "
			"or 'peer PATH uprobe:[BINARY:]SYMBOL:ADDRARG[:IDARG]'");
		return -EINVAL;
	}
	pr.addr_arg = arg_index(f[nf - nargs]);
	if (nargs == 2)
		pr.id_arg = arg_index(f[nf - 1]);
	nf -= nargs;
	if (!strcmp(f[0], "usdt") && nf == 3 && *f[1] && *f[2]) {
		pr.kind = SPAN_USDT;
		pr.provider = strdup(f[1]);
		pr.probe = strdup(f[2]);
	} else if (!strcmp(f[0], "uprobe") && (nf == 2 || nf == 3) && *f[nf - 1] &&
		   pr.addr_arg < 6 && pr.id_arg < 6) {
		pr.kind = SPAN_UPROBE;
		pr.symbol = strdup(f[nf - 1]);
		if (nf == 3)
			pr.binary = strdup(f[1]);
	} else {
		set_err(err, errlen, line, "bad peer probe (usdt:PROVIDER:PROBE:ARG[:ARG], "
			"uprobe:[BINARY:]SYMBOL:ARG[:ARG] with uprobe arguments 0..5)");
		return -EINVAL;
	}
	id = path_intern(r, pname);
	if (id >= 0)
		r->peer_probes = grow(r->peer_probes, r->nr_peer_probes, sizeof(*r->peer_probes));
	if (id < 0 || !r->peer_probes ||
	    (pr.kind == SPAN_USDT ? !pr.provider || !pr.probe : !pr.symbol)) {
		free(pr.provider);
		free(pr.probe);
		free(pr.symbol);
		free(pr.binary);
		set_err(err, errlen, line, id < 0 ? "too many paths" : "out of memory");
		return id < 0 ? -E2BIG : -ENOMEM;
	}
	pr.path = id;
	r->peer_probes[r->nr_peer_probes++] = pr;
	return 0;
}

/* "txn PATH = OFF:LEN": LEN (1..8) bytes at OFF (0..255) of each datagram */
static int parse_txn(struct path_rules *r, int line, char *lhs, char *rhs, char *err,
		     size_t errlen)
{
	char *pname = trim(lhs), *end;
	long off, len = -1;
	int id;

	if (!valid_path_name(pname) || !strcmp(pname, "other")) {
		set_err(err, errlen, line, "bad path name '%s'", pname);
		return -EINVAL;
	}
	rhs = trim(rhs);
	off = strtol(rhs, &end, 10);
	if (end != rhs && *end == ':')
		len = strtol(end + 1, &end, 10);
	if (*end || off < 0 || off > 255 || len < 1 || len > 8) {
		set_err(err, errlen, line, "bad transaction id '%s' (OFFSET:LENGTH, 0..255:1..8)",
			rhs);
		return -EINVAL;
	}
	id = path_intern(r, pname);
	if (id < 0) {
		set_err(err, errlen, line, "too many paths (at most %d)", PATH_MAX_PATHS - 1);
		return -E2BIG;
	}
	r->txn[id] = (struct path_txn_rule){ .off = off, .len = len };
	return 0;
}

static int parse_line(struct path_rules *r, int line, char *s, char *err, size_t errlen)
{
	char *eq, *hash;

	hash = strchr(s, '#');
	if (hash)
		*hash = '\0';
	s = trim(s);
	if (!*s)
		return 0;
	if (!strncmp(s, "span", 4) && isspace((unsigned char)s[4]))
		return parse_span(r, line, s + 5, err, errlen);
	if (!strncmp(s, "peer", 4) && isspace((unsigned char)s[4]))
		return parse_peer(r, line, s + 5, err, errlen);
	if (!strncmp(s, "path", 4) && isspace((unsigned char)s[4])) {
		char *name = trim(s + 5);

		if (!valid_path_name(name)) {
			set_err(err, errlen, line, "bad path name '%s'", name);
			return -EINVAL;
		}
		if (path_intern(r, name) < 0) {
			set_err(err, errlen, line, "too many paths (at most %d)", PATH_MAX_PATHS - 1);
			return -E2BIG;
		}
		return 0;
	}
	eq = strchr(s, '=');
	if (!eq) {
		set_err(err, errlen, line, "expected 'PATH = PATTERN|...', 'span ...' or 'port ...'");
		return -EINVAL;
	}
	*eq = '\0';
	if (!strncmp(s, "port", 4) && isspace((unsigned char)s[4]))
		return parse_port(r, line, s + 5, eq + 1, err, errlen);
	if (!strncmp(s, "txn", 3) && isspace((unsigned char)s[3]))
		return parse_txn(r, line, s + 4, eq + 1, err, errlen);
	if (!strncmp(s, "symbol", 6) && isspace((unsigned char)s[6]))
		s += 7;
	return parse_symbol(r, line, trim(s), eq + 1, err, errlen);
}

struct path_rules *path_rules__parse(const char *text, const char *name, char *err,
				     size_t errlen)
{
	struct path_rules *r = rules_new(name);
	char *copy, *line;
	const char *p;
	int lineno = 0;

	if (!r || !(copy = strdup(text))) {
		path_rules__free(r);
		set_err(err, errlen, 0, "out of memory");
		return NULL;
	}
	/* strtok_r would skip empty lines and break line numbers: walk by hand */
	line = copy;
	for (p = copy;; p++) {
		if (*p == '\n' || !*p) {
			bool last = !*p;

			*(char *)p = '\0';
			lineno++;
			if (parse_line(r, lineno, line, err, errlen))
				goto free_rules;
			if (last)
				break;
			line = (char *)p + 1;
		}
	}
	free(copy);
	if (!r->nr_syms && !r->nr_spans && !r->nr_ports && !r->nr_peer_probes) {
		set_err(err, errlen, 0, "no rules");
		path_rules__free(r);
		return NULL;
	}
	r->text = strdup(text);
	return r;

free_rules:
	free(copy);
	path_rules__free(r);
	return NULL;
}

char *path_rules__read_text(const char *path, int *err)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		*err = -errno;
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap ? cap * 2 : 8192);

			if (!nb) {
				*err = -ENOMEM;
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap = cap ? cap * 2 : 8192;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

struct path_rules *path_rules__load(const char *name_or_file, char *err, size_t errlen)
{
	const char *text = path_rules__builtin_text(name_or_file);
	struct path_rules *r;
	char *buf, msg[256];
	int e = 0;

	if (text) {
		r = path_rules__parse(text, name_or_file, err, errlen);
		if (r)
			snprintf(r->why, sizeof(r->why), "--rules %s", name_or_file);
		return r;
	}
	if (!strchr(name_or_file, '/') && access(name_or_file, R_OK)) {
		set_err(err, errlen, 0, "'%s' is neither a built-in rule set nor a file "
			"(peerscope rules --list)", name_or_file);
		return NULL;
	}
	buf = path_rules__read_text(name_or_file, &e);
	if (!buf) {
		set_err(err, errlen, 0, "cannot read %s: %s", name_or_file, strerror(-e));
		return NULL;
	}
	r = path_rules__parse(buf, name_or_file, msg, sizeof(msg));
	if (!r)
		set_err(err, errlen, 0, "%s: %s", name_or_file, msg);
	else
		snprintf(r->why, sizeof(r->why), "--rules %s", name_or_file);
	free(buf);
	return r;
}

void path_rules__free(struct path_rules *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->nr_syms; i++) {
		for (uint32_t j = 0; j < r->syms[i].nr_pats; j++)
			free(r->syms[i].pats[j]);
		free(r->syms[i].pats);
	}
	free(r->syms);
	for (uint32_t i = 0; i < r->nr_idle; i++) {
		for (uint32_t j = 0; j < r->idle[i].nr_pats; j++)
			free(r->idle[i].pats[j]);
		free(r->idle[i].pats);
	}
	free(r->idle);
	for (uint32_t i = 0; i < r->nr_spans; i++) {
		struct path_span_rule *sp = &r->spans[i];

		free(sp->binary);
		free(sp->symbol);
		free(sp->provider);
		free(sp->start);
		free(sp->done);
	}
	free(r->spans);
	free(r->ports);
	for (uint32_t i = 0; i < r->nr_peer_probes; i++) {
		free(r->peer_probes[i].binary);
		free(r->peer_probes[i].symbol);
		free(r->peer_probes[i].provider);
		free(r->peer_probes[i].probe);
	}
	free(r->peer_probes);
	for (uint32_t i = 0; i < r->nr_paths; i++)
		free(r->names[i]);
	free(r->name);
	free(r->text);
	free(r);
}
