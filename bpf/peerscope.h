/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ABI shared by every BPF program and its userspace collector: limits,
 * enums and the maps that all programs share (target set, per-thread path).
 * Per-collector keys and values live in bpf/<collector>.h beside it.
 *
 * Included by BPF code (after vmlinux.h, so __u32 etc. exist) and by
 * userspace (after <linux/types.h>).
 */
#ifndef PEERSCOPE_BPF_ABI_H
#define PEERSCOPE_BPF_ABI_H

#define PS_MAX_STACK_DEPTH	127
#define PS_TASK_COMM_LEN	16
#define PS_MAX_TARGETS		64	/* traced processes (tgids) */
#define PS_MAX_THREADS		65536	/* per-thread state entries */

/*
 * Paths: work of a P2P node is attributed to one of these.  The id travels in
 * BPF keys; the names live in userspace (core/rules).  Ids above
 * PS_PATH_BOOTSTRAP are free for user-defined paths.
 */
enum ps_path {
	PS_PATH_OTHER = 0,
	PS_PATH_DHT = 1,
	PS_PATH_GOSSIP = 2,
	PS_PATH_BOOTSTRAP = 3,
	PS_PATH_MAX = 16,
};

/* Why a thread was off CPU (docs/offcpu.md has the rules). */
enum ps_reason {
	PS_REASON_OTHER = 0,
	PS_REASON_LOCK,
	PS_REASON_NET,
	PS_REASON_TIMER,
	PS_REASON_IO,
	PS_REASON_FAULT,
	PS_REASON_RUNQ,
	PS_REASON_MAX,
};

/*
 * Shared map "ps_targets": key __u32 tgid, value __u32 flags (unused, 1).
 * Every program returns early unless the current tgid is in it, so threads
 * created after attach are covered without any userspace work.
 */

/*
 * Shared map "ps_thread_path": key __u32 tid.  Set by span programs while a
 * thread is inside a span (uprobe/USDT start .. done); read by every other
 * program to label its events with the path.
 */
struct ps_thread_path {
	__u32 path;		/* enum ps_path or a user path id */
	__u32 depth;		/* nesting of spans of this thread */
	__u64 span_id;		/* operation id (lookup id, message id), 0 if none */
	__u64 start_ns;		/* bpf_ktime_get_ns() at span start */
};

/*
 * Serving peer (docs/peers.md).  Shared map "ps_thread_tag": key __u32 tid.
 * Written by the sock programs when a target thread receives from a socket
 * (the datagram's source, the connection's remote end), deleted when the
 * thread next blocks waiting for new work (epoll_wait, poll, select...) and
 * replaced when it reads from another peer.  A receive's entry already
 * names the socket (proto, lport) with no peer yet: the receive itself is
 * that socket's work too.  Read by every collector to label its events
 * with the peer and socket being served and, when no span says otherwise,
 * the path the port rules give that socket.
 */
struct ps_thread_tag {
	__u32 peer;		/* PS_PEER_* or an id in "ps_peers" */
	__u8 path;		/* path of the socket by the port rules, PS_PATH_OTHER if none */
	__u8 proto;		/* the socket's IP protocol (6 tcp, 17 udp), 0 none */
	__u16 lport;		/* the socket's local port, 0 none */
};

/*
 * Value of "ps_thread_tag".  A thread that reads from a socket and then
 * wakes a thread of its process (a worker-pool hand-off) passes the tag on:
 * the woken thread holds it, inherited, until it next blocks (the offcpu
 * programs do both).  Inherited tags are not passed on again.
 */
struct ps_tag_state {
	struct ps_thread_tag tag;
	__u32 inherited;
	__u32 pad;
};

/*
 * An endpoint: IPv4 addresses are stored IPv4-mapped (::ffff:a.b.c.d).
 */
struct sock_addr {
	__u8 addr[16];
	__u16 port;		/* host order; 0 = unknown */
	__u16 family;		/* AF_INET, AF_INET6, 0 = unknown */
};

/*
 * The peer table (docs/peers.md, "Bounded peers"): a space-saving table of
 * PS_MAX_PEERS slots kept by cost.  Shared map "ps_peer_slots" (array,
 * index = slot) holds each named peer; shared map "ps_peers" (hash, key
 * struct sock_addr, value __u32 id) finds a peer's id.  An id is
 * (sequence << PS_PEER_SLOT_BITS) | slot: the sequence grows with every
 * insertion and is never reused, so an id stamped on an event names the
 * peer that held the slot then; once the slot is given to another peer the
 * old id is "other peers".  cost counts what a peer made us do (one per
 * message received from it, one per cpu sample taken while serving it);
 * err is the cost the peer inherited when it took the slot (space-saving's
 * overestimate: its true cost is between cost - err and cost).
 */
#define PS_PEER_SLOT_BITS	10
#define PS_MAX_PEERS		(1u << PS_PEER_SLOT_BITS)
#define PS_PEER_SLOT(id)	((id) & (PS_MAX_PEERS - 1))
#define PS_PEER_SEQ_MAX		((1u << (32 - PS_PEER_SLOT_BITS)) - 1)
enum {
	PS_PEER_NONE = 0,	/* not serving anyone */
	PS_PEER_OTHER = 1,	/* evicted, or the sequence ran out */
};

#define PS_PEER_F_NODE_ID	0x1	/* node_id holds the node's own id of the peer */

struct ps_peer {
	struct sock_addr addr;
	__u32 id;		/* 0: free slot */
	__u32 flags;		/* PS_PEER_F_* */
	__u64 msgs;		/* messages received since it took the slot */
	__u64 bytes;
	__u64 cost;		/* space-saving counter */
	__u64 err;		/* cost inherited at insertion */
	__u64 node_id;		/* from a peer probe's id argument (rules "peer" lines) */
};

/* Shared map "ps_peer_ctl" (one entry): the peer table's bookkeeping. */
struct ps_peer_ctl {
	__u64 seq;		/* insertions so far (ids handed out) */
	__u64 claimed;		/* free slots claimed (stops counting past the slots in use) */
	__u64 evictions;	/* insertions that took a slot from another peer */
	__u64 other_msgs;	/* messages that went to "other peers" */
	__u64 other_bytes;
};

/*
 * Every collector keeps a per-CPU array "stats" of __u64 counters indexed by
 * this enum, so that drops are counted and reported, never hidden.
 */
enum ps_stat {
	PS_STAT_EVENTS = 0,	/* events handled for targets */
	PS_STAT_STACK_ERR_USER,	/* bpf_get_stackid failed (collision/-ENOMEM) for user stack */
	PS_STAT_STACK_ERR_KERN,	/* same, kernel stack */
	PS_STAT_MAP_FULL,	/* aggregation map had no room for a new key */
	PS_STAT_RB_DROP,	/* ring buffer reservation failed */
	PS_STAT_OTHER_DROP,	/* anything else lost (collector-specific) */
	PS_STAT_RUN_NS,		/* nanoseconds the object's programs ran (PS_RUN) */
	PS_STAT_RUNS,		/* and how many times they ran */
	PS_STAT_MAX,
};

/*
 * Stack reuse at call sites (bpf/site-memo.bpf.h): the collectors that walk
 * a stack per system call (offcpu at blocks and wakes, sock at sends and
 * receives) keep the stacks found at each site in an LRU "sites" cache and
 * count in a per-CPU array "memo_stats" indexed by this enum.
 */
#define PS_SITE_ENTRIES		8192
#define PS_MEMO_REFRESH		16	/* walk again at one reuse in 16, to check */

enum ps_memo_stat {
	PS_MEMO_REUSED = 0,	/* stacks taken from "sites" */
	PS_MEMO_WALKED,		/* stacks walked (no site, first use, check, varies) */
	PS_MEMO_VARIED,		/* a check walk disagreed: site marked varies */
	PS_MEMO_NOSITE,		/* of the walked: no site to key (preemption, fault, kthread) */
	PS_MEMO_STAT_MAX,
};

#endif /* PEERSCOPE_BPF_ABI_H */
