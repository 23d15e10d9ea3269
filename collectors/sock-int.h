/* SPDX-License-Identifier: MIT */
/*
 * The sock collector's private state, shared by its files: sock.c (choose
 * the syscall hooks, load, attach, reset, close) and sock-drain.c (read its
 * maps into samples and records).  Not for other code.
 */
#ifndef PEERSCOPE_SOCK_INT_H
#define PEERSCOPE_SOCK_INT_H

#include <stddef.h>

#include "core/ports.h"

struct bpf_link;
struct collector;
struct profile;
struct record_opts;
struct ring_buffer;
struct sock;
struct sock_conn;
struct unwinder;

/*
 * Where the syscalls come from, best first: the per-syscall tracepoints run
 * only for the calls followed; sys_enter/sys_exit run for every syscall of
 * the machine (~0.3 us each just to filter).
 */
enum sock_sys {
	SOCK_SYS_TP,		/* tp/syscalls/sys_{enter,exit}_NAME, needs tracefs */
	SOCK_SYS_BTF,		/* tp_btf/sys_{enter,exit} */
	SOCK_SYS_RAW,		/* raw_tp/sys_{enter,exit} */
};

/* tracepoint links with SOCK_SYS_TP: entry and exit of 13 calls, entry of 7 waits */
#define SOCK_TP_LINKS	(2 * 13 + 7)

struct sock_priv {
	struct sock *skel;
	enum sock_sys sys;
	struct bpf_link *tp_links[SOCK_TP_LINKS];	/* SOCK_SYS_TP */
	const struct record_opts *opts;
	struct unwinder *unw;		/* shared (sm->unw); NULL: frame pointers only */
	struct ring_buffer *rb;
	struct sock_conn *done;		/* finished connections from the ring buffer */
	size_t nr_done, cap_done;
	struct port_rules rules;
};

/* Each reads one kind of map into p (docs/format.md); 0 or a negative errno. */
int sock__drain_traffic(struct collector *c, struct profile *p);	/* tx/rx samples */
int sock__drain_conns(struct collector *c, struct profile *p);	/* conn records */
int sock__drain_hist(struct collector *c, struct profile *p);	/* sockhist records */
int sock__drain_errs(struct collector *c, struct profile *p);	/* sockerr records */
int sock__drain_events(struct collector *c, struct profile *p);	/* sockevent records */

#endif /* PEERSCOPE_SOCK_INT_H */
