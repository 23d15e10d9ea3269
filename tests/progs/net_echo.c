// SPDX-License-Identifier: MIT
/*
 * TCP ping-pong on loopback with exact counts, for test_sock_known.sh:
 *   net_echo GOFILE PORT COUNT SIZE
 * waits until GOFILE exists (the recorder is attached), then the client
 * (client_ping, main thread) writes SIZE bytes COUNT times and reads each
 * echo back; the server thread (server_echo) reads and writes back.  Lock
 * step, so every write and every read moves exactly SIZE bytes:
 *   client tx = server rx = server tx = client rx = COUNT*SIZE bytes,
 *   COUNT messages each way.
 * Prints "pingpong COUNT rounds in NS ns" on stdout (bench/sock-overhead.sh).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int count, size, lfd;

static void wait_go(const char *file)
{
	while (access(file, F_OK))
		usleep(10000);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

__attribute__((noinline)) static ssize_t read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r <= 0)
			return r;
		got += r;
	}
	return got;
}

/*
 * write() straight from the functions test_sock_known.sh names: libc's
 * wrapper keeps no frame pointer, which hides its caller from a
 * frame-pointer walk; the .eh_frame unwinder (record's default) finds it.
 */
__attribute__((noinline)) static void server_echo(int fd, char *buf)
{
	for (int i = 0; i < count; i++) {
		if (read_full(fd, buf, size) != size)
			die("server read");
		if (write(fd, buf, size) != size)
			die("server write");
	}
}

static void *server(void *arg)
{
	char *buf = malloc(size);
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		die("accept");
	server_echo(fd, buf);
	/* wait for the client's FIN so both sides close in order */
	while (read(fd, buf, size) > 0)
		;
	close(fd);
	free(buf);
	return NULL;
}

__attribute__((noinline)) static void client_ping(int fd, char *buf)
{
	for (int i = 0; i < count; i++) {
		if (write(fd, buf, size) != size)
			die("client write");
		if (read_full(fd, buf, size) != size)
			die("client read");
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, fd;
	struct timespec t0, t1;
	pthread_t th;
	char *buf;

	if (argc != 5) {
		fprintf(stderr, "usage: net_echo GOFILE PORT COUNT SIZE\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	count = atoi(argv[3]);
	size = atoi(argv[4]);
	buf = calloc(1, size);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (void *)&sa, sizeof(sa)) || listen(lfd, 8))
		die("listen");
	wait_go(argv[1]);
	pthread_create(&th, NULL, server, NULL);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (void *)&sa, sizeof(sa)))
		die("connect");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	client_ping(fd, buf);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("pingpong %d rounds in %lld ns\n", count,
	       (t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec);
	fflush(stdout);
	shutdown(fd, SHUT_WR);
	pthread_join(th, NULL);
	close(fd);
	close(lfd);
	free(buf);
	/* linger so the recorder sees the final state changes before exit */
	usleep(200000);
	return 0;
}
