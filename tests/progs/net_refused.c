// SPDX-License-Identifier: MIT
/*
 * Connects COUNT times to a closed loopback port, for test_sock_errors.sh:
 *   net_refused GOFILE PORT COUNT
 * Every blocking connect() fails with ECONNREFUSED; then 50 non-blocking
 * reads on an idle UDP socket fail with EAGAIN (a small EAGAIN storm).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
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
	int count, refused = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: net_refused GOFILE PORT COUNT\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	count = atoi(argv[3]);
	while (access(argv[1], F_OK))
		usleep(10000);
	for (int i = 0; i < count; i++)
		refused += refused_connect(&sa);
	if (refused != count || eagain_reads() != EAGAINS) {
		fprintf(stderr, "net_refused: unexpected results\n");
		return 1;
	}
	usleep(200000);
	return 0;
}
