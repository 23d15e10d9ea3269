// SPDX-License-Identifier: MIT
/*
 * Off-CPU test target: a thread ("receiver") blocked in recv_wait() on a
 * loopback UDP socket (reason net), fed one datagram every PERIOD ms by a
 * thread ("sender") that sleeps in between.
 *
 *   sched_recv [-d SECONDS] [-p PERIOD_MS]   (defaults 60, 10)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>

static int rx_fd, tx_fd;
static struct sockaddr_in addr;
static double period_ms = 10;
static volatile int done;

__attribute__((noinline)) long recv_wait(char *buf, size_t len)
{
	long n = recv(rx_fd, buf, len, 0);

	__asm__ volatile("" ::: "memory");
	return n;
}

static void *receiver(void *arg)
{
	char buf[64];

	prctl(PR_SET_NAME, "receiver");
	while (!done && recv_wait(buf, sizeof(buf)) > 0 && buf[0] != 'q')
		;
	return NULL;
}

__attribute__((noinline)) void send_one(char c)
{
	sendto(tx_fd, &c, 1, 0, (struct sockaddr *)&addr, sizeof(addr));
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	struct timespec ts;
	socklen_t len = sizeof(addr);
	double dur = 60;
	pthread_t t;
	long n;
	int opt;

	while ((opt = getopt(argc, argv, "d:p:")) != -1) {
		switch (opt) {
		case 'd': dur = atof(optarg); break;
		case 'p': period_ms = atof(optarg); break;
		default: return 2;
		}
	}
	rx_fd = socket(AF_INET, SOCK_DGRAM, 0);
	tx_fd = socket(AF_INET, SOCK_DGRAM, 0);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (rx_fd < 0 || tx_fd < 0 || bind(rx_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    getsockname(rx_fd, (struct sockaddr *)&addr, &len))
		return 1;
	prctl(PR_SET_NAME, "sender");
	pthread_create(&t, NULL, receiver, NULL);
	ts.tv_sec = period_ms / 1000;
	ts.tv_nsec = (long)(period_ms * 1e6) % 1000000000L;
	for (n = 0; dur <= 0 || n < dur * 1000 / period_ms; n++) {
		nanosleep(&ts, NULL);
		send_one('x');
	}
	done = 1;
	send_one('q');
	pthread_join(t, NULL);
	return 0;
}
