// SPDX-License-Identifier: MIT
/* Unit tests of the per-path decomposition (reports/analysis/paths.c, attribute.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "core/profile.h"
#include "core/rules.h"
#include "analysis/paths.h"
#include "analysis/frames.h"
#include "core/records.h"

#define S 1000000000LL

static uint32_t stack_of(struct profile *p, const char *frames)
{
	uint32_t locs[64], n = 0;
	char *copy = strdup(frames), *tok, *save = NULL;

	for (tok = strtok_r(copy, ";", &save); tok && n < 64; tok = strtok_r(NULL, ";", &save)) {
		bool k = !strncmp(tok, "k:", 2);

		locs[n++] = profile__intern_named_frame(p, k ? tok + 2 : tok, k ? "[kernel]" : "node",
							k);
	}
	free(copy);
	return profile__intern_stack(p, locs, n);
}

static int add(struct profile *p, const char *frames, const char *path, const char *peer,
	       const char *proto, int col, int64_t v)
{
	struct pf_label_kv kv[4];
	uint32_t n = 0;

	kv[n++] = (struct pf_label_kv){ .key = "tid", .num = 7 };
	if (path)
		kv[n++] = (struct pf_label_kv){ .key = "path", .str = path };
	if (peer)
		kv[n++] = (struct pf_label_kv){ .key = "peer", .str = peer };
	if (proto)
		kv[n++] = (struct pf_label_kv){ .key = "proto", .str = proto };
	return profile__add(p, stack_of(p, frames), profile__intern_labels(p, kv, n), col, v);
}

static struct path_rules *rules(void)
{
	char err[256];
	struct path_rules *r = path_rules__load("p2pnode", err, sizeof(err));

	assert_non_null(r);
	return r;
}

static void test_attribution_order(void **state)
{
	struct profile *p = profile__new();
	struct path_rules *r = rules();
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	int tx = profile__add_type(p, "tx", "bytes");
	int s_label, s_sym, s_port, s_none, s_label_other;
	bool span;

	/* a span label beats the symbols of the stack */
	s_label = add(p, "gossip_x;main", "dht", NULL, NULL, cpu, 1);
	s_sym = add(p, "memcpy;gossip_handle_frame;main", NULL, NULL, NULL, cpu, 2);
	s_port = add(p, "k:udp_sendmsg;sendto;loop_run", NULL, "127.0.0.1:4005", "udp", tx, 100);
	s_none = add(p, "main", NULL, NULL, NULL, cpu, 3);
	s_label_other = add(p, "dht_on_reply;main", "other", NULL, NULL, cpu, 4);

	assert_int_equal(paths__sample_path(p, r, s_label, &span), PATH_DHT);
	assert_true(span);
	assert_int_equal(paths__sample_path(p, r, s_sym, &span), PATH_GOSSIP);
	assert_false(span);
	assert_int_equal(paths__sample_path(p, r, s_port, &span), PATH_DHT);
	assert_int_equal(paths__sample_path(p, r, s_none, &span), PATH_OTHER);
	assert_int_equal(paths__sample_path(p, r, s_label_other, &span), PATH_DHT);
	assert_false(span);

	/* relabelling: every sample now says what the rules say */
	assert_int_equal(paths__label_profile(p, r), 3);
	assert_string_equal(profile__label_str(p, p->samples[s_sym].labelset, "path"), "gossip");
	assert_string_equal(profile__label_str(p, p->samples[s_port].labelset, "path"), "dht");
	assert_string_equal(profile__label_str(p, p->samples[s_label_other].labelset, "path"),
			    "dht");
	assert_null(profile__label_str(p, p->samples[s_none].labelset, "path"));
	/* other labels survive */
	assert_string_equal(profile__label_str(p, p->samples[s_port].labelset, "peer"),
			    "127.0.0.1:4005");
	{
		int64_t tid = 0;

		assert_true(profile__label_num(p, p->samples[s_sym].labelset, "tid", &tid));
		assert_int_equal(tid, 7);
	}
	/* a blocked stack cut to one libc frame: the thread name decides; the waker does not */
	{
		struct pf_label_kv kv[2] = {
			{ .key = "thread", .str = "gossip-2" },
			{ .key = "reason", .str = "lock" },
		};
		int s = profile__add(p, stack_of(p, "__lll_lock_wait;-;pthread_mutex_unlock;dht_x"),
				     profile__intern_labels(p, kv, 2), cpu, 5);

		assert_int_equal(paths__sample_path(p, r, s, &span), PATH_GOSSIP);
	}
	assert_int_equal(paths__label_profile(p, r), 1);
	/* idempotent */
	assert_int_equal(paths__label_profile(p, r), 0);
	path_rules__free(r);
	profile__free(p);
}

static void test_decomposition(void **state)
{
	struct profile *p = profile__new();
	struct path_rules *r = rules();
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	int off = profile__add_type(p, "offcpu", "nanoseconds");
	int txm = profile__add_type(p, "tx", "messages");
	int txb = profile__add_type(p, "tx", "bytes");
	struct path_report rep;
	struct path_stats *d;
	struct pf_label_kv kv[3];
	char buf[200];

	p->duration_nanos = 5 * S;
	add(p, "dht_a;dht_worker_main", NULL, NULL, NULL, cpu, 3 * S);
	add(p, "k:do_syscall;sendto;dht_send;dht_worker_main", NULL, NULL, NULL, cpu, 1 * S);
	kv[0] = (struct pf_label_kv){ .key = "reason", .str = "lock" };
	kv[1] = (struct pf_label_kv){ .key = "path", .str = "dht" };
	profile__add(p, stack_of(p, "pthread_mutex_lock;dht_table_read;dht_worker_main"),
		     profile__intern_labels(p, kv, 2), off, 2 * S);
	kv[0] = (struct pf_label_kv){ .key = "reason", .str = "runq" };
	profile__add(p, stack_of(p, "dht_a;dht_worker_main"), profile__intern_labels(p, kv, 1),
		     off, S / 2);
	add(p, "sendto;dht_send", NULL, "127.0.0.1:4001", "udp", txm, 10);
	add(p, "sendto;dht_send", NULL, "127.0.0.1:4001", "udp", txb, 1000);
	add(p, "sendto;dht_send", NULL, "127.0.0.1:4002", "udp", txm, 5);
	assert_int_equal(profile__add_record(p, "hist", "path", "dht", "count", "3", "errors", "1",
					     "sum_ns", "6000", "max_ns", "3000", "unmatched", "2",
					     "buckets", "1000:1,1100:0", NULL), 0);

	assert_int_equal(paths__analyze(p, r, &rep), 0);
	d = paths__find(&rep, "dht");
	assert_non_null(d);
	assert_int_equal(d->cpu_user_ns, 3 * S);
	assert_int_equal(d->cpu_kernel_ns, 1 * S);
	assert_int_equal(d->off_ns[PR_LOCK], 2 * S);
	assert_int_equal(d->runq_ns, S / 2);
	assert_int_equal(d->busy_ns, 3 * S + S + 2 * S + S / 2);
	assert_int_equal(d->span_ns, 2 * S);
	assert_int_equal(d->tx_msgs, 15);
	assert_int_equal(d->tx_bytes, 1000);
	assert_int_equal(d->peers, 2);
	assert_string_equal(d->part[PART_CPU].culprit, "dht_a");
	assert_string_equal(d->part[PART_OFF + PR_LOCK].culprit, "dht_table_read");
	assert_string_equal(d->part[PART_TX].culprit, "dht_send");
	assert_int_equal(d->part[PART_CPU].top[0].value, 3 * S);
	assert_int_equal(d->part[PART_CPU].top[1].value, 1 * S);
	assert_true(d->has_lat);
	assert_int_equal(d->lat.count, 3);
	assert_int_equal(d->lat.errors, 1);
	assert_int_equal(d->lat.unmatched, 2);
	assert_int_equal(d->lat.max_ns, 3000);
	frames__stack_str(p, d->part[PART_CPU].top[0].stack, FRAMES_STR_USER, buf, sizeof(buf));
	assert_string_equal(buf, "dht_a < dht_worker_main");
	frames__stack_str(p, d->part[PART_CPU].top[0].stack, FRAMES_STR_USER, buf, 12);
	assert_true(strlen(buf) < 12);
	assert_non_null(strstr(buf, "..."));
	paths__free(&rep);
	path_rules__free(r);
	profile__free(p);
}

/* The histogram: p50/p95/p99 within the documented 3.2 % of the exact values. */
static void test_quantiles(void **state)
{
	static uint64_t b[REC_LL_BUCKETS];
	uint64_t v[10000];
	int n = 10000;

	srand(1);
	for (int i = 0; i < n; i++) {
		/* log-uniform from 100 us to 2 s */
		double x = (double)rand() / RAND_MAX;

		v[i] = 100000 * __builtin_exp(x * __builtin_log(20000.0));
		b[rec_ll_bucket(v[i])]++;
	}
	/* sort for exact answers */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (double q = 0.5; q < 1; q += 0.45 / 2) {
		uint64_t exact = v[(int)(q * n + 0.999999) - 1];
		uint64_t got = paths__hist_quantile(b, REC_LL_BUCKETS, n, q, v[n - 1]);
		double err = (double)(got > exact ? got - exact : exact - got) / exact;

		if (err > 0.033)
			fail_msg("q%.2f: %llu vs exact %llu (%.1f %%)", q, (unsigned long long)got,
				 (unsigned long long)exact, err * 100);
	}
	assert_int_equal(paths__hist_quantile(b, REC_LL_BUCKETS, 0, 0.5, 0), 0);
	/* never above max */
	assert_true(paths__hist_quantile(b, REC_LL_BUCKETS, n, 1.0, 5) <= 5);
}

static void test_fmt(void **state)
{
	char b[32];

	assert_string_equal(paths__fmt_ns(1.5e9, b, sizeof(b)), "1.5 s");
	assert_string_equal(paths__fmt_ns(2.25e6, b, sizeof(b)), "2.25 ms");
	assert_string_equal(paths__fmt_ns(340e3, b, sizeof(b)), "340 us");
	assert_string_equal(paths__fmt_ns(12, b, sizeof(b)), "12 ns");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attribution_order),
		cmocka_unit_test(test_decomposition),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_fmt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
