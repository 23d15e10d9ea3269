// SPDX-License-Identifier: MIT
/*
 * The paths section as text and Markdown (docs/report-paths.md): per path
 * operations, latency, where the wall time goes with top stacks, network,
 * memory, the slowest operations and the verdict, then the SLAs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/units.h"
#include "core/rules.h"
#include "analysis/frames.h"
#include "reports/paths-render.h"
#include "reports/report.h"

static double pct(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * part / whole : 0;
}

/* The wall parts' words (core/names.h), then traffic and memory. */
static const char *part_label(int k)
{
	return k < WALL_NR ? wall_part_titles[k] : k == PART_TX ? "tx" : "alloc";
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

struct key_ctx {
	const struct path_rules *rules;
	uint32_t path;
};

/* The frame a symbol rule of the path matches: what put the stack in it. */
static bool path_key(const char *name, void *ctx)
{
	const struct key_ctx *kc = ctx;

	return kc->rules && path_rules__symbol_matches(kc->rules, kc->path, name);
}

/* Rounds to "0 %": not worth a line. */
static bool shown_pct(int64_t part, int64_t whole)
{
	return pct(part, whole) >= 0.5;
}

/*
 * A path timed by spans with no operation both started and ended in the
 * recording: they may end in another process (gossip: published here,
 * delivered there), and recording those processes too times them.
 */
static void say_no_ops(FILE *f, const struct path_stats *ps, int width)
{
	char text[400];
	int n = 0;

	n = snprintf(text, sizeof(text), "none started and ended while recording");
	if (ps->has_lat && ps->lat.unmatched)
		n += snprintf(text + n, sizeof(text) - n,
			      "; %llu ended that started before it or in another process",
			      (unsigned long long)ps->lat.unmatched);
	snprintf(text + n, sizeof(text) - n,
		 " (gossip is published by one node, delivered by another: record them"
		 " together to time it, -p PID1,PID2,...)");
	fprintf(f, "  operations   ");
	wrap(f, text, 15, 15, width);
}

static void text_path(FILE *f, const struct paths_view *pv, const struct path_stats *ps,
		      const struct verdict *v, int width)
{
	const struct profile *p = pv->p;
	const struct path_report *rep = pv->rep;
	struct key_ctx kc = { pv->rules, ps->id };
	char name[64];
	double dur = rep->duration_ns / 1e9;
	int64_t cpu = ps->cpu_user_ns + ps->cpu_kernel_ns;
	char a[32], b[32], c[32], d[32], stack[512];
	struct path_slowop slow[3];
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
		say_no_ops(f, ps, width);
	}
	fprintf(f, "  wall time    %s busy (%.2f threads)", paths__fmt_ns(ps->busy_ns, a, sizeof(a)),
		ps->busy_ns / (double)rep->duration_ns);
	if (ps->idle_ns)
		fprintf(f, ", %s idle waiting for work not counted",
			paths__fmt_ns(ps->idle_ns, b, sizeof(b)));
	fputc('\n', f);
	for (int k = 0; k < PART_IDLE; k++) {
		const struct path_part_stats *pp = &ps->part[k];

		if (!pp->total || !shown_pct(pp->total, ps->busy_ns))
			continue;
		fprintf(f, "    %-13s %3.0f %%", part_label(k), pct(pp->total, ps->busy_ns));
		if (k == PART_CPU)
			fprintf(f, " (user %.0f %%, kernel %.0f %%)", pct(ps->cpu_user_ns, cpu),
				pct(ps->cpu_kernel_ns, cpu));
		if (pp->culprit[0])
			fprintf(f, "  %s `%s`", k == PART_CPU ? "hottest" : "in",
				units__shorten(pp->culprit, 60, name, sizeof(name)));
		fputc('\n', f);
		for (int t = 0; t < PATHS_TOP && pp->top[t].stack; t++) {
			int room = width - 17 > 40 ? width - 17 : 40;

			if (!shown_pct(pp->top[t].value, pp->total))
				break;
			frames__stack_line(p, pp->top[t].stack, path_key, &kc, stack,
					   (size_t)room < sizeof(stack) ? (size_t)room : sizeof(stack));
			fprintf(f, "      %3.0f %%  %s\n", pct(pp->top[t].value, pp->total), stack);
		}
	}
	/*
	 * Peers come from serving tags as well as from traffic: a path's
	 * threads can have been serving peers when sampled and sent nothing
	 * on it, and "8 peers, tx 0 B in 0 msgs" read as a fault.
	 */
	if (ps->peers && !ps->tx_bytes && !ps->rx_bytes && !ps->tx_msgs && !ps->rx_msgs)
		fprintf(f, "  network      served %u peers, no messages counted on this path\n",
			ps->peers);
	else if (ps->tx_bytes || ps->rx_bytes || ps->tx_msgs || ps->rx_msgs || ps->peers) {
		fprintf(f, "  network      %u peers, tx %s in %lld msgs, rx %s in %lld msgs\n",
			ps->peers, human_bytes(ps->tx_bytes, a, sizeof(a)), (long long)ps->tx_msgs,
			human_bytes(ps->rx_bytes, b, sizeof(b)), (long long)ps->rx_msgs);
		if (ps->part[PART_TX].culprit[0])
			fprintf(f, "               writes mostly from `%s`\n",
				units__shorten(ps->part[PART_TX].culprit, 60, name, sizeof(name)));
	}
	if (ps->alloc_bytes)
		fprintf(f, "  memory       %s allocated in %lld objects\n",
			human_bytes(ps->alloc_bytes, a, sizeof(a)), (long long)ps->alloc_objects);
	ns = paths__slowest(p, ps->name, slow, 3);
	for (int i = 0; i < ns; i++) {
		fmt_clock(slow[i].start_ns, b, sizeof(b));
		char id[24] = "?";

		if (slow[i].has_id)
			snprintf(id, sizeof(id), "%" PRIu64, slow[i].id);
		fprintf(f, "  %-12s #%s %s at %s%s\n", i ? "" : "slowest", id,
			paths__fmt_ns(slow[i].latency_ns, a, sizeof(a)), b,
			slow[i].ok && !strcmp(slow[i].ok, "no") ? " (failed)" : "");
	}
	fprintf(f, "  verdict      ");
	wrap(f, v->text, 15, 15, width);
}

static void md_path(FILE *f, const struct paths_view *pv, const struct path_stats *ps,
		    const struct verdict *v)
{
	const struct profile *p = pv->p;
	const struct path_report *rep = pv->rep;
	struct key_ctx kc = { pv->rules, ps->id };
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

		if (!pp->total || (k != PART_IDLE && !shown_pct(pp->total, ps->busy_ns)))
			continue;
		frames__stack_line(p, pp->top[0].stack, path_key, &kc, stack, 120);
		fprintf(f, "| %s | %s | %s | `%s` | `%s` |\n", part_label(k),
			k == PART_IDLE ? "(not counted)" : (snprintf(a, sizeof(a), "%.0f %%",
						pct(pp->total, ps->busy_ns)), a),
			paths__fmt_ns(pp->total, b, sizeof(b)), pp->culprit, stack);
	}
	if (ps->tx_msgs || ps->rx_msgs)
		fprintf(f, "\nNetwork: %u peers, tx %s in %lld msgs, rx %s in %lld msgs.\n", ps->peers,
			human_bytes(ps->tx_bytes, a, sizeof(a)), (long long)ps->tx_msgs,
			human_bytes(ps->rx_bytes, b, sizeof(b)), (long long)ps->rx_msgs);
}

static void sla_lines(FILE *f, const struct paths_view *pv, bool md)
{
	if (pv->nr_slas) {
	fprintf(f, md ? "\n### SLA\n\n" : "\nSLA\n");
	for (int i = 0; i < pv->nr_slas; i++) {
		char a[32], b[32];
		bool errs = pv->slas[i].metric == SLA_ERRORS;

		if (errs) {
			snprintf(a, sizeof(a), "%.2f %%", pv->slas[i].limit / 100.0);
			snprintf(b, sizeof(b), "%.2f %%", pv->res[i].value / 100.0);
		} else {
			paths__fmt_ns(pv->slas[i].limit, a, sizeof(a));
			paths__fmt_ns(pv->res[i].value, b, sizeof(b));
		}
		fprintf(f, "%s%s %s <= %s: %s", md ? "- " : "  ", pv->slas[i].path,
			sla__metric_name(pv->slas[i].metric), a,
			!pv->res[i].known ? "FAIL (not measured: no span timed this path)"
				      : pv->res[i].pass ? "pass" : "FAIL");
		if (pv->res[i].known)
			fprintf(f, " (%s)", b);
		fputc('\n', f);
	}
}
}

void paths_render__text(FILE *f, const struct paths_view *pv, bool md, bool in_report,
			int width)
{
	const struct path_report *rep = pv->rep;

	if (md)
		fprintf(f, "%sRules `%s` (%s); %.1f s recorded.\n", in_report ? "" : "## Paths\n\n",
			pv->rules->name, pv->rules->why, rep->duration_ns / 1e9);
	else
		fprintf(f, "%srules %s (%s), %.1f s\n", in_report ? "" : "PATHS  ", pv->rules->name,
			pv->rules->why, rep->duration_ns / 1e9);
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < rep->nr_paths; i++) {
			bool other = !strcmp(rep->paths[i].name, "other");

			if (other != (pass == 1) || !paths_render__shown(&rep->paths[i]))
				continue;
			if (md)
				md_path(f, pv, &rep->paths[i], &pv->v[i]);
			else
				text_path(f, pv, &rep->paths[i], &pv->v[i], width);
		}
	}
	sla_lines(f, pv, md);
}
