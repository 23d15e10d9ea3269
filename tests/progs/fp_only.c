// SPDX-License-Identifier: MIT
/*
 * A program the unwinder has no table for: built static and without
 * .eh_frame (the Makefile strips it), with frame pointers.  Its user stacks
 * are frame-pointer walks, which sock and offcpu keep in the unwinder's
 * store (tests/integration/test_unwind_fp_store.sh).  send_one() calls
 * sendto() and nap() nanosleep() every 2 ms for -d seconds.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) static void send_one(int fd, const struct sockaddr_in *to)
{
	char buf[64] = { 0 };

	sendto(fd, buf, sizeof(buf), 0, (const struct sockaddr *)to, sizeof(*to));
}

__attribute__((noinline)) static void nap(void)
{
	struct timespec ts = { 0, 2000000 };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int secs = argc > 2 && !strcmp(argv[1], "-d") ? atoi(argv[2]) : 10;
	time_t end = time(NULL) + secs;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return 1;
	while (time(NULL) < end) {
		send_one(fd, &to);
		nap();
	}
	return 0;
}
