/* SPDX-License-Identifier: MIT */
/*
 * What the UDP test programs share: a socket bound to 127.0.0.1:PORT, and
 * dying with the failed call's name.  Header-only: each program is built
 * from its one .c file (Makefile, $(BUILD)/progs/%).
 */
#ifndef PEERSCOPE_TEST_UDP_LOOPBACK_H
#define PEERSCOPE_TEST_UDP_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* A UDP socket bound to 127.0.0.1:port, its address in *sa. */
static int udp_socket(int port, struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (void *)sa, sizeof(*sa)))
		die("bind");
	return fd;
}

#endif /* PEERSCOPE_TEST_UDP_LOOPBACK_H */
