/* SPDX-License-Identifier: MIT */
/*
 * The path of a socket, from the traffic the rules already place.  A node
 * often sends through its protocol's code and receives in its event loop
 * before that code runs (libuv calls udx only after recvmsg returns): the
 * sends match the symbol rules, the receives match nothing.  A socket,
 * keyed by (pid, proto, local port) through the traffic samples' `pid`,
 * `proto` and `lport` labels, gets the path that holds most of its bytes
 * placed by a span, a symbol rule (or its entry function) or a port rule;
 * its traffic and records no evidence places then take that path, as
 * `path_by` "socket" (attribute.c, net-place.c), and so do the samples
 * of a thread serving that socket (it read from it and has not yet waited
 * for new work).  Evidence that placed a sample still wins: only what sat
 * on "other" moves.
 */
#ifndef PEERSCOPE_ANALYSIS_SOCKET_PATHS_H
#define PEERSCOPE_ANALYSIS_SOCKET_PATHS_H

#include <stdint.h>

struct profile;
struct hashmap;
struct socket_path;
struct socket_vote;

struct socket_paths {
	struct hashmap *ids;		/* socket key -> 1 + index in sock */
	struct socket_path *sock;
	struct socket_vote *vote;	/* per socket, a chain: a path and its bytes */
	uint32_t nr_sock, cap_sock, nr_vote, cap_vote;
};

/*
 * The sockets of p, a profile labelled with `path_by` (paths__label_profile;
 * one without those labels has no socket paths).  0 or -ENOMEM.
 */
int socket_paths__init(struct socket_paths *sp, const struct profile *p);
void socket_paths__free(struct socket_paths *sp);

/*
 * The path of socket (pid, proto, lport), a string of the profile, or
 * NULL: no evidence placed any of its traffic, or the port is 0 (unknown).
 */
const char *socket_paths__find(const struct socket_paths *sp, uint64_t pid, const char *proto,
			       uint64_t lport);

/* socket_paths__find() of the socket label set ls names (its pid, proto, lport labels). */
const char *socket_paths__of(const struct socket_paths *sp, const struct profile *p, uint32_t ls);

/*
 * socket_paths__find() of the socket the thread was serving (the serving
 * tag's `pid`, `sockproto` and `sockport` labels, docs/peers.md): CPU,
 * waits and allocations of a thread at work on what it read from a socket.
 */
const char *socket_paths__served(const struct socket_paths *sp, const struct profile *p,
				 uint32_t ls);

#endif /* PEERSCOPE_ANALYSIS_SOCKET_PATHS_H */
