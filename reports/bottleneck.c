// SPDX-License-Identifier: MIT
/*
 * Verdict rules.  Each path gets exactly one verdict, chosen in this order
 * (docs/guide.md explains each and its usual fixes):
 *
 *   write storm  tx messages/s >= storm_rate with <= storm_max_bytes each (a
 *                cause, so before starvation, which it may bring about: a
 *                starved storm's verdict says the run queue too)
 *   runq         runq / (cpu + runq) >= runq_share; runq >= runq_wall_share of
 *                busy wall time and the largest part of it (more than on-CPU and
 *                each wait reason: a lock wait that fills the wall time wins even
 *                when most of a thread's runnable time is spent waiting); runq
 *                load >= runq_load.  When every path runnable for >= 10 ms (the
 *                cause aside) has that runnable share -- "on every path", the
 *                host is short of CPU -- runq load >= runq_load_everywhere is
 *                enough (not less: on a busy host a thread that runs for
 *                microseconds waits about as long to be woken, a majority of
 *                its runnable time but a few ms a second).  Judged before idle.
 *                The path using the most CPU, when CPU-bound, is the cause, not
 *                a victim: it neither votes nor gets this verdict.
 *   idle         busy load < min_load and no latency evidence: nothing to judge
 *   allocation   allocator >= alloc_share of the path's CPU, CPU load >= alloc_load
 *   then the largest share among those that pass:
 *     cpu        (on-CPU + run queue) share >= cpu_share and on-CPU load >= cpu_load,
 *                or on-CPU load >= cpu_load_alone
 *     lock       lock wait share >= lock_share and load >= lock_load
 *     io         I/O (and page-fault) wait share >= io_share, load >= io_load
 *     timer      sleep share >= timer_share, load >= timer_load
 *     net        span p50 >= net_slow_ns and net share >= net_share
 *                (without spans: share >= net_share_nospan and load >= net_load_nospan)
 *   tail         p99 >= tail_ratio * p50, p99 >= tail_min_ns, >= tail_min_ops ops:
 *                a "net" verdict with the tail named (timeouts, loss) -- or a
 *                sentence added to another verdict
 *   none         nothing stands out: said plainly, never invented
 *
 * Shares are of the path's busy wall time (on-CPU + run queue + off-CPU
 * inside work; waiting for work is idle and not counted, paths.c), except
 * runq_share, which is of the time the path's threads were runnable.
 */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "core/profile.h"
#include "core/rules.h"
#include "reports/bottleneck.h"
#include "reports/report.h"
#include "reports/output.h"
#include "analysis/paths.h"
#include "analysis/frames.h"

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
	return paths__fmt_ns(ns, buf, len);
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

/* " (p50 X, p99 Y)" when the path has span latency */
static void say_latency(struct verdict *v, const struct path_stats *ps)
{
	char a[24], b[24];

	if (ps->has_lat && ps->lat.count)
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
 * thread that always wants a CPU is CPU-bound even when it only gets half).
 */
static bool cpu_pass(const struct path_stats *ps, double dur, const struct bottleneck_limits *l)
{
	int64_t cpu = ps->cpu_user_ns + ps->cpu_kernel_ns;

	return (ps->busy_ns > 0 && (double)(cpu + ps->runq_ns) / ps->busy_ns >= l->cpu_share &&
		cpu / dur >= l->cpu_load) || cpu / dur >= l->cpu_load_alone;
}

/*
 * Run-queue starvation (see the rules at the top).  cause: this path is
 * the heaviest CPU user and CPU-bound -- it starves the others.
 */
static bool starved(const struct path_report *rep, const struct path_stats *ps, bool everywhere,
		    bool cause, const struct bottleneck_limits *l)
{
	/* without on-CPU samples "runnable" is unknown: no run-queue verdict */
	if (!rep->has_cpu || cause || !runq_share_high(ps, l) || !runq_dominates(ps, l))
		return false;
	return ps->runq_ns / (double)rep->duration_ns >=
	       (everywhere ? l->runq_load_everywhere : l->runq_load);
}

static void judge_one(const struct path_report *rep, uint32_t idx, bool runq_everywhere,
		      bool heaviest, const struct bottleneck_limits *l, struct verdict *v)
{
	const struct path_stats *ps = &rep->paths[idx];
	double dur = rep->duration_ns, busy = ps->busy_ns;
	int64_t cpu = ps->cpu_user_ns + ps->cpu_kernel_ns;
	double load = busy / dur, cpu_load = cpu / dur;
	double share[V_NR] = {};
	bool pass[V_NR] = {};
	enum verdict_kind best = V_NONE;
	char a[24];

	memset(v, 0, sizeof(*v));
	v->path = idx;
	say(v, "%s: ", ps->name);

	/*
	 * A write storm is the path's own doing and loads the host: judged
	 * first, so that the CPU shortage it helps cause does not hide it
	 * (the run queue is then said in the storm's verdict).
	 */
	if (ps->tx_msgs && ps->tx_msgs / (dur / 1e9) >= l->storm_rate &&
	    (double)ps->tx_bytes / ps->tx_msgs <= l->storm_max_bytes) {
		v->kind = V_STORM;
		v->share = busy > 0 ? cpu / busy : 0;
		set_culprit(v, ps->part[PART_TX].culprit);
		say(v, "syscall/socket-write storm: ");
		say_rate(v, ps->tx_msgs / (dur / 1e9));
		say(v, " writes/s averaging %.0f B", (double)ps->tx_bytes / ps->tx_msgs);
		if (v->culprit[0])
			say(v, " from `%s`", v->culprit);
		say(v, "; kernel is %.0f %% of on-CPU. Batch the writes.",
		    pct(ps->cpu_kernel_ns, cpu));
		if (starved(rep, ps, runq_everywhere, false, l))
			say(v, " It also waits for a CPU %.0f %% of its wall time%s.",
			    pct(ps->runq_ns, ps->busy_ns),
			    runq_everywhere ? ", as on every path: the host is short of CPU" : "");
		return;
	}

	/*
	 * Starvation is judged before "little work": it is why there is
	 * little.  The path that uses the most CPU, if CPU-bound, is the
	 * cause rather than a victim: it gets the CPU verdict below.
	 */
	if (starved(rep, ps, runq_everywhere, heaviest && cpu_pass(ps, dur, l), l)) {
		int64_t runnable = cpu + ps->runq_ns;

		v->kind = V_RUNQ;
		v->share = busy > 0 ? ps->runq_ns / busy : 0;
		set_culprit(v, ps->part[PART_RUNQ].culprit);
		say(v, "run-queue starvation: %.0f %% of the time its threads were runnable they "
		    "waited for a CPU (%.2f threads waiting on average, %.0f %% of wall time)",
		    pct(ps->runq_ns, runnable), ps->runq_ns / dur, pct(ps->runq_ns, ps->busy_ns));
		if (runq_everywhere)
			say(v, ", as on every path: the host is short of CPU, not this code.");
		else
			say(v, "; on-CPU is %.0f %% of wall time.", pct(cpu, ps->busy_ns));
		return;
	}
	if (load < l->min_load && !has_tail(ps, l) &&
	    !(ps->has_lat && ps->lat.count && ps->lat.p50_ns >= l->net_slow_ns)) {
		v->kind = V_IDLE;
		say(v, "no bottleneck: little work here (%.3f threads busy on average", load);
		if (ps->has_lat && ps->lat.count)
			say(v, ", %llu operations", (unsigned long long)ps->lat.count);
		say(v, ").");
		return;
	}

	if (cpu > 0 && (double)ps->alloc_cpu_ns / cpu >= l->alloc_share &&
	    cpu_load >= l->alloc_load) {
		const char *who = ps->part[PART_ALLOC].culprit[0] ? ps->part[PART_ALLOC].culprit
								  : ps->part[PART_CPU].culprit;

		v->kind = V_ALLOC;
		v->share = busy > 0 ? ps->alloc_cpu_ns / busy : 0;
		set_culprit(v, who);
		say(v, "allocation-heavy: %.0f %% of on-CPU time is in the allocator",
		    pct(ps->alloc_cpu_ns, cpu));
		if (who[0])
			say(v, ", called from `%s`", who);
		if (ps->alloc_bytes)
			say(v, " (%.1f MB/s allocated)", ps->alloc_bytes / (dur / 1e9) / 1e6);
		say(v, "; on-CPU is %.0f %% of wall time.", pct(cpu, ps->busy_ns));
		return;
	}

	/* the remaining categories: the largest share that passes wins */
	share[V_CPU] = busy > 0 ? (cpu + ps->runq_ns) / busy : 0;
	pass[V_CPU] = cpu_pass(ps, dur, l);
	share[V_LOCK] = busy > 0 ? ps->off_ns[PR_LOCK] / busy : 0;
	pass[V_LOCK] = share[V_LOCK] >= l->lock_share && ps->off_ns[PR_LOCK] / dur >= l->lock_load;
	share[V_IO] = busy > 0 ? (ps->off_ns[PR_IO] + ps->off_ns[PR_FAULT]) / busy : 0;
	pass[V_IO] = share[V_IO] >= l->io_share &&
		     (ps->off_ns[PR_IO] + ps->off_ns[PR_FAULT]) / dur >= l->io_load;
	share[V_TIMER] = busy > 0 ? ps->off_ns[PR_TIMER] / busy : 0;
	pass[V_TIMER] = share[V_TIMER] >= l->timer_share &&
			ps->off_ns[PR_TIMER] / dur >= l->timer_load;
	share[V_NET] = busy > 0 ? ps->off_ns[PR_NET] / busy : 0;
	if (ps->has_lat && ps->lat.count)
		pass[V_NET] = ps->lat.p50_ns >= l->net_slow_ns &&
			      (share[V_NET] >= l->net_share || !rep->has_offcpu);
	else
		pass[V_NET] = !ps->has_spans && share[V_NET] >= l->net_share_nospan &&
			      ps->off_ns[PR_NET] / dur >= l->net_load_nospan;
	for (int k = V_CPU; k < V_NR; k++) {
		if (pass[k] && (best == V_NONE || share[k] > share[best]))
			best = k;
	}
	if (best == V_NONE && has_tail(ps, l))
		best = V_NET;
	v->kind = best;
	v->share = share[best];
	v->tail = has_tail(ps, l);

	switch (best) {
	case V_CPU: {
		const struct path_part_stats *pp = &ps->part[PART_CPU];

		set_culprit(v, pp->culprit);
		say(v, "CPU-bound: %.0f %% of wall time is on-CPU (%.2f CPUs; user %.0f %%, kernel "
		    "%.0f %%)", pct(cpu, ps->busy_ns), cpu_load, pct(ps->cpu_user_ns, cpu),
		    pct(ps->cpu_kernel_ns, cpu));
		if (pp->culprit[0])
			say(v, ", hottest `%s` (%.0f %% of on-CPU)", pp->culprit,
			    pct(pp->culprit_value, cpu));
		say(v, ".");
		if (pct(ps->runq_ns, ps->busy_ns) >= 10)
			say(v, " It waits for a CPU another %.0f %% of the time%s.",
			    pct(ps->runq_ns, ps->busy_ns),
			    runq_everywhere ? ", and starves the rest of the host" : "");
		break;
	}
	case V_LOCK:
	case V_IO:
	case V_TIMER:
	case V_NET: {
		static const char *const what[V_NR] = {
			[V_LOCK] = "lock wait", [V_IO] = "I/O wait", [V_TIMER] = "sleeping (timers)",
			[V_NET] = "network wait",
		};
		static const char *const how[V_NR] = {
			[V_LOCK] = " (futex)", [V_IO] = "", [V_TIMER] = "", [V_NET] = "",
		};
		enum path_reason rs = best == V_LOCK ? PR_LOCK : best == V_IO ? PR_IO :
				      best == V_TIMER ? PR_TIMER : PR_NET;
		const struct path_part_stats *pp = &ps->part[PART_OFF + rs];

		set_culprit(v, pp->culprit);
		if (best == V_NET && !pass[V_NET]) {
			/* only the tail says it: timeouts and losses */
			say(v, "network wait, latency tail: ");
			say_tail(v, ps);
			say(v, "; %.0f %% of wall time waits on the network or timers",
			    100 * (share[V_NET] + share[V_TIMER]));
			if (v->culprit[0])
				say(v, " in `%s`", v->culprit);
			say(v, ": lost replies or timeouts.");
			break;
		}
		if (best == V_NET && !rep->has_offcpu) {
			say(v, "network wait (likely): operations are slow");
			say_latency(v, ps);
			say(v, " while the path is hardly on CPU (%.2f CPUs); record with the offcpu "
			    "collector to see where it waits.", cpu_load);
			break;
		}
		say(v, "%.0f %% of wall time is %s", 100 * share[best], what[best]);
		if (pp->culprit[0])
			say(v, " in `%s`", pp->culprit);
		say(v, "%s", how[best]);
		if (pp->waker[0])
			say(v, ", woken by `%s`", pp->waker);
		if (best == V_NET)
			say_latency(v, ps);
		say(v, "; on-CPU is %.0f %%", busy > 0 ? 100.0 * cpu / busy : 0);
		if (ps->runq_ns > 0 && busy > 0 && ps->runq_ns / busy >= 0.005)
			say(v, ", run queue %.0f %%", 100.0 * ps->runq_ns / busy);
		say(v, ".");
		if (v->tail && best == V_NET) {
			say(v, " Latency tail: ");
			say_tail(v, ps);
			say(v, ".");
		}
		break;
	}
	default:
		say(v, "no bottleneck: nothing stands out (%.2f threads busy, on-CPU %.0f %%, "
		    "run queue %.0f %%, largest wait %s %.0f %%", load,
		    busy > 0 ? 100.0 * cpu / busy : 0, busy > 0 ? 100.0 * ps->runq_ns / busy : 0,
		    share[V_LOCK] >= share[V_NET] ? "lock" : "net",
		    100 * (share[V_LOCK] >= share[V_NET] ? share[V_LOCK] : share[V_NET]));
		if (ps->has_lat && ps->lat.count)
			say(v, ", p99 %s", fmt_ns(ps->lat.p99_ns, a, sizeof(a)));
		say(v, ").");
		return;
	}
	if (v->tail && best != V_NET) {
		say(v, " Latency tail: ");
		say_tail(v, ps);
		say(v, ".");
	}
}

void bottleneck__judge(const struct path_report *rep, const struct bottleneck_limits *lim,
		       struct verdict *out)
{
	struct bottleneck_limits def;
	bool everywhere = true;
	uint32_t heaviest = 0;
	int judged = 0;

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
	/*
	 * Host-wide starvation: every path (other included) that was runnable
	 * for long enough to judge waited for a CPU most of that time -- all
	 * but the cause, the heaviest CPU user when it is CPU-bound: it has
	 * the CPU the others wait for.  Several paths agreeing is the
	 * evidence, so a lower load threshold applies to each (starved()).
	 */
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
	if (judged < 2)
		everywhere = false;
	for (uint32_t i = 0; i < rep->nr_paths; i++)
		judge_one(rep, i, everywhere, i == heaviest, lim, &out[i]);
}

/* ---- SLA ----------------------------------------------------------------- */

static const char *const metric_names[] = {
	[SLA_P50] = "p50", [SLA_P90] = "p90", [SLA_P95] = "p95", [SLA_P99] = "p99",
	[SLA_MAX] = "max", [SLA_MEAN] = "mean", [SLA_ERRORS] = "errors",
};

const char *sla__metric_name(enum sla_metric m)
{
	return metric_names[m];
}

static int parse_duration(const char *s, uint64_t *ns)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		return -EINVAL;
	if (!strcmp(end, "ns"))
		*ns = v;
	else if (!strcmp(end, "us"))
		*ns = v * 1e3;
	else if (!strcmp(end, "ms"))
		*ns = v * 1e6;
	else if (!strcmp(end, "s") || !*end)
		*ns = v * 1e9;
	else
		return -EINVAL;
	return 0;
}

int sla__parse(const char *spec, struct sla **out, char *err, size_t errlen)
{
	char *copy = strdup(spec), *tok, *save = NULL;
	struct sla *v = NULL;
	int n = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct sla s = {};
		char *dot = strchr(tok, '.'), *eq = strchr(tok, '=');
		struct sla *nv;
		int m;

		snprintf(s.text, sizeof(s.text), "%s", tok);
		if (!dot || !eq || eq < dot || dot == tok || (size_t)(dot - tok) >= sizeof(s.path)) {
			snprintf(err, errlen, "'%s' is not PATH.METRIC=LIMIT (e.g. dht.p95=500ms)", tok);
			goto fail;
		}
		memcpy(s.path, tok, dot - tok);
		*eq = '\0';
		for (m = 0; m <= SLA_ERRORS; m++) {
			if (!strcmp(dot + 1, metric_names[m]))
				break;
		}
		if (m > SLA_ERRORS) {
			snprintf(err, errlen, "unknown metric '%s' in '%s' "
				 "(p50, p90, p95, p99, max, mean, errors)", dot + 1, s.text);
			goto fail;
		}
		s.metric = m;
		if (m == SLA_ERRORS) {
			char *end;
			double pc = strtod(eq + 1, &end);

			if (end == eq + 1 || (*end && strcmp(end, "%")) || pc < 0 || pc > 100) {
				snprintf(err, errlen, "'%s': errors take a percentage (errors=1%%)",
					 s.text);
				goto fail;
			}
			s.limit = pc * 100;
		} else if (parse_duration(eq + 1, &s.limit)) {
			snprintf(err, errlen, "'%s': bad duration '%s' (500ms, 2s, 250us)", s.text,
				 eq + 1);
			goto fail;
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			goto fail;
		v = nv;
		v[n++] = s;
	}
	free(copy);
	if (!n) {
		snprintf(err, errlen, "empty --sla");
		return -EINVAL;
	}
	*out = v;
	return n;

fail:
	free(copy);
	free(v);
	return -EINVAL;
}

int sla__check(const struct path_report *rep, const struct sla *s, int n,
	       struct sla_result *res)
{
	int failed = 0;

	for (int i = 0; i < n; i++) {
		const struct path_stats *ps = NULL;
		const struct path_latency *lat;

		for (uint32_t k = 0; k < rep->nr_paths; k++) {
			if (!strcmp(rep->paths[k].name, s[i].path))
				ps = &rep->paths[k];
		}
		memset(&res[i], 0, sizeof(res[i]));
		if (!ps || !ps->has_lat || !ps->lat.count) {
			failed++;	/* an SLA nobody measured is not met */
			continue;
		}
		lat = &ps->lat;
		res[i].known = true;
		switch (s[i].metric) {
		case SLA_P50: res[i].value = lat->p50_ns; break;
		case SLA_P90: res[i].value = lat->p90_ns; break;
		case SLA_P95: res[i].value = lat->p95_ns; break;
		case SLA_P99: res[i].value = lat->p99_ns; break;
		case SLA_MAX: res[i].value = lat->max_ns; break;
		case SLA_MEAN: res[i].value = lat->sum_ns / lat->count; break;
		case SLA_ERRORS: res[i].value = lat->errors * 10000 / lat->count; break;
		}
		res[i].pass = res[i].value <= s[i].limit;
		if (!res[i].pass)
			failed++;
	}
	return failed;
}

/* ---- the report section ------------------------------------------------- */

static const char *const part_label[PART_NR] = {
	[PART_CPU] = "on-CPU", [PART_RUNQ] = "run queue",
	[PART_OFF + PR_OTHER] = "off-CPU other", [PART_OFF + PR_LOCK] = "lock wait",
	[PART_OFF + PR_NET] = "network wait", [PART_OFF + PR_TIMER] = "timer/sleep",
	[PART_OFF + PR_IO] = "I/O wait", [PART_OFF + PR_FAULT] = "page faults",
	[PART_IDLE] = "idle", [PART_TX] = "tx", [PART_ALLOC] = "alloc",
};

static const char *const part_key[PART_NR] = {
	[PART_CPU] = "cpu", [PART_RUNQ] = "runq",
	[PART_OFF + PR_OTHER] = "offcpu_other", [PART_OFF + PR_LOCK] = "lock",
	[PART_OFF + PR_NET] = "net", [PART_OFF + PR_TIMER] = "timer",
	[PART_OFF + PR_IO] = "io", [PART_OFF + PR_FAULT] = "fault",
	[PART_IDLE] = "idle", [PART_TX] = "tx_messages", [PART_ALLOC] = "alloc_bytes",
};

static bool path_shown(const struct path_stats *ps)
{
	return ps->samples || (ps->has_lat && (ps->lat.count || ps->lat.unmatched));
}

/* Word-wrap text at width, continuation lines indented by indent. */
static void wrap(FILE *f, const char *text, int first_col, int indent, int width)
{
	int col = first_col;
	const char *s = text;

	while (*s) {
		const char *e = s;
		int n;

		while (*e && *e != ' ')
			e++;
		n = e - s;
		if (col > indent && col + 1 + n > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > first_col || (col > indent && s != text)) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, n, f);
		col += n;
		s = *e ? e + 1 : e;
	}
	fputc('\n', f);
}

static const char *human_bytes(double b, char *buf, size_t len)
{
	return units__bytes(b, UNITS_BYTES_SI, buf, len);
}

struct slowop {
	const char *id, *ok, *start;
	uint64_t latency;
};

static int slow_cmp(const void *a, const void *b)
{
	const struct slowop *x = a, *y = b;

	return x->latency < y->latency ? 1 : x->latency > y->latency ? -1 : 0;
}

/* The slowest operations of path, slowest first; returns how many (<= max). */
static int slowest(const struct profile *p, const char *path, struct slowop *out, int max)
{
	struct slowop all[64];
	int n = 0;

	for (uint32_t i = 0; i < p->nr_records && n < 64; i++) {
		const struct pf_record *r = &p->records[i];
		const char *v;

		if (strcmp(profile__str(p, r->kind), "slowop"))
			continue;
		v = profile__record_get(p, r, "path");
		if (!v || strcmp(v, path))
			continue;
		all[n].id = profile__record_get(p, r, "id");
		all[n].ok = profile__record_get(p, r, "ok");
		all[n].start = profile__record_get(p, r, "start_ns");
		v = profile__record_get(p, r, "latency_ns");
		all[n].latency = v ? strtoull(v, NULL, 10) : 0;
		n++;
	}
	qsort(all, n, sizeof(all[0]), slow_cmp);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	return n;
}

static void fmt_clock(const char *start_ns, char *buf, size_t len)
{
	long long ns = start_ns ? strtoll(start_ns, NULL, 10) : 0;
	time_t t = ns / 1000000000LL;
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%02d:%02d:%02d.%03lldZ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (ns / 1000000) % 1000);
}

static void text_path(FILE *f, const struct profile *p, const struct path_report *rep,
		      const struct path_stats *ps, const struct verdict *v, int width)
{
	double dur = rep->duration_ns / 1e9;
	int64_t cpu = ps->cpu_user_ns + ps->cpu_kernel_ns;
	char a[32], b[32], c[32], d[32], stack[512];
	struct slowop slow[3];
	int ns;

	fprintf(f, "\n%s\n", ps->name);
	if (ps->has_lat && ps->lat.count) {
		fprintf(f, "  operations   %llu (%.1f/s)", (unsigned long long)ps->lat.count,
			ps->lat.count / dur);
		if (ps->lat.errors)
			fprintf(f, ", %llu failed", (unsigned long long)ps->lat.errors);
		fprintf(f, "\n  latency      p50 %s  p95 %s  p99 %s  max %s\n",
			paths__fmt_ns(ps->lat.p50_ns, a, sizeof(a)),
			paths__fmt_ns(ps->lat.p95_ns, b, sizeof(b)),
			paths__fmt_ns(ps->lat.p99_ns, c, sizeof(c)),
			paths__fmt_ns(ps->lat.max_ns, d, sizeof(d)));
	} else if (ps->has_spans) {
		fprintf(f, "  operations   none completed while recording%s\n",
			ps->has_lat && ps->lat.unmatched ? " (some had started before)" : "");
	}
	fprintf(f, "  wall time    %s busy (%.2f threads)", paths__fmt_ns(ps->busy_ns, a, sizeof(a)),
		ps->busy_ns / (double)rep->duration_ns);
	if (ps->idle_ns)
		fprintf(f, ", %s idle waiting for work not counted",
			paths__fmt_ns(ps->idle_ns, b, sizeof(b)));
	fputc('\n', f);
	for (int k = 0; k < PART_IDLE; k++) {
		const struct path_part_stats *pp = &ps->part[k];

		if (!pp->total)
			continue;
		fprintf(f, "    %-13s %3.0f %%", part_label[k], pct(pp->total, ps->busy_ns));
		if (k == PART_CPU)
			fprintf(f, " (user %.0f %%, kernel %.0f %%)", pct(ps->cpu_user_ns, cpu),
				pct(ps->cpu_kernel_ns, cpu));
		if (pp->culprit[0])
			fprintf(f, "  %s `%.60s`", k == PART_CPU ? "hottest" : "in", pp->culprit);
		fputc('\n', f);
		for (int t = 0; t < PATHS_TOP && pp->top[t].stack; t++) {
			int room = width - 17 > 40 ? width - 17 : 40;

			frames__stack_str(p, pp->top[t].stack, stack,
					 (size_t)room < sizeof(stack) ? (size_t)room : sizeof(stack));
			fprintf(f, "      %3.0f %%  %s\n", pct(pp->top[t].value, pp->total), stack);
		}
	}
	if (ps->tx_bytes || ps->rx_bytes || ps->tx_msgs || ps->rx_msgs || ps->peers) {
		fprintf(f, "  network      %u peers, tx %s in %lld msgs, rx %s in %lld msgs\n",
			ps->peers, human_bytes(ps->tx_bytes, a, sizeof(a)), (long long)ps->tx_msgs,
			human_bytes(ps->rx_bytes, b, sizeof(b)), (long long)ps->rx_msgs);
		if (ps->part[PART_TX].culprit[0])
			fprintf(f, "               writes mostly from `%.60s`\n", ps->part[PART_TX].culprit);
	}
	if (ps->alloc_bytes)
		fprintf(f, "  memory       %s allocated in %lld objects\n",
			human_bytes(ps->alloc_bytes, a, sizeof(a)), (long long)ps->alloc_objects);
	ns = slowest(p, ps->name, slow, 3);
	for (int i = 0; i < ns; i++) {
		fmt_clock(slow[i].start, b, sizeof(b));
		fprintf(f, "  %-12s #%s %s at %s%s\n", i ? "" : "slowest", slow[i].id ? slow[i].id : "?",
			paths__fmt_ns(slow[i].latency, a, sizeof(a)), b,
			slow[i].ok && !strcmp(slow[i].ok, "no") ? " (failed)" : "");
	}
	fprintf(f, "  verdict      ");
	wrap(f, v->text, 15, 15, width);
}

static void md_path(FILE *f, const struct profile *p, const struct path_report *rep,
		    const struct path_stats *ps, const struct verdict *v)
{
	char a[32], b[32], c[32], d[32], stack[400];

	fprintf(f, "\n### %s\n\n**Verdict:** %s\n\n", ps->name, v->text);
	if (ps->has_lat && ps->lat.count)
		fprintf(f, "| operations | rate | failed | p50 | p95 | p99 | max |\n"
			"|---:|---:|---:|---:|---:|---:|---:|\n"
			"| %llu | %.1f/s | %llu | %s | %s | %s | %s |\n\n",
			(unsigned long long)ps->lat.count, ps->lat.count / (rep->duration_ns / 1e9),
			(unsigned long long)ps->lat.errors, paths__fmt_ns(ps->lat.p50_ns, a, sizeof(a)),
			paths__fmt_ns(ps->lat.p95_ns, b, sizeof(b)),
			paths__fmt_ns(ps->lat.p99_ns, c, sizeof(c)),
			paths__fmt_ns(ps->lat.max_ns, d, sizeof(d)));
	fprintf(f, "| part | share of busy wall | time | responsible | top stack |\n"
		"|---|---:|---:|---|---|\n");
	for (int k = 0; k <= PART_IDLE; k++) {
		const struct path_part_stats *pp = &ps->part[k];

		if (!pp->total)
			continue;
		frames__stack_str(p, pp->top[0].stack, stack, 120);
		fprintf(f, "| %s | %s | %s | `%s` | `%s` |\n", part_label[k],
			k == PART_IDLE ? "(not counted)" : (snprintf(a, sizeof(a), "%.0f %%",
						pct(pp->total, ps->busy_ns)), a),
			paths__fmt_ns(pp->total, b, sizeof(b)), pp->culprit, stack);
	}
	if (ps->tx_msgs || ps->rx_msgs)
		fprintf(f, "\nNetwork: %u peers, tx %s in %lld msgs, rx %s in %lld msgs.\n", ps->peers,
			human_bytes(ps->tx_bytes, a, sizeof(a)), (long long)ps->tx_msgs,
			human_bytes(ps->rx_bytes, b, sizeof(b)), (long long)ps->rx_msgs);
}

static void json_path(FILE *f, const struct profile *p, const struct path_report *rep,
		      const struct path_stats *ps, const struct verdict *v, bool first)
{
	struct slowop slow[10];
	char (*names)[FRAMES_NAME_LEN] = malloc(64 * sizeof(*names));
	int ns;

	fprintf(f, "%s\n    {\"name\": ", first ? "" : ",");
	output__json_str(f, ps->name);
	fprintf(f, ", \"timed\": %s", ps->has_spans ? "true" : "false");
	if (ps->has_lat)
		fprintf(f, ",\n     \"operations\": {\"count\": %llu, \"rate\": %.3f, \"errors\": %llu, "
			"\"unmatched\": %llu}",
			(unsigned long long)ps->lat.count, ps->lat.count / (rep->duration_ns / 1e9),
			(unsigned long long)ps->lat.errors, (unsigned long long)ps->lat.unmatched);
	else
		fprintf(f, ",\n     \"operations\": null");
	if (ps->has_lat && ps->lat.count)
		fprintf(f, ",\n     \"latency_ns\": {\"p50\": %llu, \"p90\": %llu, \"p95\": %llu, "
			"\"p99\": %llu, \"max\": %llu, \"mean\": %llu}",
			(unsigned long long)ps->lat.p50_ns, (unsigned long long)ps->lat.p90_ns,
			(unsigned long long)ps->lat.p95_ns, (unsigned long long)ps->lat.p99_ns,
			(unsigned long long)ps->lat.max_ns,
			(unsigned long long)(ps->lat.sum_ns / ps->lat.count));
	else
		fprintf(f, ",\n     \"latency_ns\": null");
	fprintf(f, ",\n     \"wall_ns\": {\"busy\": %lld, \"idle\": %lld, \"in_span\": %lld, "
		"\"cpu_user\": %lld, \"cpu_kernel\": %lld, \"runq\": %lld, \"offcpu\": {",
		(long long)ps->busy_ns, (long long)ps->idle_ns, (long long)ps->span_ns,
		(long long)ps->cpu_user_ns, (long long)ps->cpu_kernel_ns, (long long)ps->runq_ns);
	for (int r = 0; r < PR_NR; r++)
		fprintf(f, "%s\"%s\": %lld", r ? ", " : "", path_reason_names[r],
			(long long)ps->off_ns[r]);
	fprintf(f, "}}");
	fprintf(f, ",\n     \"parts\": [");
	for (int k = 0, n = 0; k < PART_NR; k++) {
		const struct path_part_stats *pp = &ps->part[k];

		if (!pp->total)
			continue;
		fprintf(f, "%s\n       {\"part\": \"%s\", \"total\": %lld, \"share\": %.4f, \"culprit\": ",
			n++ ? "," : "", part_key[k], (long long)pp->total,
			k < PART_IDLE && ps->busy_ns ? (double)pp->total / ps->busy_ns : 0.0);
		output__json_str(f, pp->culprit);
		fprintf(f, ", \"waker\": ");
		output__json_str(f, pp->waker);
		fprintf(f, ", \"stacks\": [");
		for (int t = 0; t < PATHS_TOP && pp->top[t].stack; t++) {
			uint32_t nn = names ? frames__stack_names(p, pp->top[t].stack, names, 64) : 0;

			fprintf(f, "%s{\"value\": %lld, \"frames\": [", t ? ", " : "",
				(long long)pp->top[t].value);
			for (uint32_t i = 0; i < nn; i++) {
				if (i)
					fputs(", ", f);
				output__json_str(f, names[i]);
			}
			fprintf(f, "]}");
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]");
	fprintf(f, ",\n     \"network\": {\"peers\": %u, \"tx_bytes\": %lld, \"rx_bytes\": %lld, "
		"\"tx_messages\": %lld, \"rx_messages\": %lld}",
		ps->peers, (long long)ps->tx_bytes, (long long)ps->rx_bytes, (long long)ps->tx_msgs,
		(long long)ps->rx_msgs);
	fprintf(f, ",\n     \"alloc\": {\"bytes\": %lld, \"objects\": %lld, \"cpu_ns\": %lld}",
		(long long)ps->alloc_bytes, (long long)ps->alloc_objects, (long long)ps->alloc_cpu_ns);
	ns = slowest(p, ps->name, slow, 10);
	fprintf(f, ",\n     \"slowest\": [");
	for (int i = 0; i < ns; i++) {
		fprintf(f, "%s{\"id\": %s, \"latency_ns\": %llu, \"start_ns\": %s, \"ok\": ",
			i ? ", " : "", slow[i].id ? slow[i].id : "0",
			(unsigned long long)slow[i].latency, slow[i].start ? slow[i].start : "0");
		output__json_str(f, slow[i].ok ? slow[i].ok : "unknown");
		fputc('}', f);
	}
	fprintf(f, "]");
	fprintf(f, ",\n     \"verdict\": {\"kind\": \"%s\", \"tail\": %s, \"share\": %.4f, \"culprit\": ",
		verdict_kind_names[v->kind], v->tail ? "true" : "false", v->share);
	output__json_str(f, v->culprit);
	fprintf(f, ", \"text\": ");
	output__json_str(f, v->text);
	fprintf(f, "}}");
	free(names);
}

bool bottleneck__has_path_data(const struct profile *p)
{
	for (uint32_t i = 0; i < p->nr_records; i++) {
		if (!strcmp(profile__str(p, p->records[i].kind), "hist") ||
		    !strcmp(profile__str(p, p->records[i].kind), "rules"))
			return true;
	}
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		const char *v = profile__label_str(p, p->samples[i].labelset, "path");

		if (v && strcmp(v, "other"))
			return true;
	}
	return false;
}

int bottleneck__report(FILE *f, const struct profile *p, const struct bottleneck_opts *o)
{
	struct path_rules *own = NULL;
	const struct path_rules *rules = o->rules;
	const char **specs = NULL;
	struct sla *slas = NULL, *all = NULL;
	struct sla_result *res = NULL;
	struct path_report rep;
	struct verdict *v = NULL;
	int width = o->width > 0 ? o->width : 100;
	int nr_all = 0, failed = 0, err, nspecs = 0;
	char msg[256];

	if (!rules) {
		own = path_rules__for_profile(p);
		rules = own;
	}
	if (!rules)
		return -ENOMEM;

	/* --sla first, then the recording's own */
	specs = calloc(o->nr_slas + p->nr_records + 1, sizeof(*specs));
	if (!specs) {
		err = -ENOMEM;
		goto free_rules;
	}
	for (int i = 0; i < o->nr_slas; i++)
		specs[nspecs++] = o->slas[i];
	for (uint32_t i = 0; i < p->nr_records; i++) {
		if (!strcmp(profile__str(p, p->records[i].kind), "sla")) {
			const char *s = profile__record_get(p, &p->records[i], "spec");

			if (s && *s)
				specs[nspecs++] = s;
		}
	}
	for (int i = 0; i < nspecs; i++) {
		int n = sla__parse(specs[i], &slas, msg, sizeof(msg));
		struct sla *na;

		if (n < 0) {
			fprintf(stderr, "peerscope: report: bad --sla '%s': %s (see docs/guide.md)\n",
				specs[i], msg);
			err = -EINVAL;
			goto free_slas;
		}
		na = realloc(all, (nr_all + n) * sizeof(*all));
		if (!na) {
			free(slas);
			err = -ENOMEM;
			goto free_slas;
		}
		all = na;
		memcpy(all + nr_all, slas, n * sizeof(*slas));
		nr_all += n;
		free(slas);
		slas = NULL;
	}

	err = paths__analyze(p, rules, &rep);
	if (err)
		goto free_slas;
	v = calloc(rep.nr_paths, sizeof(*v));
	res = calloc(nr_all + 1, sizeof(*res));
	if (!v || !res) {
		err = -ENOMEM;
		goto free_rep;
	}
	bottleneck__judge(&rep, o->limits, v);
	failed = sla__check(&rep, all, nr_all, res);

	if (o->format == BN_JSON) {
		bool first = true;

		fprintf(f, "{\"schema\": \"peerscope.paths/1\", \"rules\": {\"name\": ");
		output__json_str(f, rules->name);
		fprintf(f, ", \"why\": ");
		output__json_str(f, rules->why);
		fprintf(f, "}, \"duration_ns\": %lld,\n  \"paths\": [", (long long)rep.duration_ns);
		/* named paths first, other last */
		for (int pass = 0; pass < 2; pass++) {
			for (uint32_t i = 0; i < rep.nr_paths; i++) {
				bool other = !strcmp(rep.paths[i].name, "other");

				if (other != (pass == 1) || !path_shown(&rep.paths[i]))
					continue;
				json_path(f, p, &rep, &rep.paths[i], &v[i], first);
				first = false;
			}
		}
		fprintf(f, "],\n  \"sla\": [");
		for (int i = 0; i < nr_all; i++) {
			fprintf(f, "%s{\"spec\": ", i ? ", " : "");
			output__json_str(f, all[i].text);
			fprintf(f, ", \"path\": ");
			output__json_str(f, all[i].path);
			fprintf(f, ", \"metric\": \"%s\", \"limit\": %llu, \"value\": %llu, "
				"\"known\": %s, \"pass\": %s}", sla__metric_name(all[i].metric),
				(unsigned long long)all[i].limit, (unsigned long long)res[i].value,
				res[i].known ? "true" : "false", res[i].pass ? "true" : "false");
		}
		fprintf(f, "],\n  \"sla_failed\": %d}\n", failed);
		goto free_rep;
	}

	if (o->format == BN_MD)
		fprintf(f, "%sRules `%s` (%s); %.1f s recorded.\n", o->in_report ? "" : "## Paths\n\n",
			rules->name, rules->why, rep.duration_ns / 1e9);
	else
		fprintf(f, "%srules %s (%s), %.1f s\n", o->in_report ? "" : "PATHS  ", rules->name,
			rules->why, rep.duration_ns / 1e9);
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < rep.nr_paths; i++) {
			bool other = !strcmp(rep.paths[i].name, "other");

			if (other != (pass == 1) || !path_shown(&rep.paths[i]))
				continue;
			if (o->format == BN_MD)
				md_path(f, p, &rep, &rep.paths[i], &v[i]);
			else
				text_path(f, p, &rep, &rep.paths[i], &v[i], width);
		}
	}
	if (nr_all) {
		fprintf(f, o->format == BN_MD ? "\n### SLA\n\n" : "\nSLA\n");
		for (int i = 0; i < nr_all; i++) {
			char a[32], b[32];
			bool errs = all[i].metric == SLA_ERRORS;

			if (errs) {
				snprintf(a, sizeof(a), "%.2f %%", all[i].limit / 100.0);
				snprintf(b, sizeof(b), "%.2f %%", res[i].value / 100.0);
			} else {
				paths__fmt_ns(all[i].limit, a, sizeof(a));
				paths__fmt_ns(res[i].value, b, sizeof(b));
			}
			fprintf(f, "%s%s %s <= %s: %s", o->format == BN_MD ? "- " : "  ", all[i].path,
				sla__metric_name(all[i].metric), a,
				!res[i].known ? "FAIL (not measured: no span timed this path)"
					      : res[i].pass ? "pass" : "FAIL");
			if (res[i].known)
				fprintf(f, " (%s)", b);
			fputc('\n', f);
		}
	}

free_rep:
	free(v);
	free(res);
	paths__free(&rep);
free_slas:
	free(all);
	free(specs);
free_rules:
	path_rules__free(own);
	return err ? err : failed;
}

/* ---- as a section of peerscope report ----------------------------------- */

int report_paths__emit(struct profile *p, const struct report_opts *ro, struct report_out *out)
{
	struct bottleneck_opts o = {
		.format = out->format == REPORT_JSON ? BN_JSON :
			  out->format == REPORT_MD ? BN_MD : BN_TEXT,
		.slas = ro->slas,
		.nr_slas = ro->nr_slas,
		.width = out->width,
		.in_report = true,
	};
	struct path_rules *rules = NULL;
	char msg[256];
	int err;

	if (!bottleneck__has_path_data(p) && !ro->nr_slas && !ro->rules)
		return 0;
	/* everything that can fail is checked before the section begins */
	for (int i = 0; i < ro->nr_slas; i++) {
		struct sla *s = NULL;

		if (sla__parse(ro->slas[i], &s, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "peerscope: report: bad --sla '%s': %s (e.g. dht.p95=500ms)\n",
				ro->slas[i], msg);
			return -EINVAL;
		}
		free(s);
	}
	if (ro->rules) {
		rules = path_rules__load(ro->rules, msg, sizeof(msg));
		if (!rules) {
			fprintf(stderr, "peerscope: report: bad --rules: %s (see docs/rules.md)\n", msg);
			return -EINVAL;
		}
		o.rules = rules;
	}
	report_out__section(out, "paths", "Paths: where each path's time goes, and what limits it");
	err = bottleneck__report(out->f, p, &o);
	path_rules__free(rules);
	return err;
}
