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
 *
 *   net_udp_paths GOFILE PORT COUNT SIZE BURN_US
 * The same rounds as an event loop runs them, for test_paths_socket_cpu.sh:
 * the thread waits in poll() before each receive, handles each datagram
 * it received in handle_msg (BURN_US of CPU, no rule matches: only the
 * socket it serves says whose work it is), then, after a poll() that finds
 * nothing new, runs tick_work (2 * BURN_US of CPU, a timer's work, serving
 * no one).  Per round as much CPU in handle_msg as in tick_work.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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

static long thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* us of this thread's CPU time, spent here (not in a callee) */
static void burn(long us)
{
	long end = thread_cpu_us() + us;
	volatile unsigned long x = 0;

	while (thread_cpu_us() < end)
		for (int i = 0; i < 1000; i++)
			x += i;
}

/* An event loop's wait for new work; fd -1: a check that finds none. */
__attribute__((noinline)) static void loop_wait(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, fd >= 0, fd >= 0 ? -1 : 0) < 0)
		die("poll");
}

__attribute__((noinline)) void handle_msg(long us)
{
	burn(us);
}

__attribute__((noinline)) void tick_work(long us)
{
	burn(us);
}

/* One round of the event-loop form (see the head of the file). */
static void serve_round(int fa, int fb, const struct sockaddr_in *a, const struct sockaddr_in *b,
			char *buf, long us)
{
	dht_send_query(fa, b, buf);
	loop_wait(fb);
	loop_recv(fb, buf);
	handle_msg(us);
	dht_send_reply(fb, a, buf);
	loop_wait(fa);
	loop_recv(fa, buf);
	handle_msg(us);
	loop_wait(-1);
	tick_work(2 * us);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a, b;
	int fa, fb, port, count;
	long us = 0;
	char *buf;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: net_udp_paths GOFILE PORT COUNT SIZE [BURN_US]\n");
		return 2;
	}
	if (argc == 6)
		us = atol(argv[5]);
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
	for (int i = 0; i < count && us > 0; i++)
		serve_round(fa, fb, &a, &b, buf, us);
	for (int i = 0; i < count && us <= 0; i++) {
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
