// SPDX-License-Identifier: MIT
/*
 * Serving-peer tag, userspace side (peers.h, docs/peers.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/types.h>

#include "collectors/peers.h"
#include "collectors/collector.h"
#include "collectors/record-opts.h"
#include "core/array.h"
#include "core/log.h"
#include "core/ports.h"
#include "core/profile.h"
#include "core/records.h"
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

static void peer_names__set(struct peer_names *pn, __u32 slot, const struct ps_peer *val)
{
	if (slot >= pn->nr || !val->id)
		return;
	pn->slot[slot].id = val->id;
	peer_addr__format(&val->addr, 1, pn->slot[slot].name, sizeof(pn->slot[slot].name));
}

/*
 * The whole slot table in one syscall: vals[i] is slot keys[i], *count of
 * them.  The cpu collector reads it at every flush and the sock collector
 * at its end, and 1,024 lookups were a fifth of the first's CPU time and a
 * few milliseconds of the second's.  A kernel without batch lookups gets
 * them one by one.
 */
static void peer_slots__read(int slots_fd, __u32 *keys, struct ps_peer *vals, __u32 *count)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 next, n = 0;

	*count = PS_MAX_PEERS;
	/* ENOENT: the table was read to its end */
	if (!bpf_map_lookup_batch(slots_fd, NULL, &next, keys, vals, count, &opts) ||
	    errno == ENOENT)
		return;
	for (__u32 i = 0; i < PS_MAX_PEERS; i++) {
		if (bpf_map_lookup_elem(slots_fd, &i, &vals[n]))
			continue;
		keys[n++] = i;
	}
	*count = n;
}

int peer_names__read(struct peer_names *pn, int slots_fd)
{
	__u32 keys[PS_MAX_PEERS], count = 0;
	struct ps_peer *vals;

	pn->nr = PS_MAX_PEERS;
	pn->slot = calloc(pn->nr, sizeof(*pn->slot));
	vals = malloc(PS_MAX_PEERS * sizeof(*vals));
	if (!pn->slot || !vals) {
		free(vals);
		peer_names__free(pn);
		return -ENOMEM;
	}
	if (slots_fd >= 0)
		peer_slots__read(slots_fd, keys, vals, &count);
	for (__u32 i = 0; i < count && i < PS_MAX_PEERS; i++)
		peer_names__set(pn, keys[i], &vals[i]);
	free(vals);
	return 0;
}

void peer_names__free(struct peer_names *pn)
{
	free(pn->slot);
	pn->slot = NULL;
	pn->nr = 0;
}

const char *peer_names__get(const struct peer_names *pn, uint32_t id)
{
	const struct peer_name *n;

	if (id == PS_PEER_NONE)
		return NULL;
	if (id == PS_PEER_OTHER || !pn || PS_PEER_SLOT(id) >= pn->nr)
		return PEER_OTHER_NAME;
	n = &pn->slot[PS_PEER_SLOT(id)];
	return n->id == id && n->name[0] ? n->name : PEER_OTHER_NAME;
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
	if (tag->lport && (tag->proto == SOCK_PROTO_TCP || tag->proto == SOCK_PROTO_UDP)) {
		kv[(*n)++] = (struct pf_label_kv){ .key = "sockproto",
						   .str = tag->proto == SOCK_PROTO_TCP ? "tcp" : "udp" };
		kv[(*n)++] = (struct pf_label_kv){ .key = "sockport", .num = tag->lport };
	}
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

uint32_t peer_table__slots(void)
{
	const char *env = getenv("PEERSCOPE_PEER_SLOTS");
	long n = env ? strtol(env, NULL, 10) : 0;

	return n > 0 && n < PS_MAX_PEERS ? (uint32_t)n : PS_MAX_PEERS;
}

int peer_table__drain(struct profile *p, int slots_fd, int ctl_fd, uint32_t slots)
{
	struct rec_peertable r = { .slots = slots };
	__u32 keys[PS_MAX_PEERS], count, zero = 0;
	struct ps_peer_ctl ctl = {};
	struct ps_peer *vals;
	int err = 0;

	if (!bpf_map_lookup_elem(ctl_fd, &zero, &ctl)) {
		r.inserted = ctl.seq;
		r.evictions = ctl.evictions;
		r.other_msgs = ctl.other_msgs;
		r.other_bytes = ctl.other_bytes;
	}
	vals = malloc(PS_MAX_PEERS * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	peer_slots__read(slots_fd, keys, vals, &count);
	for (__u32 i = 0; i < count && i < PS_MAX_PEERS; i++) {
		const struct ps_peer *val = &vals[i];

		if (keys[i] >= slots || !val->id)
			continue;
		r.named++;
		if (val->flags & PS_PEER_F_NODE_ID) {
			char addr[64], id[20];

			snprintf(id, sizeof(id), "%016llx", (unsigned long long)val->node_id);
			err = records__add_peerid(p, &(struct rec_peerid){
				.peer = peer_addr__format(&val->addr, 1, addr, sizeof(addr)), .id = id });
			if (err < 0)
				break;
		}
		r.total_cost += val->cost;
		if (val->err > r.max_err)
			r.max_err = val->err;
	}
	free(vals);
	if (err < 0)
		return err;
	err = records__add_peertable(p, &r);
	ps_debug("sock: peer table: %" PRIu64 " of %" PRIu64 " slots named, %" PRIu64
		 " peers inserted, %" PRIu64 " evicted, total cost %" PRIu64
		 ", largest overestimate %" PRIu64 ", %" PRIu64 " messages in other peers",
		 r.named, r.slots, r.inserted, r.evictions, r.total_cost, r.max_err, r.other_msgs);
	return err < 0 ? err : 0;
}

bool peer_tag__txn_rules(const struct record_opts *o, struct sock_txn_rule *out, uint32_t max)
{
	bool any = false;

	for (uint32_t i = 0; o->rules && i < max && i < PATH_MAX_PATHS; i++) {
		out[i] = (struct sock_txn_rule){ .off = o->rules->txn[i].off,
						 .len = o->rules->txn[i].len };
		any |= out[i].len > 0;
	}
	return any;
}

int peer_waits__drain(struct profile *p, int waits_fd, const struct record_opts *o)
{
	struct sock_wait_key key, next, *prev = NULL;
	struct sock_wait_val val;
	char peer[64];
	int err;

	while (!bpf_map_get_next_key(waits_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(waits_fd, &key, &val))
			continue;
		err = records__add_peerwait(p, &(struct rec_peerwait){
			.pid = key.tgid, .path = collector__path_name(o, key.path),
			.peer = peer_addr__format(&key.peer, 1, peer, sizeof(peer)),
			.replies = val.replies, .wait_ns = val.wait_ns, .max_ns = val.max_ns });
		if (err < 0)
			return err;
	}
	return 0;
}

int peer_sum_add(struct peer_sum **v, size_t *nr, size_t *cap,
			const struct sock_traffic_key *k, const char *path, const char *by,
			const struct sock_traffic_val *val)
{
	struct peer_sum *s;

	for (size_t i = 0; i < *nr; i++) {
		s = &(*v)[i];
		if (s->pid == k->tgid && s->proto == k->proto && s->lport == k->lport &&
		    !memcmp(&s->peer, &k->peer, sizeof(s->peer)) && !strcmp(s->path, path) &&
		    !strcmp(s->by, by))
			goto add;
	}
	if (ARRAY_ROOM(*v, *nr, *cap, 64))
		return -ENOMEM;
	s = &(*v)[(*nr)++];
	memset(s, 0, sizeof(*s));
	s->pid = k->tgid;
	s->proto = k->proto;
	s->lport = k->lport;
	s->peer = k->peer;
	s->path = path;
	s->by = by;
add:
	s->v.tx_bytes += val->tx_bytes;
	s->v.tx_msgs += val->tx_msgs;
	s->v.tx_calls += val->tx_calls;
	s->v.rx_bytes += val->rx_bytes;
	s->v.rx_msgs += val->rx_msgs;
	s->v.rx_calls += val->rx_calls;
	return 0;
}
