/* SPDX-License-Identifier: MIT */
/*
 * The serving-peer tag on the userspace side (docs/peers.md): peer ids of
 * the shared "ps_peers" intern table turned into addresses, the labels a
 * tagged event carries, and the kernel-side port rules.
 */
#ifndef PEERSCOPE_COLLECTORS_PEERS_H
#define PEERSCOPE_COLLECTORS_PEERS_H

#include <stddef.h>
#include <stdint.h>

struct sock_addr;
struct ps_thread_tag;
struct record_opts;
struct pf_label_kv;
struct port_rules;
struct sock_port_rule;

#define PEER_OTHER_NAME "other peers"

/* "127.0.0.1:4001", "[::1]:4001" (or without the port), "unknown". */
const char *peer_addr__format(const struct sock_addr *a, int with_port, char *buf, size_t len);

/* id -> address of every interned peer, read once from "ps_peers". */
struct peer_names {
	char (*names)[64];	/* indexed by id; "" when unknown */
	uint32_t nr;
};

int peer_names__read(struct peer_names *pn, int peers_fd);
void peer_names__free(struct peer_names *pn);
/* The name of id: NULL for PS_PEER_NONE, "other peers", or the address. */
const char *peer_names__get(const struct peer_names *pn, uint32_t id);

/*
 * Append the tag's labels to kv[*n]: "peer" (the address) when the thread
 * was serving one, "sockpath" (the path the port rules give the socket)
 * when not other.  Adds nothing for an untagged event, so recordings of
 * untagged threads keep the labels they always had.
 */
void peer_tag__labels(const struct peer_names *pn, const struct record_opts *o,
		      const struct ps_thread_tag *tag, struct pf_label_kv *kv, uint32_t *n);

/*
 * The kernel copy of the port rules: --port rules (ports) then the rules
 * set's "port" lines, at most max; returns how many.
 */
uint32_t peer_tag__port_rules(const struct record_opts *o, const struct port_rules *ports,
			      struct sock_port_rule *out, uint32_t max);

#endif /* PEERSCOPE_COLLECTORS_PEERS_H */
