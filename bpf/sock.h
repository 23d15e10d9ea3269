/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Socket collector: keys and values shared by bpf/sock.bpf.c and
 * collectors/sock.c.  Everything is aggregated in the kernel:
 *   "traffic"  (thread, user stack, peer, ports, proto, path) -> bytes, messages, calls
 *   "errs"     (tgid, user stack, syscall, errno)             -> count
 *   "hist"     (tgid, proto, direction, log2 size)            -> count
 *   "conns"    struct sock * of a live TCP connection of a target -> struct sock_conn
 *   "events"   (tgid, kind, errno) -> count: retransmits, failed connects
 * and finished TCP connections travel to userspace through the "done" ring
 * buffer (one struct sock_conn per connection, at TCP_CLOSE).
 * docs/net.md describes what each number means.
 */
#ifndef PEERSCOPE_SOCK_H
#define PEERSCOPE_SOCK_H

#include "bpf/peerscope.h"
#include "bpf/hist.h"

/* Default map sizes; userspace may change them before load. */
#define SOCK_STACK_ENTRIES	8192	/* --unwind fp: every user stack goes there */
#define SOCK_TRAFFIC_ENTRIES	32768
#define SOCK_ERR_ENTRIES	4096
#define SOCK_CONN_ENTRIES	16384
#define SOCK_PENDING_ENTRIES	4096	/* accepted-side sockets waiting for accept() */
#define SOCK_INFLIGHT_ENTRIES	16384	/* threads inside a socket syscall */
#define SOCK_DONE_RB_BYTES	(256 * 1024)
#define SOCK_HIST_SLOTS		32	/* bpf/hist.h log2 buckets of syscall sizes */
#define SOCK_MMSG_MAX		16	/* messages of one sendmmsg/recvmmsg looked at */

/*
 * Port rules (--port, rules files' "port" lines) as the kernel side needs
 * them to give a served socket its path: the first rule whose protocol
 * matches and whose range holds the local or the remote port.
 */
#define SOCK_PORT_RULES_MAX	16

struct sock_port_rule {
	__u16 lo, hi;		/* inclusive, host order */
	__u8 proto;		/* 0 any, SOCK_PROTO_* */
	__u8 pad[3];
	__u32 path;
};

/*
 * Waiting on a peer's replies (docs/peers.md): the rules' "txn PATH = OFF:LEN"
 * lines say where the datagrams of a path carry their transaction id (LEN
 * bytes at OFF, at most 8).  A UDP send to a peer stores (tgid, path, peer,
 * txn) -> time in "reqs"; a datagram from that peer with the same txn is
 * its reply, and the time between adds to "peer_waits".  Indexed by path id.
 */
#define SOCK_REQ_ENTRIES	16384	/* requests in flight (LRU: unanswered ones age out) */
#define SOCK_WAIT_ENTRIES	4096	/* (tgid, path, peer) with replies */

struct sock_txn_rule {
	__u8 off;
	__u8 len;		/* 0: the path has no transaction id */
};

struct sock_wait_key {
	__u32 tgid;
	__u32 path;		/* the socket's path by the port rules */
	struct sock_addr peer;
};

struct sock_req_key {
	struct sock_wait_key w;
	__u64 txn;
};

struct sock_wait_val {
	__u64 wait_ns;		/* summed over replies */
	__u64 replies;
	__u64 max_ns;
};

/* Syscalls the collector follows (its own numbering: ABI-independent). */
enum sock_call {
	SC_NONE = 0,
	SC_READ, SC_READV, SC_RECVFROM, SC_RECVMSG, SC_RECVMMSG,
	SC_WRITE, SC_WRITEV, SC_SENDTO, SC_SENDMSG, SC_SENDMMSG,
	SC_CONNECT, SC_ACCEPT, SC_ACCEPT4, SC_CLOSE,
	SC_MAX,
};

enum sock_dir { SOCK_TX = 0, SOCK_RX = 1 };

/* Protocol numbers as in IP headers. */
#define SOCK_PROTO_TCP	6
#define SOCK_PROTO_UDP	17

/* struct sock_addr (an endpoint) is in bpf/peerscope.h: peers are shared. */

struct sock_traffic_key {
	__u32 tgid;
	__u32 tid;
	__s32 user_stack_id;	/* < 0: no stack */
	__u32 path;		/* thread's span path; userspace applies port rules when OTHER */
	__u32 serving;		/* sends: the peer the thread was serving (ps_thread_tag), else 0 */
	struct sock_addr peer;
	__u16 lport;		/* host order */
	__u8 proto;		/* SOCK_PROTO_* */
	__u8 pad;
	char comm[PS_TASK_COMM_LEN];
};

struct sock_traffic_val {
	__u64 tx_bytes, tx_msgs, tx_calls;
	__u64 rx_bytes, rx_msgs, rx_calls;
};

struct sock_err_key {
	__u32 tgid;
	__s32 user_stack_id;
	__u16 call;		/* enum sock_call */
	__u16 err;		/* positive errno */
	__u8 proto;
	__u8 pad[3];
};

struct sock_hist_key {
	__u32 tgid;
	__u8 proto;
	__u8 dir;		/* enum sock_dir */
	__u8 slot;		/* log2 bucket */
	__u8 pad;
};

/* Connection flags. */
#define SOCK_CONN_ACTIVE	0x1	/* we saw connect(): client side */
#define SOCK_CONN_PASSIVE	0x2	/* we saw accept(): server side */
#define SOCK_CONN_FAILED	0x4	/* closed before ESTABLISHED (refused, timed out) */
#define SOCK_CONN_CLOSED	0x8	/* reached TCP_CLOSE */
#define SOCK_CONN_INCALL	0x10	/* SYN_SENT inside a connect() that has not returned */

/*
 * Events counted as they happen ("events": key -> count), exact where the
 * connection records are not (a connection still open at a drain):
 *   SOCK_EV_RETRANSMIT     tcp:tcp_retransmit_skb on a target's connection
 *   SOCK_EV_CONNECT_ERROR  a connection attempt that failed, once each: a
 *                          connect() returning an error other than
 *                          EINPROGRESS, or a connection of a target that
 *                          closed before ESTABLISHED after its connect()
 *                          returned (non-blocking); err is the errno
 */
enum sock_event { SOCK_EV_RETRANSMIT = 0, SOCK_EV_CONNECT_ERROR, SOCK_EV_MAX };

/*
 * An event's connection is placed in a path as its traffic is: the span
 * path of the thread that connected or last sent on it, else (userspace)
 * the port rules over its ports.  Only the service end's port is kept, so
 * that the key does not grow with every ephemeral port: the peer's for a
 * connection we made (lport 0), ours for one we accepted (rport 0); both
 * for a connection of unknown side (open before the recording started).
 */
struct sock_event_key {
	__u32 tgid;
	__u16 kind;		/* enum sock_event */
	__u16 err;		/* positive errno (connect errors), else 0 */
	__u32 path;		/* span path of the connecting/sending thread, else PS_PATH_OTHER */
	__u16 lport, rport;	/* host order; 0: not kept */
	__u8 proto;		/* SOCK_PROTO_* */
	__u8 pad[3];
};

#define SOCK_EVENT_ENTRIES	4096
#define SOCK_CONNFAIL_ENTRIES	1024	/* failed inside connect(), not returned yet */

struct sock_conn {
	__u64 sk;		/* kernel address, identity only */
	__u32 tgid;
	__u32 flags;
	struct sock_addr local, peer;
	__u64 tx_bytes, rx_bytes, tx_msgs, rx_msgs;
	__u64 syn_ns;		/* SYN_SENT seen (client) */
	__u64 est_ns;		/* ESTABLISHED */
	__u64 accept_ns;	/* accept() returned it (server) */
	__u64 close_ns;		/* TCP_CLOSE */
	__u64 first_ns;		/* first sight by the collector */
	__u32 retrans;		/* tcp:tcp_retransmit_skb hits */
	__u32 errors;		/* failed syscalls on it + failed connect */
	__u32 srtt_us;		/* smoothed RTT at close (or last syscall) */
	__u32 last_err;		/* errno of the last failure */
	__u64 kernel_tx;	/* tcp_sock bytes_acked at close (what tcplife reports) */
	__u64 kernel_rx;	/* tcp_sock bytes_received at close */
	__u32 path;		/* span path of the thread that connected, accepted or last sent in one */
	__u32 pad;
};

#endif /* PEERSCOPE_SOCK_H */
