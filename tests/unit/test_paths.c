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
#include "analysis/attribute.h"
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

static const char *by_of(const struct profile *p, int sample)
{
	return profile__label_str(p, p->samples[sample].labelset, "path_by");
}

static const char *path_label(const struct profile *p, int sample)
{
	return profile__label_str(p, p->samples[sample].labelset, "path");
}

/* A sample with a thread name and an off-CPU reason (NULL: none). */
static int add_thread(struct profile *p, const char *frames, const char *path,
		      const char *thread, const char *reason, int col, int64_t v)
{
	struct pf_label_kv kv[3];
	uint32_t n = 0;

	if (path)
		kv[n++] = (struct pf_label_kv){ .key = "path", .str = path };
	if (thread)
		kv[n++] = (struct pf_label_kv){ .key = "thread", .str = thread };
	if (reason)
		kv[n++] = (struct pf_label_kv){ .key = "reason", .str = reason };
	return profile__add(p, stack_of(p, frames), profile__intern_labels(p, kv, n), col, v);
}

static void test_attribution_order(void **state)
{
	struct profile *p = profile__new();
	struct path_rules *r = rules();
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	int tx = profile__add_type(p, "tx", "bytes");
	int s_label, s_sym, s_port, s_none, s_label_other, s;
	enum path_how how;

	/* a span label beats the symbols of the stack */
	s_label = add(p, "gossip_x;main", "dht", NULL, NULL, cpu, 1);
	s_sym = add(p, "memcpy;gossip_handle_frame;main", NULL, NULL, NULL, cpu, 2);
	s_port = add(p, "k:udp_sendmsg;sendto;loop_run", NULL, "127.0.0.1:4005", "udp", tx, 100);
	s_none = add(p, "main", NULL, NULL, NULL, cpu, 3);
	s_label_other = add(p, "dht_on_reply;main", "other", NULL, NULL, cpu, 4);
	/* a blocked stack cut to one libc frame: the thread name decides; the waker does not */
	s = add_thread(p, "__lll_lock_wait;-;pthread_mutex_unlock;dht_x", NULL, "gossip-2", "lock",
		       cpu, 5);

	/* not labelled yet: attributed from the stack, the same way labelling does */
	assert_false(paths__is_labelled(p));
	assert_int_equal(paths__path_of(p, r, s_label, &how, NULL), PATH_DHT);
	assert_int_equal(how, BY_LABEL);
	assert_int_equal(paths__path_of(p, r, s_sym, &how, NULL), PATH_GOSSIP);
	assert_int_equal(how, BY_SYMBOL);
	assert_int_equal(paths__path_of(p, r, s_port, &how, NULL), PATH_DHT);
	assert_int_equal(how, BY_PORT);
	assert_int_equal(paths__path_of(p, r, s_none, &how, NULL), PATH_OTHER);
	assert_int_equal(how, BY_NONE);
	assert_int_equal(paths__path_of(p, r, s_label_other, &how, NULL), PATH_DHT);
	assert_int_equal(how, BY_SYMBOL);
	assert_int_equal(paths__path_of(p, r, s, &how, NULL), PATH_GOSSIP);
	assert_int_equal(how, BY_THREAD);

	/* labelling: every sample now says its path and how it got it */
	assert_int_equal(paths__label_profile(p, r), 6);
	assert_true(paths__is_labelled(p));
	assert_string_equal(path_label(p, s_sym), "gossip");
	assert_string_equal(path_label(p, s_port), "dht");
	assert_string_equal(path_label(p, s_label_other), "dht");
	assert_null(path_label(p, s_none));
	assert_string_equal(path_label(p, s), "gossip");
	/* other labels survive */
	assert_string_equal(profile__label_str(p, p->samples[s_port].labelset, "peer"),
			    "127.0.0.1:4005");
	{
		int64_t tid = 0;

		assert_true(profile__label_num(p, p->samples[s_sym].labelset, "tid", &tid));
		assert_int_equal(tid, 7);
	}
	/* and the labels are what the analyses read, with the same answers */
	assert_int_equal(paths__labelled_path(p, r, s_sym, &how), PATH_GOSSIP);
	assert_int_equal(how, BY_SYMBOL);
	assert_int_equal(paths__labelled_path(p, r, s, &how), PATH_GOSSIP);
	assert_int_equal(how, BY_THREAD);
	assert_int_equal(paths__labelled_path(p, r, s_none, &how), PATH_OTHER);
	assert_int_equal(how, BY_NONE);
	path_rules__free(r);
	profile__free(p);
}

/* path_by says which evidence placed each sample, one kind each. */
static void test_provenance(void **state)
{
	struct profile *p = profile__new();
	struct path_rules *r = rules();
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	int tx = profile__add_type(p, "tx", "bytes");
	int span, sym, entry, thread, sock, port, none, unknown;
	struct pf_label_kv kv[2] = {
		{ .key = "sockpath", .str = "gossip" }, { .key = "tid", .num = 9 },
	};

	span = add(p, "recvfrom;loop_run", "dht", NULL, NULL, cpu, 1);
	sym = add(p, "memcpy;dht_handle;dht_worker_main;start_thread", NULL, NULL, NULL, cpu, 2);
	/* the only frame of the path's code is the thread's entry function */
	entry = add(p, "nanosleep;gossip_mesh_main;start_thread;clone3", NULL, NULL, NULL, cpu, 3);
	thread = add_thread(p, "__lll_lock_wait", NULL, "bootstrap", "lock", cpu, 4);
	sock = profile__add(p, stack_of(p, "recvmsg;loop_run"), profile__intern_labels(p, kv, 2),
			    cpu, 5);
	port = add(p, "sendto;loop_run", NULL, "127.0.0.1:5005", "tcp", tx, 6);
	none = add(p, "loop_run;main", NULL, NULL, NULL, cpu, 7);
	/* a label no path of the rules has: the rules decide, and it says "other" when they cannot */
	unknown = add(p, "poll;main", "nosuchpath", NULL, NULL, cpu, 8);

	assert_int_equal(paths__label_profile(p, r), 8);
	assert_string_equal(by_of(p, span), "span");
	assert_string_equal(path_label(p, span), "dht");
	assert_string_equal(by_of(p, sym), "symbol");
	assert_string_equal(path_label(p, sym), "dht");
	assert_string_equal(by_of(p, entry), "entry");
	assert_string_equal(path_label(p, entry), "gossip");
	assert_string_equal(by_of(p, thread), "thread");
	assert_string_equal(path_label(p, thread), "bootstrap");
	assert_string_equal(by_of(p, sock), "socket");
	assert_string_equal(path_label(p, sock), "gossip");
	assert_string_equal(by_of(p, port), "port");
	assert_string_equal(path_label(p, port), "gossip");
	assert_string_equal(by_of(p, none), "none");
	assert_null(path_label(p, none));
	assert_string_equal(by_of(p, unknown), "none");
	assert_string_equal(path_label(p, unknown), "other");
	for (int i = 0; i < BY_NR; i++)
		assert_int_equal(paths__how_parse(paths__how_name(i)), i);
	assert_int_equal(paths__how_parse("bogus"), -1);
	path_rules__free(r);
	profile__free(p);
}

/* Labelling twice is labelling once; samples it makes equal merge, losing nothing. */
static void test_relabel_idempotent(void **state)
{
	struct profile *p = profile__new();
	struct path_rules *r = rules();
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	uint32_t nr;

	/* the same stack, once with path=other and once without: both become dht by symbol */
	add(p, "dht_lookup;main", "other", NULL, NULL, cpu, 10);
	add(p, "dht_lookup;main", NULL, NULL, NULL, cpu, 20);
	add(p, "dht_lookup;main", "dht", NULL, NULL, cpu, 30);
	add(p, "main", NULL, NULL, NULL, cpu, 40);
	assert_int_equal(paths__label_profile(p, r), 4);
	/* the first two merged; a span's dht and a rule's stay apart (their path_by differs) */
	assert_int_equal(p->nr_samples, 3);
	assert_int_equal(profile__value(p, 0, cpu), 30);
	assert_string_equal(by_of(p, 0), "symbol");
	assert_string_equal(by_of(p, 1), "span");
	assert_int_equal(profile__total(p, cpu), 100);
	nr = p->nr_samples;
	assert_int_equal(paths__label_profile(p, r), 0);
	assert_int_equal(p->nr_samples, nr);
	assert_int_equal(profile__total(p, cpu), 100);
	path_rules__free(r);
	profile__free(p);
}

/* A traffic sample of socket (pid, proto, lport), thread name thread (NULL: none). */
static int add_sock(struct profile *p, const char *frames, int64_t pid, const char *proto,
		    int64_t lport, const char *thread, int col, int64_t v)
{
	struct pf_label_kv kv[4] = {
		{ .key = "pid", .num = pid }, { .key = "proto", .str = proto },
		{ .key = "lport", .num = lport },
	};
	uint32_t n = 3;

	if (thread)
		kv[n++] = (struct pf_label_kv){ .key = "thread", .str = thread };
	return profile__add(p, stack_of(p, frames), profile__intern_labels(p, kv, n), col, v);
}

/*
 * A socket's traffic that no evidence places takes the path most of its
 * placed bytes have (path_by socket); a different pid, protocol or port
 * is another socket, port 0 is none, a thread's name is no evidence of
 * the socket's, and nothing a rule placed moves.
 */
static void test_socket_inherits(void **state)
{
	struct profile *p = profile__new();
	struct path_rules *r = rules();
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	int tx = profile__add_type(p, "tx", "bytes");
	int rx = profile__add_type(p, "rx", "bytes");
	int dht_tx, gossip_tx, rx_a, rx_pid, rx_tcp, rx_port, rx_zero, rx_thread, on_cpu;
	uint32_t nr;

	/* socket A (pid 5, udp 7000): 300 bytes sent by dht code, 100 by gossip code */
	dht_tx = add_sock(p, "sendto;dht_send;main", 5, "udp", 7000, NULL, tx, 300);
	gossip_tx = add_sock(p, "sendto;gossip_send;main", 5, "udp", 7000, NULL, tx, 100);
	/* received in the event loop, before any rule's code runs */
	rx_a = add_sock(p, "recvmsg;uv__udp_io;uv_run", 5, "udp", 7000, NULL, rx, 1000);
	/* the same port in another process, over tcp, another port: other sockets */
	rx_pid = add_sock(p, "recvmsg;uv__udp_io;uv_run", 6, "udp", 7000, NULL, rx, 10);
	rx_tcp = add_sock(p, "recvmsg;uv__udp_io;uv_run", 5, "tcp", 7000, NULL, rx, 20);
	rx_port = add_sock(p, "recvmsg;uv__udp_io;uv_run", 5, "udp", 7001, NULL, rx, 30);
	/* port 0 is not known: placed traffic there says nothing of the rest */
	add_sock(p, "sendto;dht_send;main", 5, "udp", 0, NULL, tx, 40);
	rx_zero = add_sock(p, "recvmsg;uv__udp_io;uv_run", 5, "udp", 0, NULL, rx, 50);
	/* socket C: its sends placed by the thread's name only */
	add_sock(p, "sendto;loop", 5, "udp", 7002, "gossip-1", tx, 60);
	rx_thread = add_sock(p, "recvmsg;loop", 5, "udp", 7002, NULL, rx, 70);
	/* not traffic: no socket labels */
	on_cpu = add(p, "recvmsg;uv__udp_io;uv_run", NULL, NULL, NULL, cpu, 80);

	assert_true(paths__label_profile(p, r) > 0);
	assert_string_equal(path_label(p, dht_tx), "dht");
	assert_string_equal(by_of(p, dht_tx), "symbol");
	assert_string_equal(path_label(p, gossip_tx), "gossip");
	assert_string_equal(by_of(p, gossip_tx), "symbol");
	assert_string_equal(path_label(p, rx_a), "dht");
	assert_string_equal(by_of(p, rx_a), "socket");
	for (int i = 0; i < 5; i++) {
		int s = (int[]){ rx_pid, rx_tcp, rx_port, rx_zero, rx_thread }[i];

		assert_null(path_label(p, s));
		assert_string_equal(by_of(p, s), "none");
	}
	assert_string_equal(by_of(p, on_cpu), "none");
	assert_int_equal(profile__total(p, rx), 1180);
	/* labelled once: a second call finds nothing to do */
	nr = p->nr_samples;
	assert_int_equal(paths__label_profile(p, r), 0);
	assert_int_equal(p->nr_samples, nr);
	path_rules__free(r);
	profile__free(p);
}

/* A cpu sample of a thread of pid serving socket (proto, port), or serving none (proto NULL). */
static int add_served(struct profile *p, const char *frames, int64_t pid, const char *proto,
		      int64_t port, int col, int64_t v)
{
	struct pf_label_kv kv[3] = { { .key = "pid", .num = pid } };
	uint32_t n = 1;

	if (proto) {
		kv[n++] = (struct pf_label_kv){ .key = "sockproto", .str = proto };
		kv[n++] = (struct pf_label_kv){ .key = "sockport", .num = port };
	}
	return profile__add(p, stack_of(p, frames), profile__intern_labels(p, kv, n), col, v);
}

/*
 * What a thread does while it serves a socket (its `sockproto`/`sockport`
 * labels) takes that socket's path when nothing else places it: its
 * receive and the handling after it.  A symbol still wins, a socket whose
 * traffic nothing placed gives nothing, nor does another process's socket
 * of the same port, nor a thread serving no socket.
 */
static void test_served_socket(void **state)
{
	struct profile *p = profile__new();
	struct path_rules *r = rules();
	int cpu = profile__add_type(p, "cpu", "nanoseconds");
	int tx = profile__add_type(p, "tx", "bytes");
	int recv, handle, sym, unplaced, other_pid, idle;

	add_sock(p, "sendto;dht_send;main", 5, "udp", 7000, NULL, tx, 300);
	add_sock(p, "sendto;loop", 5, "udp", 7001, NULL, tx, 300);
	recv = add_served(p, "k:udp_recvmsg;recvmsg;uv__udp_io;uv_run", 5, "udp", 7000, cpu, 10);
	handle = add_served(p, "parse;on_message;uv__udp_io;uv_run", 5, "udp", 7000, cpu, 20);
	sym = add_served(p, "gossip_handle;uv__udp_io;uv_run", 5, "udp", 7000, cpu, 30);
	unplaced = add_served(p, "parse;on_message;uv__udp_io;uv_run", 5, "udp", 7001, cpu, 40);
	other_pid = add_served(p, "parse;on_message;uv__udp_io;uv_run", 6, "udp", 7000, cpu, 50);
	idle = add_served(p, "timer;uv_run", 5, NULL, 0, cpu, 60);

	assert_true(paths__label_profile(p, r) > 0);
	assert_string_equal(path_label(p, recv), "dht");
	assert_string_equal(by_of(p, recv), "socket");
	assert_string_equal(path_label(p, handle), "dht");
	assert_string_equal(by_of(p, handle), "socket");
	assert_string_equal(path_label(p, sym), "gossip");
	assert_string_equal(by_of(p, sym), "symbol");
	for (int i = 0; i < 3; i++) {
		int s = (int[]){ unplaced, other_pid, idle }[i];

		assert_null(path_label(p, s));
		assert_string_equal(by_of(p, s), "none");
	}
	path_rules__free(r);
	profile__free(p);
}

/*
 * An idle stack counts the same whether the analysis attributes it itself
 * or reads the labels written at load, and whether or not --path kept only
 * its path: a rule-given path's idle wait stays idle, a span's is network
 * wait (inside an operation).  Labelling once with `path` alone made every
 * rule-given path look span-given, so `report --path dht` counted as
 * network wait what plain `report` counted as idle.
 */
static void test_idle_same_span_or_rule(void **state)
{
	struct profile *p = profile__new(), *f;
	struct path_rules *r = rules();
	int off = profile__add_type(p, "offcpu", "nanoseconds");
	struct path_report rep[3];
	struct path_stats *d;

	p->duration_nanos = 10 * S;
	/* the same event-loop wait, placed by a span and by a symbol rule */
	add_thread(p, "epoll_wait;dht_loop;dht_worker_main", "dht", NULL, "net", off, 2 * S);
	add_thread(p, "epoll_wait;dht_poll;dht_worker_main", NULL, NULL, "net", off, 3 * S);
	assert_int_equal(paths__analyze(p, r, &rep[0]), 0);
	assert_true(paths__label_profile(p, r) > 0);
	assert_int_equal(paths__analyze(p, r, &rep[1]), 0);
	f = profile__filter(p, paths__sample_on, "dht");
	assert_non_null(f);
	assert_int_equal(paths__analyze(f, r, &rep[2]), 0);
	for (int i = 0; i < 3; i++) {
		d = paths__find(&rep[i], "dht");
		assert_non_null(d);
		assert_int_equal(d->idle_ns, 3 * S);
		assert_int_equal(d->off_ns[PR_NET], 2 * S);
		assert_int_equal(d->span_ns, 2 * S);
		assert_int_equal(d->busy_ns, 2 * S);
		paths__free(&rep[i]);
	}
	profile__free(f);
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
		cmocka_unit_test(test_provenance),
		cmocka_unit_test(test_relabel_idempotent),
		cmocka_unit_test(test_socket_inherits),
		cmocka_unit_test(test_served_socket),
		cmocka_unit_test(test_idle_same_span_or_rule),
		cmocka_unit_test(test_decomposition),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_fmt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
