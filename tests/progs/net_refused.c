// SPDX-License-Identifier: MIT
/*
 * Connects COUNT times to a closed loopback port, for test_sock_errors.sh:
 *   net_refused GOFILE PORT COUNT [NONBLOCKING HOLD_MS]
 * Every blocking connect() fails with ECONNREFUSED; then NONBLOCKING
 * non-blocking connects (EINPROGRESS, then refused: SO_ERROR) and 50
 * non-blocking reads on an idle UDP socket fail with EAGAIN (a small EAGAIN
 * storm); then it stays HOLD_MS (default 200) before exiting.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define EAGAINS 50

__attribute__((noinline)) static int refused_connect(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int ok = connect(fd, (const void *)sa, sizeof(*sa)) < 0 && errno == ECONNREFUSED;

	close(fd);
	return ok;
}

/* EINPROGRESS, then the refusal arrives on the socket (SO_ERROR). */
__attribute__((noinline)) static int refused_nonblocking(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0;
	socklen_t len = sizeof(err);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int ok = connect(fd, (const void *)sa, sizeof(*sa)) < 0 &&
		 (errno == EINPROGRESS || errno == ECONNREFUSED);

	if (ok && errno == EINPROGRESS) {
		poll(&pfd, 1, 2000);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		ok = err == ECONNREFUSED;
	}
	close(fd);
	return ok;
}

__attribute__((noinline)) static int eagain_reads(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), n = 0;
	char c;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (void *)&sa, sizeof(sa));
	for (int i = 0; i < EAGAINS; i++)
		n += recv(fd, &c, 1, 0) < 0 && errno == EAGAIN;
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int count, nonblocking, hold_ms, refused = 0;

	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: net_refused GOFILE PORT COUNT [NONBLOCKING HOLD_MS]\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	count = atoi(argv[3]);
	nonblocking = argc == 6 ? atoi(argv[4]) : 0;
	hold_ms = argc == 6 ? atoi(argv[5]) : 200;
	while (access(argv[1], F_OK))
		usleep(10000);
	for (int i = 0; i < count; i++)
		refused += refused_connect(&sa);
	for (int i = 0; i < nonblocking; i++)
		refused += refused_nonblocking(&sa);
	if (refused != count + nonblocking || eagain_reads() != EAGAINS) {
		fprintf(stderr, "net_refused: unexpected results\n");
		return 1;
	}
	printf("done\n");
	fflush(stdout);
	usleep(hold_ms * 1000);
	return 0;
}
