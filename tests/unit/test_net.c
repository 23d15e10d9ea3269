// SPDX-License-Identifier: MIT
/*
 * Unit tests of the network report (reports/analysis/net.c, reports/net.c) on hand-built profiles:
 * per-stack traffic and storm detection, percentiles, and the JSON section
 * (peers, paths, connection latency, errors).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "analysis/net.h"
#include "analysis/paths.h"
#include "reports/report.h"
#include "reports/net.h"

static int types[4];

/* frames "leaf;caller;..." as named frames */
static uint32_t stack_of(struct profile *p, const char *frames)
{
	uint32_t locs[16], n = 0;
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", frames);
	for (char *f = strtok_r(buf, ";", &save); f && n < 16; f = strtok_r(NULL, ";", &save))
		locs[n++] = profile__intern_named_frame(p, f, strcmp(f, "write") && strcmp(f, "read") ?
							NULL : "/usr/lib/x86_64-linux-gnu/libc.so.6",
							false);
	return profile__intern_stack(p, locs, n);
}

static void add(struct profile *p, const char *frames, const char *peer, int64_t txb, int64_t txm,
		int64_t rxb, int64_t rxm)
{
	struct pf_label_kv kv[] = {
		{ .key = "peer", .str = peer }, { .key = "proto", .str = "tcp" },
	};
	int64_t v[4] = { txb, rxb, txm, rxm };

	assert_true(profile__add_values(p, stack_of(p, frames), profile__intern_labels(p, kv, 2),
					types, v, 4) >= 0);
}

static struct profile *net_profile(void)
{
	struct profile *p = profile__new();

	assert_non_null(p);
	types[0] = profile__add_type(p, "tx", "bytes");
	types[1] = profile__add_type(p, "rx", "bytes");
	types[2] = profile__add_type(p, "tx", "messages");
	types[3] = profile__add_type(p, "rx", "messages");
	/* 2000 one-byte writes by tiny_writes, in two label sets */
	add(p, "write;tiny_writes;main", "127.0.0.1:1", 1000, 1000, 0, 0);
	add(p, "write;tiny_writes;main", "127.0.0.1:2", 1000, 1000, 0, 0);
	add(p, "write;bulk_writes;main", "127.0.0.1:1", 8 * 65536, 8, 0, 0);
	/* 99 tiny reads: just under the storm threshold */
	add(p, "read;reader;main", "127.0.0.1:1", 0, 0, 99, 99);
	return p;
}

static void test_stacks_and_storms(void **state)
{
	struct profile *p = net_profile();
	struct net_stack *s;
	int n;

	n = net__stacks(p, true, &s);
	assert_int_equal(n, 2);
	assert_string_equal(s[0].func, "bulk_writes");	/* by bytes */
	assert_int_equal(s[0].bytes, 8 * 65536);
	assert_false(net__is_storm(&s[0]));
	assert_string_equal(s[1].func, "tiny_writes");	/* libc frame skipped */
	assert_int_equal(s[1].msgs, 2000);
	assert_int_equal(s[1].bytes, 2000);
	assert_true(net__is_storm(&s[1]));
	assert_non_null(strstr(s[1].frames, "write < tiny_writes < main"));
	free(s);

	n = net__stacks(p, false, &s);
	assert_int_equal(n, 1);
	assert_string_equal(s[0].func, "reader");
	assert_false(net__is_storm(&s[0]));	/* 99 < NET_STORM_MIN_CALLS */
	free(s);
	profile__free(p);
}

static void test_percentile(void **state)
{
	int64_t v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

	assert_int_equal(net__percentile(v, 10, 50), 5);
	assert_int_equal(net__percentile(v, 10, 90), 9);
	assert_int_equal(net__percentile(v, 10, 99), 10);
	assert_int_equal(net__percentile(v, 10, 0), 1);
	assert_int_equal(net__percentile(v, 1, 99), 1);
	assert_int_equal(net__percentile(v, 0, 50), 0);
}

static char *emit(struct profile *p, enum report_format fmt, bool net)
{
	struct report_opts o = { .top_n = 20, .width = 100, .net = net };
	struct report_out out;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	report_out__begin(&out, f, fmt, 100);
	assert_int_equal(report_net__emit(p, &o, &out), 0);
	assert_int_equal(report_out__end(&out), 0);
	fclose(f);
	return buf;
}

static void test_json_section(void **state)
{
	struct profile *p = net_profile();
	char *s;

	assert_int_equal(profile__add_record(p, "peer", "pid", "7", "proto", "udp", "peer",
					     "127.0.0.1:4001", "lport", "4000", "path", "dht",
					     "tx_bytes", "300", "rx_bytes", "200", "tx_msgs", "3",
					     "rx_msgs", "2", NULL), 0);
	assert_int_equal(profile__add_record(p, "peer", "pid", "8", "proto", "udp", "peer",
					     "127.0.0.1:4000", "lport", "4001", "path", "dht",
					     "tx_bytes", "200", "rx_bytes", "300", "tx_msgs", "2",
					     "rx_msgs", "3", NULL), 0);
	for (int i = 1; i <= 4; i++) {
		char ns[32];

		snprintf(ns, sizeof(ns), "%d", i * 1000);
		assert_int_equal(profile__add_record(p, "conn", "proto", "tcp", "peer", "127.0.0.1:5000",
						     "lport", "40000", "side", "connect", "state",
						     i == 4 ? "failed" : "closed", "connect_ns",
						     i == 4 ? "0" : ns, "retrans", "1", NULL), 0);
	}
	assert_int_equal(profile__add_record(p, "sockerr", "pid", "7", "proto", "tcp", "call",
					     "connect", "errno", "111", "error", "ECONNREFUSED",
					     "count", "5", NULL), 0);

	s = emit(p, REPORT_JSON, true);
	assert_non_null(strstr(s, "\"net\": {\"peers\":["));
	assert_non_null(strstr(s, "\"paths\":[{\"path\":\"dht\",\"proto\":\"udp\",\"tx_bytes\":500,\"rx_bytes\":500"));
	assert_non_null(strstr(s, "{\"pid\":7,\"path\":\"dht\",\"proto\":\"udp\",\"tx_bytes\":300"));
	assert_non_null(strstr(s, "\"connections\":4,\"failed\":1,\"retrans\":4"));
	assert_non_null(strstr(s, "\"connect_ns\":{\"count\":3,\"p50\":2000,\"p90\":3000,\"p99\":3000,\"max\":3000}"));
	assert_non_null(strstr(s, "\"error\":\"ECONNREFUSED\",\"count\":5"));
	assert_non_null(strstr(s, "\"storms\":[{\"function\":\"tiny_writes\""));
	free(s);

	/* text names the storm; without --net nothing at all */
	s = emit(p, REPORT_TEXT, true);
	assert_non_null(strstr(s, "Syscall storms"));
	assert_non_null(strstr(s, "tiny_writes"));
	assert_non_null(strstr(s, "ECONNREFUSED"));
	free(s);
	s = emit(p, REPORT_TEXT, false);
	assert_string_equal(s, "");
	free(s);
	profile__free(p);
}

/* The row of path and proto in d's traffic by path, NULL if none. */
static const struct path_row *path_row(const struct net_data *d, const char *path,
				       const char *proto)
{
	for (int i = 0; i < d->nr_paths; i++) {
		if (!strcmp(d->paths[i].path, path) && !strcmp(d->paths[i].proto, proto))
			return &d->paths[i];
	}
	return NULL;
}

static void peer_rec(struct profile *p, const char *proto, uint64_t lport, uint64_t rport,
		     const char *path, const char *by, uint64_t tx)
{
	struct rec_peer r = { .pid = 1, .proto = proto, .peer = "127.0.0.1:1", .lport = lport,
			      .rport = rport, .path = path, .path_by = by, .tx_bytes = tx };

	assert_true(records__add_peer(p, &r) >= 0);
}

/*
 * Known answers for placing socket records again with a report's rules:
 * port- and none-placed records move to the paths the new rules give
 * (the recording's --port rules first, then the rules' port lines, local
 * port then peer port), span-placed records and records without path_by
 * (older files) keep their path; without rules nothing moves.
 */
static void test_replace_with_rules(void **state)
{
	static const char text[] =
		"port gossip = udp:7000, tcp:5000\n"
		"port dht = udp:4000\n";
	struct profile *p = profile__new();
	struct path_rules *r;
	struct net_data d = {};
	char why[256];

	(void)state;
	r = path_rules__parse(text, "test", why, sizeof(why));
	assert_non_null(r);
	/* placed in dht by an old port rule; the new rules say gossip by the peer's port */
	peer_rec(p, "udp", 40000, 7000, "dht", "port", 1);
	/* placed nowhere then; the new rules' local port wins over the peer's */
	peer_rec(p, "udp", 4000, 7000, "other", "none", 10);
	/* a span's placement stays */
	peer_rec(p, "udp", 4000, 7000, "bootstrap", "span", 100);
	/* an older record (no path_by) stays */
	peer_rec(p, "udp", 4000, 7000, "bootstrap", NULL, 1000);
	/* the recording's --port rule comes first: svc, not gossip */
	assert_int_equal(profile__add_record(p, "portrule", "path", "svc", "match", "tcp:5000", NULL), 0);
	peer_rec(p, "tcp", 40001, 5000, "other", "none", 10000);
	assert_true(records__add_conn(p, &(struct rec_conn){
		.proto = "tcp", .peer = "127.0.0.1:9", .lport = 40002, .rport = 9, .side = "connect",
		.state = "closed", .path = "gossip", .path_by = "port", .tx_bytes = 5 }) >= 0);
	assert_true(records__add_sockevent(p, &(struct rec_sockevent){
		.pid = 1, .event = "connect_error", .error = "ECONNREFUSED", .count = 4,
		.path = "other", .path_by = "none", .proto = "tcp", .rport = 5000 }) >= 0);
	assert_true(records__add_sockevent(p, &(struct rec_sockevent){
		.pid = 1, .event = "retransmit", .error = "", .count = 2, .path = "dht",
		.path_by = "span", .proto = "tcp", .rport = 5000 }) >= 0);

	assert_int_equal(net__compute(p, r, &d), 0);
	assert_int_equal(path_row(&d, "gossip", "udp")->tx, 1);
	assert_int_equal(path_row(&d, "dht", "udp")->tx, 10);
	assert_int_equal(path_row(&d, "bootstrap", "udp")->tx, 1100);
	assert_int_equal(path_row(&d, "svc", "tcp")->tx, 10000);
	assert_null(path_row(&d, "other", "udp"));
	assert_int_equal(d.nr_conns, 1);
	assert_string_equal(d.conns[0].path, "other");	/* port 9: no rule */
	assert_int_equal(d.nr_events, 2);
	assert_string_equal(d.events[0].path, "dht");
	assert_string_equal(d.events[0].event, "retransmit");
	assert_string_equal(d.events[0].error, "-");
	assert_string_equal(d.events[1].path, "svc");
	assert_int_equal(d.events[1].count, 4);
	net__free(&d);

	/* no rules: every record as stored */
	memset(&d, 0, sizeof(d));
	assert_int_equal(net__compute(p, NULL, &d), 0);
	assert_int_equal(path_row(&d, "dht", "udp")->tx, 1);
	assert_int_equal(path_row(&d, "other", "udp")->tx, 10);
	assert_int_equal(path_row(&d, "other", "tcp")->tx, 10000);
	assert_string_equal(d.conns[0].path, "gossip");
	assert_string_equal(d.events[0].path, "dht");
	assert_string_equal(d.events[1].path, "other");
	net__free(&d);
	path_rules__free(r);
	profile__free(p);
}

/* A sent-bytes sample of socket (pid 1, proto, lport) on stack frames. */
static void sock_tx(struct profile *p, const char *frames, const char *proto, int64_t lport,
		    int64_t bytes)
{
	struct pf_label_kv kv[] = {
		{ .key = "pid", .num = 1 }, { .key = "proto", .str = proto },
		{ .key = "lport", .num = lport },
	};
	int64_t v[4] = { bytes, 0, 1, 0 };

	assert_true(profile__add_values(p, stack_of(p, frames), profile__intern_labels(p, kv, 3),
					types, v, 4) >= 0);
}

/*
 * Records no rule places take the path the rules give their socket's
 * traffic samples (pid, proto, local port); a span's stays, another
 * socket's stays on "other", and without rules nothing moves.
 */
static void test_records_follow_socket(void **state)
{
	struct profile *p = profile__new();
	struct path_rules *r;
	struct net_data d = {};
	char why[256];

	(void)state;
	r = path_rules__parse("dht = ^dht_\n", "test", why, sizeof(why));
	assert_non_null(r);
	types[0] = profile__add_type(p, "tx", "bytes");
	types[1] = profile__add_type(p, "rx", "bytes");
	types[2] = profile__add_type(p, "tx", "messages");
	types[3] = profile__add_type(p, "rx", "messages");
	sock_tx(p, "sendto;dht_send;main", "udp", 7000, 300);
	sock_tx(p, "write;dht_rpc;main", "tcp", 5000, 300);
	assert_true(paths__label_profile(p, r) > 0);
	peer_rec(p, "udp", 7000, 9000, "other", "none", 10);
	peer_rec(p, "udp", 7000, 9000, "bootstrap", "span", 100);
	peer_rec(p, "udp", 7001, 9000, "other", "none", 1000);
	assert_true(records__add_conn(p, &(struct rec_conn){
		.proto = "tcp", .pid = 1, .peer = "127.0.0.1:9", .lport = 5000, .rport = 9,
		.side = "accept", .state = "closed", .path = "other", .path_by = "none",
		.tx_bytes = 5 }) >= 0);
	assert_true(records__add_sockevent(p, &(struct rec_sockevent){
		.pid = 1, .event = "retransmit", .error = "", .count = 2, .path = "other",
		.path_by = "none", .proto = "tcp", .lport = 5000 }) >= 0);
	/* the same port in another process is another socket */
	assert_true(records__add_sockevent(p, &(struct rec_sockevent){
		.pid = 2, .event = "connect_error", .error = "ECONNREFUSED", .count = 3,
		.path = "other", .path_by = "none", .proto = "tcp", .lport = 5000 }) >= 0);

	assert_int_equal(net__compute(p, r, &d), 0);
	assert_int_equal(path_row(&d, "dht", "udp")->tx, 10);
	assert_int_equal(path_row(&d, "bootstrap", "udp")->tx, 100);
	assert_int_equal(path_row(&d, "other", "udp")->tx, 1000);
	assert_string_equal(d.conns[0].path, "dht");
	assert_int_equal(d.nr_events, 2);
	assert_string_equal(d.events[0].path, "dht");
	assert_string_equal(d.events[1].path, "other");
	net__free(&d);

	memset(&d, 0, sizeof(d));
	assert_int_equal(net__compute(p, NULL, &d), 0);
	assert_int_equal(path_row(&d, "other", "udp")->tx, 1010);
	assert_string_equal(d.conns[0].path, "other");
	net__free(&d);
	path_rules__free(r);
	profile__free(p);
}

/* Retransmits and failed connects by path in the text and the JSON section. */
static void test_events_section(void **state)
{
	struct profile *p = profile__new();
	char *s;

	(void)state;
	assert_true(records__add_sockevent(p, &(struct rec_sockevent){
		.pid = 1, .event = "connect_error", .error = "ECONNREFUSED", .count = 6,
		.path = "gossip", .path_by = "port", .proto = "tcp", .rport = 5000 }) >= 0);
	assert_true(records__add_sockevent(p, &(struct rec_sockevent){
		.pid = 2, .event = "connect_error", .error = "ECONNREFUSED", .count = 4,
		.path = "gossip", .path_by = "port", .proto = "tcp", .rport = 5001 }) >= 0);
	assert_true(records__add_sockevent(p, &(struct rec_sockevent){
		.pid = 1, .event = "retransmit", .error = "", .count = 3, .path = "dht",
		.path_by = "span", .proto = "tcp" }) >= 0);
	s = emit(p, REPORT_JSON, true);
	assert_non_null(strstr(s, "\"events\":[{\"path\":\"dht\",\"event\":\"retransmit\",\"error\":\"-\",\"count\":3},"
				  "{\"path\":\"gossip\",\"event\":\"connect_error\",\"error\":\"ECONNREFUSED\",\"count\":10}]"));
	free(s);
	s = emit(p, REPORT_TEXT, true);
	assert_non_null(strstr(s, "TCP retransmits and failed connects by path\n"));
	assert_non_null(strstr(s, "  gossip       connect_error  ECONNREFUSED           10\n"));
	assert_non_null(strstr(s, "  dht          retransmit     -                       3\n"));
	free(s);
	s = emit(p, REPORT_MD, true);
	assert_non_null(strstr(s, "```\n"));
	assert_non_null(strstr(s, "  gossip       connect_error  ECONNREFUSED           10\n"));
	free(s);
	profile__free(p);
}

static void test_no_socket_data(void **state)
{
	struct profile *p = profile__new();
	char *s;

	profile__add_type(p, "cpu", "nanoseconds");
	s = emit(p, REPORT_JSON, true);
	assert_null(strstr(s, "\"net\""));	/* the key is absent */
	free(s);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stacks_and_storms),
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_json_section),
		cmocka_unit_test(test_replace_with_rules),
		cmocka_unit_test(test_records_follow_socket),
		cmocka_unit_test(test_events_section),
		cmocka_unit_test(test_no_socket_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
