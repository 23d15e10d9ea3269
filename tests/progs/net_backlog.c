// SPDX-License-Identifier: MIT
/*
 * Connect latency made visible, for test_sock_latency.sh:
 *   net_backlog GOFILE PORT DELAY_MS
 * The listener has backlog 0 and accepts nothing for DELAY_MS.  The first
 * connect completes at once (the handshake finishes in the kernel) and
 * waits DELAY_MS in the accept queue; the second finds the accept queue
 * full, its SYN is dropped, and it completes only after the SYN retransmit
 * (about 1 s later): connect latency >= 1 s with one retransmit.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int lfd, delay_ms;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

__attribute__((noinline)) static void *slow_acceptor(void *arg)
{
	int fd[2];

	usleep(delay_ms * 1000);
	for (int i = 0; i < 2; i++) {
		fd[i] = accept(lfd, NULL, NULL);
		if (fd[i] < 0)
			die("accept");
	}
	for (int i = 0; i < 2; i++)
		close(fd[i]);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, fd[2];
	pthread_t th;

	if (argc != 4) {
		fprintf(stderr, "usage: net_backlog GOFILE PORT DELAY_MS\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	delay_ms = atoi(argv[3]);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (void *)&sa, sizeof(sa)) || listen(lfd, 0))
		die("listen");
	while (access(argv[1], F_OK))
		usleep(10000);
	pthread_create(&th, NULL, slow_acceptor, NULL);
	for (int i = 0; i < 2; i++) {
		fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(fd[i], (void *)&sa, sizeof(sa)))
			die("connect");
	}
	pthread_join(th, NULL);
	for (int i = 0; i < 2; i++)
		close(fd[i]);
	usleep(200000);
	return 0;
}
