// SPDX-License-Identifier: MIT
/* Socket records placed in paths again with a report's rules (net-place.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/ports.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "analysis/net-place.h"

int net_place__init(struct net_place *np, const struct profile *p,
		    const struct path_rules *rules)
{
	struct rec_portrule pr;
	char why[128];

	np->rules = rules;
	np->names = NULL;
	np->cap_names = 0;
	port_rules__init(&np->ports);
	memset(&np->sockets, 0, sizeof(np->sockets));
	if (rules && socket_paths__init(&np->sockets, p))
		return -ENOMEM;
	for (uint32_t pos = 0; rules && records__next_portrule(p, &pos, &pr);) {
		int err;

		if (!pr.path || !pr.match)
			continue;
		if (ARRAY_ROOM(np->names, np->ports.nr, np->cap_names, 8))
			return -ENOMEM;
		/* a rule the recording holds but this build cannot read is skipped */
		err = port_rules__add_spec(&np->ports, pr.path, pr.match, why, sizeof(why));
		if (err == -ENOMEM)
			return err;
		if (!err)
			np->names[np->ports.nr - 1] = pr.path;
	}
	return 0;
}

void net_place__free(struct net_place *np)
{
	port_rules__free(&np->ports);
	socket_paths__free(&np->sockets);
	free(np->names);
	np->names = NULL;
}

static int proto_num(const char *proto)
{
	return !proto ? PORT_ANY : !strcmp(proto, "tcp") ? PORT_TCP :
	       !strcmp(proto, "udp") ? PORT_UDP : PORT_ANY;
}

static uint16_t port_of(uint64_t v)
{
	return v <= UINT16_MAX ? (uint16_t)v : 0;
}

/* The path these rules' port lines give a record; NULL none. */
static const char *by_port(const struct net_place *np, const char *proto, uint16_t lp,
			   uint16_t rp)
{
	const struct port_rule *rule = port_rules__match(&np->ports, proto_num(proto), lp, rp);
	int id = -1;

	if (rule)
		return np->names[rule - np->ports.rules];
	if (lp)
		id = path_rules__match_port(np->rules, proto, lp);
	if (id < 0 && rp)
		id = path_rules__match_port(np->rules, proto, rp);
	return id >= 0 ? path_rules__name(np->rules, (uint32_t)id) : NULL;
}

const char *net_place__path(const struct net_place *np, uint64_t pid, const char *path,
			    const char *by, const char *proto, uint64_t lport, uint64_t rport)
{
	const char *got;

	if (!np->rules || !by || !strcmp(by, "span"))
		return path;
	got = by_port(np, proto, port_of(lport), port_of(rport));
	/* else the socket's traffic that some evidence placed says */
	if (!got)
		got = socket_paths__find(&np->sockets, pid, proto, lport);
	return got ? got : "other";
}
