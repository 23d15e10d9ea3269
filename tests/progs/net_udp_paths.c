// SPDX-License-Identifier: MIT
/*
 * UDP lock step where only the sends show the protocol's code, for
 * test_paths_socket.sh:
 *   net_udp_paths GOFILE PORT COUNT SIZE
 * Socket A (PORT) and B (PORT+1) on 127.0.0.1, one thread.  Each round A
 * sends a query from dht_send_query, B receives it in loop_recv and
 * answers from dht_send_reply, A receives the answer in loop_recv: the
 * way an event loop receives a datagram before the protocol's callback
 * runs (libuv's uv__udp_io, then udx).  Per socket: COUNT datagrams of
 * SIZE bytes sent and as many received.
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
 * The libc wrappers keep no frame pointer, which hides their direct
 * caller in frame-pointer stacks: the named functions call them through
 * these, so that the stacks show dht_send_* and loop_recv.
 */
__attribute__((noinline)) static void xsend(int fd, const struct sockaddr_in *to, char *buf)
{
	if (sendto(fd, buf, size, 0, (const void *)to, sizeof(*to)) != size)
		die("sendto");
}

__attribute__((noinline)) static void xrecv(int fd, char *buf)
{
	if (recvfrom(fd, buf, size, 0, NULL, NULL) != size)
		die("recvfrom");
}

__attribute__((noinline)) void dht_send_query(int fd, const struct sockaddr_in *to, char *buf)
{
	xsend(fd, to, buf);
}

__attribute__((noinline)) void dht_send_reply(int fd, const struct sockaddr_in *to, char *buf)
{
	xsend(fd, to, buf);
}

/* No rule matches here: only the socket says whose datagram this is. */
__attribute__((noinline)) void loop_recv(int fd, char *buf)
{
	xrecv(fd, buf);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a, b;
	int fa, fb, port, count;
	char *buf;

	if (argc != 5) {
		fprintf(stderr, "usage: net_udp_paths GOFILE PORT COUNT SIZE\n");
		return 2;
	}
	port = atoi(argv[2]);
	fa = udp_socket(port, &a);
	fb = udp_socket(port + 1, &b);
	count = atoi(argv[3]);
	size = atoi(argv[4]);
	buf = calloc(1, size);
	if (!buf)
		die("calloc");
	while (access(argv[1], F_OK))
		usleep(10000);
	for (int i = 0; i < count; i++) {
		dht_send_query(fa, &b, buf);
		loop_recv(fb, buf);
		dht_send_reply(fb, &a, buf);
		loop_recv(fa, buf);
	}
	close(fa);
	close(fb);
	free(buf);
	usleep(200000);
	return 0;
}
