// SPDX-License-Identifier: GPL-2.0
/*
 * net_driver.c - p2pnet: start N p2pnode processes (node 0 is the seed),
 * drive DHT lookups and gossip publishes through their control pipes at
 * the given rates, then stop them all and report.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "net.h"

/* inject.c, shared with the node */
int inject_parse(const char *list, unsigned *bits, char *bad, size_t badlen);
const char *inject_names(void);

/* The bit of one injection name (the node's enum stays in node.h). */
static unsigned inject_bit(const char *name)
{
	unsigned bit = 0;
	char bad[64];

	inject_parse(name, &bit, bad, sizeof(bad));
	return bit;
}

struct netcfg cfg;
struct nodeproc *nodes;

/* --start-gate: how long p2pnet waits for the file before giving up */
#define START_GATE_WAIT_S	120
/* --control: how often p2pnet looks for the file */
#define CONTROL_POLL_NS		100000000ULL

static int epfd, sigfd;
static pid_t pgid;
static int stop_requests;
static bool shutting_down, fatal;
static uint64_t rng_state;
static size_t *stored;		/* ops that stored a key: what gets look up */
static size_t nstored;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: p2pnet --nodes N [options]\n"
"Run a test P2P network of N p2pnode processes on 127.0.0.1 (node 0 is the\n"
"seed the others bootstrap from), drive DHT and gossip traffic, report.\n"
"\n"
"  --nodes N              number of nodes, 1..%d (required)\n"
"  --duration S           seconds of traffic after all nodes are ready (default 10; 0 = until SIGINT/SIGTERM)\n"
"  --dht-rate R           DHT operations per second, network-wide (default 10)\n"
"  --gossip-rate G        gossip publishes per second, network-wide (default 2)\n"
"  --inject NAME[,NAME]   bottlenecks: %s\n"
"  --on-node I            inject on node I only (default: every node)\n"
"  --pids-file F          write node pids, one a line, node 0 first, once all are ready\n"
"                         (with --start-gate: once all have started, before the gate)\n"
"  --ready-file F         create F once all nodes are ready (after the pids file)\n"
"  --start-gate F         start the nodes held, write the pids file, wait (at most %d s)\n"
"                         until F exists, then bootstrap them: a profiler attached in\n"
"                         between sees every bootstrap\n"
"  --control F            while traffic runs, read F when it appears, then delete it:\n"
"                         lines 'inject NAME[,NAME]|none [NODE]' switch injections\n"
"                         (create F whole, e.g. write F.tmp and rename it)\n"
"  --json F               write the results as JSON (docs/testnet.md)\n"
"  --latency MS[:JITTER]  emulated one-way latency per message sent\n"
"  --loss PCT             emulated loss of DHT datagrams\n"
"  --netns                one network namespace per node, joined by a bridge (root)\n"
"  --base-port P          node i: DHT udp P+i, gossip tcp P+1000+i (default 4000)\n"
"  --node-bin PATH        node binary (default: p2pnode next to p2pnet; try p2pnode-nofp)\n"
"  --msg-size B           gossip payload bytes (default 256)\n"
"  --rpc-timeout MS       DHT per-query timeout (default 250)\n"
"  --seed S               ids and traffic are repeatable for one seed (default 1)\n"
"  --help                 this text\n"
"\n"
"Exit status: 0 ok, 1 a node failed or the network could not start, 2 bad usage.\n",
		NET_MAX_NODES, inject_names(), START_GATE_WAIT_S);
}

static void die_usage(const char *what, const char *why)
{
	fprintf(stderr, "p2pnet: %s: %s (see p2pnet --help)\n", what, why);
	exit(2);
}

static double num_arg(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi) {
		char why[128];

		snprintf(why, sizeof(why), "'%s' is not a number in [%g, %g]", s, lo, hi);
		die_usage(opt, why);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nodes", 1, 0, 'n' }, { "duration", 1, 0, 'd' }, { "dht-rate", 1, 0, 'r' },
		{ "gossip-rate", 1, 0, 'g' }, { "inject", 1, 0, 'j' }, { "on-node", 1, 0, 'o' },
		{ "pids-file", 1, 0, 'P' }, { "ready-file", 1, 0, 'R' }, { "json", 1, 0, 'J' },
		{ "latency", 1, 0, 'l' }, { "loss", 1, 0, 'L' }, { "netns", 0, 0, 'N' },
		{ "base-port", 1, 0, 'b' }, { "node-bin", 1, 0, 'B' }, { "msg-size", 1, 0, 's' },
		{ "rpc-timeout", 1, 0, 't' }, { "seed", 1, 0, 'S' }, { "start-gate", 1, 0, 'G' },
		{ "control", 1, 0, 'C' },
		{ "help", 0, 0, 'h' }, { 0 }
	};
	static char bin[PATH_MAX];
	char bad[64], *colon;
	int o;

	cfg.duration = 10;
	cfg.dht_rate = 10;
	cfg.gossip_rate = 2;
	cfg.on_node = -1;
	cfg.base_port = 4000;
	cfg.msg_size = 256;
	cfg.rpc_timeout_ms = 250;
	cfg.seed = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'n': cfg.nodes = num_arg("--nodes", optarg, 1, NET_MAX_NODES); break;
		case 'd': cfg.duration = num_arg("--duration", optarg, 0, 86400); break;
		case 'r': cfg.dht_rate = num_arg("--dht-rate", optarg, 0, 100000); break;
		case 'g': cfg.gossip_rate = num_arg("--gossip-rate", optarg, 0, 100000); break;
		case 'j':
			if (inject_parse(optarg, &cfg.inject, bad, sizeof(bad))) {
				char why[192];

				snprintf(why, sizeof(why), "unknown injection '%s' (known: %s)", bad, inject_names());
				die_usage("--inject", why);
			}
			snprintf(cfg.inject_str, sizeof(cfg.inject_str), "%s", optarg);
			break;
		case 'o': cfg.on_node = num_arg("--on-node", optarg, 0, NET_MAX_NODES - 1); break;
		case 'P': cfg.pids_file = optarg; break;
		case 'R': cfg.ready_file = optarg; break;
		case 'J': cfg.json_file = optarg; break;
		case 'G': cfg.start_gate = optarg; break;
		case 'C': cfg.control_file = optarg; break;
		case 'l':
			colon = strchr(optarg, ':');
			if (colon) {
				*colon = 0;
				cfg.jitter_ms = num_arg("--latency", colon + 1, 0, 10000);
			}
			cfg.latency_ms = num_arg("--latency", optarg, 0, 10000);
			break;
		case 'L': cfg.loss_pct = num_arg("--loss", optarg, 0, 100); break;
		case 'N': cfg.netns = true; break;
		case 'b': cfg.base_port = num_arg("--base-port", optarg, 1024, 60000); break;
		case 'B': cfg.node_bin = optarg; break;
		case 's': cfg.msg_size = num_arg("--msg-size", optarg, 1, 4096); break;
		case 't': cfg.rpc_timeout_ms = num_arg("--rpc-timeout", optarg, 1, 60000); break;
		case 'S': cfg.seed = num_arg("--seed", optarg, 0, 1e9); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		die_usage(argv[optind], "unexpected argument");
	if (!cfg.nodes)
		die_usage("--nodes", "required");
	if (cfg.on_node >= cfg.nodes)
		die_usage("--on-node", "no such node");
	if (cfg.on_node >= 0 && !cfg.inject && !cfg.control_file)
		die_usage("--on-node", "needs --inject or --control");
	if (cfg.base_port + 1000 + cfg.nodes > 65535 || (!cfg.netns && cfg.nodes > 1000))
		die_usage("--base-port", "node ports would pass 65535");
	if (!cfg.node_bin) {
		ssize_t n = readlink("/proc/self/exe", bin, sizeof(bin) - 16);

		if (n <= 0)
			die_usage("--node-bin", "cannot find p2pnode: give its path");
		bin[n] = 0;
		strcat(dirname(bin), "/p2pnode");
		cfg.node_bin = bin;
	}
	if (access(cfg.node_bin, X_OK)) {
		fprintf(stderr, "p2pnet: cannot run %s: %s (build it with make node, or give --node-bin)\n",
			cfg.node_bin, strerror(errno));
		exit(1);
	}
	/* splitmix64 of the seed: a plain xor could leave xorshift's state at 0 */
	rng_state = (uint64_t)cfg.seed * 0x9e3779b97f4a7c15ULL + 0x9e3779b97f4a7c15ULL;
	rng_state = (rng_state ^ (rng_state >> 30)) * 0xbf58476d1ce4e5b9ULL;
	rng_state = (rng_state ^ (rng_state >> 27)) * 0x94d049bb133111ebULL;
	rng_state = (rng_state ^ (rng_state >> 31)) | 1;
}

/* ---- talking to nodes -------------------------------------------------- */

static void cmd(struct nodeproc *np, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (np->in_fd < 0 || np->exited)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	buf[n++] = '\n';
	/* A pipe write this small is atomic; EPIPE just means the node is gone. */
	if (write(np->in_fd, buf, n) != n && errno != EPIPE)
		res_error("node %d: control write failed: %s", np->index, strerror(errno));
}

static void on_line(struct nodeproc *np, char *line)
{
	unsigned long long a, b, c, d;
	char kind[16], hex[41];
	int ok, x, y, z;

	if (!strncmp(line, "hello ", 6)) {
		if (sscanf(line, "hello %d %40s", &x, hex) == 2) {
			snprintf(np->idhex, sizeof(np->idhex), "%s", hex);
			np->hello = true;
		}
	} else if (!strncmp(line, "ready ", 6)) {
		if (sscanf(line, "ready %llu %d %d", &a, &y, &z) == 3) {
			np->bootstrap_ns = a;
			np->ready = true;
		}
	} else if (!strncmp(line, "fail ", 5)) {
		np->failed = true;
		res_error("node %d: bootstrap failed", np->index);
	} else if (!strncmp(line, "lookup ", 7)) {
		if (sscanf(line, "lookup %llu %15s %d %llu %d", &a, kind, &ok, &b, &x) == 5 &&
		    a >= 1 && a <= res.nops) {
			struct op *o = &res.ops[a - 1];

			o->done = true;
			o->ok = ok;
			o->latency_ns = b;
			if (o->kind == 'p' && ok) {
				stored = realloc(stored, (nstored + 1) * sizeof(*stored));
				if (stored)
					stored[nstored++] = a - 1;
			}
		}
	} else if (!strncmp(line, "pub ", 4)) {
		if (sscanf(line, "pub %llu %llu", &a, &b) == 2)
			res_msg(a)->published = true;
	} else if (!strncmp(line, "dlv ", 4)) {
		if (sscanf(line, "dlv %llu %llu %llu %llu", &a, &b, &c, &d) == 4) {
			struct msgrec *m = res_msg(a);
			uint64_t lat = c > b ? c - b : 0;

			m->deliveries++;
			if (lat > m->max_lat_ns)
				m->max_lat_ns = lat;
			res_add_delivery(np->index, lat / 1e6);
		}
	} else if (!strncmp(line, "stats ", 6)) {
		for (char *save = NULL, *t = strtok_r(line + 6, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(t, '=');

			if (!eq)
				continue;
			*eq = 0;
			if (!strcmp(t, "req_from"))
				snprintf(np->req_from, sizeof(np->req_from), "%s", eq + 1);
			else if (!strcmp(t, "dgram_from"))
				snprintf(np->dgram_from, sizeof(np->dgram_from), "%s", eq + 1);
			else if (!strcmp(t, "dht_cpu_from"))
				snprintf(np->dht_cpu_from, sizeof(np->dht_cpu_from), "%s", eq + 1);
			else if (!strcmp(t, "dht_loop_cpu_from"))
				snprintf(np->dht_loop_cpu_from, sizeof(np->dht_loop_cpu_from), "%s", eq + 1);
			else if (!strcmp(t, "dht_wait_from"))
				snprintf(np->dht_wait_from, sizeof(np->dht_wait_from), "%s", eq + 1);
			else if (!strcmp(t, "gossip_frames_from"))
				snprintf(np->gossip_frames_from, sizeof(np->gossip_frames_from), "%s", eq + 1);
			else if (!strcmp(t, "gossip_cpu_from"))
				snprintf(np->gossip_cpu_from, sizeof(np->gossip_cpu_from), "%s", eq + 1);
			for (int k = 0; k < ST_COUNT; k++)
				if (!strcmp(t, stat_names[k]))
					np->stats[k] = strtoull(eq + 1, NULL, 10);
		}
		np->stats_in = true;
	} else if (!strncmp(line, "err ", 4)) {
		res_error("node %d: %s", np->index, line + 4);
	}
}

static void on_readable(struct nodeproc *np)
{
	for (;;) {
		ssize_t n = read(np->out_fd, np->lbuf + np->llen, sizeof(np->lbuf) - 1 - np->llen);
		char *start, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			epoll_ctl(epfd, EPOLL_CTL_DEL, np->out_fd, NULL);
			close(np->out_fd);
			np->out_fd = -1;
			return;
		}
		if (n < 0)
			return;
		np->llen += n;
		np->lbuf[np->llen] = 0;
		start = np->lbuf;
		while ((nl = strchr(start, '\n'))) {
			*nl = 0;
			on_line(np, start);
			start = nl + 1;
		}
		np->llen -= start - np->lbuf;
		memmove(np->lbuf, start, np->llen);
		if (np->llen == sizeof(np->lbuf) - 1)
			np->llen = 0;
	}
}

static void on_signal(void)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD) {
			stop_requests++;
			continue;
		}
		proc_reap(false);
		for (int i = 0; i < cfg.nodes && !shutting_down; i++) {
			char why[96];

			if (nodes[i].exited && !fatal) {
				res_error("node %d (pid %d) %s", i, nodes[i].pid,
					  proc_describe(nodes[i].status, why, sizeof(why)));
				fatal = true;
			}
		}
	}
}

/* Wait up to ms for events from nodes and signals, and handle them. */
static void pump(int ms)
{
	struct epoll_event ev[64];
	int n = epoll_wait(epfd, ev, 64, ms);

	for (int i = 0; i < n; i++) {
		if (ev[i].data.ptr)
			on_readable(ev[i].data.ptr);
		else
			on_signal();
	}
}

static bool aborted(void)
{
	return fatal || stop_requests > (shutting_down ? 1 : 0);
}

/* ---- starting the network --------------------------------------------- */

static int start_node(int i)
{
	struct nodeproc *np = &nodes[i];
	char idx[16], base[16], seed[16], boot[48], lat[32], loss[32], size[16], rpc[16];
	char *argv[40];
	int a = 0;
	struct epoll_event ev = { .events = EPOLLIN };

	np->index = i;
	snprintf(np->addr, sizeof(np->addr), "127.0.0.1");
	if (cfg.netns) {
		argv[a++] = "ip";
		argv[a++] = "netns";
		argv[a++] = "exec";
		argv[a++] = strdup(netns_name(i));
		netns_addr(i, np->addr, sizeof(np->addr));
	}
	argv[a++] = (char *)cfg.node_bin;
	snprintf(idx, sizeof(idx), "%d", i);
	snprintf(base, sizeof(base), "%d", cfg.base_port);
	snprintf(seed, sizeof(seed), "%u", cfg.seed);
	snprintf(size, sizeof(size), "%u", cfg.msg_size);
	snprintf(rpc, sizeof(rpc), "%d", cfg.rpc_timeout_ms);
	argv[a++] = "--index"; argv[a++] = idx;
	argv[a++] = "--base-port"; argv[a++] = base;
	argv[a++] = "--seed"; argv[a++] = seed;
	argv[a++] = "--msg-size"; argv[a++] = size;
	argv[a++] = "--rpc-timeout"; argv[a++] = rpc;
	argv[a++] = "--bind"; argv[a++] = np->addr;
	if (i > 0) {
		snprintf(boot, sizeof(boot), "%s:%d", nodes[0].addr, cfg.base_port + 1000);
		argv[a++] = "--bootstrap"; argv[a++] = boot;
	}
	if ((cfg.latency_ms || cfg.jitter_ms) && !cfg.tc_netem) {
		snprintf(lat, sizeof(lat), "%u:%u", cfg.latency_ms, cfg.jitter_ms);
		argv[a++] = "--latency"; argv[a++] = lat;
	}
	if (cfg.loss_pct > 0 && !cfg.tc_netem) {
		snprintf(loss, sizeof(loss), "%g", cfg.loss_pct);
		argv[a++] = "--loss"; argv[a++] = loss;
	}
	if (cfg.inject && (cfg.on_node < 0 || cfg.on_node == i)) {
		argv[a++] = "--inject"; argv[a++] = cfg.inject_str;
	}
	/* expensive-peer is ten times the validation work the others ask for: one unit */
	if (cfg.inject & inject_bit("expensive-peer")) {
		argv[a++] = "--gossip-work"; argv[a++] = "1";
	}
	if (cfg.start_gate)
		argv[a++] = "--hold";
	argv[a] = NULL;
	if (proc_spawn(np, argv, &pgid)) {
		res_error("cannot start node %d: %s", i, strerror(errno));
		return -1;
	}
	pgid = pgid ? pgid : np->pid;
	ev.data.ptr = np;
	epoll_ctl(epfd, EPOLL_CTL_ADD, np->out_fd, &ev);
	return 0;
}

static int count_ready(void)
{
	int n = 0;

	for (int i = 0; i < cfg.nodes; i++)
		n += nodes[i].ready;
	return n;
}

static bool any_failed(void)
{
	for (int i = 0; i < cfg.nodes; i++)
		if (nodes[i].failed)
			return true;
	return false;
}

static int wait_ready(int upto, uint64_t timeout_ns)
{
	uint64_t end = now_ns() + timeout_ns;

	while (count_ready() < upto) {
		if (aborted() || any_failed())
			return -1;
		if (now_ns() > end) {
			res_error("only %d of %d nodes became ready in %.0f s", count_ready(), upto, timeout_ns / 1e9);
			return -1;
		}
		pump(20);
	}
	return 0;
}

/* Every node started (said hello): held nodes have not bootstrapped yet. */
static int wait_hello(uint64_t timeout_ns)
{
	uint64_t end = now_ns() + timeout_ns;
	int n;

	for (;;) {
		n = 0;
		for (int i = 0; i < cfg.nodes; i++)
			n += nodes[i].hello;
		if (n == cfg.nodes)
			return 0;
		if (aborted())
			return -1;
		if (now_ns() > end) {
			res_error("only %d of %d nodes started in %.0f s", n, cfg.nodes, timeout_ns / 1e9);
			return -1;
		}
		pump(20);
	}
}

/* --start-gate: until the file exists (a profiler has attached). */
static int wait_gate(void)
{
	uint64_t end = now_ns() + START_GATE_WAIT_S * 1000000000ULL;

	while (access(cfg.start_gate, F_OK)) {
		if (aborted())
			return -1;
		if (now_ns() > end) {
			res_error("start gate %s did not appear in %d s", cfg.start_gate, START_GATE_WAIT_S);
			return -1;
		}
		pump(20);
	}
	return 0;
}

/* tmp + rename: a profiler polling for the file never reads half of it. */
static int write_file_atomic(const char *path, void (*fill)(FILE *))
{
	char tmp[PATH_MAX];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fill(f);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void fill_pids(FILE *f)
{
	for (int i = 0; i < cfg.nodes; i++)
		fprintf(f, "%d\n", nodes[i].pid);
}

static void fill_ready(FILE *f)
{
	fprintf(f, "%d\n", cfg.nodes);
}

/* ---- traffic ----------------------------------------------------------- */

static void random_hex(char *hex, uint8_t *key)
{
	for (int i = 0; i < 20; i++) {
		key[i] = rnd();
		sprintf(hex + 2 * i, "%02x", key[i]);
	}
}

/* One DHT operation on a random node: find another node, get a stored key, or put one. */
static void issue_dht(void)
{
	int from = rnd() % cfg.nodes, r = rnd() % 100;
	struct op *o;
	char hex[41];

	res.ops = realloc(res.ops, (res.nops + 1) * sizeof(*res.ops));
	if (!res.ops) {
		fprintf(stderr, "p2pnet: out of memory\n");
		exit(1);
	}
	o = &res.ops[res.nops++];
	memset(o, 0, sizeof(*o));
	o->node = from;
	if (nstored && r < 40) {
		struct op *p = &res.ops[stored[rnd() % nstored]];

		o->kind = 'g';
		memcpy(o->key, p->key, 20);
		for (int i = 0; i < 20; i++)
			sprintf(hex + 2 * i, "%02x", o->key[i]);
		cmd(&nodes[from], "get %zu %s", res.nops, hex);
	} else if (r < 60 || cfg.nodes == 1) {
		o->kind = 'p';
		random_hex(hex, o->key);
		cmd(&nodes[from], "put %zu %s v%zu", res.nops, hex, res.nops);
	} else {
		int to = rnd() % (cfg.nodes - 1);

		to += to >= from;
		o->kind = 'f';
		cmd(&nodes[from], "find %zu %s", res.nops, nodes[to].idhex);
	}
}

/* One --control line: "inject NAME[,NAME]|none [NODE]". */
static void control_line(const char *text, double at_s)
{
	char line[256], bad[64], *save = NULL, *verb, *names, *node, *end;
	int on = cfg.on_node;
	unsigned bits;

	snprintf(line, sizeof(line), "%s", text);
	verb = strtok_r(line, " \t\r", &save);
	names = strtok_r(NULL, " \t\r", &save);
	node = strtok_r(NULL, " \t\r", &save);
	if (!verb)
		return;
	if (node) {
		long v = strtol(node, &end, 10);

		on = *end || v < 0 || v >= cfg.nodes ? -2 : v;
	}
	if (strcmp(verb, "inject") || !names || on == -2 || strtok_r(NULL, " \t\r", &save) ||
	    (strcmp(names, "none") && inject_parse(names, &bits, bad, sizeof(bad)))) {
		res_error("--control: bad line '%.64s' (want: inject NAME[,NAME]|none [NODE])", text);
		return;
	}
	for (int i = 0; i < cfg.nodes; i++) {
		if (on < 0 || on == i)
			cmd(&nodes[i], "inject %s", names);
	}
	fprintf(stderr, "p2pnet: at %.1f s: inject %s on %s%.0d\n", at_s, names,
		on < 0 ? "every node" : "node ", on < 0 ? 0 : on);
	if (res.nchanges < (int)(sizeof(res.changes) / sizeof(res.changes[0]))) {
		struct inject_change *c = &res.changes[res.nchanges++];

		c->at_s = at_s;
		c->on_node = on;
		snprintf(c->inject, sizeof(c->inject), "%s", names);
	}
}

/* --control F: once F exists, its lines are run and F is removed. */
static void check_control(double at_s)
{
	char buf[4096], *save = NULL;
	size_t n;
	FILE *f;

	if (access(cfg.control_file, F_OK))
		return;
	f = fopen(cfg.control_file, "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	unlink(cfg.control_file);
	buf[n] = 0;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		control_line(l, at_s);
}

static void run_traffic(void)
{
	uint64_t next_control = 0;
	uint64_t start = now_ns(), last = start;
	uint64_t end = cfg.duration > 0 ? start + (uint64_t)(cfg.duration * 1e9) : UINT64_MAX;
	double dht_tokens = 0, gossip_tokens = 0;

	while (!aborted() && now_ns() < end) {
		uint64_t now;

		pump(5);
		now = now_ns();
		if (cfg.control_file && now >= next_control) {
			check_control((now - start) / 1e9);
			next_control = now + CONTROL_POLL_NS;
		}
		dht_tokens += cfg.dht_rate * (now - last) / 1e9;
		gossip_tokens += cfg.gossip_rate * (now - last) / 1e9;
		last = now;
		for (; dht_tokens >= 1; dht_tokens -= 1)
			issue_dht();
		for (; gossip_tokens >= 1; gossip_tokens -= 1)
			cmd(&nodes[rnd() % cfg.nodes], "publish");
	}
	res.ran_s = (now_ns() - start) / 1e9;
}

static bool all_answered(void)
{
	for (size_t i = 0; i < res.nops; i++)
		if (!res.ops[i].done)
			return false;
	for (size_t i = 0; i < res.nmsgs; i++)
		if (!res.msgs[i].published || res.msgs[i].deliveries < cfg.nodes - 1)
			return false;
	return true;
}

/* Let lookups finish and gossip settle: at most 3 s, at least 200 ms. */
static void drain(void)
{
	uint64_t start = now_ns();

	while (!fatal && stop_requests < 2) {
		uint64_t t = now_ns() - start;

		if (t > 3000000000ULL || (t > 200000000ULL && all_answered()))
			break;
		pump(10);
	}
}

static void collect_stats(void)
{
	uint64_t end = now_ns() + 2000000000ULL;
	bool all;

	for (int i = 0; i < cfg.nodes; i++)
		cmd(&nodes[i], "stats");
	do {
		pump(10);
		all = true;
		for (int i = 0; i < cfg.nodes; i++)
			all &= nodes[i].stats_in || nodes[i].exited || nodes[i].out_fd < 0;
	} while (!all && now_ns() < end && stop_requests < 2);
	for (int i = 0; i < cfg.nodes; i++)
		if (nodes[i].pid > 0 && !nodes[i].exited)
			proc_sample(&nodes[i]);
}

/* quit, then SIGTERM, then SIGKILL to the whole group; reap everyone. */
static void stop_all(void)
{
	uint64_t end;

	shutting_down = true;
	for (int i = 0; i < cfg.nodes; i++) {
		cmd(&nodes[i], "quit");
		if (nodes[i].in_fd >= 0)
			close(nodes[i].in_fd);
		nodes[i].in_fd = -1;
	}
	for (int sig = 0; sig < 3; sig++) {
		end = now_ns() + (sig == 0 ? 3000000000ULL : 1000000000ULL);
		if (sig == 1)
			proc_kill_all(pgid, SIGTERM);
		else if (sig == 2)
			proc_kill_all(pgid, SIGKILL);
		while (proc_reap(false) > 0 && now_ns() < end)
			pump(10);
		if (!proc_reap(false))
			break;
	}
	if (pgid > 0)
		proc_kill_all(pgid, SIGKILL);	/* anything else left in the group */
	while (proc_reap(true) > 0)
		;
}

static void setup(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	sigset_t ss;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGCHLD);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	sigfd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sigfd < 0 || epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, sigfd, &ev)) {
		fprintf(stderr, "p2pnet: cannot set up signals and epoll: %s\n", strerror(errno));
		exit(1);
	}
	nodes = calloc(cfg.nodes, sizeof(*nodes));
	if (!nodes) {
		fprintf(stderr, "p2pnet: out of memory\n");
		exit(1);
	}
	for (int i = 0; i < cfg.nodes; i++)
		nodes[i].in_fd = nodes[i].out_fd = -1;
}

int main(int argc, char **argv)
{
	uint64_t t0;
	int rc = 0;
	bool started = false;

	parse_args(argc, argv);
	setup();
	if (cfg.netns && netns_setup(cfg.nodes)) {
		netns_teardown();
		return 1;
	}
	t0 = now_ns();
	if (cfg.start_gate) {
		/* every node up but held, its pid known, before anyone bootstraps */
		for (int i = 0; i < cfg.nodes && !aborted(); i++)
			if (start_node(i))
				goto out;
		if (wait_hello(30000000000ULL))
			goto out;
		if (cfg.pids_file && write_file_atomic(cfg.pids_file, fill_pids)) {
			res_error("cannot write %s: %s", cfg.pids_file, strerror(errno));
			goto out;
		}
		if (wait_gate())
			goto out;
		t0 = now_ns();
		cmd(&nodes[0], "join");
		if (wait_ready(1, 10000000000ULL))
			goto out;
		for (int i = 1; i < cfg.nodes && !aborted(); i++) {
			cmd(&nodes[i], "join");
			pump(2);
		}
	} else {
		/* The seed first: everyone else dials it. */
		if (start_node(0) || wait_ready(1, 10000000000ULL))
			goto out;
		for (int i = 1; i < cfg.nodes && !aborted(); i++) {
			if (start_node(i))
				goto out;
			pump(2);	/* a small stagger, and keep reading what nodes say */
		}
	}
	if (wait_ready(cfg.nodes, 30000000000ULL))
		goto out;
	res.ready_ms = (now_ns() - t0) / 1e6;
	/* cpu-starve's hogs wait for a network that is up (inject.c) */
	if (cfg.inject & inject_bit("cpu-starve"))
		for (int i = 0; i < cfg.nodes; i++)
			cmd(&nodes[i], "starve");
	if (cfg.pids_file && !cfg.start_gate && write_file_atomic(cfg.pids_file, fill_pids)) {
		res_error("cannot write %s: %s", cfg.pids_file, strerror(errno));
		goto out;
	}
	if (cfg.ready_file && write_file_atomic(cfg.ready_file, fill_ready)) {
		res_error("cannot write %s: %s", cfg.ready_file, strerror(errno));
		goto out;
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "p2pnet: %d nodes ready in %.0f ms; traffic for %s\n", cfg.nodes,
			res.ready_ms, cfg.duration > 0 ? "the given duration" : "as long as you like (Ctrl-C stops)");
	started = true;
	run_traffic();
	drain();
	collect_stats();
out:
	if (!started)
		rc = 1;
	if (fatal)
		rc = 1;
	stop_all();
	if (cfg.netns)
		netns_teardown();
	if (started) {
		report_text();
		if (cfg.json_file && report_json(cfg.json_file)) {
			fprintf(stderr, "p2pnet: cannot write %s: %s\n", cfg.json_file, strerror(errno));
			rc = 1;
		}
	}
	return rc;
}
