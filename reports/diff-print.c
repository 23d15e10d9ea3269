// SPDX-License-Identifier: MIT
/*
 * peerscope diff, the output: text (100 columns), Markdown and JSON
 * (schema "peerscope.diff/1", documented in docs/diff.md).  Everything is
 * computed by diff.c before a byte is printed.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/diff.h"
#include "analysis/flame-tree.h"
#include "reports/output.h"
#include "reports/report.h"

#define WIDTH 100
#define TOP_STACKS 5
#define TOP_CALLERS 10

static const char *fmt_share(double s, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f %%", 100 * s);
	return buf;
}

static const char *fmt_pp(double d, char *buf, size_t len)
{
	snprintf(buf, len, "%+.1f pp", 100 * d);
	return buf;
}

static const char *fmt_rel(double rel, char *buf, size_t len)
{
	if (isinf(rel))
		snprintf(buf, len, "new");
	else
		snprintf(buf, len, "%+.0f %%", 100 * rel);
	return buf;
}

/* Cut s to at most w characters, keeping the END (a stack's leaf, a name's tail). */
static const char *fit_left(const char *s, int w, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (w < 4 || n <= (size_t)w) {
		snprintf(buf, len, "%s", s);
		return buf;
	}
	snprintf(buf, len, "...%s", s + n - (w - 3));
	return buf;
}

/* Cut s keeping the start. */
static const char *fit_right(const char *s, int w, char *buf, size_t len)
{
	if (w < 4 || strlen(s) <= (size_t)w) {
		snprintf(buf, len, "%s", s);
		return buf;
	}
	snprintf(buf, len, "%.*s...", w - 3, s);
	return buf;
}

static const char *norm_text(const struct diff_result *r)
{
	return r->norm == DIFF_NORM_OPS ? "per operation (span counts), in % of the base's cost per operation"
					: "by each recording's total";
}

static const char *test_name(const struct diff_result *r)
{
	return r->norm == DIFF_NORM_OPS ? "Poisson rate z-test on event counts per operation"
					: "two-proportion z-test on event counts";
}

static const char *value_str(const struct diff_result *r, int64_t v, char *buf, size_t len)
{
	return output__fmt_value(v, r->unit, buf, len);
}

/* ---- text / Markdown ----------------------------------------------------------- */

struct out {
	FILE *f;
	bool md;
	const struct diff_result *r;
	const struct diff_files *files;
};

static void heading(struct out *o, const char *title)
{
	if (o->md) {
		fprintf(o->f, "\n## %s\n\n", title);
	} else {
		size_t n = strlen(title);

		fprintf(o->f, "\n%s\n", title);
		while (n--)
			fputc('-', o->f);
		fputc('\n', o->f);
	}
}

static void print_header(struct out *o)
{
	const struct diff_result *r = o->r;
	const struct diff_opts *op = &r->opts;
	char a[OUTPUT_NUM_LEN], b[OUTPUT_NUM_LEN];

	if (o->md)
		fprintf(o->f, "# peerscope diff: %s\n\n", r->type);
	else
		fprintf(o->f, "peerscope diff: %s (%s)%s%s\n", r->type, r->unit,
			op->path ? ", path " : "", op->path ? op->path : "");
	for (int i = 0; i < 2; i++) {
		const char *file = i ? o->files->cur : o->files->base;
		const char *what = i ? o->files->cur_fmt : o->files->base_fmt;

		value_str(r, r->total[i], a, sizeof(a));
		fprintf(o->f, o->md ? "- **%s**: `%s` (%s): total %s" : "  %-5s %s (%s): total %s",
			i ? "new" : "base", file, what ? what : "recording", a);
		if (r->duration_s[i] > 0)
			fprintf(o->f, ", %.1f s recorded", r->duration_s[i]);
		if (r->ops[i])
			fprintf(o->f, ", %s operations", output__fmt_count(r->ops[i], b, sizeof(b)));
		fputc('\n', o->f);
	}
	fprintf(o->f, o->md ? "- normalised %s%s\n" : "  normalised %s%s\n", norm_text(r),
		r->per_op_refused ? " (--per-op asked, but a recording has no span counts)" : "");
	fprintf(o->f, o->md ? "- significant: |z| >= %g (%s) and |change| >= %.2g pp; %u changed functions hidden as noise\n"
			    : "  significant: |z| >= %g (%s)\n  and |change| >= %.2g pp; %u changed functions hidden as noise\n",
		op->min_z, test_name(r), 100 * op->min_delta, r->funcs.hidden);
}

static void func_table(struct out *o, const char *title, const uint32_t *idx, uint32_t nr,
		       bool by_total, uint32_t max)
{
	const struct diff_result *r = o->r;
	char name[256], cut[128], s[6][32];
	int nw = WIDTH - 58;

	if (!nr)
		return;
	heading(o, title);
	if (o->md) {
		fprintf(o->f, "| # | function | %s base | new | change | z | %s base | new |\n",
			by_total ? "total" : "self", by_total ? "self" : "total");
		fputs("|---:|---|---:|---:|---:|---:|---:|---:|\n", o->f);
	} else {
		fprintf(o->f, "%3s  %-*s %7s %7s %9s %7s %8s %7s\n", "#", nw, "function",
			by_total ? "total" : "self", "new", "change", "z",
			by_total ? "self" : "total", "new");
	}
	for (uint32_t i = 0; i < nr && i < max; i++) {
		const struct diff_func *fn = &r->funcs.v[idx[i]];
		const struct diff_stat *m = by_total ? &fn->total : &fn->self;
		const struct diff_stat *c = by_total ? &fn->self : &fn->total;

		diff__func_name(r, fn, name, sizeof(name));
		fmt_share(m->share[0], s[0], 32);
		fmt_share(m->share[1], s[1], 32);
		fmt_pp(m->delta, s[2], 32);
		snprintf(s[3], 32, "%.1f", m->z);
		fmt_share(c->share[0], s[4], 32);
		fmt_share(c->share[1], s[5], 32);
		if (o->md) {
			fprintf(o->f, "| %u | ", i + 1);
			report_out__md_cell(o->f, name, true);
			fprintf(o->f, " | %s | %s | %s | %s | %s | %s |\n", s[0], s[1], s[2], s[3],
				s[4], s[5]);
		} else {
			fprintf(o->f, "%3u  %-*s %7s %7s %9s %7s %8s %7s\n", i + 1, nw,
				fit_right(name, nw, cut, sizeof(cut)), s[0], s[1], s[2], s[3], s[4],
				s[5]);
		}
	}
	if (nr > max)
		fprintf(o->f, o->md ? "\n%u more (see --top)\n" : "  ... %u more (see --top)\n",
			nr - max);
}

static void stack_list(struct out *o, const char *title, uint32_t from, uint32_t nr)
{
	const struct diff_result *r = o->r;
	char stack[4096], cut[256], s[4][32];

	if (!nr)
		return;
	heading(o, title);
	if (o->md) {
		fputs("| stack (root first) | base | new | change | z |\n|---|---:|---:|---:|---:|\n",
		      o->f);
	}
	for (uint32_t i = 0; i < nr && i < TOP_STACKS; i++) {
		const struct diff_stack *st = &r->stacks[from + i];

		diff__stack_name(r->tree, st->node, stack, sizeof(stack));
		fmt_share(st->self.share[0], s[0], 32);
		fmt_share(st->self.share[1], s[1], 32);
		fmt_pp(st->self.delta, s[2], 32);
		snprintf(s[3], 32, "%.1f", st->self.z);
		if (o->md) {
			fputs("| ", o->f);
			report_out__md_cell(o->f, stack, true);
			fprintf(o->f, " | %s | %s | %s | %s |\n", s[0], s[1], s[2], s[3]);
		} else {
			fprintf(o->f, "  %s\n      %s -> %s (%s, z %s)\n",
				fit_left(stack, WIDTH - 2, cut, sizeof(cut)), s[0], s[1], s[2],
				s[3]);
		}
	}
	if (nr > TOP_STACKS)
		fprintf(o->f, o->md ? "\n%u more\n" : "  ... %u more\n", nr - TOP_STACKS);
}

static const char *fmt_part(const struct diff_path *dp, double v, char *buf, size_t len)
{
	if (dp->per_op)
		return output__fmt_ns(v, buf, len);
	snprintf(buf, len, "%.2f", v);
	return buf;
}

static void print_path(struct out *o, const struct diff_path *dp)
{
	const struct diff_result *r = o->r;
	const struct diff_latency *l = &dp->lat;
	const char *ind = o->md ? "  - " : "             ";
	char s[8][48];
	bool any = false;

	fprintf(o->f, o->md ? "- **%s**%s: " : "  %-10s%s ", dp->name,
		dp->regressed ? (o->md ? " (**regressed**)" : " REGRESSED") : "");
	if (!dp->present[0] || !dp->present[1])
		fprintf(o->f, "%s; ", dp->present[0] ? "gone in new" : "new");
	fprintf(o->f, "share of %s %s -> %s (%s, z %.1f%s)\n", r->type,
		fmt_share(dp->share.share[0], s[0], 48), fmt_share(dp->share.share[1], s[1], 48),
		fmt_pp(dp->share.delta, s[2], 48), dp->share.z,
		dp->share.significant ? "" : ", noise");
	if (l->known) {
		fprintf(o->f, "%slatency p50 %s -> %s, p95 %s -> %s (%s, z %.1f), p99 %s -> %s (%s, z %.1f)",
			ind, output__fmt_ns(l->p50[0], s[0], 48), output__fmt_ns(l->p50[1], s[1], 48),
			output__fmt_ns(l->p95[0], s[2], 48), output__fmt_ns(l->p95[1], s[3], 48),
			fmt_rel(l->rel95, s[4], 48), l->z95,
			output__fmt_ns(l->p99[0], s[5], 48), output__fmt_ns(l->p99[1], s[6], 48),
			fmt_rel(l->rel99, s[7], 48), l->z99);
		fprintf(o->f, "; %" PRIu64 " -> %" PRIu64 " ops%s\n", l->count[0], l->count[1],
			l->regressed ? "; slower" : "");
	}
	if (dp->busy[0] > 0 || dp->busy[1] > 0) {
		fprintf(o->f, "%swall %s: busy %s -> %s", ind,
			dp->per_op ? "per operation" : "in threads busy",
			fmt_part(dp, dp->busy[0], s[0], 48), fmt_part(dp, dp->busy[1], s[1], 48));
		for (int k = 0; k < DP_NR; k++) {
			if (!(dp->part[0][k] > 0.005 * dp->busy[0]) &&
			    !(dp->part[1][k] > 0.005 * dp->busy[1]))
				continue;
			fprintf(o->f, "%s %s %s -> %s", any ? "," : ";", diff__part_name(k),
				fmt_part(dp, dp->part[0][k], s[0], 48),
				fmt_part(dp, dp->part[1][k], s[1], 48));
			any = true;
		}
		fputc('\n', o->f);
	}
	if (dp->verdict[0] || dp->verdict[1]) {
		fprintf(o->f, "%sverdict %s%s%s%s -> %s%s%s%s\n", ind,
			dp->verdict[0] ? dp->verdict[0] : "-", dp->culprit[0][0] ? " (" : "",
			dp->culprit[0], dp->culprit[0][0] ? ")" : "",
			dp->verdict[1] ? dp->verdict[1] : "-", dp->culprit[1][0] ? " (" : "",
			dp->culprit[1], dp->culprit[1][0] ? ")" : "");
	}
	if (dp->changed_part >= 0 || dp->top_name[0]) {
		fprintf(o->f, "%schanged:", ind);
		if (dp->changed_part >= 0)
			fprintf(o->f, " %s time +%s%s", diff__part_name(dp->changed_part),
				fmt_part(dp, dp->changed_by, s[0], 48),
				dp->per_op ? " per operation" : " threads");
		if (dp->top_name[0])
			fprintf(o->f, "%s top self growth %s%s%s %s (z %.1f)",
				dp->changed_part >= 0 ? ";" : "", o->md ? "`" : "", dp->top_name,
				o->md ? "`" : "", fmt_pp(dp->top_self.delta, s[1], 48),
				dp->top_self.z);
		fputc('\n', o->f);
	}
}

static void print_result(struct out *o)
{
	const struct diff_result *r = o->r;
	char s[4][48];

	if (!(r->opts.fail_above > 0))
		return;
	heading(o, "Result");
	if (!r->nr_fails) {
		fprintf(o->f, "no regression beyond %g %% (outside the noise)\n",
			100 * r->opts.fail_above);
		return;
	}
	fprintf(o->f, "REGRESSION beyond %g %%: %u check%s failed\n", 100 * r->opts.fail_above,
		r->nr_fails, r->nr_fails == 1 ? "" : "s");
	for (uint32_t i = 0; i < r->nr_fails; i++) {
		const struct diff_failure *fl = &r->fails[i];

		if (fl->latency) {
			output__fmt_ns(fl->base, s[0], 48);
			output__fmt_ns(fl->cur, s[1], 48);
		} else {
			fmt_share(fl->base, s[0], 48);
			fmt_share(fl->cur, s[1], 48);
		}
		fprintf(o->f, "%s%s %s -> %s (%s, z %.1f)\n", o->md ? "- " : "  ", fl->what, s[0],
			s[1], fmt_rel(fl->rel, s[2], 48), fl->z);
	}
}

static int print_human(FILE *f, const struct diff_result *r, const struct diff_files *files,
		       bool md)
{
	struct out o = { f, md, r, files };
	uint32_t n = r->opts.top_n > 0 ? (uint32_t)r->opts.top_n : 20;
	bool per_op = r->norm == DIFF_NORM_OPS;

	print_header(&o);
	if (!r->funcs.nr_grew && !r->funcs.nr_shrank)
		fputs(md ? "\nNo function changed beyond the noise.\n"
			 : "\nNo function changed beyond the noise.\n", f);
	func_table(&o, per_op ? "Functions that grew (self cost per operation; total as context)"
			      : "Functions that grew (self share; total as context)",
		   r->funcs.grew, r->funcs.nr_grew, false, n);
	func_table(&o, per_op ? "Functions that shrank (self cost per operation)"
			      : "Functions that shrank (self share)",
		   r->funcs.shrank, r->funcs.nr_shrank, false, n);
	func_table(&o, "Callers whose total grew", r->funcs.grew_total, r->funcs.nr_grew_total,
		   true, n < TOP_CALLERS ? n : TOP_CALLERS);
	stack_list(&o, "Stacks that grew", 0, r->nr_stacks_grew);
	stack_list(&o, "Stacks that shrank", r->nr_stacks_grew, r->nr_stacks_shrank);
	if (r->nr_paths) {
		heading(&o, "Paths (base -> new)");
		for (uint32_t i = 0; i < r->nr_paths; i++)
			print_path(&o, &r->paths[i]);
	}
	print_result(&o);
	return ferror(f) ? -EIO : 0;
}

/* ---- JSON ------------------------------------------------------------------------ */

/* The JSON schema of diff's structs, in the order the keys are printed. */
static const struct json_field stat_fields[] = {
	JSON_FIELD(struct diff_stat, share[0], "base"),
	JSON_FIELD(struct diff_stat, share[1], "new"),
	JSON_FIELD(struct diff_stat, delta, "delta"),
	JSON_FIELD(struct diff_stat, rel, "rel"),
	JSON_FIELD(struct diff_stat, z, "z"),
	JSON_FIELD(struct diff_stat, v[0], "base_value"),
	JSON_FIELD(struct diff_stat, v[1], "new_value"),
	JSON_FIELD(struct diff_stat, significant, "significant"),
};

/* after count, errors and the percentiles, which print as [base, new] pairs */
static const struct json_field latency_fields[] = {
	JSON_FIELD(struct diff_latency, rel95, "rel95"),
	JSON_FIELD(struct diff_latency, z95, "z95"),
	JSON_FIELD(struct diff_latency, rel99, "rel99"),
	JSON_FIELD(struct diff_latency, z99, "z99"),
	JSON_FIELD(struct diff_latency, regressed, "regressed"),
};

/* after "what" and "unit" */
static const struct json_field failure_fields[] = {
	JSON_FIELD(struct diff_failure, base, "base"),
	JSON_FIELD(struct diff_failure, cur, "new"),
	JSON_FIELD(struct diff_failure, rel, "rel"),
	JSON_FIELD(struct diff_failure, z, "z"),
};

static void json_stat(struct json_writer *w, const char *key, const struct diff_stat *st)
{
	json__key(w, key);
	json__begin(w, '{');
	json__fields(w, stat_fields, JSON_NR_FIELDS(stat_fields), st);
	json__end(w, '}');
}

static void json_funcs(struct json_writer *w, const char *key, const struct diff_result *r,
		       const uint32_t *idx, uint32_t nr, uint32_t max)
{
	char name[256];

	json__key(w, key);
	json__begin(w, '[');
	for (uint32_t i = 0; i < nr && i < max; i++) {
		const struct diff_func *fn = &r->funcs.v[idx[i]];

		json__begin(w, '{');
		json__key(w, "name"); json__str(w, diff__func_name(r, fn, name, sizeof(name)));
		json__key(w, "kernel"); json__bool(w, fn->kernel);
		json_stat(w, "self", &fn->self);
		json_stat(w, "total", &fn->total);
		json__end(w, '}');
	}
	json__end(w, ']');
}

static void json_stacks(struct json_writer *w, const char *key, const struct diff_result *r,
			uint32_t from, uint32_t nr, uint32_t max)
{
	char stack[4096];

	json__key(w, key);
	json__begin(w, '[');
	for (uint32_t i = 0; i < nr && i < max; i++) {
		const struct diff_stack *st = &r->stacks[from + i];

		json__begin(w, '{');
		json__key(w, "stack");
		json__str(w, diff__stack_name(r->tree, st->node, stack, sizeof(stack)));
		json_stat(w, "self", &st->self);
		json__end(w, '}');
	}
	json__end(w, ']');
}

static void json_pair_u64(struct json_writer *w, const char *key, const uint64_t v[2])
{
	json__key(w, key);
	json__begin(w, '[');
	json__uint(w, v[0]);
	json__uint(w, v[1]);
	json__end(w, ']');
}

static void json_latency(struct json_writer *w, const struct diff_latency *l)
{
	json__key(w, "latency");
	if (!l->known) {
		json__null(w);
		return;
	}
	json__begin(w, '{');
	json_pair_u64(w, "count", l->count);
	json_pair_u64(w, "errors", l->errors);
	json_pair_u64(w, "p50_ns", l->p50);
	json_pair_u64(w, "p95_ns", l->p95);
	json_pair_u64(w, "p99_ns", l->p99);
	json__fields(w, latency_fields, JSON_NR_FIELDS(latency_fields), l);
	json__end(w, '}');
}

static void json_path_verdicts(struct json_writer *w, const struct diff_path *dp)
{
	json__key(w, "verdict");
	json__begin(w, '{');
	for (int i = 0; i < 2; i++) {
		json__key(w, i ? "new" : "base");
		if (!dp->verdict[i]) {
			json__null(w);
			continue;
		}
		json__begin(w, '{');
		json__key(w, "kind"); json__str(w, dp->verdict[i]);
		json__key(w, "culprit"); json__str(w, dp->culprit[i]);
		if (i) {
			json__key(w, "text");
			json__str(w, dp->text);
		}
		json__end(w, '}');
	}
	json__end(w, '}');
}

static void json_path(struct json_writer *w, const struct diff_path *dp)
{
	json__begin(w, '{');
	json__key(w, "name"); json__str(w, dp->name);
	json__key(w, "present");
	json__begin(w, '[');
	json__bool(w, dp->present[0]);
	json__bool(w, dp->present[1]);
	json__end(w, ']');
	json__key(w, "regressed"); json__bool(w, dp->regressed);
	json_stat(w, "share", &dp->share);
	json_latency(w, &dp->lat);
	json__key(w, "wall");
	json__begin(w, '{');
	json__key(w, "unit"); json__str(w, dp->per_op ? "ns_per_op" : "threads");
	for (int i = 0; i < 2; i++) {
		json__key(w, i ? "new" : "base");
		json__begin(w, '{');
		json__key(w, "busy"); json__num(w, dp->busy[i]);
		for (int k = 0; k < DP_NR; k++) {
			json__key(w, diff__part_name(k));
			json__num(w, dp->part[i][k]);
		}
		json__end(w, '}');
	}
	json__end(w, '}');
	json_path_verdicts(w, dp);
	json__key(w, "changed");
	json__begin(w, '{');
	json__key(w, "part");
	json__str_or_null(w, dp->changed_part >= 0 ? diff__part_name(dp->changed_part) : NULL);
	json__key(w, "by"); json__num(w, dp->changed_by);
	json__key(w, "function");
	if (dp->top_name[0]) {
		json__begin(w, '{');
		json__key(w, "name"); json__str(w, dp->top_name);
		json_stat(w, "self", &dp->top_self);
		json_stat(w, "total", &dp->top_total);
		json__end(w, '}');
	} else {
		json__null(w);
	}
	json__end(w, '}');
	json__end(w, '}');
}

static void json_options(struct json_writer *w, const struct diff_result *r)
{
	const struct diff_opts *op = &r->opts;

	json__key(w, "path");
	json__str_or_null(w, op->path);
	json__key(w, "normalize"); json__str(w, r->norm == DIFF_NORM_OPS ? "per-op" : "total");
	json__key(w, "per_op_refused"); json__bool(w, r->per_op_refused);
	json__key(w, "test");
	json__str(w, r->norm == DIFF_NORM_OPS ? "poisson-rate-z" : "two-proportion-z");
	json__key(w, "min_z"); json__num(w, op->min_z);
	json__key(w, "min_delta"); json__num(w, op->min_delta);
	json__key(w, "lat_design"); json__num(w, op->lat_design);
	json__key(w, "fail_above");
	if (op->fail_above > 0)
		json__num(w, op->fail_above);
	else
		json__null(w);
}

static void json_files(struct json_writer *w, const struct diff_result *r,
		       const struct diff_files *files)
{
	for (int i = 0; i < 2; i++) {
		json__key(w, i ? "new" : "base");
		json__begin(w, '{');
		json__key(w, "file"); json__str(w, i ? files->cur : files->base);
		json__key(w, "format"); json__str(w, (i ? files->cur_fmt : files->base_fmt) ?: "");
		json__key(w, "total"); json__int(w, r->total[i]);
		json__key(w, "ops"); json__uint(w, r->ops[i]);
		json__key(w, "quantum"); json__num(w, r->quantum[i]);
		json__key(w, "duration_s"); json__num(w, r->duration_s[i]);
		json__end(w, '}');
	}
}

static void json_failures(struct json_writer *w, const struct diff_result *r)
{
	json__key(w, "failures");
	json__begin(w, '[');
	for (uint32_t i = 0; i < r->nr_fails; i++) {
		const struct diff_failure *fl = &r->fails[i];

		json__begin(w, '{');
		json__key(w, "what"); json__str(w, fl->what);
		json__key(w, "unit"); json__str(w, fl->latency ? "ns" : "share");
		json__fields(w, failure_fields, JSON_NR_FIELDS(failure_fields), fl);
		json__end(w, '}');
	}
	json__end(w, ']');
}

static int print_json(FILE *f, const struct diff_result *r, const struct diff_files *files)
{
	uint32_t n = r->opts.top_n > 0 ? (uint32_t)r->opts.top_n : 20;
	struct json_writer w;

	json__init(&w, f, JSON_COMPACT);
	json__begin(&w, '{');
	json__key(&w, "schema"); json__str(&w, "peerscope.diff/1");
	json__key(&w, "type"); json__str(&w, r->type);
	json__key(&w, "unit"); json__str(&w, r->unit);
	json_options(&w, r);
	json_files(&w, r, files);
	json__key(&w, "functions");
	json__begin(&w, '{');
	json_funcs(&w, "grew", r, r->funcs.grew, r->funcs.nr_grew, n);
	json_funcs(&w, "shrank", r, r->funcs.shrank, r->funcs.nr_shrank, n);
	json_funcs(&w, "grew_total", r, r->funcs.grew_total, r->funcs.nr_grew_total, n);
	json_funcs(&w, "shrank_total", r, r->funcs.shrank_total, r->funcs.nr_shrank_total, n);
	json__key(&w, "hidden"); json__uint(&w, r->funcs.hidden);
	json__end(&w, '}');
	json__key(&w, "stacks");
	json__begin(&w, '{');
	json_stacks(&w, "grew", r, 0, r->nr_stacks_grew, n);
	json_stacks(&w, "shrank", r, r->nr_stacks_grew, r->nr_stacks_shrank, n);
	json__end(&w, '}');
	json__key(&w, "paths");
	json__begin(&w, '[');
	for (uint32_t i = 0; i < r->nr_paths; i++)
		json_path(&w, &r->paths[i]);
	json__end(&w, ']');
	json_failures(&w, r);
	json__key(&w, "regressed"); json__bool(&w, r->nr_fails);
	json__end(&w, '}');
	fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}

int diff__print(FILE *f, const struct diff_result *r, const struct diff_files *files,
		enum report_format fmt)
{
	if (fmt == REPORT_JSON)
		return print_json(f, r, files);
	return print_human(f, r, files, fmt == REPORT_MD);
}
