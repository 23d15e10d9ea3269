// SPDX-License-Identifier: MIT
/*
 * Unit tests of the verdict rules (reports/analysis/verdicts.c): each rule
 * on a hand-built profile shaped like the injection it should catch, built
 * with the profile.h API and decomposed by reports/analysis/paths.c, plus
 * the SLA checks.
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
#include <linux/types.h>

#include "core/profile.h"
#include "core/rules.h"
#include "analysis/paths.h"
#include "reports/bottleneck.h"
#include "core/records.h"

#define S 1000000000LL
#define MS 1000000LL

static struct profile *new_profile(void)
{
	struct profile *p = profile__new();

	assert_non_null(p);
	p->duration_nanos = 10 * S;
	return p;
}

/* frames "leaf;caller;...", a "k:" prefix marks a kernel frame */
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

/* type "cpu", "offcpu", "runq" (ns) or "tx/bytes", "tx/messages", "alloc/bytes" */
static void add(struct profile *p, const char *frames, const char *path, const char *reason,
		const char *type, int64_t v)
{
	struct pf_label_kv kv[4];
	char t[32];
	const char *unit = "nanoseconds", *slash = strchr(type, '/');
	uint32_t n = 0;
	int col;

	snprintf(t, sizeof(t), "%.*s", slash ? (int)(slash - type) : (int)strlen(type), type);
	if (slash)
		unit = slash + 1;
	col = profile__add_type(p, t, unit);
	assert_true(col >= 0);
	kv[n++] = (struct pf_label_kv){ .key = "pid", .num = 42 };
	if (path)
		kv[n++] = (struct pf_label_kv){ .key = "path", .str = path };
	if (reason)
		kv[n++] = (struct pf_label_kv){ .key = "reason", .str = reason };
	assert_true(profile__add(p, stack_of(p, frames), profile__intern_labels(p, kv, n), col,
				 v) >= 0);
}

/* A "hist" record as the span collector writes it, from n latencies. */
static void add_hist(struct profile *p, const char *path, const uint64_t *lat, int n,
		     int errors)
{
	static uint64_t b[REC_LL_BUCKETS];
	static struct rec_hist h;

	memset(b, 0, sizeof(b));
	h = (struct rec_hist){ .path = path, .count = n, .errors = errors };
	for (int i = 0; i < n; i++) {
		b[rec_ll_bucket(lat[i])]++;
		h.sum_ns += lat[i];
		if (lat[i] > h.max_ns)
			h.max_ns = lat[i];
	}
	for (int i = 0; i < REC_LL_BUCKETS; i++)
		rec_buckets__add(&h.buckets, rec_ll_low(i), b[i]);
	assert_int_equal(records__add_hist(p, &h), 0);
}

/* n latencies: most at base, the last tail_n at tail. */
static uint64_t *latencies(int n, uint64_t base, int tail_n, uint64_t tail)
{
	uint64_t *v = calloc(n, sizeof(*v));

	for (int i = 0; i < n; i++)
		v[i] = i >= n - tail_n ? tail + i : base + (i % 7) * (base / 50);
	return v;
}

struct judged {
	struct path_rules *rules;
	struct path_report rep;
	struct verdict v[PATH_MAX_PATHS];
};

static struct judged *judge(struct profile *p)
{
	struct judged *j = calloc(1, sizeof(*j));
	char err[256];

	j->rules = path_rules__load("p2pnode", err, sizeof(err));
	assert_non_null(j->rules);
	assert_int_equal(paths__analyze(p, j->rules, &j->rep), 0);
	bottleneck__judge(&j->rep, NULL, j->v);
	return j;
}

static const struct verdict *verdict_of(struct judged *j, const char *path)
{
	for (uint32_t i = 0; i < j->rep.nr_paths; i++) {
		if (!strcmp(j->rep.paths[i].name, path))
			return &j->v[i];
	}
	fail_msg("no path %s", path);
	return NULL;
}

static void judged_free(struct judged *j, struct profile *p)
{
	paths__free(&j->rep);
	path_rules__free(j->rules);
	free(j);
	profile__free(p);
}

static void expect(struct judged *j, const char *path, enum verdict_kind kind,
		   const char *culprit, const char *phrase)
{
	const struct verdict *v = verdict_of(j, path);

	if (v->kind != kind)
		fail_msg("%s: verdict %s, want %s: %s", path, verdict_kind_names[v->kind],
			 verdict_kind_names[kind], v->text);
	if (culprit && strcmp(v->culprit, culprit))
		fail_msg("%s: culprit '%s', want '%s': %s", path, v->culprit, culprit, v->text);
	if (phrase && !strstr(v->text, phrase))
		fail_msg("%s: '%s' lacks '%s'", path, v->text, phrase);
}

/* dht-cpu: the worker burns a CPU in dht_distance_slow; its queue waits are idle. */
static void test_cpu_bound(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	add(p, "dht_distance_slow;dht_lookup_merge;dht_on_reply;dht_worker_main", NULL, NULL,
	    "cpu", 6 * S);
	add(p, "dht_handle_request;dht_worker_main", NULL, NULL, "cpu", 1 * S);
	add(p, "k:futex_wait;pthread_cond_timedwait;workq_pop;dht_worker_main", NULL, "lock",
	    "offcpu", 3 * S);
	add(p, "gossip_handle_frame;gossip_worker_main", NULL, NULL, "cpu", S / 20);
	j = judge(p);
	expect(j, "dht", V_CPU, "dht_distance_slow", "CPU-bound");
	assert_non_null(strstr(verdict_of(j, "dht")->text, "`dht_distance_slow`"));
	/* the idle queue wait is not lock contention */
	assert_int_equal(paths__find(&j->rep, "dht")->off_ns[PR_LOCK], 0);
	assert_int_equal(paths__find(&j->rep, "dht")->idle_ns, 3 * S);
	expect(j, "gossip", V_IDLE, NULL, "no bottleneck");
	judged_free(j, p);
}

/*
 * "hottest" is the code that burns the CPU: not the wait a thread spins
 * into (V8's ConditionVariable::WaitFor), not a profiler's own sampler.
 */
static void test_hottest_not_wait(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	add(p, "k:futex_wait;v8::base::ConditionVariable::WaitFor;v8::platform::Worker::Run",
	    "other", NULL, "cpu", 4 * S);
	add(p, "v8::sampler::Sampler::DoSample();v8::sampler::SignalHandler", "other", NULL,
	    "cpu", 3 * S);
	add(p, "k_closest;lookup;uv_run", "other", NULL, "cpu", 2 * S);
	j = judge(p);
	/* the worker's on-CPU wait is idle, not the CPU the path burns */
	expect(j, "other", V_CPU, "k_closest", "CPU-bound");
	assert_null(strstr(verdict_of(j, "other")->text, "DoSample"));
	assert_null(strstr(verdict_of(j, "other")->text, "WaitFor"));
	judged_free(j, p);
}

/*
 * On-CPU time in stacks that wait for work (an event loop entering and
 * leaving epoll_wait, Go's idle Ps spinning in findRunnable, sysmon) is
 * idle, not busy: 3 of the 3.3 CPU-seconds here.  What is left, 0.3 s in a
 * callback the loop ran, is 0.03 threads busy: nothing stands out.
 */
static void test_idle_on_cpu_not_busy(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;
	const struct path_stats *ps;

	add(p, "k:do_epoll_wait;epoll_wait;uv__io_poll;uv_run;node::Start", NULL, NULL, "cpu",
	    15 * S / 10);
	add(p, "runtime.runqgrab;runtime.stealWork;runtime.findRunnable;runtime.schedule",
	    NULL, NULL, "cpu", 1 * S);
	add(p, "runtime.usleep;runtime.sysmon;runtime.mstart", NULL, NULL, "cpu", 5 * S / 10);
	/* a callback under the same loop is work */
	add(p, "k:udp_sendmsg;sendto;uv__udp_sendmsg;uv__io_poll;uv_run;node::Start", NULL,
	    NULL, "cpu", 3 * S / 10);
	j = judge(p);
	ps = &j->rep.paths[verdict_of(j, "other") - j->v];
	assert_int_equal(ps->idle_cpu_ns, 3 * S);
	assert_int_equal(ps->cpu_user_ns + ps->cpu_kernel_ns, 3 * S / 10);
	assert_int_equal(ps->busy_ns, 3 * S / 10);
	/* before: CPU-bound at 0.33 CPUs, hottest epoll_wait's caller */
	expect(j, "other", V_NONE, NULL, "0.03 threads busy");
	judged_free(j, p);
}

/*
 * A stripped daemon's timer thread (Transmission under a DHT flood): a
 * sleep in unnamed code that nothing places in a path is a tick loop, not
 * "95 % of wall time is sleeping (timers)" on other.
 */
static void test_unplaced_sleep_is_idle(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	add(p, "k:hrtimer_nanosleep;clock_nanosleep;__nanosleep;daemon+0x1f303;daemon+0xce07",
	    NULL, "timer", "offcpu", 95 * S / 10);
	add(p, "daemon+0x2c8d2;daemon+0xce07", NULL, NULL, "cpu", S / 100);
	j = judge(p);
	expect(j, "other", V_IDLE, NULL, "little work here");
	assert_int_equal(j->rep.paths[verdict_of(j, "other") - j->v].idle_ns, 95 * S / 10);
	judged_free(j, p);
}

/* gossip-lock: workers queue on one mutex held across validation. */
static void test_lock_wait(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	add(p, "k:futex_wait;__lll_lock_wait;pthread_mutex_lock;gossip_validate;"
	    "gossip_handle_frame;gossip_worker_main", NULL, "lock", "offcpu", 7 * S);
	add(p, "gossip_validate_busy;gossip_validate;gossip_handle_frame;gossip_worker_main", NULL,
	    NULL, "cpu", 9 * S / 10);
	add(p, "k:hrtimer_nanosleep;clock_nanosleep;nanosleep;gossip_validate;gossip_handle_frame",
	    NULL, "timer", "offcpu", 1 * S);
	add(p, "k:futex_wait;pthread_cond_wait;workq_pop;gossip_worker_main", NULL, "lock",
	    "offcpu", 20 * S);
	j = judge(p);
	expect(j, "gossip", V_LOCK, "gossip_validate", "lock wait in `gossip_validate` (futex)");
	assert_non_null(strstr(verdict_of(j, "gossip")->text, "on-CPU is 10 %"));
	judged_free(j, p);
}

/* bootstrap-slow: inside the bootstrap span the thread waits on slow dials. */
static void test_network_wait(void **state)
{
	struct profile *p = new_profile();
	uint64_t *lat = latencies(3, 1500 * MS, 0, 0);
	struct judged *j;

	add(p, "k:tcp_recvmsg;recv;conn_read_hello;conn_dial;bootstrap_join;bootstrap_main",
	    "bootstrap", "net", "offcpu", 4 * S);
	add(p, "bootstrap_join;bootstrap_main", "bootstrap", NULL, "cpu", S / 20);
	/* the thread exits when done: time after do_exit() is nobody's wait */
	add(p, "k:__schedule;k:do_task_dead;k:do_exit;bootstrap_main", NULL, "other", "offcpu",
	    50 * S);
	add_hist(p, "bootstrap", lat, 3, 0);
	j = judge(p);
	expect(j, "bootstrap", V_NET, "bootstrap_join", "network wait");
	assert_non_null(strstr(verdict_of(j, "bootstrap")->text, "p50 1.5"));
	free(lat);
	judged_free(j, p);
}

/* dht-loss: lost replies time out; the worker's waits are inside lookups. */
static void test_latency_tail(void **state)
{
	struct profile *p = new_profile();
	uint64_t *lat = latencies(1000, 1 * MS, 40, 500 * MS);
	struct judged *j;

	add(p, "k:futex_wait;pthread_cond_timedwait;workq_pop;dht_worker_main", "dht", "lock",
	    "offcpu", 5 * S);
	add(p, "dht_on_reply;dht_worker_main", "dht", NULL, "cpu", S / 5);
	add_hist(p, "dht", lat, 1000, 40);
	j = judge(p);
	expect(j, "dht", V_NET, NULL, "latency tail");
	assert_true(verdict_of(j, "dht")->tail);
	assert_non_null(strstr(verdict_of(j, "dht")->text, "40 of 1000 operations failed"));
	/* under a span, waiting on the queue is waiting for replies: net, not lock */
	assert_int_equal(paths__find(&j->rep, "dht")->off_ns[PR_LOCK], 0);
	assert_int_equal(paths__find(&j->rep, "dht")->off_ns[PR_NET], 5 * S);
	free(lat);
	judged_free(j, p);
}

#define STORM_STACK "k:tcp_sendmsg;send;gossip_write_small;gossip_flush_locked;gossip_send;" \
		    "gossip_forward"

/* A profile with --inject small-writes' traffic: 20k writes/s of 4 bytes over 10 s. */
static struct profile *storm_profile(void)
{
	struct profile *p = new_profile();

	add(p, STORM_STACK, NULL, NULL, "tx/messages", 200000);
	add(p, STORM_STACK, NULL, NULL, "tx/bytes", 800000);
	return p;
}

/* small-writes: 20k writes/s of 4 bytes each. */
static void test_write_storm(void **state)
{
	struct profile *p = storm_profile();
	struct judged *j;

	add(p, STORM_STACK, NULL, NULL, "cpu", 2 * S);
	add(p, "gossip_forward;gossip_handle_frame", NULL, NULL, "cpu", S / 2);
	j = judge(p);
	expect(j, "gossip", V_STORM, "gossip_write_small", "socket-write storm");
	assert_non_null(strstr(verdict_of(j, "gossip")->text, "20k writes/s averaging 4 B"));
	judged_free(j, p);
}

/*
 * small-writes on a host the storms overload (seen in CI): the gossip
 * threads wait for a CPU more than they run, on every path.  The storm is
 * the cause and the verdict; the run queue is said in it.
 */
static void test_write_storm_starved(void **state)
{
	struct profile *p = storm_profile();
	struct judged *j;

	add(p, STORM_STACK, NULL, NULL, "cpu", S / 2);
	add(p, STORM_STACK, NULL, NULL, "runq", S);
	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "cpu", S / 4);
	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "runq", S / 2);
	j = judge(p);
	expect(j, "gossip", V_STORM, "gossip_write_small", "socket-write storm");
	assert_non_null(strstr(verdict_of(j, "gossip")->text,
			       "It also waits for a CPU 67 % of its wall time, as on every path"));
	expect(j, "dht", V_RUNQ, NULL, "every path");
	judged_free(j, p);
}

/* alloc-churn: copies through tiny heap chunks. */
static void test_alloc_heavy(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	add(p, "_int_malloc;malloc;gossip_copy_churn;gossip_handle_frame", NULL, NULL, "cpu",
	    3 * S / 2);
	add(p, "_int_free;free;gossip_copy_churn;gossip_handle_frame", NULL, NULL, "cpu", S / 2);
	add(p, "gossip_validate_body;gossip_validate;gossip_handle_frame", NULL, NULL, "cpu", S);
	add(p, "malloc;gossip_copy_churn;gossip_handle_frame", NULL, NULL, "alloc/bytes",
	    500000000);
	j = judge(p);
	expect(j, "gossip", V_ALLOC, "gossip_copy_churn", "allocation-heavy");
	assert_non_null(strstr(verdict_of(j, "gossip")->text, "67 % of on-CPU"));
	judged_free(j, p);
}

/* cpu-starve: every path waits for a CPU; the hogs are "other". */
static void test_runq_everywhere(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "cpu", S);
	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "runq", 2 * S);
	add(p, "gossip_handle_frame;gossip_worker_main", NULL, NULL, "cpu", S);
	add(p, "gossip_handle_frame;gossip_worker_main", NULL, "runq", "offcpu", 3 * S / 2);
	/* the hogs themselves share two CPUs with everything else */
	add(p, "cpu_hog_main", NULL, NULL, "cpu", 8 * S);
	add(p, "cpu_hog_main", NULL, NULL, "runq", 9 * S);
	/* a path with too little runnable time does not vote */
	add(p, "bootstrap_main", NULL, NULL, "cpu", S / 1000);
	j = judge(p);
	expect(j, "dht", V_RUNQ, NULL, "every path");
	expect(j, "gossip", V_RUNQ, NULL, "every path");
	assert_non_null(strstr(verdict_of(j, "dht")->text, "67 % of the time"));
	/* the hogs use the most CPU: the cause, named as such */
	expect(j, "other", V_CPU, "cpu_hog_main", "starves the rest of the host");
	expect(j, "bootstrap", V_IDLE, NULL, NULL);
	judged_free(j, p);
}

/* run queue on one path only: its own starvation, not the host's */
static void test_runq_one_path(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "cpu", S);
	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "runq", 2 * S);
	add(p, "gossip_handle_frame;gossip_worker_main", NULL, NULL, "cpu", 3 * S / 2);
	j = judge(p);
	expect(j, "dht", V_RUNQ, NULL, "on-CPU is 33 %");
	/* gossip, the heaviest CPU user, is not starved: no verdict about it */
	expect(j, "gossip", V_CPU, "gossip_handle_frame", NULL);
	assert_null(strstr(verdict_of(j, "dht")->text, "every path"));
	judged_free(j, p);
}

/*
 * cpu-starve as recorded: the hogs ("other") hold both CPUs and wait little
 * themselves; every other path waits for a CPU most of its runnable time.
 * The cause does not vote, so the starvation is still "on every path".
 */
static void test_runq_everywhere_hogs_on_cpu(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	add(p, "cpu_hog_main", NULL, NULL, "cpu", 9 * S);
	add(p, "cpu_hog_main", NULL, NULL, "runq", 6 * S / 5);
	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "cpu", S / 10);
	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "runq", 9 * S / 10);
	add(p, "k:futex_wait;__lll_lock_wait;pthread_mutex_lock;dht_lookup_finish;dht_worker_main",
	    NULL, "lock", "offcpu", S / 20);
	add(p, "gossip_handle_frame;gossip_worker_main", NULL, NULL, "cpu", S / 10);
	add(p, "gossip_handle_frame;gossip_worker_main", NULL, NULL, "runq", 3 * S / 5);
	add(p, "k:futex_wait;__lll_lock_wait;pthread_mutex_lock;gossip_flush_locked;"
	    "gossip_worker_main", NULL, "lock", "offcpu", S / 10);
	j = judge(p);
	/* 0.09 threads waiting: below runq_load, so only "every path" can say it */
	expect(j, "dht", V_RUNQ, NULL, "every path");
	expect(j, "gossip", V_RUNQ, NULL, "every path");
	assert_non_null(strstr(verdict_of(j, "dht")->text, "90 % of the time"));
	expect(j, "other", V_CPU, "cpu_hog_main", "starves the rest of the host");
	judged_free(j, p);
}

/*
 * gossip-lock on a busy host: every path's runnable time is mostly run
 * queue, but the lock wait fills gossip's wall time: lock, not runq.
 */
static void test_lock_beats_runq_everywhere(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	add(p, "k:futex_wait;__lll_lock_wait;pthread_mutex_lock;gossip_validate;"
	    "gossip_handle_frame;gossip_worker_main", NULL, "lock", "offcpu", 7 * S);
	add(p, "gossip_validate_busy;gossip_validate;gossip_handle_frame;gossip_worker_main", NULL,
	    NULL, "cpu", 3 * S / 5);
	add(p, "gossip_validate;gossip_handle_frame;gossip_worker_main", NULL, NULL, "runq",
	    7 * S / 10);
	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "cpu", 3 * S / 10);
	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "runq", 3 * S / 5);
	add(p, "k:ep_poll;epoll_wait;loop_run;main", NULL, NULL, "cpu", S / 20);
	add(p, "k:ep_poll;epoll_wait;loop_run;main", NULL, NULL, "runq", S / 12);
	j = judge(p);
	expect(j, "gossip", V_LOCK, "gossip_validate", "lock wait in `gossip_validate`");
	/* the host is short of CPU all the same: dht, with nothing else, says so */
	expect(j, "dht", V_RUNQ, NULL, "every path");
	judged_free(j, p);
}

/* the same on one path, with enough run-queue load to count on its own */
static void test_lock_beats_runq_one_path(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	add(p, "k:futex_wait;__lll_lock_wait;pthread_mutex_lock;gossip_validate;"
	    "gossip_handle_frame;gossip_worker_main", NULL, "lock", "offcpu", 7 * S);
	add(p, "gossip_validate_busy;gossip_validate;gossip_handle_frame;gossip_worker_main", NULL,
	    NULL, "cpu", S);
	add(p, "gossip_validate;gossip_handle_frame;gossip_worker_main", NULL, NULL, "runq",
	    6 * S / 5);
	j = judge(p);
	/* 55 % of runnable time and 0.12 threads waiting, but 13 % of wall time */
	expect(j, "gossip", V_LOCK, "gossip_validate", "lock wait");
	judged_free(j, p);
}

/*
 * A run-queue share of runnable time is not starvation when the run queue
 * is not the largest part of wall time, or is a small one.
 */
static void test_runq_not_dominant(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	/* dht: an off-CPU wait without a verdict of its own is larger */
	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "cpu", S / 2);
	add(p, "dht_on_reply;dht_worker_main", NULL, NULL, "runq", S);
	add(p, "k:do_wait;waitpid;dht_store_flush;dht_worker_main", NULL, "other", "offcpu", 2 * S);
	/* gossip: runq the largest part, but spread thin (22 % of wall time) */
	add(p, "gossip_handle_frame;gossip_worker_main", NULL, NULL, "cpu", 4 * S / 5);
	add(p, "gossip_handle_frame;gossip_worker_main", NULL, NULL, "runq", S);
	add(p, "k:futex_wait;__lll_lock_wait;pthread_mutex_lock;gossip_flush_locked;"
	    "gossip_worker_main", NULL, "lock", "offcpu", 9 * S / 10);
	add(p, "k:io_schedule;fsync;gossip_store_flush;gossip_worker_main", NULL, "io", "offcpu",
	    9 * S / 10);
	add(p, "k:hrtimer_nanosleep;clock_nanosleep;nanosleep;gossip_heartbeat;gossip_worker_main",
	    NULL, "timer", "offcpu", 9 * S / 10);
	j = judge(p);
	expect(j, "dht", V_NONE, NULL, "nothing stands out");
	expect(j, "gossip", V_NONE, NULL, "nothing stands out");
	judged_free(j, p);
}

/*
 * A clean node on a busy host: threads that run for microseconds wait about
 * as long to be woken, a majority of their runnable time on every path, but
 * only a few ms per second: not starvation.
 */
static void test_runq_busy_host_clean(void **state)
{
	struct profile *p = new_profile();
	uint64_t *lat = latencies(500, 1 * MS, 5, 3 * MS);
	struct judged *j;

	add(p, "dht_on_reply;dht_worker_main", "dht", NULL, "cpu", 3 * S / 20);
	add(p, "dht_on_reply;dht_worker_main", "dht", NULL, "runq", 3 * S / 20);
	add(p, "k:futex_wait;pthread_cond_timedwait;workq_pop;dht_worker_main", "dht", "lock",
	    "offcpu", S / 20);
	add_hist(p, "dht", lat, 500, 0);
	add(p, "gossip_handle_frame;gossip_worker_main", NULL, NULL, "cpu", S / 20);
	add(p, "gossip_handle_frame;gossip_worker_main", NULL, NULL, "runq", S / 5);
	add(p, "k:ep_poll;epoll_wait;loop_run;main", NULL, NULL, "cpu", S / 20);
	add(p, "k:ep_poll;epoll_wait;loop_run;main", NULL, NULL, "runq", S / 10);
	j = judge(p);
	expect(j, "dht", V_NONE, NULL, "nothing stands out");
	expect(j, "gossip", V_NONE, NULL, "nothing stands out");
	free(lat);
	judged_free(j, p);
}

/*
 * A loop's tick: the mesh keeper sleeping right in its entry function is
 * idle whether unwinding shows that function (DWARF) or hides it (a libc
 * leaf without a frame pointer: only the thread name says gossip); a sleep
 * inside the path's work is a timer wait.
 */
static void test_tick_sleep_idle(void **state)
{
	struct profile *p = new_profile();
	struct pf_label_kv kv[3] = {
		{ .key = "pid", .num = 42 }, { .key = "thread", .str = "gossip-mesh" },
		{ .key = "reason", .str = "timer" },
	};
	int col = profile__add_type(p, "offcpu", "nanoseconds");
	const struct path_stats *g;
	struct judged *j;

	add(p, "k:hrtimer_nanosleep;clock_nanosleep;nanosleep;gossip_mesh_main;start_thread;clone3",
	    NULL, "timer", "offcpu", 4 * S);
	assert_true(profile__add(p, stack_of(p, "k:hrtimer_nanosleep;clock_nanosleep"),
				 profile__intern_labels(p, kv, 3), col, 3 * S) >= 0);
	add(p, "k:hrtimer_nanosleep;clock_nanosleep;nanosleep;gossip_heartbeat;gossip_mesh_main;"
	    "start_thread;clone3", NULL, "timer", "offcpu", 2 * S);
	add(p, "gossip_heartbeat;gossip_mesh_main;start_thread;clone3", NULL, NULL, "cpu", S / 10);
	j = judge(p);
	g = paths__find(&j->rep, "gossip");
	assert_int_equal(g->idle_ns, 7 * S);
	assert_int_equal(g->off_ns[PR_TIMER], 2 * S);
	expect(j, "gossip", V_TIMER, "gossip_heartbeat", "sleeping");
	judged_free(j, p);
}

static void test_io_and_timer(void **state)
{
	struct profile *p = new_profile();
	struct judged *j;

	add(p, "k:io_schedule;fsync;dht_store_flush;dht_worker_main", NULL, "io", "offcpu", 3 * S);
	add(p, "dht_store_flush;dht_worker_main", NULL, NULL, "cpu", S / 5);
	add(p, "k:hrtimer_nanosleep;clock_nanosleep;nanosleep;gossip_heartbeat;gossip_mesh_main",
	    NULL, "timer", "offcpu", 3 * S);
	add(p, "gossip_heartbeat;gossip_mesh_main", NULL, NULL, "cpu", S / 10);
	j = judge(p);
	expect(j, "dht", V_IO, "dht_store_flush", "I/O wait in `dht_store_flush`");
	expect(j, "gossip", V_TIMER, "gossip_heartbeat", "sleeping");
	judged_free(j, p);
}

/* A clean node: some work everywhere, nothing dominant: no invented bottleneck. */
static void test_no_bottleneck(void **state)
{
	struct profile *p = new_profile();
	uint64_t *lat = latencies(1000, 1 * MS, 10, 3 * MS);
	struct judged *j;

	add(p, "dht_on_reply;dht_worker_main", "dht", NULL, "cpu", 3 * S / 10);
	add(p, "k:futex_wait;pthread_cond_timedwait;workq_pop;dht_worker_main", "dht", "lock",
	    "offcpu", 2 * S);
	add(p, "k:futex_wait;pthread_cond_timedwait;workq_pop;dht_worker_main", NULL, "lock",
	    "offcpu", 6 * S);
	add_hist(p, "dht", lat, 1000, 0);
	add(p, "gossip_handle_frame;gossip_worker_main", NULL, NULL, "cpu", S / 5);
	add(p, "k:futex_wait;pthread_cond_wait;workq_pop;gossip_worker_main", NULL, "lock",
	    "offcpu", 29 * S);
	add(p, "k:ep_poll;epoll_wait;loop_run;main", NULL, "net", "offcpu", 10 * S);
	add(p, "k:tcp_sendmsg;send;gossip_flush_locked;gossip_send", NULL, NULL, "tx/messages", 300);
	add(p, "k:tcp_sendmsg;send;gossip_flush_locked;gossip_send", NULL, NULL, "tx/bytes", 300000);
	j = judge(p);
	for (uint32_t i = 0; i < j->rep.nr_paths; i++) {
		const struct verdict *v = &j->v[i];

		if (v->kind != V_NONE && v->kind != V_IDLE)
			fail_msg("invented: %s", v->text);
		assert_non_null(strstr(v->text, "no bottleneck"));
	}
	expect(j, "dht", V_NONE, NULL, "nothing stands out");
	free(lat);
	judged_free(j, p);
}

static void test_empty_profile(void **state)
{
	struct profile *p = new_profile();
	struct judged *j = judge(p);

	for (uint32_t i = 0; i < j->rep.nr_paths; i++)
		assert_int_equal(j->v[i].kind, V_IDLE);
	judged_free(j, p);
}

static void test_sla(void **state)
{
	struct profile *p = new_profile();
	uint64_t *lat = latencies(1000, 10 * MS, 20, 900 * MS);
	struct sla *s = NULL;
	struct sla_result res[5];
	struct judged *j;
	char err[256];
	int n;

	add_hist(p, "dht", lat, 1000, 20);
	j = judge(p);
	n = sla__parse("dht.p95=500ms,dht.p99=500ms,bootstrap.p99=2s,dht.errors=5%,dht.max=1s",
		       &s, err, sizeof(err));
	assert_int_equal(n, 5);
	assert_int_equal(s[0].limit, 500 * MS);
	assert_int_equal(s[3].metric, SLA_ERRORS);
	assert_int_equal(sla__check(&j->rep, s, n, res), 2);
	assert_true(res[0].known && res[0].pass);
	assert_true(res[1].known && !res[1].pass);
	assert_false(res[2].known);		/* no bootstrap timing: fails */
	assert_false(res[2].pass);
	assert_true(res[3].pass);		/* 2 % */
	assert_int_equal(res[3].value, 200);
	assert_true(res[4].pass);
	free(s);
	free(lat);
	judged_free(j, p);

	assert_int_equal(sla__parse("dht=5", &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "PATH.METRIC=LIMIT"));
	assert_int_equal(sla__parse("dht.p42=5ms", &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown metric"));
	assert_int_equal(sla__parse("dht.p95=5 parsecs", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(sla__parse("dht.p95=250us", &s, err, sizeof(err)), 1);
	assert_int_equal(s[0].limit, 250000);
	free(s);
}

/* The section itself: exit-code count, and the three formats. */
static void test_report_formats(void **state)
{
	struct profile *p = new_profile();
	uint64_t *lat = latencies(100, 10 * MS, 0, 0);
	const char *slas[] = { "dht.p95=5ms" };
	struct bottleneck_opts o = { .slas = slas, .nr_slas = 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	char err[256];
	struct path_rules *r = path_rules__load("p2pnode", err, sizeof(err));

	path_rules__save(r, p, "test");
	path_rules__free(r);
	add(p, "dht_distance_slow;dht_lookup_merge;dht_worker_main", NULL, NULL, "cpu", 6 * S);
	add_hist(p, "dht", lat, 100, 0);
	assert_int_equal(profile__add_record(p, "slowop", "path", "dht", "id", "77",
					     "latency_ns", "12000000", "start_ns", "1700000000000000000",
					     "ok", "no", NULL), 0);
	for (int fmt = REPORT_TEXT; fmt <= REPORT_JSON; fmt++) {
		o.format = fmt;
		f = open_memstream(&buf, &len);
		assert_int_equal(bottleneck__report(f, p, &o), 1);	/* p95 10 ms > 5 ms */
		fclose(f);
		if (getenv("SHOW")) fputs(buf, stderr);
		assert_non_null(strstr(buf, "dht_distance_slow"));
		if (fmt == REPORT_TEXT) {
			char *line = buf;

			assert_non_null(strstr(buf, "FAIL"));
			assert_non_null(strstr(buf, "#77"));
			/* at most 100 columns */
			while (line && *line) {
				char *nl = strchr(line, '\n');
				size_t l = nl ? (size_t)(nl - line) : strlen(line);

				if (l > 100)
					fail_msg("line of %zu columns: %.*s", l, (int)l, line);
				line = nl ? nl + 1 : NULL;
			}
		}
		if (fmt == REPORT_JSON) {
			assert_non_null(strstr(buf, "\"schema\": \"peerscope.paths/1\""));
			assert_non_null(strstr(buf, "\"kind\": \"cpu\""));
			assert_non_null(strstr(buf, "\"sla_failed\": 1"));
		}
		free(buf);
		buf = NULL;
	}
	o.slas = (const char *[]){ "dht.bogus=1" };
	f = open_memstream(&buf, &len);
	assert_int_equal(bottleneck__report(f, p, &o), -EINVAL);
	fclose(f);
	free(buf);
	assert_true(paths__has_data(p));
	free(lat);
	profile__free(p);
}

/* A cpu sample of the path while serving peer (the sock collector's tag). */
static void add_served(struct profile *p, const char *frames, const char *path,
		       const char *peer, int64_t v)
{
	struct pf_label_kv kv[] = {
		{ .key = "pid", .num = 42 },
		{ .key = "path", .str = path },
		{ .key = "peer", .str = peer },
	};
	int col = profile__add_type(p, "cpu", "nanoseconds");

	assert_true(profile__add(p, stack_of(p, frames), profile__intern_labels(p, kv, 3), col,
				 v) >= 0);
}

/*
 * A path whose threads served peers but sent nothing on it says so, not
 * "2 peers, tx 0 B in 0 msgs"; a path with traffic keeps its line.
 */
static void test_peers_without_traffic(void **state)
{
	struct bottleneck_opts o = { .format = REPORT_TEXT };
	struct profile *p = new_profile();
	char err[256], *buf = NULL;
	struct path_rules *r = path_rules__load("p2pnode", err, sizeof(err));
	size_t len = 0;
	FILE *f;

	path_rules__save(r, p, "test");
	path_rules__free(r);
	add_served(p, "gossip_handle_frame;gossip_worker_main", "gossip", "127.0.0.1:4001", 2 * S);
	add_served(p, "gossip_handle_frame;gossip_worker_main", "gossip", "127.0.0.1:4002", 2 * S);
	add_served(p, "dht_on_reply;dht_worker_main", "dht", "127.0.0.1:4003", 3 * S);
	add(p, "k:udp_sendmsg;sendto;dht_send;dht_worker_main", "dht", NULL, "tx/messages", 40);
	add(p, "k:udp_sendmsg;sendto;dht_send;dht_worker_main", "dht", NULL, "tx/bytes", 4000);
	f = open_memstream(&buf, &len);
	assert_true(bottleneck__report(f, p, &o) >= 0);
	fclose(f);
	if (getenv("SHOW"))
		fputs(buf, stderr);
	assert_non_null(strstr(buf, "network      served 2 peers, no messages counted on this path"));
	assert_non_null(strstr(buf, "network      1 peers, tx 4.0 kB in 40 msgs"));
	assert_null(strstr(buf, "tx 0 B in 0 msgs"));
	free(buf);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_bound),
		cmocka_unit_test(test_peers_without_traffic),
		cmocka_unit_test(test_hottest_not_wait),
		cmocka_unit_test(test_idle_on_cpu_not_busy),
		cmocka_unit_test(test_unplaced_sleep_is_idle),
		cmocka_unit_test(test_lock_wait),
		cmocka_unit_test(test_network_wait),
		cmocka_unit_test(test_latency_tail),
		cmocka_unit_test(test_write_storm),
		cmocka_unit_test(test_write_storm_starved),
		cmocka_unit_test(test_alloc_heavy),
		cmocka_unit_test(test_runq_everywhere),
		cmocka_unit_test(test_runq_one_path),
		cmocka_unit_test(test_runq_everywhere_hogs_on_cpu),
		cmocka_unit_test(test_lock_beats_runq_everywhere),
		cmocka_unit_test(test_lock_beats_runq_one_path),
		cmocka_unit_test(test_runq_not_dominant),
		cmocka_unit_test(test_runq_busy_host_clean),
		cmocka_unit_test(test_tick_sleep_idle),
		cmocka_unit_test(test_io_and_timer),
		cmocka_unit_test(test_no_bottleneck),
		cmocka_unit_test(test_empty_profile),
		cmocka_unit_test(test_sla),
		cmocka_unit_test(test_report_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
