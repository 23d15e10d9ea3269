// SPDX-License-Identifier: MIT
/* Report plumbing, shared loaders and the meta section; see report.h. */
#include "reports/report.h"
#include "reports/folded.h"
#include "core/hashmap.h"
#include "reports/output.h"
#include "analysis/paths.h"
#include "reports/pprof.h"
#include "core/profile.h"
#include "core/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---- loading ----------------------------------------------------------- */

static int slurp(const char *path, char **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	int fd = STDIN_FILENO, err = 0;
	char *b;

	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	b = malloc(cap);
	if (!b) {
		err = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb = realloc(b, cap * 2);

			if (!nb) {
				err = -ENOMEM;
				break;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (!r)
			break;
		n += r;
	}
	if (err) {
		free(b);
		goto out_close;
	}
	*buf = b;
	*len = n;
out_close:
	if (fd != STDIN_FILENO)
		close(fd);
	return err;
}

/*
 * Folded stacks are text; pprof is gzip (1f 8b) or protobuf, which has
 * control bytes within its first few hundred bytes in practice (tags,
 * lengths).  Text means: no NUL and no control bytes other than blanks.
 */
static bool looks_folded(const unsigned char *b, size_t len)
{
	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return false;
	if (len > 4096)
		len = 4096;
	for (size_t i = 0; i < len; i++)
		if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t')
			return false;
	return true;
}

struct merge_line {
	const char *stack;
	size_t len;
	uint64_t count;
};

static const void *merge_key(void *ctx, uint32_t id)
{
	return ((struct merge_line *)ctx)[id - 1].stack;
}

/*
 * Folded text straight from a stack collapser has one line per sample;
 * interning every frame of every line is most of the reading time.  Merge
 * identical stacks first (one hash per line), then let the folded reader
 * parse the merged text.  Lines that are not "stack integer" (comments,
 * decimal counts, malformed lines) are passed through for the reader to
 * judge.  Returns a malloc()ed buffer in *merged, or NULL when merging
 * would not help.
 */
static int merge_folded(const char *buf, size_t len, char **merged, size_t *mlen)
{
	struct merge_line *lines = NULL;
	uint32_t nr = 0, cap = 0, nr_in = 0;
	struct hashmap *h = NULL;
	const char *s = buf, *end = buf + len;
	char *o = NULL, *w;
	size_t olen = 0;
	int err = 0;

	*merged = NULL;
	h = hashmap__new(merge_key, NULL);
	if (!h)
		return -ENOMEM;
	while (s < end) {
		const char *nl = memchr(s, '\n', end - s), *e, *t;
		uint64_t count = 0;
		uint32_t id;
		bool num = true;

		if (!nl)
			nl = end;
		e = nl;
		while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		t = e;
		while (t > s && t[-1] >= '0' && t[-1] <= '9')
			t--;
		if (t == e || e - t > 18 || t == s || (t[-1] != ' ' && t[-1] != '\t'))
			num = false;
		for (const char *d = t; num && d < e; d++)
			count = count * 10 + (*d - '0');
		if (nr == cap) {
			uint32_t ncap = cap ? cap * 2 : 4096;
			struct merge_line *nl2 = realloc(lines, ncap * sizeof(*nl2));

			if (!nl2) {
				err = -ENOMEM;
				goto out_free;
			}
			lines = nl2;
			cap = ncap;
			hashmap__set_ctx(h, lines);
		}
		nr_in++;
		if (!num) {
			/* kept verbatim, count 0 marks "no merging" */
			lines[nr++] = (struct merge_line){ .stack = s, .len = nl - s };
			olen += nl - s + 1;
			s = nl + 1;
			continue;
		}
		while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		lines[nr] = (struct merge_line){ .stack = s, .len = t - s, .count = count };
		err = hashmap__find_or_insert(h, s, t - s, nr + 1, &id);
		if (err < 0)
			goto out_free;
		if (err == 1) {
			nr++;
			olen += (t - s) + 22;
		} else {
			lines[id - 1].count += count;
		}
		err = 0;
		s = nl + 1;
	}
	if (nr * 10 > nr_in * 9)
		goto out_free;	/* nothing much to merge: read the original */
	o = malloc(olen + 1);
	if (!o) {
		err = -ENOMEM;
		goto out_free;
	}
	w = o;
	for (uint32_t i = 0; i < nr; i++) {
		memcpy(w, lines[i].stack, lines[i].len);
		w += lines[i].len;
		if (lines[i].count || hashmap__find(h, lines[i].stack, lines[i].len) == i + 1)
			w += sprintf(w, " %" PRIu64, lines[i].count);
		*w++ = '\n';
	}
	*merged = o;
	*mlen = w - o;
out_free:
	hashmap__free(h);
	free(lines);
	return err;
}

int report__load(const char *path, struct profile **out, const char **what)
{
	struct profile *p;
	char *buf = NULL;
	size_t len = 0;
	int err;

	*out = NULL;
	err = slurp(path, &buf, &len);
	if (err)
		return err;
	p = profile__new();
	if (!p) {
		err = -ENOMEM;
		goto out_buf;
	}
	if (len && looks_folded((unsigned char *)buf, len)) {
		if (what)
			*what = "folded";
		char *merged;
		size_t mlen;

		err = merge_folded(buf, len, &merged, &mlen);
		if (!err && merged) {
			free(buf);
			buf = merged;
			len = mlen;
		}
		if (!err)
			err = folded__read_buf(p, buf, len, "samples", "count", NULL);
	} else {
		if (what)
			*what = "pprof";
		err = len ? pprof__decode(p, buf, len) : -EBADMSG;
	}
	if (err) {
		profile__free(p);
		goto out_buf;
	}
	*out = p;
out_buf:
	free(buf);
	return err;
}

int report__pick_type(const struct profile *p, const char *name)
{
	int i;

	if (!p->nr_types)
		return -ENODATA;
	if (name)
		return (i = profile__type_index(p, name)) >= 0 ? i : -ENOENT;
	if (p->default_type >= 0 && (uint32_t)p->default_type < p->nr_types)
		return p->default_type;
	if ((i = profile__type_index(p, "samples")) >= 0)
		return i;
	if ((i = profile__type_index(p, "cpu")) >= 0)
		return i;
	return 0;
}

const char *report__type_list(const struct profile *p, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (uint32_t i = 0; i < p->nr_types && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
			      profile__str(p, p->types[i].type));
	if (!p->nr_types)
		snprintf(buf, len, "none");
	return buf;
}

static bool keep_path(const struct profile *p, uint32_t sample, void *ctx)
{
	const char *v = profile__label_str(p, p->samples[sample].labelset, "path");

	if (!v || !*v)
		v = "other";
	return !strcmp(v, ctx);
}

int report__filter_path(struct profile **pp, const char *path)
{
	struct path_rules *rules;
	struct profile *np;
	int err;

	rules = path_rules__for_profile(*pp);
	/* without rules the labels the recording has are all we go by */
	if (rules) {
		err = paths__label_profile(*pp, rules);
		path_rules__free(rules);
		if (err < 0)
			return err;
	}
	np = profile__filter(*pp, keep_path, (void *)path);
	if (!np)
		return -ENOMEM;
	profile__free(*pp);
	*pp = np;
	return np->nr_samples;
}

/* ---- meta section ------------------------------------------------------ */

static const struct pf_record *find_record(const struct profile *p, const char *kind,
					   uint32_t *from)
{
	for (uint32_t i = from ? *from : 0; i < p->nr_records; i++) {
		if (!strcmp(profile__str(p, p->records[i].kind), kind)) {
			if (from)
				*from = i + 1;
			return &p->records[i];
		}
	}
	return NULL;
}

static int64_t field_num(const struct profile *p, const struct pf_record *r, const char *k)
{
	const char *v = profile__record_get(p, r, k);

	return v && *v ? strtoll(v, NULL, 10) : 0;
}

static const char *const stat_fields[] = { "events", "stack_errors", "map_full", "lost" };
#define NR_STAT_FIELDS (sizeof(stat_fields) / sizeof(stat_fields[0]))

/* JSON array of a comma-separated list; numbers when numeric is set. */
static void json_list(FILE *f, const char *s, bool numeric)
{
	bool first = true;

	fputc('[', f);
	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char item[256];

		snprintf(item, sizeof(item), "%.*s", (int)n, s);
		if (n) {
			fputs(first ? "" : ", ", f);
			if (numeric)
				fprintf(f, "%lld", strtoll(item, NULL, 10));
			else
				output__json_str(f, item);
			first = false;
		}
		s = e ? e + 1 : NULL;
	}
	fputc(']', f);
}

static double duration_s(const struct profile *p, const struct pf_record *meta)
{
	const char *d = meta ? profile__record_get(p, meta, "duration_s") : NULL;

	if (p->duration_nanos > 0)
		return p->duration_nanos / 1e9;
	return d && *d ? strtod(d, NULL) : 0;
}

static void meta_json(struct profile *p, const struct report_opts *o, FILE *f,
		      const struct pf_record *meta)
{
	static const char *const str_fields[] = { "version", "hostname", "kernel", "start",
						  "command" };
	const struct pf_record *st;
	const char *v;
	uint32_t from = 0;
	bool first = true;
	int64_t lost = 0;

	fputs("{\"file\": ", f);
	output__json_str(f, o->file);
	for (size_t i = 0; i < sizeof(str_fields) / sizeof(str_fields[0]); i++) {
		v = meta ? profile__record_get(p, meta, str_fields[i]) : NULL;
		fprintf(f, ", \"%s\": ", str_fields[i]);
		if (v)
			output__json_str(f, v);
		else
			fputs("null", f);
	}
	fputs(", \"duration_s\": ", f);
	output__json_num(f, duration_s(p, meta));
	fputs(", \"pids\": ", f);
	json_list(f, meta ? profile__record_get(p, meta, "pids") : NULL, true);
	fputs(", \"collectors\": ", f);
	json_list(f, meta ? profile__record_get(p, meta, "collectors") : NULL, false);
	v = meta ? profile__record_get(p, meta, "freq") : NULL;
	fprintf(f, ", \"freq_hz\": ");
	if (v && *v)
		fprintf(f, "%lld", strtoll(v, NULL, 10));
	else
		fputs("null", f);
	fputs(", \"types\": [", f);
	for (uint32_t i = 0; i < p->nr_types; i++) {
		fputs(i ? ", " : "", f);
		fputs("{\"type\": ", f);
		output__json_str(f, profile__str(p, p->types[i].type));
		fputs(", \"unit\": ", f);
		output__json_str(f, profile__str(p, p->types[i].unit));
		fprintf(f, ", \"total\": %" PRId64 "}", profile__total(p, i));
	}
	fputs("], \"type\": ", f);
	output__json_str(f, profile__str(p, p->types[o->type_idx].type));
	fputs(", \"path\": ", f);
	if (o->path)
		output__json_str(f, o->path);
	else
		fputs("null", f);
	fprintf(f, ", \"nr_samples\": %u, \"stats\": [", p->nr_samples);
	while ((st = find_record(p, "stats", &from))) {
		v = profile__record_get(p, st, "collector");
		fputs(first ? "{\"collector\": " : ", {\"collector\": ", f);
		output__json_str(f, v ? v : "");
		v = profile__record_get(p, st, "status");
		fputs(", \"status\": ", f);
		output__json_str(f, v && *v ? v : "ok");
		for (size_t i = 0; i < NR_STAT_FIELDS; i++)
			fprintf(f, ", \"%s\": %" PRId64, stat_fields[i],
				field_num(p, st, stat_fields[i]));
		fputc('}', f);
		lost += field_num(p, st, "map_full") + field_num(p, st, "lost");
		first = false;
	}
	fprintf(f, "], \"dropped\": %" PRId64 "}", lost);
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

static void meta_text(struct profile *p, const struct report_opts *o, struct report_out *out,
		      const struct pf_record *meta)
{
	const struct pf_record *st;
	char line[512], num[OUTPUT_NUM_LEN];
	uint32_t from = 0;
	size_t n = 0;
	const char *v;
	double dur = duration_s(p, meta);

	if (out->format == REPORT_MD)
		fputs("| | |\n|---|---|\n", out->f);
	meta_row(out, "file", o->file);
	line[0] = '\0';
	if (meta && (v = profile__record_get(p, meta, "start")) && *v)
		n += snprintf(line + n, sizeof(line) - n, "%s", v);
	if (meta && (v = profile__record_get(p, meta, "hostname")) && *v)
		n += snprintf(line + n, sizeof(line) - n, " on %s", v);
	if (meta && (v = profile__record_get(p, meta, "kernel")) && *v && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " (Linux %s)", v);
	meta_row(out, "recorded", line);
	if (dur > 0)
		meta_row(out, "duration", output__fmt_ns(dur * 1e9, num, sizeof(num)));
	if (meta && (v = profile__record_get(p, meta, "pids")) && *v)
		meta_row(out, "targets", (snprintf(line, sizeof(line), "pid %s", v), line));
	if (meta && (v = profile__record_get(p, meta, "collectors")) && *v) {
		const char *fq = profile__record_get(p, meta, "freq");

		snprintf(line, sizeof(line), "%s%s%s%s", v, fq && *fq ? " (cpu at " : "",
			 fq && *fq ? fq : "", fq && *fq ? " Hz)" : "");
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
	meta_row(out, "totals", line);
	snprintf(line, sizeof(line), "%s (%s)%s%s", profile__str(p, p->types[o->type_idx].type),
		 profile__str(p, p->types[o->type_idx].unit), o->path ? ", path " : "",
		 o->path ? o->path : "");
	meta_row(out, "showing", line);
	n = 0;
	line[0] = '\0';
	while ((st = find_record(p, "stats", &from)) && n < sizeof(line)) {
		int64_t se = field_num(p, st, "stack_errors"), mf = field_num(p, st, "map_full"),
			lo = field_num(p, st, "lost");

		v = profile__record_get(p, st, "collector");
		if (!se && !mf && !lo)
			continue;
		n += snprintf(line + n, sizeof(line) - n,
			      "%s%s: %" PRId64 " stack errors, %" PRId64 " map full, %" PRId64
			      " lost", n ? "; " : "", v ? v : "?", se, mf, lo);
	}
	if (from || n)
		meta_row(out, "drops", n ? line : "none");
	if (n && out->format == REPORT_TEXT)
		fputs("  (samples were lost while recording: shares are of what was kept)\n",
		      out->f);
}

int report_meta__emit(struct profile *p, const struct report_opts *o, struct report_out *out)
{
	const struct pf_record *meta = find_record(p, "meta", NULL);

	report_out__section(out, "meta", "Recording");
	if (out->format == REPORT_JSON)
		meta_json(p, o, out->f, meta);
	else
		meta_text(p, o, out, meta);
	return 0;
}
