// SPDX-License-Identifier: MIT
/* Report plumbing, shared loaders and the meta section; see report.h. */
#include "analysis/unnamed.h"
#include "reports/report.h"
#include "reports/output.h"
#include "analysis/paths.h"
#include "core/profile.h"
#include "core/opt-values.h"
#include "core/records.h"
#include "core/rules.h"
#include "core/units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_SCHEMA "peerscope.report/1"

void report_out__begin(struct report_out *o, FILE *f, enum report_format format, int width)
{
	o->f = f;
	o->format = format;
	o->width = width > 0 ? width : 100;
	o->nr_sections = 0;
	if (format == REPORT_JSON) {
		json__init(&o->json, f, JSON_SPACED);
		json__begin(&o->json, '{');
		json__key(&o->json, "schema");
		json__str(&o->json, REPORT_SCHEMA);
	}
}

void report_out__section(struct report_out *o, const char *key, const char *title)
{
	size_t n;

	switch (o->format) {
	case REPORT_JSON:
		json__break(&o->json, 0);
		json__key_external(&o->json, key);
		break;
	case REPORT_MD:
		fprintf(o->f, "%s## %s\n\n", o->nr_sections ? "\n" : "", title);
		break;
	default:
		if (o->nr_sections)
			fputc('\n', o->f);
		fprintf(o->f, "%s\n", title);
		n = strlen(title);
		for (size_t i = 0; i < n && i < (size_t)o->width; i++)
			fputc('-', o->f);
		fputc('\n', o->f);
		break;
	}
	o->nr_sections++;
}

int report_out__end(struct report_out *o)
{
	if (o->format == REPORT_JSON) {
		json__break(&o->json, 0);
		json__end(&o->json, '}');
		fputc('\n', o->f);
	}
	if (fflush(o->f) || ferror(o->f))
		return -EIO;
	return 0;
}

void report_out__md_cell(FILE *f, const char *s, bool code)
{
	if (code)
		fputc('`', f);
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else if (*s == '`' && code)
			fputc('\'', f);	/* a backtick would end the code span */
		else
			fputc(*s, f);
	}
	if (code)
		fputc('`', f);
}

int report__label_paths(struct profile *p, const char *name, struct path_rules **out,
			char *msg, size_t len)
{
	struct path_rules *rules;
	int err;

	*out = NULL;
	rules = name ? path_rules__load(name, msg, len) : path_rules__for_profile(p);
	if (!rules)
		return name ? -EINVAL : -ENOMEM;
	err = paths__label_profile(p, rules);
	if (err < 0) {
		path_rules__free(rules);
		return err;
	}
	*out = rules;
	return 0;
}

int report__filter_path(struct profile **pp, const char *path)
{
	struct profile *np = profile__filter(*pp, paths__sample_on, (void *)path);

	if (!np)
		return -ENOMEM;
	profile__free(*pp);
	*pp = np;
	return np->nr_samples;
}

struct label_match {
	const char *key, *value;
};

static bool keep_label(const struct profile *p, uint32_t sample, void *ctx)
{
	const struct label_match *m = ctx;
	const char *v = profile__label_str(p, p->samples[sample].labelset, m->key);

	return v && !strcmp(v, m->value);
}

int report__filter_label(struct profile **pp, const char *key, const char *value)
{
	struct label_match m = { .key = key, .value = value };
	struct profile *np = profile__filter(*pp, keep_label, &m);

	if (!np)
		return -ENOMEM;
	profile__free(*pp);
	*pp = np;
	return np->nr_samples;
}

/* ---- meta section ------------------------------------------------------ */


/* JSON array of a comma-separated list; numbers when numeric is set. */
/* A comma-separated record field as a JSON array (numbers or strings), empty items skipped. */
static void json_list(struct json_writer *w, const char *key, const char *s, bool numeric)
{
	json__key(w, key);
	json__begin(w, '[');
	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char item[256];

		snprintf(item, sizeof(item), "%.*s", (int)n, s);
		if (n) {
			if (numeric)
				json__int(w, strtoll(item, NULL, 10));
			else
				json__str(w, item);
		}
		s = e ? e + 1 : NULL;
	}
	json__end(w, ']');
}

static double duration_s(const struct profile *p, const struct rec_meta *meta)
{
	if (p->duration_nanos > 0)
		return p->duration_nanos / 1e9;
	return meta->duration_s;
}

static void json_types(struct json_writer *w, const struct profile *p)
{
	json__key(w, "types");
	json__begin(w, '[');
	for (uint32_t i = 0; i < p->nr_types; i++) {
		json__begin(w, '{');
		json__key(w, "type"); json__str(w, profile__str(p, p->types[i].type));
		json__key(w, "unit"); json__str(w, profile__str(p, p->types[i].unit));
		json__key(w, "total"); json__int(w, profile__total(p, i));
		json__end(w, '}');
	}
	json__end(w, ']');
}

/* The collectors' stats records; returns what they lost in all. */
static int64_t json_stats(struct json_writer *w, const struct profile *p)
{
	struct rec_stats st;
	uint32_t from = 0;
	int64_t lost = 0;

	json__key(w, "stats");
	json__begin(w, '[');
	while (records__next_stats(p, &from, &st)) {
		json__begin(w, '{');
		json__key(w, "collector"); json__str(w, st.collector ? st.collector : "");
		json__key(w, "status"); json__str(w, st.status && *st.status ? st.status : "ok");
		json__key(w, "events"); json__int(w, st.events);
		json__key(w, "stack_errors"); json__int(w, st.stack_errors);
		json__key(w, "map_full"); json__int(w, st.map_full);
		json__key(w, "lost"); json__int(w, st.lost);
		json__key(w, "bpf_run_ns"); json__uint(w, st.bpf_run_ns);
		json__end(w, '}');
		lost += (int64_t)st.map_full + (int64_t)st.lost;
	}
	json__end(w, ']');
	return lost;
}

/*
 * The recording's own cost (its overhead record), one line: an operator
 * quotes it next to the findings.  False when the recording has none.
 */
static bool cost_line(const struct profile *p, double dur, char *line, size_t len)
{
	struct rec_overhead oh;
	struct rec_stats st;
	char a[OUTPUT_NUM_LEN], b[OUTPUT_NUM_LEN], c[OUTPUT_NUM_LEN], d[OUTPUT_NUM_LEN];
	uint32_t from = 0;
	size_t n;
	double cpu_ns;
	int k = 0;

	if (!records__next_overhead(p, &(uint32_t){ 0 }, &oh))
		return false;
	cpu_ns = (double)oh.user_ns + oh.sys_ns + oh.bpf_run_ns;
	n = snprintf(line, len, "%s CPU", output__fmt_ns(cpu_ns, a, sizeof(a)));
	if (dur > 0)
		n += snprintf(line + n, n < len ? len - n : 0, " (%.1f %% of one CPU)",
			      100 * cpu_ns / (dur * 1e9));
	n += snprintf(line + n, n < len ? len - n : 0, ": user %s, sys %s, BPF %s",
		      output__fmt_ns(oh.user_ns, a, sizeof(a)), output__fmt_ns(oh.sys_ns, b, sizeof(b)),
		      output__fmt_ns(oh.bpf_run_ns, c, sizeof(c)));
	while (n < len && records__next_stats(p, &from, &st)) {
		if (!st.bpf_run_ns)
			continue;
		n += snprintf(line + n, len - n, "%s%s %s", k++ ? ", " : " (",
			      st.collector ? st.collector : "?", output__fmt_ns(st.bpf_run_ns, d, sizeof(d)));
	}
	if (k && n < len)
		n += snprintf(line + n, len - n, ")");
	if (n < len)
		n += snprintf(line + n, len - n, "; attach %s", output__fmt_ns(oh.attach_ns, a, sizeof(a)));
	if (REC_HAS(&oh, overhead, peak_rss_kb) && oh.peak_rss_kb && n < len)
		n += snprintf(line + n, len - n, "; peak memory %s",
			      output__fmt_bytes(oh.peak_rss_kb * 1024.0, a, sizeof(a)));
	if (REC_HAS(&oh, overhead, bpf_map_bytes) && oh.bpf_map_bytes && n < len)
		snprintf(line + n, len - n, ", BPF maps %s",
			 output__fmt_bytes(oh.bpf_map_bytes, b, sizeof(b)));
	return true;
}

static void json_cost(struct json_writer *w, const struct profile *p)
{
	struct rec_overhead oh;

	json__key(w, "cost");
	if (!records__next_overhead(p, &(uint32_t){ 0 }, &oh)) {
		json__null(w);
		return;
	}
	json__begin(w, '{');
	json__key(w, "user_ns"); json__uint(w, oh.user_ns);
	json__key(w, "sys_ns"); json__uint(w, oh.sys_ns);
	json__key(w, "bpf_run_ns"); json__uint(w, oh.bpf_run_ns);
	json__key(w, "attach_ns"); json__uint(w, oh.attach_ns);
	json__key(w, "peak_rss_kb");
	if (REC_HAS(&oh, overhead, peak_rss_kb))
		json__uint(w, oh.peak_rss_kb);
	else
		json__null(w);
	json__key(w, "bpf_map_bytes");
	if (REC_HAS(&oh, overhead, bpf_map_bytes))
		json__uint(w, oh.bpf_map_bytes);
	else
		json__null(w);
	json__end(w, '}');
}

/* An unnamed module's keys, before how its frames get named. */
static const struct json_field unnamed_fields[] = {
	JSON_FIELD(struct unnamed_module, file, "module"),
	JSON_FIELD(struct unnamed_module, cost_share, "cost_share"),
	JSON_FIELD(struct unnamed_module, unnamed_share, "unnamed_share"),
};

/* "unnamed": the modules of unnamed_rows(), only when there are some. */
static void json_unnamed(struct json_writer *w, const struct profile *p,
			 const struct report_opts *o)
{
	struct unnamed_module m[UNNAMED_MAX];
	int n = unnamed__modules(p, o->type_idx, m, UNNAMED_MAX);

	if (n <= 0)
		return;
	json__key(w, "unnamed");
	json__begin(w, '[');
	for (int i = 0; i < n; i++) {
		json__begin(w, '{');
		json__fields(w, unnamed_fields, JSON_NR_FIELDS(unnamed_fields), &m[i]);
		json__key(w, "named_by"); json__str(w, m[i].jit ? "perf-map" : "debug-symbols");
		json__end(w, '}');
	}
	json__end(w, ']');
}

static void meta_json(const struct profile *p, const struct report_opts *o, FILE *f,
		      const struct rec_meta *meta)
{
	const struct { const char *key, *val; } strs[] = {
		{ "version", meta->version }, { "hostname", meta->hostname },
		{ "kernel", meta->kernel }, { "start", meta->start }, { "command", meta->command },
	};
	struct json_writer w;
	int64_t lost;

	json__init(&w, f, JSON_SPACED);
	json__begin(&w, '{');
	json__key(&w, "file"); json__str(&w, o->file);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		json__key(&w, strs[i].key);
		json__str_or_null(&w, strs[i].val);
	}
	json__key(&w, "duration_s"); json__num(&w, duration_s(p, meta));
	json_list(&w, "pids", meta->pids, true);
	json_list(&w, "collectors", meta->collectors, false);
	json__key(&w, "freq_hz");
	if (REC_HAS(meta, meta, freq))
		json__int(&w, meta->freq);
	else
		json__null(&w);
	json_types(&w, p);
	json__key(&w, "type");
	if (o->type_idx >= 0)
		json__str(&w, profile__str(p, p->types[o->type_idx].type));
	else
		json__null(&w);
	json__key(&w, "path");
	json__str_or_null(&w, o->path);
	json__key(&w, "nr_samples"); json__uint(&w, p->nr_samples);
	lost = json_stats(&w, p);
	json__key(&w, "dropped"); json__int(&w, lost);
	json_cost(&w, p);
	json_unnamed(&w, p, o);
	json__end(&w, '}');
}

static void meta_row(struct report_out *out, const char *key, const char *val)
{
	if (!val || !*val)
		return;
	if (out->format == REPORT_MD) {
		fprintf(out->f, "| %s | ", key);
		report_out__md_cell(out->f, val, false);
		fputs(" |\n", out->f);
	} else {
		fprintf(out->f, "  %-11s %s\n", key, val);
	}
}

/*
 * Modules whose frames are mostly "module+0x...": rules cannot match them,
 * so say how much cost they hold and what would name them.
 */
static void unnamed_rows(const struct profile *p, const struct report_opts *o,
			 struct report_out *out)
{
	struct unnamed_module m[UNNAMED_MAX];
	int n = unnamed__modules(p, o->type_idx, m, UNNAMED_MAX);
	char line[1024], file[96];

	for (int i = 0; i < n; i++) {
		units__shorten(m[i].file[0] ? m[i].file : "[anon]", 80, file, sizeof(file));
		snprintf(line, sizeof(line),
			 "%s: %.0f %% of %s is in it, %.0f %% of that in frames with no name; %s",
			 file, 100 * m[i].cost_share,
			 profile__str(p, p->types[o->type_idx].type), 100 * m[i].unnamed_share,
			 m[i].jit ? "JIT code: a perf map names it (node --perf-basic-prof, or the "
				    "runtime's own option)" : "");
		if (!m[i].jit)
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
				 "its debug symbols would name it (the -dbgsym or -dbg package of "
				 "the package that ships it, dpkg -S %s; or a debuglink file under "
				 "/usr/lib/debug)", file);
		meta_row(out, i ? "" : "unnamed", line);
	}
}

static void meta_text(const struct profile *p, const struct report_opts *o, struct report_out *out,
		      const struct rec_meta *meta)
{
	struct rec_stats st;
	char line[512], num[OUTPUT_NUM_LEN];
	uint32_t from = 0;
	size_t n = 0;
	const char *v;
	double dur = duration_s(p, meta);

	if (out->format == REPORT_MD)
		fputs("| | |\n|---|---|\n", out->f);
	meta_row(out, "file", o->file);
	line[0] = '\0';
	if ((v = meta->start) && *v)
		n += snprintf(line + n, sizeof(line) - n, "%s", v);
	if ((v = meta->hostname) && *v)
		n += snprintf(line + n, sizeof(line) - n, " on %s", v);
	if ((v = meta->kernel) && *v && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " (Linux %s)", v);
	meta_row(out, "recorded", line);
	if (dur > 0)
		meta_row(out, "duration", output__fmt_ns(dur * 1e9, num, sizeof(num)));
	if ((v = meta->pids) && *v)
		meta_row(out, "targets", (snprintf(line, sizeof(line), "pid %s", v), line));
	if ((v = meta->collectors) && *v) {
		if (REC_HAS(meta, meta, freq) && opt__list_has(v, "cpu"))
			snprintf(line, sizeof(line), "%s (cpu at %" PRIu64 " Hz)", v, meta->freq);
		else
			snprintf(line, sizeof(line), "%s", v);
		meta_row(out, "collectors", line);
	}
	n = 0;
	line[0] = '\0';
	for (uint32_t i = 0; i < p->nr_types && n < sizeof(line); i++) {
		char val[OUTPUT_NUM_LEN];

		output__fmt_value(profile__total(p, i), profile__str(p, p->types[i].unit), val,
				  sizeof(val));
		n += snprintf(line + n, sizeof(line) - n, "%s%s %s", i ? ", " : "",
			      profile__str(p, p->types[i].type), val);
	}
	if (n)
		meta_row(out, "totals", line);
	if (o->type_idx >= 0)
		snprintf(line, sizeof(line), "%s (%s)%s%s",
			 profile__str(p, p->types[o->type_idx].type),
			 profile__str(p, p->types[o->type_idx].unit), o->path ? ", path " : "",
			 o->path ? o->path : "");
	else
		snprintf(line, sizeof(line), "counters only (no samples: see Counters)");
	meta_row(out, "showing", line);
	n = 0;
	line[0] = '\0';
	while (n < sizeof(line) && records__next_stats(p, &from, &st)) {
		int64_t se = st.stack_errors, mf = st.map_full, lo = st.lost;

		if (!se && !mf && !lo)
			continue;
		n += snprintf(line + n, sizeof(line) - n,
			      "%s%s: %" PRId64 " stack errors, %" PRId64 " map full, %" PRId64
			      " lost", n ? "; " : "", st.collector ? st.collector : "?", se, mf, lo);
	}
	if (from || n)
		meta_row(out, "drops", n ? line : "none");
	if (n && out->format == REPORT_TEXT)
		fputs("  (samples were lost while recording: shares are of what was kept)\n",
		      out->f);
	if (cost_line(p, dur, line, sizeof(line)))
		meta_row(out, "cost", line);
	unnamed_rows(p, o, out);
}

int report_meta__emit(const struct profile *p, const struct report_opts *o,
		      struct report_out *out)
{
	struct rec_meta meta = {};

	/* the first meta record; none: every field absent */
	records__next_meta(p, &(uint32_t){ 0 }, &meta);
	report_out__section(out, "meta", "Recording");
	if (out->format == REPORT_JSON)
		meta_json(p, o, out->f, &meta);
	else
		meta_text(p, o, out, &meta);
	return 0;
}
