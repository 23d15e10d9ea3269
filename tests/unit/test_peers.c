// SPDX-License-Identifier: MIT
/*
 * Unit tests of the per-peer analysis (reports/analysis/peers.c) on
 * hand-built profiles: the socket tag decides a path only when no symbol
 * does, shares, and both verdicts (cost vs messages, cost vs the median).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "analysis/peers.h"

enum { SAMPLES, CPU, RXB, RXM, NR_COLS };
static int types[NR_COLS];

static struct profile *new_profile(void)
{
	struct profile *p = profile__new();

	assert_non_null(p);
	types[SAMPLES] = profile__add_type(p, "samples", "count");
	types[CPU] = profile__add_type(p, "cpu", "nanoseconds");
	types[RXB] = profile__add_type(p, "rx", "bytes");
	types[RXM] = profile__add_type(p, "rx", "messages");
	return p;
}

/* One sample: frame (leaf), peer (NULL: untagged), sockpath (NULL: none). */
static void add(struct profile *p, const char *frame, const char *peer, const char *sockpath,
		int64_t cpu, int64_t rx_msgs)
{
	struct pf_label_kv kv[3];
	uint32_t n = 0, loc = profile__intern_named_frame(p, frame, NULL, false);
	int64_t v[NR_COLS] = { cpu / 1000, cpu, rx_msgs * 100, rx_msgs };	/* 1 kHz */

	kv[n++] = (struct pf_label_kv){ .key = "thread", .str = "worker" };
	if (peer)
		kv[n++] = (struct pf_label_kv){ .key = "peer", .str = peer };
	if (sockpath)
		kv[n++] = (struct pf_label_kv){ .key = "sockpath", .str = sockpath };
	assert_true(profile__add_values(p, profile__intern_stack(p, &loc, 1),
					profile__intern_labels(p, kv, n), types, v, NR_COLS) >= 0);
}

static struct path_rules *rules(void)
{
	char err[128];
	struct path_rules *r = path_rules__parse("dht = ^dht_\n", "test", err, sizeof(err));

	assert_non_null(r);
	return r;
}

static const struct peers_path *find(const struct peers_data *d, const char *path)
{
	for (int i = 0; i < d->nr_paths; i++) {
		if (!strcmp(d->paths[i].path, path))
			return &d->paths[i];
	}
	return NULL;
}

/* A stripped node: no symbol matches, the socket puts the CPU in dht. */
static void test_sockpath_decides_without_symbols(void **state)
{
	struct profile *p = new_profile();
	struct path_rules *r = rules();
	const struct peers_path *dht;
	struct peers_data d;

	(void)state;
	for (int i = 0; i < 30; i++)
		add(p, "module+0x1234", "10.0.0.1:4001", "dht", 1000, 0);
	add(p, "module+0x1234", NULL, NULL, 5000, 0);	/* untagged: not dht */
	add(p, "dht_serve", NULL, NULL, 7000, 0);	/* a symbol: dht, untagged */
	add(p, "recvfrom", "10.0.0.1:4001", NULL, 0, 10);
	assert_int_equal(peers__compute(p, r, &d), 0);
	dht = find(&d, "dht");
	assert_non_null(dht);
	assert_int_equal(dht->cpu_ns, 30 * 1000 + 7000);
	assert_int_equal(dht->tagged_cpu_ns, 30 * 1000);
	assert_int_equal(dht->nr_peers, 1);
	assert_true(d.tagged);
	peers__free(&d);
	path_rules__free(r);
	profile__free(p);
}

/* A symbol beats the socket: a gossip-tagged sample in dht_ code is dht. */
static void test_symbol_wins_over_sockpath(void **state)
{
	struct profile *p = new_profile();
	struct path_rules *r = rules();
	struct peers_data d;

	(void)state;
	add(p, "dht_serve", "10.0.0.1:4001", "gossip", 1000, 0);
	assert_int_equal(peers__compute(p, r, &d), 0);
	assert_non_null(find(&d, "dht"));
	assert_null(find(&d, "gossip"));
	peers__free(&d);
	path_rules__free(r);
	profile__free(p);
}

/* 9 % of the messages, 61 % of the CPU: flagged for disproportion. */
static void test_disproportion_flagged(void **state)
{
	struct profile *p = new_profile();
	struct path_rules *r = rules();
	const struct peers_path *dht;
	struct peers_data d;

	(void)state;
	add(p, "dht_validate", "127.0.0.5:4004", NULL, 61 * 1000, 9);
	add(p, "dht_validate", "127.0.0.2:4001", NULL, 20 * 1000, 45);
	add(p, "dht_validate", "127.0.0.3:4002", NULL, 19 * 1000, 46);
	assert_int_equal(peers__compute(p, r, &d), 0);
	dht = find(&d, "dht");
	assert_non_null(dht);
	assert_int_equal(dht->flagged, 0);
	assert_true(dht->disproportion);
	assert_string_equal(dht->peers[0].peer, "127.0.0.5:4004");
	assert_true(dht->peers[0].cpu_share > 60.9 && dht->peers[0].cpu_share < 61.1);
	assert_true(dht->peers[0].msg_share > 8.9 && dht->peers[0].msg_share < 9.1);
	peers__free(&d);
	path_rules__free(r);
	profile__free(p);
}

/*
 * Four dht peers, each sending and costing in proportion; the last one
 * weight times the others.  Returns the analysis of it.
 */
static void four_peers(int weight, struct peers_data *d)
{
	struct profile *p = new_profile();
	struct path_rules *r = rules();
	char peer[32];

	for (int k = 0; k < 4; k++) {
		int w = k == 3 ? weight : 1;

		snprintf(peer, sizeof(peer), "127.0.0.%d:4000", k + 2);
		for (int i = 0; i < 10 * w; i++)
			add(p, "dht_serve", peer, NULL, 1000 + 100 * k, 0);
		add(p, "dht_on_readable", peer, NULL, 0, (100 + 10 * k) * w);
	}
	assert_int_equal(peers__compute(p, r, d), 0);
	path_rules__free(r);
	profile__free(p);
}

/* Peers that cost in proportion to what they send: nobody flagged. */
static void test_clean_not_flagged(void **state)
{
	const struct peers_path *dht;
	struct peers_data d;

	(void)state;
	four_peers(1, &d);
	dht = find(&d, "dht");
	assert_non_null(dht);
	assert_int_equal(dht->flagged, -1);
	assert_true(dht->max_median > 1.0 && dht->max_median < PEERS_FLAG_RATIO);
	peers__free(&d);
}

/* One peer at 5x the median, messages in proportion: flagged vs the median. */
static void test_heavy_peer_flagged_vs_median(void **state)
{
	const struct peers_path *dht;
	struct peers_data d;

	(void)state;
	four_peers(5, &d);
	dht = find(&d, "dht");
	assert_non_null(dht);
	assert_int_equal(dht->flagged, 0);
	assert_false(dht->disproportion);
	assert_string_equal(dht->peers[0].peer, "127.0.0.5:4000");
	peers__free(&d);
}

/* Replies of three peers: wait per reply w[i] ms, 100 replies each ("peerwait" records). */
static void three_waits(const int *w, struct peers_data *d)
{
	struct profile *p = new_profile();
	struct path_rules *r = rules();
	char peer[32];

	for (int i = 0; i < 3; i++) {
		snprintf(peer, sizeof(peer), "127.0.0.%d:4000", i + 2);
		add(p, "dht_serve", peer, NULL, 100000000, 100);
		assert_true(records__add_peerwait(p, &(struct rec_peerwait){
			.pid = 1, .path = "dht", .peer = peer, .replies = 100,
			.wait_ns = (uint64_t)w[i] * 100 * 1000000, .max_ns = w[i] * 1000000ULL }) >= 0);
	}
	assert_true(records__add_peerid(p, &(struct rec_peerid){ .peer = "127.0.0.3:4000",
								 .id = "00112233aabbccdd" }) >= 0);
	assert_int_equal(peers__compute(p, r, d), 0);
	path_rules__free(r);
	profile__free(p);
}

/* One peer 50x slower to answer: flagged as slow, with its share of the waiting. */
static void test_slow_peer_flagged(void **state)
{
	static const int w[3] = { 1, 50, 1 };
	const struct peers_path *dht;
	const struct peer_cost *slow;
	struct peers_data d;

	(void)state;
	three_waits(w, &d);
	dht = find(&d, "dht");
	assert_non_null(dht);
	assert_true(dht->wait_flagged >= 0);
	slow = &dht->peers[dht->wait_flagged];
	assert_string_equal(slow->peer, "127.0.0.3:4000");
	assert_string_equal(slow->id, "00112233aabbccdd");
	assert_true(slow->wait_share > 96.0 && slow->wait_share < 96.3);	/* 50 / 52 */
	assert_true(dht->wait_max_median > 49.9 && dht->wait_max_median < 50.1);
	assert_int_equal(dht->replies, 300);
	peers__free(&d);
}

/* Replies alike: nobody slow, ratio about 1. */
static void test_even_waits_not_flagged(void **state)
{
	static const int w[3] = { 2, 2, 3 };
	const struct peers_path *dht;
	struct peers_data d;

	(void)state;
	three_waits(w, &d);
	dht = find(&d, "dht");
	assert_non_null(dht);
	assert_int_equal(dht->wait_flagged, -1);
	assert_true(dht->wait_top >= 0);
	assert_string_equal(dht->peers[dht->wait_top].peer, "127.0.0.4:4000");
	assert_true(dht->wait_max_median < PEERS_WAIT_RATIO);
	peers__free(&d);
}

/* Sends made while serving a peer count for that peer, not for their receiver. */
static void test_served_tx_bytes(void **state)
{
	struct profile *p = new_profile();
	struct path_rules *r = rules();
	int tx = profile__add_type(p, "tx", "bytes");
	uint32_t loc = profile__intern_named_frame(p, "dht_send", NULL, false);
	struct pf_label_kv kv[3] = {
		{ .key = "peer", .str = "127.0.0.9:4000" },	/* where the reply went */
		{ .key = "serving", .str = "127.0.0.2:4000" },	/* whom it was for */
		{ .key = "thread", .str = "worker" },
	};
	int64_t v = 4096;
	const struct peers_path *dht;
	struct peers_data d;

	(void)state;
	add(p, "dht_serve", "127.0.0.2:4000", NULL, 100000000, 10);
	assert_true(profile__add_values(p, profile__intern_stack(p, &loc, 1),
					profile__intern_labels(p, kv, 3), &tx, &v, 1) >= 0);
	assert_int_equal(peers__compute(p, r, &d), 0);
	dht = find(&d, "dht");
	assert_non_null(dht);
	for (int i = 0; i < dht->nr_peers; i++) {
		const struct peer_cost *pc = &dht->peers[i];

		if (!strcmp(pc->peer, "127.0.0.2:4000")) {
			assert_int_equal(pc->served_tx_bytes, 4096);
			assert_int_equal(pc->tx_bytes, 0);
		} else {
			assert_string_equal(pc->peer, "127.0.0.9:4000");
			assert_int_equal(pc->served_tx_bytes, 0);
			assert_int_equal(pc->tx_bytes, 4096);
		}
	}
	peers__free(&d);
	path_rules__free(r);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockpath_decides_without_symbols),
		cmocka_unit_test(test_symbol_wins_over_sockpath),
		cmocka_unit_test(test_disproportion_flagged),
		cmocka_unit_test(test_clean_not_flagged),
		cmocka_unit_test(test_heavy_peer_flagged_vs_median),
		cmocka_unit_test(test_slow_peer_flagged),
		cmocka_unit_test(test_even_waits_not_flagged),
		cmocka_unit_test(test_served_tx_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
