// SPDX-License-Identifier: MIT
/*
 * UDP ping-pong with exact datagram counts, for test_sock_udp.sh:
 *   net_udp GOFILE PORT_A PORT_B COUNT SIZE
 * Socket A (PORT_A) and B (PORT_B) on 127.0.0.1, one thread, lock step.
 * Each round A sends one datagram of SIZE bytes to B and B answers with one,
 * through three syscall families in turn: sendto/recvfrom, sendmsg/recvmsg,
 * and sendmmsg/recvmmsg (one message each).  Per direction: COUNT datagrams
 * and COUNT*SIZE bytes; peer 127.0.0.1:PORT_B for A's, :PORT_A for B's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "udp-loopback.h"

static int size;

/*
 * One datagram from fd to `to`, received on rfd, by call family `how`.
 * The libc wrappers keep no frame pointer, which hides their direct caller
 * in frame-pointer stacks: dht_exchange calls them through udp_xfer.
 */
__attribute__((noinline)) static void udp_xfer(int fd, const struct sockaddr_in *to, int rfd,
						   int how, char *buf)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = { .msg_name = (void *)to, .msg_namelen = sizeof(*to),
			      .msg_iov = &iov, .msg_iovlen = 1 };
	struct mmsghdr mm = { .msg_hdr = msg };
	ssize_t r;

	switch (how) {
	case 0:
		if (sendto(fd, buf, size, 0, (const void *)to, sizeof(*to)) != size)
			die("sendto");
		r = recvfrom(rfd, buf, size, 0, (void *)&from, &fl);
		break;
	case 1:
		if (sendmsg(fd, &msg, 0) != size)
			die("sendmsg");
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		r = recvmsg(rfd, &msg, 0);
		break;
	default:
		if (sendmmsg(fd, &mm, 1, 0) != 1)
			die("sendmmsg");
		mm.msg_hdr.msg_name = &from;
		mm.msg_hdr.msg_namelen = sizeof(from);
		r = recvmmsg(rfd, &mm, 1, 0, NULL) == 1 ? (ssize_t)mm.msg_len : -1;
		break;
	}
	if (r != size)
		die("receive");
}

__attribute__((noinline)) static void dht_exchange(int fd, const struct sockaddr_in *to, int rfd,
						   int how, char *buf)
{
	udp_xfer(fd, to, rfd, how, buf);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a, b;
	int fa, fb, count;
	char *buf;

	if (argc != 6) {
		fprintf(stderr, "usage: net_udp GOFILE PORT_A PORT_B COUNT SIZE\n");
		return 2;
	}
	fa = udp_socket(atoi(argv[2]), &a);
	fb = udp_socket(atoi(argv[3]), &b);
	count = atoi(argv[4]);
	size = atoi(argv[5]);
	buf = calloc(1, size);
	while (access(argv[1], F_OK))
		usleep(10000);
	for (int i = 0; i < count; i++) {
		dht_exchange(fa, &b, fb, i % 3, buf);
		dht_exchange(fb, &a, fa, i % 3, buf);
	}
	close(fa);
	close(fb);
	free(buf);
	usleep(200000);
	return 0;
}
