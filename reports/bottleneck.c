// SPDX-License-Identifier: MIT
/*
 * The paths section of peerscope report (docs/report-paths.md): the path
 * decomposition (analysis/paths.h), its verdicts (analysis/verdicts.c) and
 * SLA checks (analysis/sla.c), rendered as text, Markdown or JSON.
 */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "reports/bottleneck.h"
#include "reports/report.h"
#include "reports/output.h"
#include "analysis/paths.h"
#include "analysis/frames.h"

static double pct(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * part / whole : 0;
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
	uint64_t id;
	bool has_id;
	const char *ok;
	int64_t start;
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

	struct rec_slowop r;

	for (uint32_t pos = 0; n < 64 && records__next_slowop(p, &pos, &r);) {
		if (!r.path || strcmp(r.path, path))
			continue;
		all[n++] = (struct slowop){ r.id, REC_HAS(&r, slowop, id), r.ok, r.start_ns,
					    r.latency_ns };
	}
	qsort(all, n, sizeof(all[0]), slow_cmp);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	return n;
}

static void fmt_clock(int64_t ns, char *buf, size_t len)
{
	time_t t = ns / 1000000000LL;
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%02d:%02d:%02d.%03lldZ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long long)(ns / 1000000) % 1000);
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

			frames__stack_str(p, pp->top[t].stack, FRAMES_STR_USER, stack,
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
		char id[24] = "?";

		if (slow[i].has_id)
			snprintf(id, sizeof(id), "%" PRIu64, slow[i].id);
		fprintf(f, "  %-12s #%s %s at %s%s\n", i ? "" : "slowest", id,
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
		frames__stack_str(p, pp->top[0].stack, FRAMES_STR_USER, stack, 120);
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

/* "key": {"a": 1, ...} of n int64 fields */
static void json_fields(struct json_writer *w, const char *key, const char *const *names,
			const int64_t *vals, int n)
{
	json__key(w, key);
	json__begin(w, '{');
	for (int i = 0; i < n; i++) {
		json__key(w, names[i]);
		json__int(w, vals[i]);
	}
	json__end(w, '}');
}

static void json_latency(struct json_writer *w, const struct path_report *rep,
			 const struct path_stats *ps)
{
	const struct path_latency *lat = &ps->lat;

	json__break(w, 5);
	json__key(w, "operations");
	if (ps->has_lat) {
		json__begin(w, '{');
		json__key(w, "count"); json__uint(w, lat->count);
		json__key(w, "rate"); json__fixed(w, lat->count / (rep->duration_ns / 1e9), 3);
		json__key(w, "errors"); json__uint(w, lat->errors);
		json__key(w, "unmatched"); json__uint(w, lat->unmatched);
		json__end(w, '}');
	} else {
		json__null(w);
	}
	json__break(w, 5);
	json__key(w, "latency_ns");
	if (ps->has_lat && lat->count) {
		json__begin(w, '{');
		json__key(w, "p50"); json__uint(w, lat->p50_ns);
		json__key(w, "p90"); json__uint(w, lat->p90_ns);
		json__key(w, "p95"); json__uint(w, lat->p95_ns);
		json__key(w, "p99"); json__uint(w, lat->p99_ns);
		json__key(w, "max"); json__uint(w, lat->max_ns);
		json__key(w, "mean"); json__uint(w, lat->sum_ns / lat->count);
		json__end(w, '}');
	} else {
		json__null(w);
	}
}

static void json_wall(struct json_writer *w, const struct path_stats *ps)
{
	static const char *const keys[] = { "busy", "idle", "in_span", "cpu_user", "cpu_kernel",
					    "runq" };
	const int64_t vals[] = { ps->busy_ns, ps->idle_ns, ps->span_ns, ps->cpu_user_ns,
				 ps->cpu_kernel_ns, ps->runq_ns };

	json__break(w, 5);
	json__key(w, "wall_ns");
	json__begin(w, '{');
	for (int i = 0; i < 6; i++) {
		json__key(w, keys[i]);
		json__int(w, vals[i]);
	}
	json_fields(w, "offcpu", path_reason_names, ps->off_ns, PR_NR);
	json__end(w, '}');
}

static void json_parts(struct json_writer *w, const struct profile *p,
		       const struct path_stats *ps, char (*names)[FRAMES_NAME_LEN])
{
	json__break(w, 5);
	json__key(w, "parts");
	json__begin(w, '[');
	for (int k = 0; k < PART_NR; k++) {
		const struct path_part_stats *pp = &ps->part[k];

		if (!pp->total)
			continue;
		json__break(w, 7);
		json__begin(w, '{');
		json__key(w, "part"); json__str(w, part_key[k]);
		json__key(w, "total"); json__int(w, pp->total);
		json__key(w, "share");
		json__fixed(w, k < PART_IDLE && ps->busy_ns ? (double)pp->total / ps->busy_ns : 0.0, 4);
		json__key(w, "culprit"); json__str(w, pp->culprit);
		json__key(w, "waker"); json__str(w, pp->waker);
		json__key(w, "stacks");
		json__begin(w, '[');
		for (int t = 0; t < PATHS_TOP && pp->top[t].stack; t++) {
			uint32_t nn = names ? frames__stack_names(p, pp->top[t].stack, names, 64) : 0;

			json__begin(w, '{');
			json__key(w, "value"); json__int(w, pp->top[t].value);
			json__key(w, "frames");
			json__begin(w, '[');
			for (uint32_t i = 0; i < nn; i++)
				json__str(w, names[i]);
			json__end(w, ']');
			json__end(w, '}');
		}
		json__end(w, ']');
		json__end(w, '}');
	}
	json__end(w, ']');
}

static void json_slowest(struct json_writer *w, const struct profile *p,
			 const struct path_stats *ps)
{
	struct slowop slow[10];
	int ns = slowest(p, ps->name, slow, 10);

	json__break(w, 5);
	json__key(w, "slowest");
	json__begin(w, '[');
	for (int i = 0; i < ns; i++) {
		json__begin(w, '{');
		json__key(w, "id"); json__uint(w, slow[i].id);
		json__key(w, "latency_ns"); json__uint(w, slow[i].latency);
		json__key(w, "start_ns"); json__int(w, slow[i].start);
		json__key(w, "ok"); json__str(w, slow[i].ok ? slow[i].ok : "unknown");
		json__end(w, '}');
	}
	json__end(w, ']');
}

static void json_path(struct json_writer *w, const struct profile *p,
		      const struct path_report *rep, const struct path_stats *ps,
		      const struct verdict *v)
{
	static const char *const net_keys[] = { "peers", "tx_bytes", "rx_bytes", "tx_messages",
						"rx_messages" };
	static const char *const alloc_keys[] = { "bytes", "objects", "cpu_ns" };
	const int64_t net[] = { ps->peers, ps->tx_bytes, ps->rx_bytes, ps->tx_msgs, ps->rx_msgs };
	const int64_t alloc[] = { ps->alloc_bytes, ps->alloc_objects, ps->alloc_cpu_ns };
	char (*names)[FRAMES_NAME_LEN] = malloc(64 * sizeof(*names));

	json__break(w, 4);
	json__begin(w, '{');
	json__key(w, "name"); json__str(w, ps->name);
	json__key(w, "timed"); json__bool(w, ps->has_spans);
	json_latency(w, rep, ps);
	json_wall(w, ps);
	json_parts(w, p, ps, names);
	json__break(w, 5);
	json_fields(w, "network", net_keys, net, 5);
	json__break(w, 5);
	json_fields(w, "alloc", alloc_keys, alloc, 3);
	json_slowest(w, p, ps);
	json__break(w, 5);
	json__key(w, "verdict");
	json__begin(w, '{');
	json__key(w, "kind"); json__str(w, verdict_kind_names[v->kind]);
	json__key(w, "tail"); json__bool(w, v->tail);
	json__key(w, "share"); json__fixed(w, v->share, 4);
	json__key(w, "culprit"); json__str(w, v->culprit);
	json__key(w, "text"); json__str(w, v->text);
	json__end(w, '}');
	json__end(w, '}');
	free(names);
}

/* The whole section as one JSON object (schema peerscope.paths/1). */
static void json_report(FILE *f, const struct profile *p, const struct path_rules *rules,
			const struct path_report *rep, const struct verdict *v,
			const struct sla *all, const struct sla_result *res, int nr_all, int failed)
{
	struct json_writer w;

	json__init(&w, f, JSON_SPACED);
	json__begin(&w, '{');
	json__key(&w, "schema"); json__str(&w, "peerscope.paths/1");
	json__key(&w, "rules");
	json__begin(&w, '{');
	json__key(&w, "name"); json__str(&w, rules->name);
	json__key(&w, "why"); json__str(&w, rules->why);
	json__end(&w, '}');
	json__key(&w, "duration_ns"); json__int(&w, rep->duration_ns);
	json__break(&w, 2);
	json__key(&w, "paths");
	json__begin(&w, '[');
	/* named paths first, other last */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < rep->nr_paths; i++) {
			bool other = !strcmp(rep->paths[i].name, "other");

			if (other == (pass == 1) && path_shown(&rep->paths[i]))
				json_path(&w, p, rep, &rep->paths[i], &v[i]);
		}
	}
	json__end(&w, ']');
	json__break(&w, 2);
	json__key(&w, "sla");
	json__begin(&w, '[');
	for (int i = 0; i < nr_all; i++) {
		json__begin(&w, '{');
		json__key(&w, "spec"); json__str(&w, all[i].text);
		json__key(&w, "path"); json__str(&w, all[i].path);
		json__key(&w, "metric"); json__str(&w, sla__metric_name(all[i].metric));
		json__key(&w, "limit"); json__uint(&w, all[i].limit);
		json__key(&w, "value"); json__uint(&w, res[i].value);
		json__key(&w, "known"); json__bool(&w, res[i].known);
		json__key(&w, "pass"); json__bool(&w, res[i].pass);
		json__end(&w, '}');
	}
	json__end(&w, ']');
	json__break(&w, 2);
	json__key(&w, "sla_failed"); json__int(&w, failed);
	json__end(&w, '}');
	fputc('\n', f);
}

bool bottleneck__has_path_data(const struct profile *p)
{
	if (records__count(p, REC_KIND_hist) || records__count(p, REC_KIND_rules))
		return true;
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
	struct rec_sla rs;
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
	specs = calloc(o->nr_slas + records__count(p, REC_KIND_sla) + 1, sizeof(*specs));
	if (!specs) {
		err = -ENOMEM;
		goto free_rules;
	}
	for (int i = 0; i < o->nr_slas; i++)
		specs[nspecs++] = o->slas[i];
	for (uint32_t pos = 0; records__next_sla(p, &pos, &rs);)
		if (rs.spec && *rs.spec)
			specs[nspecs++] = rs.spec;
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
		json_report(f, p, rules, &rep, v, all, res, nr_all, failed);
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
