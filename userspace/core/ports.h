/* SPDX-License-Identifier: MIT */
/*
 * Port rules: classify socket traffic into paths by port.
 *
 *   RULES := RULE[,RULE...]        (the option may also be repeated)
 *   RULE  := NAME=[PROTO:]LO[-HI]  e.g. dht=udp:4000-4100  gossip=tcp:5000-5100
 *   PROTO := tcp | udp | any       (default any)
 *
 * A rule matches a flow when the protocol matches and the local or the peer
 * port lies in LO..HI; the first matching rule wins.  Path names dht, gossip,
 * bootstrap and other have the fixed ids of enum ps_path; other names get ids
 * from PS_PATH_BOOTSTRAP + 1 upwards, in order of first appearance.
 * The path-rules file (core/rules) reuses port_rules__add_spec() for its
 * "port" lines.
 */
#ifndef PEERSCOPE_PORTS_H
#define PEERSCOPE_PORTS_H

#include <stddef.h>
#include <stdint.h>

#define PORT_RULE_NAME_MAX 32

enum port_proto { PORT_ANY = 0, PORT_TCP = 6, PORT_UDP = 17 };

struct port_rule {
	char name[PORT_RULE_NAME_MAX];
	uint32_t path_id;
	uint8_t proto;       /* enum port_proto */
	uint16_t lo, hi;     /* inclusive */
};

struct port_rules {
	struct port_rule *rules;
	int nr, cap;
	uint32_t next_id;    /* next id for a user-defined name */
};

void port_rules__init(struct port_rules *r);
void port_rules__free(struct port_rules *r);

/*
 * Parses a comma-separated list of rules and appends them.  On error returns
 * -EINVAL and writes a one-line reason (naming the bad rule) into err.
 */
int port_rules__parse(struct port_rules *r, const char *spec, char *err, size_t errlen);

/* Appends one rule for path name from "[PROTO:]LO[-HI]"; same errors. */
int port_rules__add_spec(struct port_rules *r, const char *name, const char *spec,
			 char *err, size_t errlen);

/* Path id of name: fixed for dht/gossip/bootstrap/other, else assigned. */
uint32_t port_rules__path_id(struct port_rules *r, const char *name);

/* First rule matching (proto, local port, peer port), or NULL. */
const struct port_rule *port_rules__match(const struct port_rules *r, int proto,
					  uint16_t lport, uint16_t rport);

/* "udp:4000-4100" for rule i into buf (for the recorded rules comment). */
const char *port_rule__format(const struct port_rule *rule, char *buf, size_t len);

#endif /* PEERSCOPE_PORTS_H */
