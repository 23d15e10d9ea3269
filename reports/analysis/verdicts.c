// SPDX-License-Identifier: MIT
/*
 * Verdict rules.  Each path gets exactly one verdict.  The rules are the
 * rows of rules[] below, one test and one sentence per verdict, tried in
 * three stages (enum verdict_stage):
 *
 *   first    write storm, run-queue starvation, little work, allocation:
 *            in this order, the first that holds decides.  A storm is the
 *            path's own doing and may be what starves the host, so it comes
 *            before starvation (and says the run queue too); starvation
 *            explains "little work", so it comes before that.
 *   largest  CPU, lock, I/O, timer, network: every one is weighed and the
 *            largest share of busy wall time that holds wins (ties go to
 *            the earlier kind in enum verdict_kind).  A latency tail found
 *            alongside is added as a second sentence.
 *   last     latency tail alone (a network verdict naming the tail), then
 *            "nothing stands out": said plainly, never invented.
 *
 * Shares are of the path's busy wall time (on-CPU + run queue + off-CPU
 * inside work; waiting for work is idle and not counted, paths.c), except
 * the run-queue share, which is of the time the path's threads were
 * runnable.  The thresholds are struct bottleneck_limits; the row texts
 * quote their defaults and are what docs/guide.md shows.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/units.h"
#include "analysis/paths.h"
#include "analysis/verdicts.h"

const char *const verdict_kind_names[V_NR] = {
	[V_NONE] = "none", [V_IDLE] = "idle", [V_CPU] = "cpu", [V_LOCK] = "lock",
	[V_NET] = "net", [V_TIMER] = "timer", [V_IO] = "io", [V_FAULT] = "fault",
	[V_RUNQ] = "runq", [V_STORM] = "write-storm", [V_ALLOC] = "alloc",
};

void bottleneck__defaults(struct bottleneck_limits *l)
{
	*l = (struct bottleneck_limits){
		.min_load = 0.02,
		.runq_share = 0.50, .runq_wall_share = 0.25, .runq_load = 0.10,
		.runq_load_everywhere = 0.05,
		.storm_rate = 2000, .storm_max_bytes = 64,
		.lock_share = 0.30, .lock_load = 0.05,
		.alloc_share = 0.30, .alloc_load = 0.10,
		.cpu_share = 0.50, .cpu_load = 0.10, .cpu_load_alone = 0.50,
		.io_share = 0.30, .io_load = 0.05,
		.timer_share = 0.50, .timer_load = 0.10,
		.tail_ratio = 5.0, .tail_min_ns = 100000000ULL, .tail_min_ops = 20,
		.net_slow_ns = 100000000ULL, .net_share = 0.30,
		.net_share_nospan = 0.60, .net_load_nospan = 0.20,
	};
}

/* Everything a rule looks at for one path, computed once. */
struct judge {
	const struct path_report *rep;
	const struct path_stats *ps;
	const struct bottleneck_limits *l;
	bool runq_everywhere;	/* every judged path waits for a CPU: the host is short */
	bool heaviest;		/* the path using the most CPU */
	double dur, busy, load, cpu_load;
	int64_t cpu;
	double share[V_NR];	/* of the largest-share rules, once weighed */
	bool pass[V_NR];
};

static double pct(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * part / whole : 0;
}

/* Appends to v->text. */
static void say(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct verdict *v, const char *fmt, ...)
{
	size_t n = strlen(v->text);
	va_list ap;

	if (n >= sizeof(v->text) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(v->text + n, sizeof(v->text) - n, fmt, ap);
	va_end(ap);
}

static void set_culprit(struct verdict *v, const char *c)
{
	snprintf(v->culprit, sizeof(v->culprit), "%s", c ? c : "");
}

static const char *fmt_ns(uint64_t ns, char *buf, size_t len)
{
	return units__ns(ns, UNITS_NS_SECONDS, buf, len);
}

static void say_rate(struct verdict *v, double r)
{
	if (r >= 10000)
		say(v, "%.0fk", r / 1000);
	else if (r >= 1000)
		say(v, "%.1fk", r / 1000);
	else
		say(v, "%.0f", r);
}

static bool has_latency(const struct path_stats *ps)
{
	return ps->has_lat && ps->lat.count;
}

/* " (p50 X, p99 Y)" when the path has span latency */
static void say_latency(struct verdict *v, const struct path_stats *ps)
{
	char a[24], b[24];

	if (has_latency(ps))
		say(v, " (p50 %s, p99 %s)", fmt_ns(ps->lat.p50_ns, a, sizeof(a)),
		    fmt_ns(ps->lat.p99_ns, b, sizeof(b)));
}

static bool has_tail(const struct path_stats *ps, const struct bottleneck_limits *l)
{
	return ps->has_lat && ps->lat.count >= l->tail_min_ops && ps->lat.p50_ns &&
	       ps->lat.p99_ns >= l->tail_min_ns &&
	       (double)ps->lat.p99_ns >= l->tail_ratio * ps->lat.p50_ns;
}

static void say_tail(struct verdict *v, const struct path_stats *ps)
{
	char a[24], b[24];

	say(v, "p99 %s is %.0fx p50 %s", fmt_ns(ps->lat.p99_ns, a, sizeof(a)),
	    (double)ps->lat.p99_ns / ps->lat.p50_ns, fmt_ns(ps->lat.p50_ns, b, sizeof(b)));
	if (ps->lat.errors)
		say(v, ", %llu of %llu operations failed", (unsigned long long)ps->lat.errors,
		    (unsigned long long)ps->lat.count);
}

/* Enough runnable time to judge a run-queue share: 10 ms. */
#define RUNQ_MIN_RUNNABLE_NS 10000000LL

static bool runq_share_high(const struct path_stats *ps, const struct bottleneck_limits *l)
{
	int64_t runnable = ps->cpu_user_ns + ps->cpu_kernel_ns + ps->runq_ns;

	return runnable >= RUNQ_MIN_RUNNABLE_NS && (double)ps->runq_ns / runnable >= l->runq_share;
}

/*
 * The run queue is the largest part of the path's busy wall time: on-CPU
 * and every off-CPU reason are smaller.  A run-queue share that is large
 * only relative to runnable time (a thread that mostly waits on a lock
 * waits for a CPU too, once woken) does not make a starved path.
 */
static bool runq_dominates(const struct path_stats *ps, const struct bottleneck_limits *l)
{
	if (ps->busy_ns <= 0 || (double)ps->runq_ns / ps->busy_ns < l->runq_wall_share ||
	    ps->runq_ns < ps->cpu_user_ns + ps->cpu_kernel_ns)
		return false;
	for (int k = 0; k < PR_NR; k++) {
		if (ps->off_ns[k] > ps->runq_ns)
			return false;
	}
	return true;
}

/*
 * CPU demand: on-CPU plus waiting for a CPU, as a share of busy time (a
 * thread that always wants a CPU is CPU-bound even when it only gets half),
 * with enough CPU to matter (the verdict says how much).  A path that
 * waits for a CPU longer than it runs is short of CPU, not limited by its
 * code: host contention, the run-queue verdict's to say.
 */
static bool cpu_pass(const struct path_stats *ps, double dur, const struct bottleneck_limits *l)
{
	int64_t cpu = ps->cpu_user_ns + ps->cpu_kernel_ns;

	return (ps->busy_ns > 0 && (double)(cpu + ps->runq_ns) / ps->busy_ns >= l->cpu_share &&
		cpu / dur >= l->cpu_load && cpu >= ps->runq_ns) || cpu / dur >= l->cpu_load_alone;
}

/*
 * Run-queue starvation.  cause: this path is the heaviest CPU user and
 * CPU-bound -- it starves the others.
 */
static bool starved(const struct judge *j, bool cause)
{
	const struct path_stats *ps = j->ps;
	const struct bottleneck_limits *l = j->l;

	/* without on-CPU samples "runnable" is unknown: no run-queue verdict */
	if (!j->rep->has_cpu || cause || !runq_share_high(ps, l) || !runq_dominates(ps, l))
		return false;
	return ps->runq_ns / (double)j->rep->duration_ns >=
	       (j->runq_everywhere ? l->runq_load_everywhere : l->runq_load);
}

/* ---- the rules: a test (share set for the largest-share ones) and a sentence ---- */

static bool storm_holds(struct judge *j, double *share)
{
	const struct path_stats *ps = j->ps;

	return ps->tx_msgs && ps->tx_msgs / (j->dur / 1e9) >= j->l->storm_rate &&
	       (double)ps->tx_bytes / ps->tx_msgs <= j->l->storm_max_bytes;
}

static void storm_say(struct judge *j, struct verdict *v)
{
	const struct path_stats *ps = j->ps;

	v->share = j->busy > 0 ? j->cpu / j->busy : 0;
	set_culprit(v, ps->part[PART_TX].culprit);
	say(v, "syscall/socket-write storm: ");
	say_rate(v, ps->tx_msgs / (j->dur / 1e9));
	say(v, " writes/s averaging %.0f B", (double)ps->tx_bytes / ps->tx_msgs);
	if (v->culprit[0])
		say(v, " from `%s`", v->culprit);
	say(v, "; kernel is %.0f %% of on-CPU. Batch the writes.", pct(ps->cpu_kernel_ns, j->cpu));
	if (starved(j, false))
		say(v, " It also waits for a CPU %.0f %% of its wall time%s.",
		    pct(ps->runq_ns, ps->busy_ns),
		    j->runq_everywhere ? ", as on every path: the host is short of CPU" : "");
}

/* The path using the most CPU, if CPU-bound, causes the starvation: no victim. */
static bool runq_holds(struct judge *j, double *share)
{
	return starved(j, j->heaviest && cpu_pass(j->ps, j->dur, j->l));
}

static void runq_say(struct judge *j, struct verdict *v)
{
	const struct path_stats *ps = j->ps;
	int64_t runnable = j->cpu + ps->runq_ns;

	v->share = j->busy > 0 ? ps->runq_ns / j->busy : 0;
	set_culprit(v, ps->part[PART_RUNQ].culprit);
	say(v, "run-queue starvation: %.0f %% of the time its threads were runnable they "
	    "waited for a CPU (%.2f threads waiting on average, %.0f %% of wall time)",
	    pct(ps->runq_ns, runnable), ps->runq_ns / j->dur, pct(ps->runq_ns, ps->busy_ns));
	if (j->runq_everywhere)
		say(v, ", as on every path: the host is short of CPU, not this code.");
	else
		say(v, "; on-CPU is %.0f %% of wall time.", pct(j->cpu, ps->busy_ns));
}

static bool idle_holds(struct judge *j, double *share)
{
	const struct path_stats *ps = j->ps;

	return j->load < j->l->min_load && !has_tail(ps, j->l) &&
	       !(has_latency(ps) && ps->lat.p50_ns >= j->l->net_slow_ns);
}

static void idle_say(struct judge *j, struct verdict *v)
{
	say(v, "no bottleneck: little work here (%.3f threads busy on average", j->load);
	if (has_latency(j->ps))
		say(v, ", %llu operations", (unsigned long long)j->ps->lat.count);
	say(v, ").");
}

static bool alloc_holds(struct judge *j, double *share)
{
	return j->cpu > 0 && (double)j->ps->alloc_cpu_ns / j->cpu >= j->l->alloc_share &&
	       j->cpu_load >= j->l->alloc_load;
}

static void alloc_say(struct judge *j, struct verdict *v)
{
	const struct path_stats *ps = j->ps;
	const char *who = ps->part[PART_ALLOC].culprit[0] ? ps->part[PART_ALLOC].culprit
							  : ps->part[PART_CPU].culprit;

	v->share = j->busy > 0 ? ps->alloc_cpu_ns / j->busy : 0;
	set_culprit(v, who);
	say(v, "allocation-heavy: %.0f %% of on-CPU time is in the allocator",
	    pct(ps->alloc_cpu_ns, j->cpu));
	if (who[0])
		say(v, ", called from `%s`", who);
	if (ps->alloc_bytes)
		say(v, " (%.1f MB/s allocated)", ps->alloc_bytes / (j->dur / 1e9) / 1e6);
	say(v, "; on-CPU is %.0f %% of wall time.", pct(j->cpu, ps->busy_ns));
}

static double busy_share(const struct judge *j, int64_t ns)
{
	return j->busy > 0 ? ns / j->busy : 0;
}

static bool cpu_holds(struct judge *j, double *share)
{
	*share = busy_share(j, j->cpu + j->ps->runq_ns);
	return cpu_pass(j->ps, j->dur, j->l);
}

static void cpu_say(struct judge *j, struct verdict *v)
{
	const struct path_stats *ps = j->ps;
	const struct path_part_stats *pp = &ps->part[PART_CPU];

	set_culprit(v, pp->culprit);
	say(v, "CPU-bound: %.0f %% of wall time is on-CPU (%.2f CPUs; user %.0f %%, kernel "
	    "%.0f %%)", pct(j->cpu, ps->busy_ns), j->cpu_load, pct(ps->cpu_user_ns, j->cpu),
	    pct(ps->cpu_kernel_ns, j->cpu));
	if (pp->culprit[0])
		say(v, ", hottest `%s` (%.0f %% of on-CPU)", pp->culprit,
		    pct(pp->culprit_value, j->cpu));
	say(v, ".");
	if (pct(ps->runq_ns, ps->busy_ns) >= 10)
		say(v, " It waits for a CPU another %.0f %% of the time%s.",
		    pct(ps->runq_ns, ps->busy_ns),
		    j->runq_everywhere ? ", and starves the rest of the host" : "");
}

static bool lock_holds(struct judge *j, double *share)
{
	*share = busy_share(j, j->ps->off_ns[PR_LOCK]);
	return *share >= j->l->lock_share && j->ps->off_ns[PR_LOCK] / j->dur >= j->l->lock_load;
}

static bool io_holds(struct judge *j, double *share)
{
	int64_t io = j->ps->off_ns[PR_IO] + j->ps->off_ns[PR_FAULT];

	*share = busy_share(j, io);
	return *share >= j->l->io_share && io / j->dur >= j->l->io_load;
}

static bool timer_holds(struct judge *j, double *share)
{
	*share = busy_share(j, j->ps->off_ns[PR_TIMER]);
	return *share >= j->l->timer_share && j->ps->off_ns[PR_TIMER] / j->dur >= j->l->timer_load;
}

/* Slow operations that wait on the network; without spans, a large network wait alone. */
static bool net_holds(struct judge *j, double *share)
{
	const struct path_stats *ps = j->ps;

	*share = busy_share(j, ps->off_ns[PR_NET]);
	if (has_latency(ps))
		return ps->lat.p50_ns >= j->l->net_slow_ns &&
		       (*share >= j->l->net_share || !j->rep->has_offcpu);
	return !ps->has_spans && *share >= j->l->net_share_nospan &&
	       ps->off_ns[PR_NET] / j->dur >= j->l->net_load_nospan;
}

/* lock, I/O, timer and network waits: one sentence shape */
static void wait_say(struct judge *j, struct verdict *v, enum path_reason rs, const char *what,
		     const char *how)
{
	const struct path_stats *ps = j->ps;
	const struct path_part_stats *pp = &ps->part[PART_OFF + rs];

	set_culprit(v, pp->culprit);
	say(v, "%.0f %% of wall time is %s", 100 * j->share[v->kind], what);
	if (pp->culprit[0])
		say(v, " in `%s`", pp->culprit);
	say(v, "%s", how);
	if (pp->waker[0])
		say(v, ", woken by `%s`", pp->waker);
	if (v->kind == V_NET)
		say_latency(v, ps);
	say(v, "; on-CPU is %.0f %%", j->busy > 0 ? 100.0 * j->cpu / j->busy : 0);
	if (ps->runq_ns > 0 && j->busy > 0 && ps->runq_ns / j->busy >= 0.005)
		say(v, ", run queue %.0f %%", 100.0 * ps->runq_ns / j->busy);
	say(v, ".");
}

static void lock_say(struct judge *j, struct verdict *v)
{
	wait_say(j, v, PR_LOCK, "lock wait", " (futex)");
}

static void io_say(struct judge *j, struct verdict *v)
{
	wait_say(j, v, PR_IO, "I/O wait", "");
}

static void timer_say(struct judge *j, struct verdict *v)
{
	wait_say(j, v, PR_TIMER, "sleeping (timers)", "");
}

static void net_say(struct judge *j, struct verdict *v)
{
	if (!j->rep->has_offcpu) {
		set_culprit(v, j->ps->part[PART_OFF + PR_NET].culprit);
		say(v, "network wait (likely): operations are slow");
		say_latency(v, j->ps);
		say(v, " while the path is hardly on CPU (%.2f CPUs); record with the offcpu "
		    "collector to see where it waits.", j->cpu_load);
		return;
	}
	wait_say(j, v, PR_NET, "network wait", "");
	if (v->tail) {
		say(v, " Latency tail: ");
		say_tail(v, j->ps);
		say(v, ".");
	}
}

static bool tail_holds(struct judge *j, double *share)
{
	*share = j->share[V_NET];
	return has_tail(j->ps, j->l);
}

/* only the tail says it: timeouts and losses */
static void tail_say(struct judge *j, struct verdict *v)
{
	set_culprit(v, j->ps->part[PART_OFF + PR_NET].culprit);
	say(v, "network wait, latency tail: ");
	say_tail(v, j->ps);
	say(v, "; %.0f %% of wall time waits on the network or timers",
	    100 * (j->share[V_NET] + j->share[V_TIMER]));
	if (v->culprit[0])
		say(v, " in `%s`", v->culprit);
	say(v, ": lost replies or timeouts.");
}

static bool none_holds(struct judge *j, double *share)
{
	return true;
}

static void none_say(struct judge *j, struct verdict *v)
{
	const struct path_stats *ps = j->ps;
	bool lock = j->share[V_LOCK] >= j->share[V_NET];
	char a[24];

	say(v, "no bottleneck: nothing stands out (%.2f threads busy, on-CPU %.0f %%, "
	    "run queue %.0f %%, largest wait %s %.0f %%", j->load,
	    j->busy > 0 ? 100.0 * j->cpu / j->busy : 0,
	    j->busy > 0 ? 100.0 * ps->runq_ns / j->busy : 0, lock ? "lock" : "net",
	    100 * (lock ? j->share[V_LOCK] : j->share[V_NET]));
	if (has_latency(ps))
		say(v, ", p99 %s", fmt_ns(ps->lat.p99_ns, a, sizeof(a)));
	say(v, ").");
}

struct verdict_rule {
	struct verdict_rule_doc doc;
	bool (*holds)(struct judge *j, double *share);
	void (*say)(struct judge *j, struct verdict *v);
};

static const struct verdict_rule rules[] = {
	{ { "syscall / socket-write storm",
	    "≥ 2000 tx messages/s averaging ≤ 64 B (judged first: the storm may be what starves "
	    "the host; the verdict then adds how long the path waited for a CPU)",
	    "many tiny writes: syscall and TCP overhead",
	    "buffer and batch (`writev`, corking, flush on size/time), Nagle for bulk",
	    V_STORM, VS_FIRST }, storm_holds, storm_say },
	{ { "run-queue starvation",
	    "waiting for a CPU ≥ 50 % of the path's runnable time, *and* the run queue the "
	    "largest part of its busy wall time (≥ 25 %, more than on-CPU and than each wait "
	    "reason), with ≥ 0.1 threads waiting; or, when every path runnable ≥ 10 ms (the cause "
	    "aside, below) waits ≥ 50 % of its runnable time (\"as on every path\"), ≥ 0.05 "
	    "threads waiting",
	    "threads are ready but get no CPU",
	    "\"every path\": the host is short of CPU — fewer nodes per host, CPU quota, pin noisy "
	    "neighbours; one path only: its thread priority / affinity",
	    V_RUNQ, VS_FIRST }, runq_holds, runq_say },
	{ { "no bottleneck: little work",
	    "busy load < 0.02 and no slow operations",
	    "the path hardly ran",
	    "nothing; record longer or under load",
	    V_IDLE, VS_FIRST }, idle_holds, idle_say },
	{ { "allocation-heavy",
	    "≥ 30 % of the path's on-CPU in the allocator, ≥ 0.1 CPUs",
	    "malloc/free churn",
	    "reuse buffers, pools/arenas, avoid per-message copies",
	    V_ALLOC, VS_FIRST }, alloc_holds, alloc_say },
	{ { "CPU-bound",
	    "(on-CPU + run queue) ≥ 50 % of busy, ≥ 0.1 CPUs and on-CPU ≥ run queue (a path "
	    "that waits for a CPU longer than it runs is host contention), or ≥ 0.5 CPUs",
	    "the path's own code is the limit; the hottest self function is named",
	    "optimise that function (algorithm, caching); parallelise; the CPU-heaviest path "
	    "under host-wide starvation is called the cause",
	    V_CPU, VS_LARGEST }, cpu_holds, cpu_say },
	{ { "lock wait",
	    "lock wait ≥ 30 % of busy and ≥ 0.05 threads",
	    "threads queue on a mutex (futex); the waiting code and, when recorded, the waker "
	    "are named",
	    "shorten the critical section (no sleeping or I/O under the lock), shard the lock, "
	    "lock-free structures",
	    V_LOCK, VS_LARGEST }, lock_holds, lock_say },
	{ { "I/O wait",
	    "I/O + page-fault wait ≥ 30 %, ≥ 0.05 threads",
	    "disk or page-cache misses",
	    "async I/O, batching fsync, more memory",
	    V_IO, VS_LARGEST }, io_holds, io_say },
	{ { "sleeping (timers)",
	    "timer sleep ≥ 50 %, ≥ 0.1 threads, inside work",
	    "the code sleeps inside operations (backoff, pacing)",
	    "shorter or event-driven waits",
	    V_TIMER, VS_LARGEST }, timer_holds, timer_say },
	{ { "network wait",
	    "span p50 ≥ 100 ms and network wait ≥ 30 % of busy",
	    "operations wait on peers: latency, slow peers",
	    "parallel queries (alpha), shorter timeouts, better peer selection, closer bootstrap "
	    "nodes",
	    V_NET, VS_LARGEST }, net_holds, net_say },
	{ { "network wait, latency tail",
	    "≥ 20 operations, p99 ≥ 5 × p50 and ≥ 100 ms",
	    "most operations are fast but some wait for timeouts: lost packets, dead peers",
	    "retransmit/hedge requests, adaptive timeouts, evict unresponsive peers; check "
	    "`errors`",
	    V_NET, VS_LAST }, tail_holds, tail_say },
	{ { "no bottleneck: nothing stands out",
	    "none of the above",
	    "the path is healthy; the numbers are still printed",
	    "nothing — peerscope does not invent a bottleneck",
	    V_NONE, VS_LAST }, none_holds, none_say },
};

#define NR_RULES (sizeof(rules) / sizeof(rules[0]))

/* The verdict of rule r for the path of j. */
static void give(struct judge *j, const struct verdict_rule *r, double share, struct verdict *v)
{
	v->kind = r->doc.kind;
	if (r->doc.stage != VS_FIRST) {
		/* the largest-share and last rules state their share and any tail */
		v->share = share;
		v->tail = has_tail(j->ps, j->l);
	}
	r->say(j, v);
	if (r->doc.stage == VS_LARGEST && v->tail && v->kind != V_NET) {
		say(v, " Latency tail: ");
		say_tail(v, j->ps);
		say(v, ".");
	}
}

static void judge_one(struct judge *j, uint32_t idx, struct verdict *v)
{
	const struct verdict_rule *best = NULL;
	double share = 0;

	memset(v, 0, sizeof(*v));
	v->path = idx;
	say(v, "%s: ", j->ps->name);
	for (size_t i = 0; i < NR_RULES; i++) {
		if (rules[i].doc.stage == VS_FIRST && rules[i].holds(j, &share)) {
			give(j, &rules[i], share, v);
			return;
		}
	}
	for (size_t i = 0; i < NR_RULES; i++) {
		enum verdict_kind k = rules[i].doc.kind;

		if (rules[i].doc.stage != VS_LARGEST)
			continue;
		j->pass[k] = rules[i].holds(j, &j->share[k]);
		if (j->pass[k] && (!best || j->share[k] > j->share[best->doc.kind] ||
				   (j->share[k] == j->share[best->doc.kind] && k < best->doc.kind)))
			best = &rules[i];
	}
	for (size_t i = 0; !best && i < NR_RULES; i++) {
		share = 0;
		if (rules[i].doc.stage == VS_LAST && rules[i].holds(j, &share))
			best = &rules[i];
	}
	if (best->doc.stage == VS_LARGEST)
		share = j->share[best->doc.kind];
	give(j, best, share, v);
}

/*
 * Host-wide starvation: every path (other included) that was runnable for
 * long enough to judge waited for a CPU most of that time -- all but the
 * cause, the heaviest CPU user when it is CPU-bound: it has the CPU the
 * others wait for.  Several paths agreeing is the evidence, so a lower load
 * threshold applies to each (starved()).
 */
static bool runq_everywhere(const struct path_report *rep, uint32_t heaviest,
			    const struct bottleneck_limits *lim)
{
	bool everywhere = true;
	int judged = 0;

	for (uint32_t i = 0; i < rep->nr_paths; i++) {
		const struct path_stats *ps = &rep->paths[i];
		int64_t runnable = ps->cpu_user_ns + ps->cpu_kernel_ns + ps->runq_ns;

		if (runnable < RUNQ_MIN_RUNNABLE_NS ||
		    (i == heaviest && cpu_pass(ps, rep->duration_ns, lim)))
			continue;
		judged++;
		if (!rep->has_cpu || !runq_share_high(ps, lim))
			everywhere = false;
	}
	return judged >= 2 && everywhere;
}

void bottleneck__judge(const struct path_report *rep, const struct bottleneck_limits *lim,
		       struct verdict *out)
{
	struct bottleneck_limits def;
	uint32_t heaviest = 0;
	bool everywhere;

	if (!lim) {
		bottleneck__defaults(&def);
		lim = &def;
	}
	for (uint32_t i = 0; i < rep->nr_paths; i++) {
		const struct path_stats *ps = &rep->paths[i];

		if (ps->cpu_user_ns + ps->cpu_kernel_ns >
		    rep->paths[heaviest].cpu_user_ns + rep->paths[heaviest].cpu_kernel_ns)
			heaviest = i;
	}
	everywhere = runq_everywhere(rep, heaviest, lim);
	for (uint32_t i = 0; i < rep->nr_paths; i++) {
		const struct path_stats *ps = &rep->paths[i];
		struct judge j = {
			.rep = rep, .ps = ps, .l = lim, .runq_everywhere = everywhere,
			.heaviest = i == heaviest, .dur = rep->duration_ns, .busy = ps->busy_ns,
			.cpu = ps->cpu_user_ns + ps->cpu_kernel_ns,
		};

		j.load = j.busy / j.dur;
		j.cpu_load = j.cpu / j.dur;
		judge_one(&j, i, &out[i]);
	}
}

unsigned int verdicts__rules(const struct verdict_rule_doc **docs, unsigned int max)
{
	for (unsigned int i = 0; i < NR_RULES && i < max; i++)
		docs[i] = &rules[i].doc;
	return NR_RULES;
}

void verdicts__doc_table(FILE *f)
{
	fprintf(f, "| verdict | rule | what it means | usual fixes |\n|---|---|---|---|\n");
	for (size_t i = 0; i < NR_RULES; i++)
		fprintf(f, "| **%s** | %s | %s | %s |\n", rules[i].doc.title, rules[i].doc.rule,
			rules[i].doc.meaning, rules[i].doc.fixes);
}
