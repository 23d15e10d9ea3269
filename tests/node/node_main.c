// SPDX-License-Identifier: GPL-2.0
/*
 * node_main.c - p2pnode: options, sockets, threads, orderly exit.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

#include "node.h"

struct node node;

static struct loop_src udp_src = { SRC_UDP, NULL }, listen_src = { SRC_LISTEN, NULL };

uint64_t now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rng_next(void)
{
	static __thread uint64_t s;

	if (!s) {
		uint64_t seed = node.cfg.seed ^ (uint64_t)syscall(SYS_gettid) << 20 ^ now_mono_ns();

		s = splitmix64(&seed) | 1;
	}
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return s * 0x2545f4914f6cdd1dULL;
}

double rng_unit(void)
{
	return (rng_next() >> 11) * (1.0 / 9007199254740992.0);
}

void node_stop(void)
{
	__atomic_store_n(&node.stopping, 1, __ATOMIC_RELEASE);
}

bool node_stopping(void)
{
	return __atomic_load_n(&node.stopping, __ATOMIC_ACQUIRE);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: p2pnode [options]\n"
"A Kademlia DHT (UDP) + gossip mesh (TCP) node for profiling tests.\n"
"Controlled by lines on stdin, reports events on stdout (docs/testnet.md).\n"
"\n"
"  --index I            node number: ports and id derive from it (default 0)\n"
"  --base-port P        DHT udp port = P+I, gossip tcp port = P+1000+I (default %d)\n"
"  --bind ADDR          address to listen on: 127.0.0.0/8 or 10.0.0.0/8 (default 127.0.0.1)\n"
"  --bootstrap ADDR:PORT  seed node's gossip tcp address; omit for the first node\n"
"  --hold               start, say hello, but bootstrap only on the 'join' command\n"
"  --latency MS[:JITTER]  delay every DHT datagram and gossip frame sent\n"
"  --loss PCT           drop this share of DHT datagrams sent\n"
"  --inject NAME[,NAME] bottlenecks: %s\n"
"  --mesh D             gossip mesh degree (default %d)\n"
"  --workers N          gossip worker threads (default %d)\n"
"  --rpc-timeout MS     DHT per-query timeout (default 250)\n"
"  --msg-size BYTES     gossip payload size (default 256)\n"
"  --gossip-work N      validation work units its gossip frames ask of receivers\n"
"                       (default 0; p2pnet gives 1 with expensive-peer)\n"
"  --seed S             id and randomness seed (default 1)\n"
"  --help               this text\n",
		DEFAULT_BASE_PORT, inject_names(), MESH_D_DEFAULT, GOSSIP_WORKERS);
}

static int die_usage(const char *what, const char *why)
{
	fprintf(stderr, "p2pnode: %s: %s (see p2pnode --help)\n", what, why);
	exit(2);
}

static long num_arg(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		char why[96];

		snprintf(why, sizeof(why), "'%s' is not a number in [%ld, %ld]", s, lo, hi);
		die_usage(opt, why);
	}
	return v;
}

/* Only loopback or the private range the driver's namespaces use, never anything else. */
static uint32_t addr_arg(const char *opt, const char *s)
{
	struct in_addr a;
	uint32_t h;

	if (inet_pton(AF_INET, s, &a) != 1)
		die_usage(opt, "not an IPv4 address");
	h = ntohl(a.s_addr);
	if ((h >> 24) != 127 && (h >> 24) != 10)
		die_usage(opt, "only 127.0.0.0/8 or 10.0.0.0/8 allowed");
	return a.s_addr;
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "index", 1, 0, 'i' }, { "base-port", 1, 0, 'p' }, { "bind", 1, 0, 'b' },
		{ "bootstrap", 1, 0, 'B' }, { "latency", 1, 0, 'l' }, { "loss", 1, 0, 'L' },
		{ "inject", 1, 0, 'j' }, { "mesh", 1, 0, 'm' }, { "workers", 1, 0, 'w' },
		{ "rpc-timeout", 1, 0, 't' }, { "msg-size", 1, 0, 's' }, { "seed", 1, 0, 'S' },
		{ "hold", 0, 0, 'H' }, { "gossip-work", 1, 0, 'W' }, { "help", 0, 0, 'h' }, { 0 }
	};
	struct node_cfg *c = &node.cfg;
	long base = DEFAULT_BASE_PORT;
	char *colon, bad[64];
	int o;

	c->bind_ip = htonl(INADDR_LOOPBACK);
	c->mesh_d = MESH_D_DEFAULT;
	c->workers = GOSSIP_WORKERS;
	c->rpc_timeout_ms = 250;
	c->msg_size = 256;
	c->seed = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'i': c->index = num_arg("--index", optarg, 0, 999); break;
		case 'p': base = num_arg("--base-port", optarg, 1024, 60000); break;
		case 'b': c->bind_ip = addr_arg("--bind", optarg); break;
		case 'B':
			colon = strrchr(optarg, ':');
			if (!colon)
				die_usage("--bootstrap", "expected ADDR:PORT");
			*colon = 0;
			c->boot_ip = addr_arg("--bootstrap", optarg);
			c->boot_port = num_arg("--bootstrap", colon + 1, 1, 65535);
			c->has_boot = true;
			break;
		case 'l':
			colon = strchr(optarg, ':');
			if (colon) {
				*colon = 0;
				c->jitter_ms = num_arg("--latency", colon + 1, 0, 10000);
			}
			c->latency_ms = num_arg("--latency", optarg, 0, 10000);
			break;
		case 'L': {
			char *end;

			c->loss_pct = strtod(optarg, &end);
			if (end == optarg || *end || c->loss_pct < 0 || c->loss_pct > 100)
				die_usage("--loss", "expected a percentage in [0, 100]");
			break;
		}
		case 'j':
			if (inject_parse(optarg, &c->inject, bad, sizeof(bad))) {
				char why[192];

				snprintf(why, sizeof(why), "unknown injection '%s' (known: %s)", bad, inject_names());
				die_usage("--inject", why);
			}
			break;
		case 'm': c->mesh_d = num_arg("--mesh", optarg, 1, 64); break;
		case 'w': c->workers = num_arg("--workers", optarg, 1, 32); break;
		case 't': c->rpc_timeout_ms = num_arg("--rpc-timeout", optarg, 1, 60000); break;
		case 's': c->msg_size = num_arg("--msg-size", optarg, 1, GOSSIP_PAYLOAD_MAX); break;
		case 'S': c->seed = num_arg("--seed", optarg, 0, 1L << 40); break;
		case 'H': c->hold = true; break;
		case 'W': c->gossip_work = num_arg("--gossip-work", optarg, 0, 25); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		die_usage(argv[optind], "unexpected argument");
	if (base + TCP_PORT_OFFSET + c->index > 65535)
		die_usage("--base-port", "ports past 65535");
	c->udp_port = base + c->index;
	c->tcp_port = base + TCP_PORT_OFFSET + c->index;
}

static int open_socket(int type, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = node.cfg.bind_ip };
	int one = 1, fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char a[INET_ADDRSTRLEN];

	if (fd >= 0 && type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (type == SOCK_STREAM && listen(fd, 128))) {
		inet_ntop(AF_INET, &sa.sin_addr, a, sizeof(a));
		fprintf(stderr, "p2pnode: cannot listen on %s %s:%u: %s (another network on these ports? use --base-port)\n",
			type == SOCK_STREAM ? "tcp" : "udp", a, port, strerror(errno));
		exit(1);
	}
	return fd;
}

static void *loop_main(void *arg)
{
	pthread_setname_np(pthread_self(), "p2p-loop");
	loop_run();
	node_stop();
	return NULL;
}

int main(int argc, char **argv)
{
	uint64_t seed;
	pthread_t loop_thread;
	char hex[2 * ID_LEN + 1];

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	/* Ids are a pure function of seed and index, so runs are repeatable. */
	seed = node.cfg.seed * 1000003ULL + node.cfg.index;
	for (int i = 0; i < ID_LEN; i += 8) {
		uint64_t v = splitmix64(&seed);

		memcpy(node.id + i, &v, ID_LEN - i < 8 ? ID_LEN - i : 8);
	}
	rt_init(&node.rt, node.id);
	if (loop_init()) {
		fprintf(stderr, "p2pnode: cannot set up the event loop: %s\n", strerror(errno));
		return 1;
	}
	node.udp_fd = open_socket(SOCK_DGRAM, node.cfg.udp_port);
	node.listen_fd = open_socket(SOCK_STREAM, node.cfg.tcp_port);
	/* before any other thread: they inherit the lower priority it leaves us at */
	if (node.cfg.inject & INJ_CPU_STARVE)
		inject_start_hogs();
	if (loop_add(node.udp_fd, EPOLLIN, &udp_src) || loop_add(node.listen_fd, EPOLLIN, &listen_src) ||
	    dht_init() || gossip_init()) {
		fprintf(stderr, "p2pnode: cannot start: %s\n", strerror(errno));
		return 1;
	}
	if (pthread_create(&loop_thread, NULL, loop_main, NULL)) {
		fprintf(stderr, "p2pnode: cannot start the event loop thread\n");
		return 1;
	}
	id_to_hex(node.id, hex);
	ctl_emit("hello %d %s %u %u %d", node.cfg.index, hex, node.cfg.udp_port,
		 node.cfg.tcp_port, (int)getpid());
	/* --hold: a profiler may attach first; the "join" command starts it (ctl.c) */
	if (!node.cfg.hold)
		bootstrap_start_thread();
	ctl_run();
	pthread_join(loop_thread, NULL);
	dht_shutdown();
	gossip_shutdown();
	ctl_emit("bye");
	return 0;
}
