/* SPDX-License-Identifier: MIT */
/*
 * Path rules: which work of a node belongs to which path (dht, gossip,
 * bootstrap, user-defined, other).  Three kinds of rule, in one plain-text
 * file (docs/rules.md):
 *
 *   dht = kad|dht_|find_node                 symbol patterns over the stack
 *   bootstrap outermost = bootstrap|dial     ... outermost match wins
 *   span dht uprobe:dht_lookup               a function's entry .. return
 *   span dht usdt:p2pnode:dht_lookup_start:dht_lookup_done:0:1
 *   port dht = udp:4000-4100                 socket samples by peer port
 *
 * Built-in sets (p2pnode, rust-libp2p, go-libp2p, js-libp2p, libtorrent,
 * toxcore, default) are plain texts in the same format.
 */
#ifndef PEERSCOPE_RULES_H
#define PEERSCOPE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/names.h"	/* PATH_OTHER .. PATH_BOOTSTRAP */

#define PATH_MAX_PATHS	16	/* PS_PATH_MAX */

struct path_symbol_rule {
	uint32_t path;
	bool outermost;		/* outermost matching frame wins, over innermost rules */
	bool nocase;		/* case-insensitive substrings */
	char **pats;		/* alternatives; "^x" anchors at the start, "x$" at the end */
	uint32_t nr_pats;
};

enum path_span_kind { SPAN_UPROBE, SPAN_USDT };

struct path_span_rule {
	uint32_t path;
	enum path_span_kind kind;
	char *binary;		/* NULL: the target's executable */
	char *symbol;		/* uprobe: function name */
	char *provider;		/* usdt */
	char *start, *done;	/* usdt probe names */
	int id_arg;		/* usdt: argument holding the operation id, -1 = none */
	int ok_arg;		/* usdt done: argument that is 0 on failure, -1 = none */
	bool nothread;		/* latency only: do not label the thread's events */
	bool multi;		/* several done per start (gossip delivery): keep the op */
};

/*
 * "peer PATH usdt:PROVIDER:PROBE:ADDRARG[:IDARG]" or
 * "peer PATH uprobe:[BINARY:]SYMBOL:ADDRARG[:IDARG]": where the node says
 * which peer a thread starts working for (docs/peers.md): ADDRARG points at
 * the peer's struct sockaddr, IDARG (optional) is the node's own 64-bit id
 * of that peer.  uprobe arguments count from 0 (the first parameter).
 */
struct path_peer_rule {
	uint32_t path;
	enum path_span_kind kind;
	char *binary;		/* NULL: the target's executable */
	char *symbol;		/* uprobe */
	char *provider, *probe;	/* usdt */
	int addr_arg, id_arg;	/* id_arg -1: none */
};

struct path_port_rule {
	uint32_t path;
	int proto;		/* 0 any, 6 tcp, 17 udp */
	uint16_t lo, hi;
};

struct path_rules {
	char *name;		/* built-in name or file name */
	char *names[PATH_MAX_PATHS];	/* path id -> name; [0] = "other" */
	uint32_t nr_paths;
	struct path_symbol_rule *syms;
	uint32_t nr_syms;
	struct path_span_rule *spans;
	uint32_t nr_spans;
	struct path_port_rule *ports;
	uint32_t nr_ports;
	struct path_peer_rule *peer_probes;
	uint32_t nr_peer_probes;
	struct path_symbol_rule *idle;	/* "idle = ...": waiting for work, not in it */
	uint32_t nr_idle;
	/* "txn PATH = OFF:LEN": where the path's datagrams carry a transaction id */
	struct path_txn_rule {
		uint8_t off, len;	/* len 0: none */
	} txn[PATH_MAX_PATHS];
	char *text;		/* the text parsed, kept for --show and the profile */
	char why[160];		/* how this set was chosen ("--rules x", a guess's reason) */
};

/*
 * Parse rules text.  On error returns NULL and writes "LINE: why" into err.
 * name is kept as the set's name.
 */
struct path_rules *path_rules__parse(const char *text, const char *name, char *err,
				     size_t errlen);
/* A built-in name or a file path; NULL + err on failure. */
struct path_rules *path_rules__load(const char *name_or_file, char *err, size_t errlen);
void path_rules__free(struct path_rules *r);

/* Built-in sets: names in order, NULL-terminated; text by name (NULL if none). */
extern const char *const path_rules_builtin_names[];
const char *path_rules__builtin_text(const char *name);
const char *path_rules__builtin_summary(const char *name);

/*
 * Guess the built-in set for a process from its binary (symbols, strings,
 * linked libraries, USDT notes, Go build id) and its JIT perf map.  pid may
 * be 0 when only exe is known; exe may be NULL to use /proc/PID/exe.
 * Returns a built-in name (never NULL: "default" when nothing fits) and
 * says why in why.
 */
const char *path_rules__guess(uint32_t pid, const char *exe, char *why, size_t len);

/*
 * The rules for a recording without --rules: the guessed built-in set for
 * pid, with why saying so.  NULL only on ENOMEM.
 */
struct path_rules *path_rules__for_pid(uint32_t pid);

/* Path id <-> name.  __name returns NULL for an unknown id. */
const char *path_rules__name(const struct path_rules *r, uint32_t id);
int path_rules__id(const struct path_rules *r, const char *name);

/*
 * Match a stack given as function names, leaf first (callers pass user
 * frames only).  Innermost match wins among ordinary rules; a rule marked
 * outermost matching anywhere wins over them, the outermost frame first.
 * Returns the path id, or -1 when nothing matches.  If frame is not NULL it
 * gets the index of the matching frame.
 */
int path_rules__match_frames(const struct path_rules *r, const char *const *names,
			     uint32_t nr, uint32_t *frame);
/* Does one name match any symbol pattern of path?  (used to name culprits) */
bool path_rules__symbol_matches(const struct path_rules *r, uint32_t path, const char *name);
/*
 * Is a blocked stack (names leaf first, user frames) only waiting for work:
 * an event loop in epoll_wait, a worker on a condition variable?  Uses the
 * set's "idle" lines plus a built-in list (docs/rules.md).
 */
bool path_rules__is_idle(const struct path_rules *r, const char *const *names, uint32_t nr);
/* Port rules: proto "tcp"/"udp"/NULL; returns the path id or -1. */
int path_rules__match_port(const struct path_rules *r, const char *proto, int port);
/* Does the set have span rules for this path? */
bool path_rules__has_span(const struct path_rules *r, uint32_t path);

/* Canonical text of the rules (comments dropped), as a rules file. */
void path_rules__write(const struct path_rules *r, FILE *f);

/*
 * The rules a recording used travel in it as a "rules" record (name, text,
 * why = how they were chosen), so that report and flame attribute with the
 * same rules.  __from_profile returns NULL when the profile has none.
 */
struct profile;
int path_rules__save(const struct path_rules *r, struct profile *p, const char *why);
struct path_rules *path_rules__from_profile(const struct profile *p);
/*
 * The rules to attribute a recording with: its own, else the "default" set.
 * why is never empty: recorded rules that did not say how they were chosen
 * get "none recorded: generic patterns".  NULL only on ENOMEM.
 */
struct path_rules *path_rules__for_profile(const struct profile *p);

#endif /* PEERSCOPE_RULES_H */
