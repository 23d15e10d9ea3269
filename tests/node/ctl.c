// SPDX-License-Identifier: GPL-2.0
/*
 * ctl.c - the control channel: commands in on stdin, events out on stdout,
 * one line each (the protocol is in docs/testnet.md).
 *
 * The main thread (still named p2pnode, so pgrep finds the process) reads
 * commands and hands them to the worker that owns the work.  Events come
 * from any thread; one write() per line, under a lock, keeps lines whole.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node.h"

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

void ctl_emit(const char *fmt, ...)
{
	char buf[8192];	/* stats carries seven per-sender lists */
	va_list ap;
	size_t n, done = 0;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	pthread_mutex_lock(&out_lock);
	while (done < n) {
		ssize_t w = write(STDOUT_FILENO, buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;	/* the driver is gone; PDEATHSIG or EOF will stop us */
		done += w;
	}
	pthread_mutex_unlock(&out_lock);
}

static void ctl_stats(void)
{
	char from[REQ_FROM_TEXT], dgrams[REQ_FROM_TEXT], dcpu[REQ_FROM_TEXT], dwait[REQ_FROM_TEXT];
	char gframes[REQ_FROM_TEXT], gcpu[REQ_FROM_TEXT], dloop[REQ_FROM_TEXT];

	dht_requests_from(from, sizeof(from));
	dht_datagrams_from(dgrams, sizeof(dgrams));
	dht_cpu_from(dcpu, sizeof(dcpu));
	dht_loop_cpu_from(dloop, sizeof(dloop));
	dht_wait_from(dwait, sizeof(dwait));
	gossip_frames_from(gframes, sizeof(gframes));
	gossip_cpu_from(gcpu, sizeof(gcpu));
	ctl_emit("stats dht_tx_msgs=%lu dht_tx_bytes=%lu dht_rx_msgs=%lu dht_rx_bytes=%lu "
		 "dht_dropped=%lu dht_timeouts=%lu gossip_tx_msgs=%lu gossip_tx_bytes=%lu "
		 "gossip_tx_writes=%lu gossip_rx_msgs=%lu gossip_rx_bytes=%lu gossip_rx_reads=%lu "
		 "gossip_dups=%lu gossip_invalid=%lu gossip_delivered=%lu gossip_published=%lu "
		 "errors=%lu rt_size=%d mesh=%d bootstrap_ns=%lu req_from=%s dgram_from=%s "
		 "dht_cpu_from=%s dht_loop_cpu_from=%s dht_wait_from=%s gossip_frames_from=%s gossip_cpu_from=%s",
		 STAT_GET(dht_tx_msgs), STAT_GET(dht_tx_bytes), STAT_GET(dht_rx_msgs),
		 STAT_GET(dht_rx_bytes), STAT_GET(dht_dropped), STAT_GET(dht_timeouts),
		 STAT_GET(gossip_tx_msgs), STAT_GET(gossip_tx_bytes), STAT_GET(gossip_tx_writes),
		 STAT_GET(gossip_rx_msgs), STAT_GET(gossip_rx_bytes), STAT_GET(gossip_rx_reads),
		 STAT_GET(gossip_dups), STAT_GET(gossip_invalid), STAT_GET(gossip_delivered),
		 STAT_GET(gossip_published), STAT_GET(errors), rt_size(&node.rt),
		 gossip_mesh_count(), node.bootstrap_ns, from, dgrams, dcpu, dloop, dwait, gframes, gcpu);
}

/*
 * "inject NAMES|none": switch injections while running (p2pnet --control).
 * Each injection reads node.cfg.inject where it acts, so the next lookup
 * or message sees the change; cpu-starve's threads exist only from start.
 */
static void ctl_inject(const char *names)
{
	char bad[64];
	unsigned bits = 0;

	if (!names || (strcmp(names, "none") && inject_parse(names, &bits, bad, sizeof(bad)))) {
		ctl_emit("err inject: want NAME[,NAME] or none (known: %s)", inject_names());
		return;
	}
	if ((bits ^ __atomic_load_n(&node.cfg.inject, __ATOMIC_RELAXED)) & INJ_CPU_STARVE) {
		ctl_emit("err inject: cpu-starve can only be given at start");
		return;
	}
	__atomic_store_n(&node.cfg.inject, bits, __ATOMIC_RELAXED);
	/* dht-cpu is a switch of the routing table's distance, shared with its unit test */
	__atomic_store_n(&dht_distance_expensive, !!(bits & INJ_DHT_CPU), __ATOMIC_RELAXED);
	ctl_emit("injected %s", names);
}

static void ctl_handle_line(char *line)
{
	char *save = NULL, *cmd = strtok_r(line, " \t\r", &save);
	char *a1 = strtok_r(NULL, " \t\r", &save);
	char *a2 = strtok_r(NULL, " \t\r", &save);
	char *a3 = strtok_r(NULL, " \t\r", &save);
	uint8_t target[ID_LEN];
	char hex[2 * ID_LEN + 1];

	if (!cmd)
		return;
	if (!strcmp(cmd, "find") || !strcmp(cmd, "get") || !strcmp(cmd, "put")) {
		enum dht_op op = cmd[0] == 'f' ? DHT_OP_FIND : cmd[0] == 'g' ? DHT_OP_GET : DHT_OP_PUT;

		if (!a1 || !a2 || id_from_hex(target, a2) || (op == DHT_OP_PUT && !a3)) {
			ctl_emit("err usage: %s ID HEX40%s", cmd, op == DHT_OP_PUT ? " VALUE" : "");
			return;
		}
		dht_request(op, strtoull(a1, NULL, 0), target, a3, a3 ? strlen(a3) : 0, NULL);
	} else if (!strcmp(cmd, "publish")) {
		gossip_request_publish(a1 ? strtoul(a1, NULL, 0) : node.cfg.msg_size);
	} else if (!strcmp(cmd, "stats")) {
		ctl_stats();
	} else if (!strcmp(cmd, "id")) {
		id_to_hex(node.id, hex);
		ctl_emit("id %s", hex);
	} else if (!strcmp(cmd, "join")) {
		static bool joined;

		if (!node.cfg.hold || joined) {
			ctl_emit("err join: bootstrap already started");
			return;
		}
		joined = true;
		bootstrap_start_thread();
	} else if (!strcmp(cmd, "inject")) {
		ctl_inject(a1);
	} else if (!strcmp(cmd, "quit")) {
		node_stop();
	} else if (!strcmp(cmd, "help")) {
		ctl_emit("help find ID HEX40 | get ID HEX40 | put ID HEX40 VALUE | publish [SIZE] | stats | id | join | inject NAMES|none | quit");
	} else {
		ctl_emit("err unknown command: %s", cmd);
	}
}

/* Runs on the main thread until quit, a signal, or EOF (the driver went away). */
void ctl_run(void)
{
	char buf[8192];
	size_t len = 0;

	while (!node_stopping()) {
		struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
		char *nl;
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		buf[len] = 0;
		while ((nl = memchr(buf, '\n', len))) {
			*nl = 0;
			ctl_handle_line(buf);
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len);
		}
		if (len == sizeof(buf) - 1)
			len = 0;	/* an absurd line: drop it */
	}
	node_stop();
}
