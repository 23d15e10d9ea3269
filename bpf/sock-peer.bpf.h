/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The serving-peer tag, kernel side (docs/peers.md): the peer intern table,
 * the port rules that give a served socket its path, and setting and
 * clearing the per-thread tag.  Included by bpf/sock.bpf.c after its
 * struct inflight.
 */
#ifndef PEERSCOPE_SOCK_PEER_BPF_H
#define PEERSCOPE_SOCK_PEER_BPF_H

/* waiting for new work: a thread entering one serves no peer any more */
#define NR_poll		7
#define NR_select	23
#define NR_epoll_wait	232
#define NR_pselect6	270
#define NR_ppoll	271
#define NR_epoll_pwait	281
#define NR_epoll_pwait2	441

/* Set by userspace before load. */
const volatile bool peer_tags = true;		/* --no-peers clears it */
const volatile __u32 nr_port_rules = 0;
const volatile struct sock_port_rule port_rules[SOCK_PORT_RULES_MAX] = {};

/* ids of the shared "ps_peers" intern table are handed out here */
__u64 next_peer = 0;		/* ids handed out so far */
__u64 other_peer_msgs = 0;	/* messages of peers that found the table full */
__u64 other_peer_bytes = 0;

/*
 * Serving-peer tag (docs/peers.md).  The peer's id from the bounded intern
 * table: first come, first served; when it is full every new peer is
 * "other peers", whose traffic is counted so the report can say how much
 * the table could not name.
 */
static __always_inline __u32 peer_intern(const struct sock_addr *peer, __u64 bytes)
{
	struct ps_peer *v, init = {};
	long err;

	if (!peer->family)
		return PS_PEER_NONE;
	v = bpf_map_lookup_elem(&ps_peers, peer);
	if (!v) {
		init.id = __sync_fetch_and_add(&next_peer, 1) + PS_PEER_FIRST;
		if (init.id >= PS_MAX_PEERS)
			goto other;
		err = bpf_map_update_elem(&ps_peers, peer, &init, BPF_NOEXIST);
		if (err && err != -EEXIST)
			goto other;
		v = bpf_map_lookup_elem(&ps_peers, peer);
		if (!v)
			goto other;
	}
	__sync_fetch_and_add(&v->msgs, 1);
	__sync_fetch_and_add(&v->bytes, bytes);
	return v->id;
other:
	__sync_fetch_and_add(&other_peer_msgs, 1);
	__sync_fetch_and_add(&other_peer_bytes, bytes);
	return PS_PEER_OTHER;
}

/* The path the port rules give a socket (local or remote port), else other. */
static __always_inline __u32 port_path(__u8 proto, __u16 lport, __u16 rport)
{
	for (__u32 i = 0; i < SOCK_PORT_RULES_MAX; i++) {
		if (i >= nr_port_rules)
			break;
		if (port_rules[i].proto && port_rules[i].proto != proto)
			continue;
		if ((lport >= port_rules[i].lo && lport <= port_rules[i].hi) ||
		    (rport >= port_rules[i].lo && rport <= port_rules[i].hi))
			return port_rules[i].path;
	}
	return PS_PATH_OTHER;
}

/* The current thread now serves peer (what it just read from sk). */
static __always_inline void tag_serve(const struct inflight *in, const struct sock_addr *peer,
				      __u64 bytes)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	const struct sock *sk = (const struct sock *)in->sk;
	struct ps_tag_state tag = {}, *t;

	if (!peer_tags)
		return;
	tag.tag.peer = peer_intern(peer, bytes);
	tag.tag.path = port_path(in->proto, BPF_CORE_READ(sk, __sk_common.skc_num), peer->port);
	t = bpf_map_lookup_elem(&ps_thread_tag, &tid);
	if (t)
		*t = tag;
	else if (bpf_map_update_elem(&ps_thread_tag, &tid, &tag, BPF_ANY))
		ps_stat_inc(PS_STAT_MAP_FULL);
}

/* A thread that waits for new work has finished what it read. */
static __always_inline bool is_wait_call(long nr)
{
	return nr == NR_epoll_wait || nr == NR_epoll_pwait || nr == NR_epoll_pwait2 ||
	       nr == NR_poll || nr == NR_ppoll || nr == NR_select || nr == NR_pselect6;
}

/* Zeroed in place, not deleted: the map allocates on demand (offcpu deletes at exit). */
static __always_inline int tag_clear(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ps_tag_state *t;

	if (!peer_tags)
		return 0;
	t = bpf_map_lookup_elem(&ps_thread_tag, &tid);
	if (t && t->tag.peer != PS_PEER_NONE)
		*t = (struct ps_tag_state){};
	return 0;
}

#endif /* PEERSCOPE_SOCK_PEER_BPF_H */
