// SPDX-License-Identifier: MIT
/*
 * peerscope agent's outputs from known analysis structs: windows add up
 * into counters, the verdict gauge follows the last window, the
 * Prometheus and OpenMetrics texts differ only where the formats do, the
 * index line is one JSON line, retention deletes oldest first, and
 * --metrics-peers ranks a window's peers by CPU only when it has enough
 * samples to tell them apart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/profile.h"
#include "core/records.h"
#include "analysis/sla.h"
#include "reports/metrics.h"
#include "builtin.h"

static char *render(const struct metrics_state *m, bool om)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	metrics__render(m, f, om);
	fclose(f);
	return buf;
}

static void one_window(struct metrics_state *m, struct profile *p, enum verdict_kind dht_v)
{
	struct path_stats paths[2] = {
		{ .name = "dht", .cpu_user_ns = 1500000000, .cpu_kernel_ns = 500000000,
		  .runq_ns = 250000000, .off_ns = { [PR_NET] = 3000000000 }, .tx_bytes = 100 },
		{ .name = "gossip", .cpu_user_ns = 100000000 },
	};
	struct path_report rep = { .paths = paths, .nr_paths = 2, .duration_ns = 60000000000 };
	struct verdict v[2] = { { .kind = dht_v }, { .kind = V_IDLE } };
	struct agent_window w = { .file = "x.pb.gz", .agent_cpu_s = 0.5, .lost = 2, .targets = 1 };

	metrics__add_window(m, p, &w, &rep, v);
}

static void test_metrics(void **state)
{
	struct metrics_state *m = calloc(1, sizeof(*m));
	struct profile *p = profile__new();
	struct rec_hist h = { .path = "dht", .count = 3, .sum_ns = 3300000 };
	char *prom, *om;

	(void)state;
	rec_buckets__add(&h.buckets, 1000000, 2);		/* ~1 ms: in le=0.0025 */
	rec_buckets__add(&h.buckets, rec_ll_low(rec_ll_bucket(40000000)), 1);	/* 40 ms */
	assert_true(records__add_hist(p, &h) >= 0);
	one_window(m, p, V_CPU);
	one_window(m, p, V_NET);
	prom = render(m, false);
	om = render(m, true);
	assert_non_null(strstr(prom, "peerscope_path_cpu_seconds_total{path=\"dht\"} 4\n"));
	assert_non_null(strstr(prom, "peerscope_path_offcpu_seconds_total{path=\"dht\",reason=\"net\"} 6\n"));
	assert_non_null(strstr(prom, "peerscope_path_runq_seconds_total{path=\"dht\"} 0.5\n"));
	assert_non_null(strstr(prom, "peerscope_path_bytes_total{path=\"dht\",direction=\"tx\"} 200\n"));
	assert_non_null(strstr(prom, "peerscope_path_operations_total{path=\"dht\"} 6\n"));
	assert_non_null(strstr(prom, "peerscope_path_operation_duration_seconds_bucket{path=\"dht\",le=\"0.001\"} 0\n"));
	assert_non_null(strstr(prom, "peerscope_path_operation_duration_seconds_bucket{path=\"dht\",le=\"0.0025\"} 4\n"));
	assert_non_null(strstr(prom, "peerscope_path_operation_duration_seconds_bucket{path=\"dht\",le=\"0.05\"} 6\n"));
	assert_non_null(strstr(prom, "peerscope_path_operation_duration_seconds_bucket{path=\"dht\",le=\"+Inf\"} 6\n"));
	/* the gauge is the last window's verdict */
	assert_non_null(strstr(prom, "peerscope_path_verdict{path=\"dht\",verdict=\"net\"} 1\n"));
	assert_non_null(strstr(prom, "peerscope_path_verdict{path=\"dht\",verdict=\"cpu\"} 0\n"));
	assert_non_null(strstr(prom, "peerscope_agent_cpu_seconds_total 1\n"));
	assert_non_null(strstr(prom, "peerscope_agent_dropped_events_total{cause=\"lost\"} 4\n"));
	assert_non_null(strstr(prom, "# TYPE peerscope_path_cpu_seconds_total counter\n"));
	assert_null(strstr(prom, "# EOF"));
	assert_null(strstr(prom, "peerscope_path_sla"));	/* no --sla */
	/* OpenMetrics: counter families without _total, samples with it, # EOF last */
	assert_non_null(strstr(om, "# TYPE peerscope_path_cpu_seconds counter\n"));
	assert_non_null(strstr(om, "peerscope_path_cpu_seconds_total{path=\"dht\"} 4\n"));
	assert_string_equal(om + strlen(om) - 6, "# EOF\n");
	free(prom);
	free(om);
	profile__free(p);
	free(m);
}

/*
 * Retransmits and connect errors follow their records' path, over two
 * windows; a path's errno names past METRICS_MAX_ERRORS - 1 add up in
 * error="other".
 */
static void test_sock_events_per_path(void **state)
{
	static const char *const names[] = {
		"ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET",
		"EADDRNOTAVAIL", "EACCES", "EPERM", "EINVAL",
	};
	struct metrics_state *m = calloc(1, sizeof(*m));
	struct profile *p = profile__new();
	char *prom;

	(void)state;
	assert_true(records__add_sockevent(p, &(struct rec_sockevent){
		.pid = 1, .event = "retransmit", .error = "", .count = 3, .path = "gossip" }) >= 0);
	assert_true(records__add_sockevent(p, &(struct rec_sockevent){
		.pid = 1, .event = "retransmit", .error = "", .count = 1, .path = "dht" }) >= 0);
	assert_true(records__add_sockevent(p, &(struct rec_sockevent){
		.pid = 1, .event = "connect_error", .error = "ECONNREFUSED", .count = 10,
		.path = "svc" }) >= 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_true(records__add_sockevent(p, &(struct rec_sockevent){
			.pid = 1, .event = "connect_error", .error = names[i], .count = 1,
			.path = "dht" }) >= 0);
	one_window(m, p, V_CPU);
	one_window(m, p, V_CPU);
	prom = render(m, false);
	assert_non_null(strstr(prom, "peerscope_tcp_retransmits_total{path=\"gossip\"} 6\n"));
	assert_non_null(strstr(prom, "peerscope_tcp_retransmits_total{path=\"dht\"} 2\n"));
	assert_non_null(strstr(prom, "peerscope_tcp_retransmits_total{path=\"svc\"} 0\n"));
	assert_non_null(strstr(prom, "peerscope_connect_errors_total{path=\"svc\",error=\"ECONNREFUSED\"} 20\n"));
	assert_null(strstr(prom, "peerscope_connect_errors_total{path=\"gossip\""));
	/* dht: 7 names of their own, then EPERM and EINVAL in "other" */
	assert_non_null(strstr(prom, "peerscope_connect_errors_total{path=\"dht\",error=\"EADDRNOTAVAIL\"} 2\n"));
	assert_non_null(strstr(prom, "peerscope_connect_errors_total{path=\"dht\",error=\"EACCES\"} 2\n"));
	assert_non_null(strstr(prom, "peerscope_connect_errors_total{path=\"dht\",error=\"other\"} 4\n"));
	assert_null(strstr(prom, "EPERM"));
	assert_null(strstr(prom, "peerscope_tcp_retransmits_total 0"));	/* no series without a path */
	free(prom);
	profile__free(p);
	free(m);
}

static void test_index_line(void **state)
{
	struct path_stats paths[1] = { { .name = "dht", .busy_ns = 100, .cpu_user_ns = 80,
					 .runq_ns = 20, .has_lat = true,
					 .lat = { .count = 5, .p50_ns = 7, .p95_ns = 9 } } };
	struct path_report rep = { .paths = paths, .nr_paths = 1 };
	struct verdict v[1] = { { .kind = V_CPU } };
	struct agent_window w = { .file = "a.pb.gz", .start_ns = 0, .duration_s = 60 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	agent_index__line(f, &w, &rep, v);
	fclose(f);
	assert_string_equal(buf + len - 1, "\n");
	assert_ptr_equal(strchr(buf, '\n'), buf + len - 1);	/* one line */
	assert_non_null(strstr(buf, "\"start\":\"1970-01-01T00:00:00Z\""));
	assert_non_null(strstr(buf, "\"operations\":5,"));
	assert_non_null(strstr(buf, "\"cpu_share\":0.8000,"));
	assert_non_null(strstr(buf, "\"runq_share\":0.2000,"));
	assert_non_null(strstr(buf, "\"verdict\":\"cpu\""));
	free(buf);
}

static void touch(const char *dir, const char *name, size_t bytes)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < bytes; i++)
		fputc('x', f);
	fclose(f);
}

static bool exists(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !access(path, F_OK);
}

static void test_retain(void **state)
{
	char dir[] = "/tmp/test_agent_retain.XXXXXX";
	const char *w[] = {
		"20261204T090000.000Z.pb.gz", "20261204T090100.000Z.pb.gz",
		"20261204T090200.000Z.pb.gz", "20261204T090300.000Z.pb.gz",
	};

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 4; i++)
		touch(dir, w[i], 100);
	touch(dir, "mine.pb.gz", 10000);	/* not a window: never deleted */
	assert_int_equal(agent_store__retain(dir, 3, 0), 1);
	assert_false(exists(dir, w[0]));
	assert_true(exists(dir, w[1]));
	assert_int_equal(agent_store__retain(dir, 0, 150), 2);	/* bytes: 300 -> 100 */
	assert_true(exists(dir, w[3]));
	assert_int_equal(agent_store__retain(dir, 0, 1), 0);	/* the newest stays */
	assert_true(exists(dir, w[3]));
	assert_true(exists(dir, "mine.pb.gz"));
	unlink(strcat(strcat(strcpy((char[256]){0}, dir), "/"), w[3]));
	unlink(strcat(strcat(strcpy((char[256]){0}, dir), "/"), "mine.pb.gz"));
	rmdir(dir);
}

/* n cpu samples of 1 ms each (1 kHz) while serving peer, with msgs messages in */
static void peer_samples(struct profile *p, const char *peer, int n, int64_t msgs)
{
	int t[3] = { profile__add_type(p, "samples", "count"),
		     profile__add_type(p, "cpu", "nanoseconds"),
		     profile__add_type(p, "rx", "messages") };
	struct pf_label_kv kv[2] = { { .key = "thread", .str = "worker" },
				     { .key = "peer", .str = peer } };
	uint32_t loc = profile__intern_named_frame(p, "dht_handle", NULL, false);
	int64_t v[3] = { n, n * 1000000LL, msgs };

	assert_true(profile__add_values(p, profile__intern_stack(p, &loc, 1),
					profile__intern_labels(p, kv, 2), t, v, 3) >= 0);
}

static bool exported(const struct metrics_state *m, const char *peer)
{
	char *prom = render(m, false), want[128];
	bool yes;

	snprintf(want, sizeof(want), "peerscope_peer_cpu_seconds_total{peer=\"%s\"}", peer);
	yes = strstr(prom, want) != NULL;
	free(prom);
	return yes;
}

/*
 * --metrics-peers 1.  A window with 4 samples while serving peers cannot
 * rank them by CPU (one sample either way flips it): the peer with the
 * messages is exported.  A window with 40 samples can: the peer with 3/4
 * of the CPU is exported although the other sent ten times its messages.
 */
static void test_peers_rank(void **state)
{
	struct metrics_state *m = calloc(1, sizeof(*m));
	struct profile *few = profile__new(), *many = profile__new();

	(void)state;
	assert_non_null(m);
	m->peers_k = 1;
	peer_samples(few, "10.0.0.1:1", 3, 5);
	peer_samples(few, "10.0.0.2:2", 1, 50);
	one_window(m, few, V_CPU);
	assert_true(exported(m, "10.0.0.2:2"));
	assert_false(exported(m, "10.0.0.1:1"));

	peer_samples(many, "10.0.0.3:3", 30, 5);
	peer_samples(many, "10.0.0.4:4", 10, 50);
	one_window(m, many, V_CPU);
	assert_true(exported(m, "10.0.0.3:3"));
	assert_false(exported(m, "10.0.0.4:4"));
	profile__free(few);
	profile__free(many);
	metrics__free(m);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_sock_events_per_path),
		cmocka_unit_test(test_index_line),
		cmocka_unit_test(test_retain),
		cmocka_unit_test(test_peers_rank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
