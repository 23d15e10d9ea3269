// SPDX-License-Identifier: MIT
/*
 * Syscalls made straight from known functions, for test_unwind_sock.sh:
 *   unwind_syscalls SECONDS
 * Built with frame pointers (Makefile PROG_CFLAGS), but libc's syscall
 * wrappers keep none, so a frame-pointer walk taken inside the syscall
 * (at sys_exit, at sched_switch) goes from the wrapper straight to the
 * caller's caller and skips these functions:
 *   send_known   send() of a 32-byte datagram over loopback UDP, every ~2 ms
 *                (sock collector: tx stacks)
 *   send_twin    the same, in the other ~1 ms slots: its send() enters the
 *                kernel with exactly send_known's registers, which the
 *                sock collector's per-site stack reuse must tell apart
 *   recv_known   recv() of those datagrams, blocked between them, in its
 *                own thread (offcpu collector: blocked stacks, reason net)
 *   mmap_known   mmap() + munmap() of 64 KiB after each send
 *                (alloc collector, --alloc: alloc stacks)
 * Runs SECONDS seconds (default 10), then prints "sent N received N".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG_SIZE	32
#define MAP_BYTES	(64 * 1024)

static volatile int stop;
static long received;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

__attribute__((noinline)) static void recv_known(int fd)
{
	char buf[MSG_SIZE];

	while (!stop) {
		if (recv(fd, buf, sizeof(buf), 0) > 0)
			received++;
	}
}

static void *receiver(void *arg)
{
	recv_known(*(int *)arg);
	return NULL;
}

__attribute__((noinline)) static long send_known(int fd)
{
	static const char msg[MSG_SIZE] = "unwind_syscalls";

	return send(fd, msg, sizeof(msg), 0);
}

/* send_known's twin: same frame, same registers at the syscall (not folded into it: other data) */
__attribute__((noinline)) static long send_twin(int fd)
{
	static const char msg[MSG_SIZE] = "unwind_syscalls twin";

	return send(fd, msg, sizeof(msg), 0);
}

__attribute__((noinline)) static void mmap_known(void)
{
	void *p = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	munmap(p, MAP_BYTES);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	socklen_t len = sizeof(sa);
	double secs = argc > 1 ? atof(argv[1]) : 10;
	struct timespec t0, now;
	long sent = 0;
	pthread_t th;
	int rfd, sfd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rfd = socket(AF_INET, SOCK_DGRAM, 0);
	sfd = socket(AF_INET, SOCK_DGRAM, 0);
	if (rfd < 0 || sfd < 0)
		die("socket");
	/* a timeout, so that the receiver sees stop even if a datagram is lost */
	if (setsockopt(rfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(rfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(rfd, (struct sockaddr *)&sa, &len) ||
	    connect(sfd, (struct sockaddr *)&sa, sizeof(sa)))
		die("udp setup");
	if (pthread_create(&th, NULL, receiver, &rfd))
		die("pthread_create");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if ((sent & 1 ? send_twin(sfd) : send_known(sfd)) == MSG_SIZE)
			sent++;
		mmap_known();
		usleep(1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	stop = 1;
	pthread_join(th, NULL);
	printf("sent %ld received %ld\n", sent, received);
	return 0;
}
