// SPDX-License-Identifier: MIT
/*
 * A syscall storm next to bulk traffic, for test_sock_storm.sh:
 *   net_storm GOFILE PORT
 * tiny_writes() sends 2000 one-byte writes, bulk_writes() 8 writes of
 * 65536 bytes, both to a sink thread over loopback TCP.  The report must
 * name tiny_writes as the stack doing tiny writes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define TINY 2000
#define BULK 8
#define BULK_SIZE 65536

static int lfd;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *sink(void *arg)
{
	static char buf[1 << 16];
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		die("accept");
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return NULL;
}

/*
 * write() straight from tiny_writes and bulk_writes: libc's wrapper keeps no
 * frame pointer, which hides its caller from a frame-pointer walk; the
 * .eh_frame unwinder (record's default) finds it.
 */
__attribute__((noinline)) static void tiny_writes(int fd)
{
	char c = 'x';

	for (int i = 0; i < TINY; i++) {
		if (write(fd, &c, 1) != 1)
			die("tiny write");
	}
}

__attribute__((noinline)) static void bulk_writes(int fd)
{
	static char buf[BULK_SIZE];

	for (int i = 0; i < BULK; i++) {
		size_t off = 0;

		while (off < sizeof(buf)) {
			ssize_t w = write(fd, buf + off, sizeof(buf) - off);

			if (w <= 0)
				die("bulk write");
			off += w;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, fd;
	pthread_t th;

	if (argc != 3) {
		fprintf(stderr, "usage: net_storm GOFILE PORT\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (void *)&sa, sizeof(sa)) || listen(lfd, 8))
		die("listen");
	while (access(argv[1], F_OK))
		usleep(10000);
	pthread_create(&th, NULL, sink, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (void *)&sa, sizeof(sa)))
		die("connect");
	tiny_writes(fd);
	bulk_writes(fd);
	close(fd);
	pthread_join(th, NULL);
	usleep(200000);
	return 0;
}
