// SPDX-License-Identifier: MIT
/*
 * Serving-peer tag, userspace side (peers.h, docs/peers.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/types.h>

#include "collectors/peers.h"
#include "collectors/collector.h"
#include "collectors/record-opts.h"
#include "core/ports.h"
#include "core/profile.h"
#include "core/rules.h"
#include "bpf/sock.h"

const char *peer_addr__format(const struct sock_addr *a, int with_port, char *buf, size_t len)
{
	static const uint8_t v4_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char ip[INET6_ADDRSTRLEN];

	if (!a->family) {
		snprintf(buf, len, "unknown");
		return buf;
	}
	if (!memcmp(a->addr, v4_prefix, sizeof(v4_prefix))) {
		inet_ntop(AF_INET, a->addr + 12, ip, sizeof(ip));
		if (with_port)
			snprintf(buf, len, "%s:%u", ip, a->port);
		else
			snprintf(buf, len, "%s", ip);
	} else {
		inet_ntop(AF_INET6, a->addr, ip, sizeof(ip));
		if (with_port)
			snprintf(buf, len, "[%s]:%u", ip, a->port);
		else
			snprintf(buf, len, "%s", ip);
	}
	return buf;
}

int peer_names__read(struct peer_names *pn, int peers_fd)
{
	struct sock_addr key, next;
	struct ps_peer val;
	void *prev = NULL;

	pn->nr = PS_MAX_PEERS;
	pn->names = calloc(pn->nr, sizeof(*pn->names));
	if (!pn->names) {
		pn->nr = 0;
		return -ENOMEM;
	}
	if (peers_fd < 0)
		return 0;
	while (!bpf_map_get_next_key(peers_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(peers_fd, &key, &val) || val.id >= pn->nr)
			continue;
		peer_addr__format(&key, 1, pn->names[val.id], sizeof(pn->names[val.id]));
	}
	return 0;
}

void peer_names__free(struct peer_names *pn)
{
	free(pn->names);
	pn->names = NULL;
	pn->nr = 0;
}

const char *peer_names__get(const struct peer_names *pn, uint32_t id)
{
	if (id == PS_PEER_NONE)
		return NULL;
	if (id == PS_PEER_OTHER || !pn || id >= pn->nr || !pn->names[id][0])
		return PEER_OTHER_NAME;
	return pn->names[id];
}

void peer_tag__labels(const struct peer_names *pn, const struct record_opts *o,
		      const struct ps_thread_tag *tag, struct pf_label_kv *kv, uint32_t *n)
{
	const char *peer = peer_names__get(pn, tag->peer);

	if (peer)
		kv[(*n)++] = (struct pf_label_kv){ .key = "peer", .str = peer };
	if (tag->path != PS_PATH_OTHER)
		kv[(*n)++] = (struct pf_label_kv){ .key = "sockpath",
						   .str = collector__path_name(o, tag->path) };
}

uint32_t peer_tag__port_rules(const struct record_opts *o, const struct port_rules *ports,
			      struct sock_port_rule *out, uint32_t max)
{
	uint32_t n = 0;

	for (int i = 0; ports && i < ports->nr && n < max; i++) {
		const struct port_rule *pr = &ports->rules[i];
		int id = o->rules ? path_rules__id(o->rules, pr->name) : -1;

		out[n++] = (struct sock_port_rule){ .lo = pr->lo, .hi = pr->hi, .proto = pr->proto,
						    .path = id >= 0 ? (uint32_t)id : pr->path_id };
	}
	for (uint32_t i = 0; o->rules && i < o->rules->nr_ports && n < max; i++) {
		const struct path_port_rule *pr = &o->rules->ports[i];

		out[n++] = (struct sock_port_rule){ .lo = pr->lo, .hi = pr->hi,
						    .proto = (uint8_t)pr->proto, .path = pr->path };
	}
	return n;
}
