// SPDX-License-Identifier: GPL-2.0
/*
 * conn.c - dialling a peer: blocking connect, then the hello exchange.
 *
 * Used by the bootstrap thread and the mesh keeper, which may block; the
 * event loop never dials.  Read exactly one frame so that gossip the peer
 * sends right after its ack stays in the socket for the loop.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "node.h"

int conn_tune(int fd)
{
	int one = 1;

	/* Frames are small and latency is what we measure: no Nagle. */
	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void conn_make_hello(struct hello *h, uint8_t flags)
{
	memcpy(h->id, node.id, ID_LEN);
	h->index = node.cfg.index;
	h->udp_port = node.cfg.udp_port;
	h->tcp_port = node.cfg.tcp_port;
	h->flags = flags;
}

static int io_full(int fd, void *buf, size_t n, bool wr)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = wr ? send(fd, (uint8_t *)buf + done, n - done, MSG_NOSIGNAL)
			       : recv(fd, (uint8_t *)buf + done, n - done, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += r;
	}
	return 0;
}

static void set_timeouts(int fd, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* A connected fd whose hello was answered (ack filled in), or -1. */
int conn_dial(uint32_t ip, uint16_t port, uint8_t flags, struct hello *ack, int timeout_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = ip };
	uint8_t hb[HELLO_LEN], fr[FRAME_HDR + HELLO_LEN];
	struct hello h;
	int fd, len;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	set_timeouts(fd, timeout_ms);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	conn_tune(fd);
	conn_make_hello(&h, flags);
	hello_encode(&h, hb);
	len = frame_put(fr, sizeof(fr), FR_HELLO, hb, HELLO_LEN);
	if (len < 0 || io_full(fd, fr, len, true))
		goto fail;
	if (io_full(fd, fr, sizeof(fr), false))
		goto fail;
	if (fr[4] != FR_HELLO_ACK || fr[3] != HELLO_LEN + 1 || fr[0] || fr[1] || fr[2])
		goto fail;
	if (hello_decode(ack, fr + FRAME_HDR, HELLO_LEN))
		goto fail;
	set_timeouts(fd, 0);
	return fd;
fail:
	close(fd);
	return -1;
}
