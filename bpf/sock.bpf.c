// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Socket traffic, connect latency and retransmits without kprobes.
 *
 * - syscalls:sys_enter_NAME/sys_exit_NAME of the followed calls (tracefs),
 *   else sys_enter/sys_exit of every syscall (tp_btf, else raw_tp): the
 *   socket syscalls of traced threads.  Both variants share handle_enter()
 *   and handle_exit().  At entry the fd is resolved to its struct sock through
 *   task->files (non-socket fds stop here); at exit the byte count (the
 *   return value), the peer (the sock's daddr, or the sockaddr the call
 *   carried for unconnected UDP) and the user stack are aggregated.
 * - sock:inet_sock_set_state: TCP connect latency (SYN_SENT -> ESTABLISHED),
 *   the moment an accepted socket became ESTABLISHED (accept-queue wait is
 *   measured at accept() exit), connection end (TCP_CLOSE).
 * - tcp:tcp_retransmit_skb: retransmits per connection.
 *
 * Only targets (ps_targets) are counted.  Server-side sockets become
 * ESTABLISHED in softirq context, where the owner is unknown: they wait in a
 * small LRU ("pending") until a target accepts them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "bpf/peerscope.bpf.h"
#include "bpf/sock.h"
#include "bpf/unwind.bpf.h"
#include "bpf/site-memo.bpf.h"

#ifndef E2BIG
#define E2BIG 7
#endif
#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef EEXIST
#define EEXIST 17
#endif
#define TCP_ESTABLISHED	1
#define TCP_SYN_SENT	2
#define TCP_SYN_RECV	3
#define TCP_CLOSE	7

/* x86_64 syscall numbers of the calls we follow (userspace checks the arch). */
#define NR_read		0
#define NR_write	1
#define NR_readv	19
#define NR_writev	20
#define NR_connect	42
#define NR_accept	43
#define NR_sendto	44
#define NR_recvfrom	45
#define NR_sendmsg	46
#define NR_recvmsg	47
#define NR_accept4	288
#define NR_recvmmsg	299
#define NR_sendmmsg	307

/* Set by userspace before load. */
const volatile bool user_stacks = true;
const volatile bool retrans_has_err = false;	/* tcp_retransmit_skb passes err */

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, SOCK_STACK_ENTRIES);
	__type(key, __u32);
	__uint(value_size, PS_MAX_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__uint(max_entries, SOCK_TRAFFIC_ENTRIES);
	__type(key, struct sock_traffic_key);
	__type(value, struct sock_traffic_val);
} traffic SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__uint(max_entries, SOCK_ERR_ENTRIES);
	__type(key, struct sock_err_key);
	__type(value, __u64);
} errs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__uint(max_entries, PS_MAX_TARGETS * 2 * 2 * SOCK_HIST_SLOTS);
	__type(key, struct sock_hist_key);
	__type(value, __u64);
} hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* new keys are rare: memory on demand */
	__uint(max_entries, SOCK_CONN_ENTRIES);
	__type(key, __u64);
	__type(value, struct sock_conn);
} conns SEC(".maps");

/* struct sock * -> ESTABLISHED time of server-side sockets not yet accepted */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SOCK_PENDING_ENTRIES);
	__type(key, __u64);
	__type(value, __u64);
} pending SEC(".maps");

/* A thread inside a followed syscall: what the exit needs. */
struct inflight {
	__u64 sk;
	__u64 arg[6];
	__u16 call;
	__u8 proto;
	__u8 pad[5];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SOCK_INFLIGHT_ENTRIES);
	__type(key, __u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SOCK_DONE_RB_BYTES);
} done SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SOCK_EVENT_ENTRIES);
	__type(key, struct sock_event_key);
	__type(value, __u64);
} events SEC(".maps");

/* A connection that failed while its connect() was still running: the
 * call's return says whether it was reported (blocking) or not (EINPROGRESS). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SOCK_CONNFAIL_ENTRIES);
	__type(key, __u64);
	__type(value, __u32);
} connfail SEC(".maps");

/* Scratch for building a connection record without using the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sock_conn);
} conn_scratch SEC(".maps");

static __always_inline __u16 call_of(long nr)
{
	switch (nr) {
	case NR_read: return SC_READ;
	case NR_readv: return SC_READV;
	case NR_recvfrom: return SC_RECVFROM;
	case NR_recvmsg: return SC_RECVMSG;
	case NR_recvmmsg: return SC_RECVMMSG;
	case NR_write: return SC_WRITE;
	case NR_writev: return SC_WRITEV;
	case NR_sendto: return SC_SENDTO;
	case NR_sendmsg: return SC_SENDMSG;
	case NR_sendmmsg: return SC_SENDMMSG;
	case NR_connect: return SC_CONNECT;
	case NR_accept: return SC_ACCEPT;
	case NR_accept4: return SC_ACCEPT4;
	default: return SC_NONE;
	}
}

static __always_inline bool call_is_tx(__u16 call)
{
	return call >= SC_WRITE && call <= SC_SENDMMSG;
}

#include "bpf/sock-addr.bpf.h"

/* bpf/hist.h log2 bucket, capped at the last slot */
static __always_inline __u8 log2_slot(__u64 v)
{
	__u32 slot = hist_log2_bucket(v);

	return slot < SOCK_HIST_SLOTS ? slot : SOCK_HIST_SLOTS - 1;
}

/* Adds one to a __u64 counter map entry, creating it (counted when full). */
static __always_inline void count_add(void *map, const void *key, __u64 n)
{
	__u64 *cnt = bpf_map_lookup_elem(map, key);
	long err;

	if (cnt) {
		__sync_fetch_and_add(cnt, n);
		return;
	}
	err = bpf_map_update_elem(map, key, &n, BPF_NOEXIST);
	if (err == -EEXIST) {
		cnt = bpf_map_lookup_elem(map, key);
		if (cnt)
			__sync_fetch_and_add(cnt, n);
	} else if (err) {
		ps_stat_inc(PS_STAT_MAP_FULL);
	}
}

/*
 * The calling thread's user stack.  At sys_exit its user registers are
 * those of the syscall instruction, inside the libc wrapper (send, write):
 * a frame-pointer walk from there skips the wrapper's caller, because libc
 * keeps no frame pointer, so the .eh_frame unwinder goes first whenever the
 * process has tables (--unwind auto|dwarf); frame pointers otherwise, kept
 * in the unwinder's store as well.  The stack map is left for --unwind fp
 * and for a busy scratch or a full store (userspace shrinks it when the
 * unwinder is on).
 */
static __always_inline __s32 user_stack(void *ctx)
{
	long id;

	if (!user_stacks)
		return -1;
	id = unw_user_stack(bpf_get_current_pid_tgid() >> 32, 0);	/* the shared store */
	if (id >= 0)
		return id;
	id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	if (id < 0 && id != -EFAULT)
		ps_stat_inc(PS_STAT_STACK_ERR_USER);
	return id;
}

/*
 * The same at a send or receive that returns: a thread back at a site it
 * returned from before (the same syscall entry registers and fd) gets the
 * stack found there the last time (bpf/site-memo.bpf.h).
 */
static __always_inline __s32 site_user_stack(void *ctx, __u32 tid)
{
	struct ps_site_key k = {};
	struct ps_site *s = NULL;
	__s32 uid = -1, kid = -1;

	bool keyed;

	if (!user_stacks)
		return -1;
	keyed = site_key_of(&k, tid, SITE_SOCK, SITE_AT_EXIT);
	k.arg1 = 0;	/* the buffer: a new one each call at the same site */
	if (keyed && site_reuse(&k, &s, &uid, &kid))
		return uid;
	if (!keyed)
		memo_walk_unkeyed();
	uid = user_stack(ctx);	/* one call site: each inlined copy is verified */
	if (keyed && uid >= 0)
		site_remember(&k, s, uid, -1);
	return uid;
}

__noinline int traffic_add(const struct sock_traffic_key *key, bool tx, __u64 bytes,
			   __u64 msgs, __u64 calls)
{
	struct sock_traffic_val *v, init = {};
	long err;

	if (!key)
		return 0;
	v = bpf_map_lookup_elem(&traffic, key);
	if (!v) {
		err = bpf_map_update_elem(&traffic, key, &init, BPF_NOEXIST);
		if (err && err != -EEXIST) {
			ps_stat_inc(PS_STAT_MAP_FULL);
			return 0;
		}
		v = bpf_map_lookup_elem(&traffic, key);
		if (!v)
			return 0;
	}
	if (tx) {
		__sync_fetch_and_add(&v->tx_bytes, bytes);
		__sync_fetch_and_add(&v->tx_msgs, msgs);
		__sync_fetch_and_add(&v->tx_calls, calls);
	} else {
		__sync_fetch_and_add(&v->rx_bytes, bytes);
		__sync_fetch_and_add(&v->rx_msgs, msgs);
		__sync_fetch_and_add(&v->rx_calls, calls);
	}
	return 0;
}

__noinline int hist_add(__u32 tgid, __u8 proto, bool tx, __u64 bytes)
{
	struct sock_hist_key hk = { .tgid = tgid, .proto = proto, .dir = tx ? SOCK_TX : SOCK_RX };

	hk.slot = log2_slot(bytes);
	count_add(&hist, &hk, 1);
	return 0;
}

/* A new live connection of tgid; its endpoints are refreshed later. */
static __always_inline struct sock_conn *conn_new(const struct sock *sk, __u32 tgid, __u32 flags)
{
	__u64 key = (__u64)sk;
	__u32 zero = 0;
	struct sock_conn *c = bpf_map_lookup_elem(&conn_scratch, &zero);

	if (!c)
		return NULL;
	__builtin_memset(c, 0, sizeof(*c));
	c->sk = key;
	c->tgid = tgid;
	c->flags = flags;
	c->first_ns = bpf_ktime_get_ns();
	c->path = ps_thread_path_of((__u32)bpf_get_current_pid_tgid());	/* process context */
	sock_endpoint(sk, false, &c->local);
	sock_endpoint(sk, true, &c->peer);
	if (bpf_map_update_elem(&conns, &key, c, BPF_NOEXIST) == -E2BIG)
		ps_stat_inc(PS_STAT_MAP_FULL);
	return bpf_map_lookup_elem(&conns, &key);
}

#include "bpf/sock-peer.bpf.h"

/* The call to follow for syscall nr of the current thread, SC_NONE if none. */
static __always_inline __u16 call_wanted(long nr)
{
	__u16 call = call_of(nr);

	if (call == SC_NONE || !ps_is_target(bpf_get_current_pid_tgid() >> 32))
		return SC_NONE;
	return call;
}

/*
 * Entry of a followed call, shared by every attach variant: resolves the fd
 * (args[0]) to its sock and saves the arguments for the exit.
 */
static __always_inline int handle_enter(__u16 call, const __u64 *args)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct inflight in = {};
	struct sock *sk = NULL;

	in.call = call;
	for (int i = 0; i < 6; i++)
		in.arg[i] = args[i];
	sk = sock_of_fd((int)in.arg[0]);
	if (!sk)
		return 0;
	in.proto = proto_of(sk);
	if (!in.proto)
		return 0;
	in.sk = (__u64)sk;
	if (bpf_map_update_elem(&inflight, &tid, &in, BPF_ANY))
		ps_stat_inc(PS_STAT_OTHER_DROP);
	if (call >= SC_READ && call <= SC_RECVMMSG)
		tag_socket(&in);	/* a receive: the socket's work starts now */
	return 0;
}

/* sys_enter (tp_btf, raw_tp): any syscall; the arguments are in the user registers. */
static __always_inline int enter_regs(struct pt_regs *regs, long nr)
{
	__u16 call = call_wanted(nr);
	__u64 args[6];

	if (call == SC_NONE)
		return is_wait_call(nr) ? tag_clear() : 0;
	args[0] = BPF_CORE_READ(regs, di);
	args[1] = BPF_CORE_READ(regs, si);
	args[2] = BPF_CORE_READ(regs, dx);
	args[3] = BPF_CORE_READ(regs, r10);
	args[4] = BPF_CORE_READ(regs, r8);
	args[5] = BPF_CORE_READ(regs, r9);
	return handle_enter(call, args);
}

/* Accounts one message (or stream chunk) of bytes to peer. */
static __always_inline void account(void *ctx, const struct inflight *in, __u64 id, __s32 stack,
				    const struct sock_addr *peer, __u64 bytes, __u64 msgs,
				    __u64 calls)
{
	struct sock_traffic_key key = {};
	const struct sock *sk = (const struct sock *)in->sk;
	bool tx = call_is_tx(in->call);

	key.tgid = id >> 32;
	key.tid = (__u32)id;
	key.user_stack_id = stack;
	key.path = ps_thread_path_of(key.tid);
	if (tx && peer_tags) {
		/* what this send was done for; no copy of the tag: the mmsg loop's frame is full */
		struct ps_tag_state *t = bpf_map_lookup_elem(&ps_thread_tag, &key.tid);

		if (t)
			key.serving = t->tag.peer;
	}
	key.peer = *peer;
	key.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	key.proto = in->proto;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	traffic_add(&key, tx, bytes, msgs, calls);
	if (calls)
		hist_add(key.tgid, in->proto, tx, bytes);
}

/* Peer of one datagram: the sockaddr it carried, else the connected peer. */
static __always_inline void peer_of(const struct inflight *in, const void *uaddr,
				    struct sock_addr *peer)
{
	if (in->proto == SOCK_PROTO_UDP && user_sockaddr(uaddr, peer))
		return;
	sock_endpoint((const struct sock *)in->sk, true, peer);
}

/* The last message a recvmmsg read: its peer is tagged after the loop. */
struct mmsg_last {
	struct sock_addr peer;
	__u32 set;
	__u64 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mmsg_last);
} mmsg_last SEC(".maps");

/* One sendmmsg/recvmmsg; its messages are a bpf_loop() of mmsg_step(). */
struct mmsg_walk {
	struct inflight in;
	struct mmsghdr *vec;
	__u64 id;
	long ret;
	__s32 stack;
};

/*
 * The loop body is verified once, not SOCK_MMSG_MAX times, and as a global
 * function (mmsg_msg) it is checked on its own, once, not again for every
 * state the loop's callback reaches.  With traffic_add, hist_add, tag_serve
 * and reply_track global too, sock_exit_tp costs the verifier 10k
 * instructions (about 25 ms of every record's start) instead of 44k
 * (130 ms).  A global function gets only scalars and plain memory, and the
 * stack memory it is given reads as unknown data after the call.
 */
__noinline int mmsg_msg(struct mmsg_walk *w, __u32 i)
{
	struct sock_addr peer = {};
	void *name;
	__u32 len;

	if (!w || i >= w->ret)
		return 1;
	if (bpf_probe_read_user(&len, sizeof(len), &w->vec[i].msg_len) ||
	    bpf_probe_read_user(&name, sizeof(name), &w->vec[i].msg_hdr.msg_name)) {
		ps_stat_inc(PS_STAT_OTHER_DROP);
		return 0;
	}
	peer_of(&w->in, name, &peer);
	if (!call_is_tx(w->in.call)) {
		__u32 zero = 0;
		struct mmsg_last *last = bpf_map_lookup_elem(&mmsg_last, &zero);

		if (last) {	/* the last message read wins */
			last->peer = peer;
			last->len = len;
			last->set = 1;
		}
	}
	/* one syscall, counted with its first message */
	account(NULL, &w->in, w->id, w->stack, &peer, len, 1, i == 0);
	return 0;
}

static long mmsg_step(__u32 i, void *data)
{
	return mmsg_msg(data, i) ? 1 : 0;
}

static __always_inline void handle_mmsg(void *ctx, const struct inflight *in, __u64 id,
					__s32 stack, long ret)
{
	struct mmsg_walk w = { .in = *in, .vec = (struct mmsghdr *)in->arg[1], .id = id,
			       .ret = ret, .stack = stack };
	struct mmsg_last *last;
	__u32 zero = 0;

	last = bpf_map_lookup_elem(&mmsg_last, &zero);
	if (last)
		last->set = 0;
	bpf_loop(SOCK_MMSG_MAX, mmsg_step, &w, 0);
	if (last && last->set)
		tag_serve(in, &last->peer, last->len);
	if (ret > SOCK_MMSG_MAX)
		ps_stat_inc(PS_STAT_OTHER_DROP);	/* messages past the cap are not counted */
}

static __always_inline void handle_accept(long ret, __u32 tgid)
{
	struct sock *sk = sock_of_fd((int)ret);
	struct sock_conn *c;
	__u64 key, *est;

	if (!sk || proto_of(sk) != SOCK_PROTO_TCP)
		return;
	key = (__u64)sk;
	c = conn_new(sk, tgid, SOCK_CONN_PASSIVE);
	if (!c)
		return;
	c->accept_ns = bpf_ktime_get_ns();
	c->flags |= SOCK_CONN_PASSIVE;
	est = bpf_map_lookup_elem(&pending, &key);
	if (est) {
		c->est_ns = *est;
		bpf_map_delete_elem(&pending, &key);
	}
}

/* An event on connection c, keyed by its path and service port (bpf/sock.h). */
static __always_inline void conn_event(const struct sock_conn *c, __u16 kind, __u16 err)
{
	struct sock_event_key k = { .tgid = c->tgid, .kind = kind, .err = err, .path = c->path,
				    .proto = SOCK_PROTO_TCP };

	if (!(c->flags & SOCK_CONN_PASSIVE))
		k.rport = c->peer.port;
	if (!(c->flags & SOCK_CONN_ACTIVE))
		k.lport = c->local.port;
	count_add(&events, &k, 1);
}

/*
 * A connect() returned: an error other than EINPROGRESS is a failed
 * attempt; so is EINPROGRESS (or success) when the connection already
 * failed inside the call (a refused loopback connect fails before a
 * non-blocking connect() returns).  Either way once.
 */
static __always_inline void connect_exit(const struct inflight *in, __u64 id, long ret)
{
	__u32 *failed = bpf_map_lookup_elem(&connfail, &in->sk);
	struct sock_conn *c = bpf_map_lookup_elem(&conns, &in->sk);
	struct sock_event_key k = { .tgid = id >> 32, .kind = SOCK_EV_CONNECT_ERROR,
				    .proto = in->proto };
	struct sock_addr peer = {};
	__u16 err = 0;

	if (c)
		c->flags &= ~SOCK_CONN_INCALL;
	if (ret < 0 && ret != -115 /* EINPROGRESS */)
		err = -ret;
	else if (failed)
		err = *failed ? *failed : 111 /* ECONNREFUSED */;
	if (failed)
		bpf_map_delete_elem(&connfail, &in->sk);
	if (!err)
		return;
	/* the address connect() was given: a failure may come before the sock has one */
	if (user_sockaddr((const void *)in->arg[1], &peer))
		k.rport = peer.port;
	k.err = err;
	k.path = ps_thread_path_of((__u32)id);
	count_add(&events, &k, 1);
}

static __always_inline int handle_exit(void *ctx, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct sock_addr peer = {};
	struct inflight *inp, in;
	struct sock_conn *c;
	void *uaddr = NULL;
	__s32 stack;
	bool tx;

	inp = bpf_map_lookup_elem(&inflight, &tid);
	if (!inp)
		return 0;
	in = *inp;
	bpf_map_delete_elem(&inflight, &tid);
	ps_stat_inc(PS_STAT_EVENTS);

	if (in.call == SC_CONNECT)
		connect_exit(&in, id, ret);
	if (in.call == SC_CONNECT && (ret >= 0 || ret == -115 /* EINPROGRESS */))
		return 0;
	if (in.call == SC_ACCEPT || in.call == SC_ACCEPT4) {
		if (ret >= 0)
			handle_accept(ret, id >> 32);
		return 0;
	}

	/* one call site: every inlined copy of the unwinder is verified again */
	stack = site_user_stack(ctx, tid);
	if (in.call == SC_CONNECT) {
		struct sock_err_key ek = { .tgid = id >> 32, .user_stack_id = stack,
					   .call = in.call, .err = -ret, .proto = in.proto };

		count_add(&errs, &ek, 1);
		return 0;
	}
	if (ret < 0) {
		struct sock_err_key ek = { .tgid = id >> 32, .user_stack_id = stack,
					   .call = in.call, .err = -ret, .proto = in.proto };

		count_add(&errs, &ek, 1);
		c = bpf_map_lookup_elem(&conns, &in.sk);
		if (c) {
			__sync_fetch_and_add(&c->errors, 1);
			c->last_err = -ret;
		}
		return 0;
	}

	if (in.call == SC_SENDMMSG || in.call == SC_RECVMMSG) {
		handle_mmsg(ctx, &in, id, stack, ret);
		return 0;
	}

	tx = call_is_tx(in.call);
	if (in.call == SC_SENDTO || in.call == SC_RECVFROM) {
		uaddr = (void *)in.arg[4];
	} else if (in.call == SC_SENDMSG || in.call == SC_RECVMSG) {
		struct user_msghdr *msg = (struct user_msghdr *)in.arg[1];

		if (bpf_probe_read_user(&uaddr, sizeof(uaddr), &msg->msg_name))
			uaddr = NULL;
	}
	peer_of(&in, uaddr, &peer);
	if (!tx && (ret > 0 || in.proto == SOCK_PROTO_UDP))
		tag_serve(&in, &peer, ret);
	reply_track(&in, &peer, tx, ret);
	/* a TCP read of 0 bytes is end of stream, not a message */
	account(ctx, &in, id, stack, &peer, ret,
		ret > 0 || in.proto == SOCK_PROTO_UDP, 1);

	if (in.proto != SOCK_PROTO_TCP)
		return 0;
	c = bpf_map_lookup_elem(&conns, &in.sk);
	if (!c)	/* connected before the recording started */
		c = conn_new((const struct sock *)in.sk, id >> 32, 0);
	if (!c)
		return 0;
	if (tx) {
		__u32 path = ps_thread_path_of(tid);

		__sync_fetch_and_add(&c->tx_bytes, ret);
		__sync_fetch_and_add(&c->tx_msgs, ret > 0);
		if (path != PS_PATH_OTHER)	/* the connection's path: its last sender's span */
			c->path = path;
	} else {
		__sync_fetch_and_add(&c->rx_bytes, ret);
		__sync_fetch_and_add(&c->rx_msgs, ret > 0);
	}
	return 0;
}

static __always_inline void handle_state(const struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk, now;
	struct sock_conn *c;
	__u64 id;

	if (BPF_CORE_READ(sk, sk_protocol) != SOCK_PROTO_TCP)
		return;
	now = bpf_ktime_get_ns();
	c = bpf_map_lookup_elem(&conns, &key);

	if (newstate == TCP_SYN_SENT) {
		id = bpf_get_current_pid_tgid();
		if (!ps_is_target(id >> 32))
			return;
		/* connect() runs in the caller's context */
		if (!c)
			c = conn_new(sk, id >> 32, SOCK_CONN_ACTIVE);
		if (c) {
			c->flags |= SOCK_CONN_ACTIVE | SOCK_CONN_INCALL;
			c->syn_ns = now;
		}
		return;
	}
	if (newstate == TCP_ESTABLISHED) {
		if (c) {
			if (!c->est_ns)
				c->est_ns = now;
			sock_endpoint(sk, false, &c->local);
			sock_endpoint(sk, true, &c->peer);
		} else if (oldstate == TCP_SYN_RECV) {
			/* server side, softirq: the owner is known at accept() */
			bpf_map_update_elem(&pending, &key, &now, BPF_ANY);
		}
		return;
	}
	if (newstate != TCP_CLOSE)
		return;
	if (!c) {
		bpf_map_delete_elem(&pending, &key);	/* never accepted */
		return;
	}
	c->close_ns = now;
	c->flags |= SOCK_CONN_CLOSED;
	if (!c->est_ns && (c->flags & SOCK_CONN_ACTIVE)) {
		__u32 err = BPF_CORE_READ(sk, sk_err);

		c->flags |= SOCK_CONN_FAILED;
		c->errors++;
		/* inside connect(): its return decides (connect_exit) */
		if (c->flags & SOCK_CONN_INCALL)
			bpf_map_update_elem(&connfail, &key, &err, BPF_ANY);
		else
			conn_event(c, SOCK_EV_CONNECT_ERROR, err ? err : 111);
	}
	if (c->local.port == 0)
		sock_endpoint(sk, false, &c->local);
	if (c->peer.family == 0)
		sock_endpoint(sk, true, &c->peer);
	c->srtt_us = BPF_CORE_READ((struct tcp_sock *)sk, srtt_us) >> 3;
	c->kernel_tx = BPF_CORE_READ((struct tcp_sock *)sk, bytes_acked);
	c->kernel_rx = BPF_CORE_READ((struct tcp_sock *)sk, bytes_received);
	if (bpf_ringbuf_output(&done, c, sizeof(*c), ps_rb_wakeup(&done, SOCK_DONE_RB_BYTES)))
		ps_stat_inc(PS_STAT_RB_DROP);
	bpf_map_delete_elem(&conns, &key);
}

static __always_inline void handle_retransmit(const struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct sock_conn *c = bpf_map_lookup_elem(&conns, &key);

	if (c) {
		__sync_fetch_and_add(&c->retrans, 1);
		conn_event(c, SOCK_EV_RETRANSMIT, 0);
	}
}

/* tp_btf variants (typed arguments, no tracefs); sys_enter/sys_exit are
 * used only when the per-syscall tracepoints below are not available */
SEC("tp_btf/sys_enter")
int BPF_PROG(sock_enter_btf, struct pt_regs *regs, long nr)
{
	return PS_RUN(enter_regs(regs, nr));
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sock_exit_btf, struct pt_regs *regs, long ret)
{
	return PS_RUN(handle_exit(ctx, ret));
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(sock_state_btf, const struct sock *sk, const int oldstate, const int newstate)
{
	return PS_RUN((handle_state(sk, oldstate, newstate), 0));
}

/*
 * tcp_retransmit_skb(sk, skb[, err]): where the kernel passes err it fires
 * for failed attempts too (-EBUSY while the first copy is still queued,
 * common on loopback); only err == 0 is a segment sent again.  The third
 * argument is read only where it exists (retrans_has_err, from BTF).
 */
static __always_inline int retransmit(__u64 *ctx)
{
	if (retrans_has_err && (int)ctx[2])
		return 0;
	handle_retransmit((const struct sock *)ctx[0]);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int sock_retrans_btf(__u64 *ctx)
{
	return PS_RUN(retransmit(ctx));
}

/* raw_tp fallbacks: same arguments, read as untyped u64s */
SEC("raw_tp/sys_enter")
int BPF_PROG(sock_enter_raw, struct pt_regs *regs, long nr)
{
	return PS_RUN(enter_regs(regs, nr));
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sock_exit_raw, struct pt_regs *regs, long ret)
{
	return PS_RUN(handle_exit(ctx, ret));
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(sock_state_raw, const struct sock *sk, const int oldstate, const int newstate)
{
	return PS_RUN((handle_state(sk, oldstate, newstate), 0));
}

SEC("raw_tp/tcp_retransmit_skb")
int sock_retrans_raw(__u64 *ctx)
{
	return PS_RUN(retransmit(ctx));
}

/*
 * Per-syscall tracepoints (preferred when tracefs is there): they run only
 * for the calls we follow, not for every syscall of the machine.  Userspace
 * attaches each program to the syscalls:sys_enter_NAME / sys_exit_NAME
 * tracepoint of several calls (the section names one of them): the records
 * share one layout, but a program may read no further into the record than
 * the shortest one it is attached to (the kernel refuses the attach with
 * EACCES), so the entry of the 6-argument calls whose address argument we
 * use, sendto and recvfrom, has a program of its own.
 */
struct syscall_enter_rec {
	__u64 common;		/* common_type, flags, preempt_count, pid */
	int nr;			/* __syscall_nr */
	__u32 pad;
	__u64 args[6];		/* as many as the call has */
};

struct syscall_exit_rec {
	__u64 common;
	int nr;
	__u32 pad;
	long ret;
};

/* read, write, readv, writev, recvmsg, sendmsg, recvmmsg, sendmmsg, connect,
 * accept, accept4: the fd and the message vector are in the first three */
static __always_inline int sock_enter_tp__run(struct syscall_enter_rec *ctx)
{
	__u16 call = call_wanted(ctx->nr);
	__u64 args[6] = {};

	if (call == SC_NONE)
		return 0;
	args[0] = ctx->args[0];
	args[1] = ctx->args[1];
	args[2] = ctx->args[2];
	return handle_enter(call, args);
}

SEC("tp/syscalls/sys_enter_read")
int sock_enter_tp(struct syscall_enter_rec *ctx)
{
	return PS_RUN(sock_enter_tp__run(ctx));
}

/* sendto, recvfrom: the address is args[4] */
static __always_inline int sock_enter_tp6__run(struct syscall_enter_rec *ctx)
{
	__u16 call = call_wanted(ctx->nr);

	return call == SC_NONE ? 0 : handle_enter(call, ctx->args);
}

SEC("tp/syscalls/sys_enter_sendto")
int sock_enter_tp6(struct syscall_enter_rec *ctx)
{
	return PS_RUN(sock_enter_tp6__run(ctx));
}

/* epoll_wait, poll, select and their variants: entry only */
SEC("tp/syscalls/sys_enter_epoll_wait")
int sock_wait_tp(void *ctx)
{
	return PS_RUN(tag_clear());
}

SEC("tp/syscalls/sys_exit_sendto")
int sock_exit_tp(struct syscall_exit_rec *ctx)
{
	return PS_RUN(handle_exit(ctx, ctx->ret));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
