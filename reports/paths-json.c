// SPDX-License-Identifier: MIT
/* The paths section as JSON, schema peerscope.paths/1 (docs/report-paths.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rules.h"
#include "analysis/frames.h"
#include "reports/output.h"
#include "reports/paths-render.h"

static const char *part_key(int k)
{
	if (k == PART_OFF + PR_OTHER)
		return "offcpu_other";
	return k < WALL_NR ? wall_part_names[k] : k == PART_TX ? "tx_messages" : "alloc_bytes";
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

/* A path's "latency_ns" (then its mean) and "slowest" entries (then "ok"). */
static const struct json_field latency_fields[] = {
	JSON_FIELD(struct path_latency, p50_ns, "p50"),
	JSON_FIELD(struct path_latency, p90_ns, "p90"),
	JSON_FIELD(struct path_latency, p95_ns, "p95"),
	JSON_FIELD(struct path_latency, p99_ns, "p99"),
	JSON_FIELD(struct path_latency, max_ns, "max"),
};

static const struct json_field slowop_fields[] = {
	JSON_FIELD(struct path_slowop, id, "id"),
	JSON_FIELD(struct path_slowop, latency_ns, "latency_ns"),
	JSON_FIELD(struct path_slowop, start_ns, "start_ns"),
};

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
		json__fields(w, latency_fields, JSON_NR_FIELDS(latency_fields), lat);
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
	json_fields(w, "offcpu", reason_names, ps->off_ns, PR_NR);
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
		json__key(w, "part"); json__str(w, part_key(k));
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
	struct path_slowop slow[10];
	int ns = paths__slowest(p, ps->name, slow, 10);

	json__break(w, 5);
	json__key(w, "slowest");
	json__begin(w, '[');
	for (int i = 0; i < ns; i++) {
		json__begin(w, '{');
		json__fields(w, slowop_fields, JSON_NR_FIELDS(slowop_fields), &slow[i]);
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
void paths_render__json(FILE *f, const struct paths_view *pv)
{
	const struct path_report *rep = pv->rep;
	const struct sla *all = pv->slas;
	const struct sla_result *res = pv->res;
	struct json_writer w;

	json__init(&w, f, JSON_SPACED);
	json__begin(&w, '{');
	json__key(&w, "schema"); json__str(&w, "peerscope.paths/1");
	json__key(&w, "rules");
	json__begin(&w, '{');
	json__key(&w, "name"); json__str(&w, pv->rules->name);
	json__key(&w, "why"); json__str(&w, pv->rules->why);
	json__end(&w, '}');
	json__key(&w, "duration_ns"); json__int(&w, rep->duration_ns);
	json__break(&w, 2);
	json__key(&w, "paths");
	json__begin(&w, '[');
	/* named paths first, other last */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < rep->nr_paths; i++) {
			bool other = !strcmp(rep->paths[i].name, "other");

			if (other == (pass == 1) && paths_render__shown(&rep->paths[i]))
				json_path(&w, pv->p, rep, &rep->paths[i], &pv->v[i]);
		}
	}
	json__end(&w, ']');
	json__break(&w, 2);
	json__key(&w, "sla");
	json__begin(&w, '[');
	for (int i = 0; i < pv->nr_slas; i++) {
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
	json__key(&w, "sla_failed"); json__int(&w, pv->failed);
	json__end(&w, '}');
	fputc('\n', f);
}

