/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Socket endpoints for bpf/sock.bpf.c: the struct sock behind an fd, its
 * protocol, its local and remote endpoints, and a sockaddr read from user
 * memory, all as struct sock_addr (IPv4 stored IPv4-mapped).
 */
#ifndef PEERSCOPE_SOCK_ADDR_BPF_H
#define PEERSCOPE_SOCK_ADDR_BPF_H

#include "bpf/sock.h"

#define AF_INET		2
#define AF_INET6	10
#define S_IFMT		00170000
#define S_IFSOCK	0140000

/* The struct sock behind fd of the current task, NULL if fd is no socket. */
static __always_inline struct sock *sock_of_fd(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;
	struct socket *socket;
	umode_t mode;

	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	socket = BPF_CORE_READ(file, private_data);
	return socket ? BPF_CORE_READ(socket, sk) : NULL;
}

/* TCP or UDP over IPv4/IPv6, else 0 (unix, netlink, raw... are skipped). */
static __always_inline __u8 proto_of(const struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 proto = BPF_CORE_READ(sk, sk_protocol);

	if (family != AF_INET && family != AF_INET6)
		return 0;
	return proto == SOCK_PROTO_TCP || proto == SOCK_PROTO_UDP ? proto : 0;
}

static __always_inline void v4_mapped(__u8 *dst, __u32 be_addr)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &be_addr, 4);
}

/* The sock's remote (peer=true) or local endpoint. */
static __always_inline void sock_endpoint(const struct sock *sk, bool peer, struct sock_addr *a)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	a->family = family;
	if (family == AF_INET) {
		v4_mapped(a->addr, peer ? BPF_CORE_READ(sk, __sk_common.skc_daddr)
					: BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
	} else {
		if (peer)
			BPF_CORE_READ_INTO(a->addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		else
			BPF_CORE_READ_INTO(a->addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
	}
	a->port = peer ? bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport))
		       : BPF_CORE_READ(sk, __sk_common.skc_num);
	if (peer && !a->port)
		a->family = 0;	/* not connected */
}

/* A sockaddr in user memory; false if absent or unreadable. */
static __always_inline bool user_sockaddr(const void *uaddr, struct sock_addr *a)
{
	struct sockaddr_in6 sa6;
	__u16 family;

	if (!uaddr || bpf_probe_read_user(&family, sizeof(family), uaddr))
		return false;
	if (family == AF_INET) {
		struct sockaddr_in sa;

		if (bpf_probe_read_user(&sa, sizeof(sa), uaddr))
			return false;
		v4_mapped(a->addr, sa.sin_addr.s_addr);
		a->port = bpf_ntohs(sa.sin_port);
	} else if (family == AF_INET6) {
		if (bpf_probe_read_user(&sa6, sizeof(sa6), uaddr))
			return false;
		__builtin_memcpy(a->addr, sa6.sin6_addr.in6_u.u6_addr8, 16);
		a->port = bpf_ntohs(sa6.sin6_port);
	} else {
		return false;
	}
	a->family = family;
	return true;
}

#endif /* PEERSCOPE_SOCK_ADDR_BPF_H */
