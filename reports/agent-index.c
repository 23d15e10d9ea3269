// SPDX-License-Identifier: MIT
/*
 * One line of DIR/index.jsonl per agent window: the file, its time, the
 * per-path summary and what the window cost (reports/metrics.h).
 */
#include <stdio.h>
#include <time.h>

#include "core/names.h"
#include "analysis/sla.h"
#include "reports/metrics.h"
#include "reports/output.h"

static void share(struct json_writer *j, const char *key, int64_t part, int64_t whole)
{
	json__key(j, key);
	json__fixed(j, whole > 0 ? (double)part / whole : 0, 4);
}

static void path_line(struct json_writer *j, const struct path_stats *s, const struct verdict *v)
{
	int64_t cpu = s->cpu_user_ns + s->cpu_kernel_ns, off = 0;

	for (int r = 0; r < PR_NR; r++)
		off += s->off_ns[r];
	json__begin(j, '{');
	json__key(j, "path"); json__str(j, s->name);
	json__key(j, "operations"); json__uint(j, s->has_lat ? s->lat.count : 0);
	json__key(j, "errors"); json__uint(j, s->has_lat ? s->lat.errors : 0);
	json__key(j, "latency_ns");
	if (s->has_lat && s->lat.count) {
		json__begin(j, '{');
		json__key(j, "p50"); json__uint(j, s->lat.p50_ns);
		json__key(j, "p95"); json__uint(j, s->lat.p95_ns);
		json__key(j, "p99"); json__uint(j, s->lat.p99_ns);
		json__key(j, "max"); json__uint(j, s->lat.max_ns);
		json__end(j, '}');
	} else {
		json__null(j);
	}
	json__key(j, "busy_ns"); json__int(j, s->busy_ns);
	share(j, "cpu_share", cpu, s->busy_ns);
	share(j, "offcpu_share", off, s->busy_ns);
	share(j, "runq_share", s->runq_ns, s->busy_ns);
	json__key(j, "offcpu_ns");
	json__begin(j, '{');
	for (int r = 0; r < PR_NR; r++) {
		if (s->off_ns[r]) {
			json__key(j, reason__name(r));
			json__int(j, s->off_ns[r]);
		}
	}
	json__end(j, '}');
	json__key(j, "verdict"); json__str(j, verdict_kind_names[v->kind]);
	json__end(j, '}');
}

void agent_index__line(FILE *f, const struct agent_window *w, const struct path_report *rep,
		       const struct verdict *verdicts)
{
	struct json_writer j;
	char start[32];
	time_t t = w->start_ns / 1000000000LL;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json__init(&j, f, JSON_COMPACT);
	json__begin(&j, '{');
	json__key(&j, "file"); json__str(&j, w->file);
	json__key(&j, "start"); json__str(&j, start);
	json__key(&j, "duration_s"); json__fixed(&j, w->duration_s, 3);
	json__key(&j, "paths");
	json__begin(&j, '[');
	for (uint32_t i = 0; i < rep->nr_paths; i++)
		path_line(&j, &rep->paths[i], &verdicts[i]);
	json__end(&j, ']');
	if (w->nr_slas) {
		json__key(&j, "sla");
		json__begin(&j, '[');
		for (int i = 0; i < w->nr_slas; i++) {
			json__begin(&j, '{');
			json__key(&j, "spec"); json__str(&j, w->slas[i].text);
			json__key(&j, "pass"); json__bool(&j, w->sla_res[i].known && w->sla_res[i].pass);
			json__end(&j, '}');
		}
		json__end(&j, ']');
	}
	json__key(&j, "drops");
	json__begin(&j, '{');
	json__key(&j, "lost"); json__uint(&j, w->lost);
	json__key(&j, "map_full"); json__uint(&j, w->map_full);
	json__key(&j, "stack_errors"); json__uint(&j, w->stack_errors);
	json__end(&j, '}');
	json__key(&j, "agent");
	json__begin(&j, '{');
	json__key(&j, "cpu_s"); json__fixed(&j, w->agent_cpu_s, 4);
	json__key(&j, "bpf_run_s"); json__fixed(&j, w->bpf_run_s, 4);
	json__key(&j, "rss_bytes"); json__uint(&j, w->rss_bytes);
	json__key(&j, "targets"); json__int(&j, w->targets);
	json__end(&j, '}');
	json__end(&j, '}');
	fputc('\n', f);
}
