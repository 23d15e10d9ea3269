/* SPDX-License-Identifier: MIT */
/*
 * The serving-peer tag on the userspace side (docs/peers.md): peer ids of
 * the shared "ps_peers" intern table turned into addresses, the labels a
 * tagged event carries, and the kernel-side port rules.
 */
#ifndef PEERSCOPE_COLLECTORS_PEERS_H
#define PEERSCOPE_COLLECTORS_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "bpf/sock.h"

struct ps_thread_tag;
struct record_opts;
struct pf_label_kv;
struct port_rules;
struct profile;

#define PEER_OTHER_NAME "other peers"

/* "127.0.0.1:4001", "[::1]:4001" (or without the port), "unknown". */
const char *peer_addr__format(const struct sock_addr *a, int with_port, char *buf, size_t len);

/*
 * id -> address of every peer named in the space-saving table, read once
 * from "ps_peer_slots" (bpf/peerscope.h): one entry per slot, with the id
 * that holds it; an id whose slot another peer took is "other peers".
 */
struct peer_names {
	struct peer_name {
		uint32_t id;
		char name[64];
	} *slot;
	uint32_t nr;
};

int peer_names__read(struct peer_names *pn, int slots_fd);
void peer_names__free(struct peer_names *pn);
/* The name of id: NULL for PS_PEER_NONE, "other peers", or the address. */
const char *peer_names__get(const struct peer_names *pn, uint32_t id);

/*
 * Append the tag's labels to kv[*n], at most PEER_TAG_LABELS: "peer" (the
 * address) when the thread was serving one, "sockpath" (the path the port
 * rules give the socket) when not other, "sockproto" and "sockport" (the
 * socket: its protocol and local port) when known.  Adds nothing for an
 * untagged event, so recordings of untagged threads keep the labels they
 * always had.
 */
#define PEER_TAG_LABELS 4
void peer_tag__labels(const struct peer_names *pn, const struct record_opts *o,
		      const struct ps_thread_tag *tag, struct pf_label_kv *kv, uint32_t *n);

/*
 * The kernel copy of the port rules: --port rules (ports) then the rules
 * set's "port" lines, at most max; returns how many.
 */
uint32_t peer_tag__port_rules(const struct record_opts *o, const struct port_rules *ports,
			      struct sock_port_rule *out, uint32_t max);

/*
 * The kernel copy of the rules' "txn PATH = OFF:LEN" lines, indexed by path
 * id (max entries); true when any path has one.
 */
bool peer_tag__txn_rules(const struct record_opts *o, struct sock_txn_rule *out, uint32_t max);

/*
 * One "peerwait" record per (pid, path, peer) the node waited on: replies
 * matched to requests by transaction id, their summed and longest wait.
 */
int peer_waits__drain(struct profile *p, int waits_fd, const struct record_opts *o);

/*
 * Slots of the kernel peer table to use: PS_MAX_PEERS, or fewer when the
 * environment says PEERSCOPE_PEER_SLOTS=N (tests fill a small table).
 */
uint32_t peer_table__slots(void);

/*
 * Appends the "peertable" record (how many peers the table named, evicted,
 * the largest overestimate of a named peer) and says it with -v; and a
 * "peerid" record for each named peer a peer probe gave the node's own id.
 */
int peer_table__drain(struct profile *p, int slots_fd, int ctl_fd, uint32_t slots);

/* Per-(pid, proto, lport, peer, path, how placed) totals, summed over threads and stacks. */
struct peer_sum {
	uint32_t pid;
	uint8_t proto;
	uint16_t lport;
	struct sock_addr peer;
	const char *path;
	const char *by;		/* the record's path_by */
	struct sock_traffic_val v;
};

/* Adds val to the entry of (k's pid, proto, lport, peer; path, by) in *v, growing it. */
int peer_sum_add(struct peer_sum **v, size_t *nr, size_t *cap,
		 const struct sock_traffic_key *k, const char *path, const char *by,
		 const struct sock_traffic_val *val);

#endif /* PEERSCOPE_COLLECTORS_PEERS_H */
