/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The serving-peer tag, kernel side (docs/peers.md): the port rules that give a served socket its path, and setting and
 * clearing the per-thread tag.  Included by bpf/sock.bpf.c after its
 * struct inflight.
 */
#ifndef PEERSCOPE_SOCK_PEER_BPF_H
#define PEERSCOPE_SOCK_PEER_BPF_H

#include "bpf/peer-table.bpf.h"

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
const volatile bool txn_rules_on = false;	/* any txn_rules[] with a len */
const volatile struct sock_txn_rule txn_rules[PS_PATH_MAX] = {};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SOCK_REQ_ENTRIES);
	__type(key, struct sock_req_key);
	__type(value, __u64);
} reqs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SOCK_WAIT_ENTRIES);
	__type(key, struct sock_wait_key);
	__type(value, struct sock_wait_val);
} peer_waits SEC(".maps");

/* the request key is built here, not on the BPF stack */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sock_req_key);
} req_scratch SEC(".maps");

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

/*
 * The current thread now serves peer (what it just read from sk).  A
 * subprogram: the table's eviction scan (a bpf_loop) inside it must not
 * add its frame to sys_exit's, nor run inside the mmsg loop's callback.
 */
__noinline int tag_serve(const struct inflight *in, const struct sock_addr *peer,
				 __u64 bytes)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ps_tag_state tag = {}, *t;
	const struct sock *sk;

	if (!peer_tags || !in || !peer)
		return 0;
	sk = (const struct sock *)in->sk;
	tag.tag.peer = peer_intern(peer, bytes, true);
	tag.tag.proto = in->proto;
	tag.tag.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	tag.tag.path = port_path(in->proto, tag.tag.lport, peer->port);
	t = bpf_map_lookup_elem(&ps_thread_tag, &tid);
	if (t)
		*t = tag;
	else if (bpf_map_update_elem(&ps_thread_tag, &tid, &tag, BPF_ANY))
		ps_stat_inc(PS_STAT_MAP_FULL);
	return 0;
}

/*
 * The current thread starts a receive from sk: until the call returns with
 * a peer, it serves the socket, peer unknown (an unconnected socket's
 * sender is known only at the end).  The tag of a thread already serving
 * this socket stays as it is, peer and all: a loop of reads.
 */
static __always_inline int tag_socket(const struct inflight *in)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	const struct sock *sk = (const struct sock *)in->sk;
	struct ps_tag_state tag = {}, *t;

	if (!peer_tags)
		return 0;
	tag.tag.proto = in->proto;
	tag.tag.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	t = bpf_map_lookup_elem(&ps_thread_tag, &tid);
	if (t && t->tag.proto == tag.tag.proto && t->tag.lport == tag.tag.lport)
		return 0;
	tag.tag.path = port_path(in->proto, tag.tag.lport, 0);
	if (t)
		*t = tag;
	else if (bpf_map_update_elem(&ps_thread_tag, &tid, &tag, BPF_ANY))
		ps_stat_inc(PS_STAT_MAP_FULL);
	return 0;
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
	if (t && (t->tag.peer != PS_PEER_NONE || t->tag.lport))
		*t = (struct ps_tag_state){};
	return 0;
}

/* The first buffer of a send or receive call's data, NULL when unknown. */
static __always_inline const __u8 *call_buf(const struct inflight *in)
{
	struct user_msghdr *msg;
	struct iovec *iovp = NULL;
	struct iovec iov;

	switch (in->call) {
	case SC_READ:
	case SC_WRITE:
	case SC_SENDTO:
	case SC_RECVFROM:
		return (const __u8 *)in->arg[1];
	case SC_SENDMSG:
	case SC_RECVMSG:
		msg = (struct user_msghdr *)in->arg[1];
		if (bpf_probe_read_user(&iovp, sizeof(iovp), &msg->msg_iov))
			return NULL;
		break;
	case SC_READV:
	case SC_WRITEV:
		iovp = (struct iovec *)in->arg[1];
		break;
	default:
		return NULL;
	}
	if (!iovp || bpf_probe_read_user(&iov, sizeof(iov), iovp))
		return NULL;
	return iov.iov_base;
}

/* Adds one reply's wait to (tgid, path, peer). */
static __always_inline void wait_add(const struct sock_wait_key *wk, __u64 ns)
{
	struct sock_wait_val *v, init = {};

	v = bpf_map_lookup_elem(&peer_waits, wk);
	if (!v) {
		if (bpf_map_update_elem(&peer_waits, wk, &init, BPF_NOEXIST) == -E2BIG)
			ps_stat_inc(PS_STAT_MAP_FULL);
		v = bpf_map_lookup_elem(&peer_waits, wk);
		if (!v)
			return;
	}
	__sync_fetch_and_add(&v->wait_ns, ns);
	__sync_fetch_and_add(&v->replies, 1);
	if (ns > v->max_ns)
		v->max_ns = ns;
}

/*
 * One UDP datagram of ret bytes sent to (tx) or received from peer: a send
 * opens a request under its transaction id, a datagram from the same peer
 * with the same id closes it.  Replies we send carry the peer's own ids,
 * which it never sends back: they age out of the LRU unmatched.  A
 * subprogram of its own: inlined, its locals overflow sys_exit's 512-byte
 * stack together with the unwinder's frames.
 */
__noinline int reply_track(const struct inflight *in, const struct sock_addr *peer,
					bool tx, long ret)
{
	struct sock_req_key *k;
	struct sock_txn_rule rule;
	__u32 zero = 0, path, len;
	const struct sock *sk;
	const __u8 *buf;
	__u64 now, *sent;

	if (!txn_rules_on || !in || !peer || in->proto != SOCK_PROTO_UDP || !peer->family)
		return 0;
	sk = (const struct sock *)in->sk;
	path = port_path(in->proto, BPF_CORE_READ(sk, __sk_common.skc_num), peer->port);
	rule = txn_rules[path & (PS_PATH_MAX - 1)];
	len = rule.len;
	if (!len || len > 8 || ret < (long)rule.off + len)
		return 0;
	buf = call_buf(in);
	k = bpf_map_lookup_elem(&req_scratch, &zero);
	if (!buf || !k)
		return 0;
	__builtin_memset(k, 0, sizeof(*k));
	k->w.tgid = bpf_get_current_pid_tgid() >> 32;
	k->w.path = path;
	k->w.peer = *peer;
	if (bpf_probe_read_user(&k->txn, len, buf + rule.off))
		return 0;
	now = bpf_ktime_get_ns();
	if (tx) {
		bpf_map_update_elem(&reqs, k, &now, BPF_ANY);
		return 0;
	}
	sent = bpf_map_lookup_elem(&reqs, k);
	if (!sent)
		return 0;
	now -= *sent;
	bpf_map_delete_elem(&reqs, k);
	wait_add(&k->w, now);
	return 0;
}

#endif /* PEERSCOPE_SOCK_PEER_BPF_H */
