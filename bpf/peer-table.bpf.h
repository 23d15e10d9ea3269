/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel peer table (bpf/peerscope.h, docs/peers.md): a space-saving
 * table of PS_MAX_PEERS slots kept by cost.  Included by every object that
 * interns peers: sock (socket reads) and span (peer probes).  The maps and
 * the bookkeeping are shared, so an id means one peer in every object.
 */
#ifndef PEERSCOPE_PEER_TABLE_BPF_H
#define PEERSCOPE_PEER_TABLE_BPF_H

/* Set by userspace before load: slots in use (tests shrink it; at most PS_MAX_PEERS). */
const volatile __u32 peer_slots = PS_MAX_PEERS;

/* the table's bookkeeping, shared by every object that interns peers */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ps_peer_ctl);
} ps_peer_ctl SEC(".maps");

static __always_inline struct ps_peer_ctl *peer_ctl(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ps_peer_ctl, &zero);
}

struct min_scan {
	__u64 cost;
	__u32 slot;
};

/* bpf_loop body: the slot of least cost (space-saving's victim). */
static long min_step(__u32 i, void *data)
{
	struct min_scan *m = data;
	struct ps_peer *p;

	if (i >= peer_slots)
		return 1;
	p = bpf_map_lookup_elem(&ps_peer_slots, &i);
	if (p && p->cost < m->cost) {
		m->cost = p->cost;
		m->slot = i;
	}
	return 0;
}

/*
 * A slot for a peer not in the table: a free one while there are, else the
 * one of least cost, whose peer is evicted (its id becomes "other peers");
 * *base is the cost the newcomer inherits.  Lock-free: two CPUs that pick
 * the same victim both write it and the later one keeps it; the other's
 * hash entry is then stale and is replaced the next time that peer sends.
 */
static __always_inline __u32 peer_slot_take(struct ps_peer_ctl *ctl, __u64 *base)
{
	struct min_scan m = { .cost = ~0ULL };
	struct ps_peer *victim;
	__u64 n = ctl->claimed;

	*base = 0;
	if (n < peer_slots) {
		n = __sync_fetch_and_add(&ctl->claimed, 1);
		if (n < peer_slots)
			return n;
	}
	bpf_loop(PS_MAX_PEERS, min_step, &m, 0);
	victim = bpf_map_lookup_elem(&ps_peer_slots, &m.slot);
	if (victim && victim->id) {
		bpf_map_delete_elem(&ps_peers, &victim->addr);
		*base = m.cost;
		__sync_fetch_and_add(&ctl->evictions, 1);
	}
	return m.slot;
}

/*
 * Serving-peer tag (docs/peers.md).  The peer's id from the space-saving
 * table: a named peer counts the message; a new one takes a slot (a free
 * one, else the least costly peer's) with a fresh id.  Messages that end in
 * "other peers" (the id sequence ran out, the table could not be written)
 * are counted so the report can say how much the table could not name.
 * count: a message received (the sock programs); a peer probe, which names
 * the peer a thread starts on, interns without counting.
 */
static __always_inline __u32 peer_intern(const struct sock_addr *peer, __u64 bytes, bool count)
{
	struct ps_peer_ctl *ctl = peer_ctl();
	__u64 seq, base;
	struct ps_peer *p;
	__u32 *idp, slot, id;

	if (!peer->family || !ctl)
		return PS_PEER_NONE;
	idp = bpf_map_lookup_elem(&ps_peers, peer);
	p = idp ? ps_peer_slot_of(*idp) : NULL;
	if (!p) {
		seq = __sync_fetch_and_add(&ctl->seq, 1) + 1;
		if (seq > PS_PEER_SEQ_MAX)
			goto other;
		slot = peer_slot_take(ctl, &base);
		/* written in place: a struct on the stack overflows the mmsg loop's frame */
		p = bpf_map_lookup_elem(&ps_peer_slots, &slot);
		if (!p)
			goto other;
		id = (__u32)(seq << PS_PEER_SLOT_BITS) | slot;
		p->id = 0;	/* readers ignore the slot while it changes hands */
		p->addr = *peer;
		p->msgs = p->bytes = 0;
		p->cost = p->err = base;
		p->flags = 0;
		p->node_id = 0;
		p->id = id;
		if (bpf_map_update_elem(&ps_peers, peer, &id, BPF_ANY))
			goto other;
	}
	if (count) {
		__sync_fetch_and_add(&p->msgs, 1);
		__sync_fetch_and_add(&p->bytes, bytes);
		__sync_fetch_and_add(&p->cost, 1);
	}
	return p->id;
other:
	if (count) {
		__sync_fetch_and_add(&ctl->other_msgs, 1);
		__sync_fetch_and_add(&ctl->other_bytes, bytes);
	}
	return PS_PEER_OTHER;
}

#endif /* PEERSCOPE_PEER_TABLE_BPF_H */
