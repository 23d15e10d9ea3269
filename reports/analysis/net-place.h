/* SPDX-License-Identifier: MIT */
/*
 * Placing the sock collector's records (peer, conn, sockevent) in paths
 * again at load, with the rules a report is given: the collector placed
 * them when it drained its maps, with the rules of the recording.  A record
 * placed by a span keeps its path (the kernel knew the thread's span, no
 * rule can say more); one placed by a port rule or by none is placed again
 * as the collector would have with these rules: the recording's own
 * `--port` rules (its portrule records), then the rules' `port` lines on
 * the local port, then on the peer's; else the path of its socket
 * (socket-paths.h: the traffic the rules place on that pid, protocol and
 * local port); else "other".  Records written before they said how they
 * were placed (no path_by) keep their path.
 */
#ifndef PEERSCOPE_ANALYSIS_NET_PLACE_H
#define PEERSCOPE_ANALYSIS_NET_PLACE_H

#include <stdint.h>

#include "core/ports.h"
#include "analysis/socket-paths.h"

struct profile;
struct path_rules;

struct net_place {
	const struct path_rules *rules;	/* NULL: every record keeps its path */
	struct port_rules ports;	/* the recording's --port rules */
	const char **names;		/* rule i's path: the profile's string, which outlives np */
	size_t cap_names;
	struct socket_paths sockets;	/* of the profile's traffic samples */
};

/*
 * np for profile p and rules (NULL: keep); p labelled with these rules
 * (paths__label_profile), else its sockets have no paths.  0 or -ENOMEM.
 */
int net_place__init(struct net_place *np, const struct profile *p,
		    const struct path_rules *rules);
void net_place__free(struct net_place *np);

/*
 * The path of a record of process pid whose stored path is path, placed
 * by by (its path_by, NULL when absent), of protocol proto ("tcp", "udp")
 * between local port lport and peer port rport (0: unknown).  The string
 * lives as long as the profile and np's rules.
 */
const char *net_place__path(const struct net_place *np, uint64_t pid, const char *path,
			    const char *by, const char *proto, uint64_t lport, uint64_t rport);

#endif /* PEERSCOPE_ANALYSIS_NET_PLACE_H */
