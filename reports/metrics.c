// SPDX-License-Identifier: MIT
/*
 * /metrics of `peerscope agent`: windows added up into counters, and the
 * Prometheus (0.0.4) or OpenMetrics (1.0) exposition of them.  In the
 * OpenMetrics text a counter family is named without its _total suffix and
 * the document ends with "# EOF"; everything else is the same.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"
#include "core/profile.h"
#include "analysis/sla.h"
#include "reports/metrics.h"
#include "reports/metrics-int.h"

struct metrics_path *metrics__path(struct metrics_state *m, const char *name)
{
	for (int i = 0; i < m->nr_paths; i++) {
		if (!strcmp(m->paths[i].name, name))
			return &m->paths[i];
	}
	if (m->nr_paths == METRICS_MAX_PATHS)
		return NULL;	/* label values stay bounded: extra paths are dropped */
	snprintf(m->paths[m->nr_paths].name, sizeof(m->paths[0].name), "%s", name);
	return &m->paths[m->nr_paths++];
}

static void add_ops(struct ophist *to, const struct ophist *w)
{
	for (int i = 0; i < OPHIST_NR_BOUNDS; i++)
		to->le[i] += w->le[i];
	to->count += w->count;
	to->sum_ns += w->sum_ns;
}

void metrics__add_window(struct metrics_state *m, const struct profile *p,
			 const struct agent_window *w, const struct path_report *rep,
			 const struct verdict *verdicts)
{
	for (int i = 0; i < m->nr_paths; i++) {
		m->paths[i].verdict = V_NONE;	/* a path absent from this window */
		m->paths[i].sla = SLA_NONE;
	}
	for (uint32_t i = 0; i < rep->nr_paths; i++) {
		const struct path_stats *s = &rep->paths[i];
		struct metrics_path *mp = metrics__path(m, s->name);
		struct ophist oh;

		if (!mp)
			continue;
		mp->cpu_s += (s->cpu_user_ns + s->cpu_kernel_ns) / 1e9;
		mp->runq_s += s->runq_ns / 1e9;
		for (int r = 0; r < PR_NR; r++)
			mp->off_s[r] += s->off_ns[r] / 1e9;
		if (!ophist__of_path(p, s->name, &oh))
			add_ops(&mp->ops, &oh);
		mp->tx_bytes += s->tx_bytes;
		mp->rx_bytes += s->rx_bytes;
		mp->tx_msgs += s->tx_msgs;
		mp->rx_msgs += s->rx_msgs;
		mp->alloc_bytes += s->alloc_bytes;
		mp->verdict = verdicts[i].kind;
	}
	m->has_alloc |= rep->has_alloc;
	metrics__add_net(m, p);
	for (int i = 0; i < w->nr_slas; i++) {
		struct metrics_path *mp = metrics__path(m, w->slas[i].path);
		enum sla_state st = !w->sla_res[i].known ? SLA_UNKNOWN
				    : w->sla_res[i].pass ? SLA_PASS : SLA_FAIL;

		m->has_sla = true;
		/* several objectives on one path: the worst decides */
		if (mp && (mp->sla == SLA_NONE || mp->sla == SLA_PASS || st == SLA_FAIL))
			mp->sla = st;
	}
	m->windows++;
	m->agent_cpu_s += w->agent_cpu_s;
	m->bpf_run_s += w->bpf_run_s;
	m->lost += w->lost;
	m->map_full += w->map_full;
	m->stack_errors += w->stack_errors;
	m->rss_bytes = w->rss_bytes;
	m->targets = w->targets;
}

/* # HELP and # TYPE of a family; counters are named without _total in OpenMetrics. */
void metrics__family(const struct expo *e, const char *name, const char *type, const char *help)
{
	char fam[128];
	size_t n = strlen(name);

	snprintf(fam, sizeof(fam), "%s", name);
	if (e->om && !strcmp(type, "counter") && n > 6 && !strcmp(name + n - 6, "_total"))
		fam[n - 6] = '\0';
	fprintf(e->f, "# HELP %s %s\n# TYPE %s %s\n", fam, help, fam, type);
}

void metrics__sample(const struct expo *e, const char *name, const char *labels, double v)
{
	fprintf(e->f, "%s%s%s%s %.9g\n", name, labels ? "{" : "", labels ? labels : "",
		labels ? "}" : "", v);
}

/* Path names come from rules files: escape what the format reserves. */
const char *metrics__label_value(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 3 < len; s++) {
		if (*s == '\\' || *s == '"')
			buf[o++] = '\\';
		if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
			continue;
		}
		buf[o++] = *s;
	}
	buf[o] = '\0';
	return buf;
}

#define FOR_PATHS(m, mp, pv)							\
	for (const struct metrics_path *mp = (m)->paths;			\
	     mp < (m)->paths + (m)->nr_paths &&					\
	     (metrics__label_value(mp->name, pv, sizeof(pv)), 1); mp++)

/* One family with one sample per path, labelled path only. */
static void per_path(const struct expo *e, const struct metrics_state *m, const char *name,
		     const char *type, const char *help, double (*get)(const struct metrics_path *))
{
	char pv[80], l[160];

	metrics__family(e, name, type, help);
	FOR_PATHS(m, mp, pv) {
		snprintf(l, sizeof(l), "path=\"%s\"", pv);
		metrics__sample(e, name, l, get(mp));
	}
}

static double get_cpu(const struct metrics_path *mp) { return mp->cpu_s; }
static double get_runq(const struct metrics_path *mp) { return mp->runq_s; }
static double get_ops(const struct metrics_path *mp) { return mp->ops.count; }
static double get_alloc(const struct metrics_path *mp) { return mp->alloc_bytes; }

static void path_time(const struct expo *e, const struct metrics_state *m)
{
	char pv[80], l[160];

	per_path(e, m, "peerscope_path_cpu_seconds_total", "counter",
		 "On-CPU time of the targets' threads on each path.", get_cpu);
	metrics__family(e, "peerscope_path_offcpu_seconds_total", "counter",
	       "Off-CPU time inside work on each path, by wait reason.");
	FOR_PATHS(m, mp, pv) {
		for (int r = 0; r < PR_NR; r++) {
			snprintf(l, sizeof(l), "path=\"%s\",reason=\"%s\"", pv, reason__name(r));
			metrics__sample(e, "peerscope_path_offcpu_seconds_total", l, mp->off_s[r]);
		}
	}
	per_path(e, m, "peerscope_path_runq_seconds_total", "counter",
		 "Time runnable but waiting for a CPU, on each path.", get_runq);
}

static void path_ops(const struct expo *e, const struct metrics_state *m)
{
	static const char *const h = "peerscope_path_operation_duration_seconds";
	char pv[80], l[200], name[96];

	per_path(e, m, "peerscope_path_operations_total", "counter",
		 "Operations timed by a span on each path.", get_ops);
	metrics__family(e, h, "histogram", "Duration of the operations timed by a span on each path.");
	FOR_PATHS(m, mp, pv) {
		snprintf(name, sizeof(name), "%s_bucket", h);
		for (int i = 0; i < OPHIST_NR_BOUNDS; i++) {
			snprintf(l, sizeof(l), "path=\"%s\",le=\"%g\"", pv, ophist_bounds_s[i]);
			metrics__sample(e, name, l, mp->ops.le[i]);
		}
		snprintf(l, sizeof(l), "path=\"%s\",le=\"+Inf\"", pv);
		metrics__sample(e, name, l, mp->ops.count);
		snprintf(l, sizeof(l), "path=\"%s\"", pv);
		snprintf(name, sizeof(name), "%s_sum", h);
		metrics__sample(e, name, l, mp->ops.sum_ns / 1e9);
		snprintf(name, sizeof(name), "%s_count", h);
		metrics__sample(e, name, l, mp->ops.count);
	}
}

/* One family with a tx and an rx sample per path. */
static void per_direction(const struct expo *e, const struct metrics_state *m, const char *name,
			  const char *help, size_t tx_off, size_t rx_off)
{
	char pv[80], l[160];

	metrics__family(e, name, "counter", help);
	FOR_PATHS(m, mp, pv) {
		snprintf(l, sizeof(l), "path=\"%s\",direction=\"tx\"", pv);
		metrics__sample(e, name, l, *(const int64_t *)((const char *)mp + tx_off));
		snprintf(l, sizeof(l), "path=\"%s\",direction=\"rx\"", pv);
		metrics__sample(e, name, l, *(const int64_t *)((const char *)mp + rx_off));
	}
}

static void path_traffic(const struct expo *e, const struct metrics_state *m)
{
	per_direction(e, m, "peerscope_path_bytes_total",
		      "Socket payload bytes on each path, by direction.",
		      offsetof(struct metrics_path, tx_bytes), offsetof(struct metrics_path, rx_bytes));
	per_direction(e, m, "peerscope_path_messages_total",
		      "Socket send and receive calls on each path, by direction.",
		      offsetof(struct metrics_path, tx_msgs), offsetof(struct metrics_path, rx_msgs));
	if (m->has_alloc)
		per_path(e, m, "peerscope_path_alloc_bytes_total", "counter",
			 "Bytes allocated on each path (alloc collector).", get_alloc);
}

static void path_state(const struct expo *e, const struct metrics_state *m)
{
	static const char *const sla_names[] = {
		[SLA_NONE] = "none", [SLA_PASS] = "pass", [SLA_FAIL] = "fail",
		[SLA_UNKNOWN] = "unknown",
	};
	char pv[80], l[160];

	metrics__family(e, "peerscope_path_verdict", "gauge",
	       "The last window's verdict on each path: 1 for the current kind, else 0.");
	FOR_PATHS(m, mp, pv) {
		for (int k = 0; k < V_NR; k++) {
			snprintf(l, sizeof(l), "path=\"%s\",verdict=\"%s\"", pv, verdict_kind_names[k]);
			metrics__sample(e, "peerscope_path_verdict", l, mp->verdict == (enum verdict_kind)k);
		}
	}
	if (!m->has_sla)
		return;
	metrics__family(e, "peerscope_path_sla", "gauge",
	       "The last window's SLA state on each path with an --sla: 1 for the current state.");
	FOR_PATHS(m, mp, pv) {
		if (mp->sla == SLA_NONE)
			continue;
		for (int s = SLA_PASS; s <= SLA_UNKNOWN; s++) {
			snprintf(l, sizeof(l), "path=\"%s\",state=\"%s\"", pv, sla_names[s]);
			metrics__sample(e, "peerscope_path_sla", l, mp->sla == (enum sla_state)s);
		}
	}
}

static void agent_own(const struct expo *e, const struct metrics_state *m)
{
	metrics__family(e, "peerscope_agent_cpu_seconds_total", "counter",
	       "CPU time of the agent itself (user + system).");
	metrics__sample(e, "peerscope_agent_cpu_seconds_total", NULL, m->agent_cpu_s);
	metrics__family(e, "peerscope_agent_bpf_run_seconds_total", "counter",
	       "Run time of the agent's BPF programs.");
	metrics__sample(e, "peerscope_agent_bpf_run_seconds_total", NULL, m->bpf_run_s);
	metrics__family(e, "peerscope_agent_resident_memory_bytes", "gauge",
	       "Resident memory of the agent.");
	metrics__sample(e, "peerscope_agent_resident_memory_bytes", NULL, m->rss_bytes);
	metrics__family(e, "peerscope_agent_dropped_events_total", "counter",
	       "Events the collectors could not count, by cause.");
	metrics__sample(e, "peerscope_agent_dropped_events_total", "cause=\"lost\"", m->lost);
	metrics__sample(e, "peerscope_agent_dropped_events_total", "cause=\"map_full\"", m->map_full);
	metrics__sample(e, "peerscope_agent_dropped_events_total", "cause=\"stack_error\"",
	       m->stack_errors);
	metrics__family(e, "peerscope_agent_targets", "gauge", "Target processes attached.");
	metrics__sample(e, "peerscope_agent_targets", NULL, m->targets);
	metrics__family(e, "peerscope_agent_windows_total", "counter", "Windows drained.");
	metrics__sample(e, "peerscope_agent_windows_total", NULL, m->windows);
}

void metrics__render(const struct metrics_state *m, FILE *f, bool openmetrics)
{
	struct expo e = { f, openmetrics };

	path_time(&e, m);
	path_ops(&e, m);
	path_traffic(&e, m);
	path_state(&e, m);
	metrics__render_net(&e, m);
	agent_own(&e, m);
	if (openmetrics)
		fputs("# EOF\n", f);
}
