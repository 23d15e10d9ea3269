// SPDX-License-Identifier: MIT
/* The flight recorder's triggers: parsing a spec, judging a window (trigger.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/units.h"
#include "analysis/paths.h"
#include "analysis/trigger.h"

static const char *const kind_names[] = {
	[TRIG_LATENCY] = "latency", [TRIG_CPU] = "cpu", [TRIG_VERDICT] = "verdict",
	[TRIG_SIGNAL] = "signal",
};

#define TRIGGER_FORMS "dht.p95>50ms, gossip.cpu>0.5, verdict, dht.verdict or SIGUSR1"

const char *trigger__kind_name(enum trigger_kind k)
{
	return kind_names[k];
}

static bool path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* "0.5", "50%": a fraction in [0, 1]. */
static int parse_share(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -EINVAL;
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (*end || !(v >= 0 && v <= 1))	/* NaN too */
		return -EINVAL;
	*out = v;
	return 0;
}

/* PATH.METRIC>LIMIT, with the SLA parser's metrics and units. */
static int parse_latency(const char *spec, const char *gt, struct trigger *t)
{
	char buf[TRIGGER_SPEC_MAX + 1];
	struct sla *s = NULL;
	char why[128];
	int n;

	snprintf(buf, sizeof(buf), "%s", spec);
	buf[gt - spec] = '=';
	n = sla__parse(buf, &s, why, sizeof(why));
	if (n != 1) {
		free(s);
		return -EINVAL;
	}
	t->lat = *s;
	snprintf(t->lat.text, sizeof(t->lat.text), "%s", spec);
	free(s);
	t->kind = TRIG_LATENCY;
	return 0;
}

int trigger__parse(const char *spec, struct trigger *out, char *err, size_t errlen)
{
	size_t len = strnlen(spec, TRIGGER_SPEC_MAX + 1), plen;
	const char *dot, *stat, *gt;

	memset(out, 0, sizeof(*out));
	if (!len) {
		snprintf(err, errlen, "empty trigger (%s)", TRIGGER_FORMS);
		return -EINVAL;
	}
	if (len > TRIGGER_SPEC_MAX) {
		snprintf(err, errlen, "trigger longer than %d characters", TRIGGER_SPEC_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = spec[i];

		if (c <= ' ' || c >= 0x7f || c == ',') {
			snprintf(err, errlen, "a trigger is one spec without spaces or commas (%s)",
				 TRIGGER_FORMS);
			return -EINVAL;
		}
	}
	memcpy(out->text, spec, len);
	if (!strcasecmp(spec, "SIGUSR1")) {
		out->kind = TRIG_SIGNAL;
		return 0;
	}
	if (!strcmp(spec, "verdict")) {
		out->kind = TRIG_VERDICT;
		return 0;
	}
	dot = strchr(spec, '.');
	plen = dot ? (size_t)(dot - spec) : 0;
	for (size_t i = 0; i < plen; i++) {
		if (!path_char(spec[i]))
			plen = 0;
	}
	if (!plen || plen >= sizeof(out->path)) {
		snprintf(err, errlen, "'%s' is not a trigger: want %s", out->text, TRIGGER_FORMS);
		return -EINVAL;
	}
	memcpy(out->path, spec, plen);
	stat = dot + 1;
	if (!strcmp(stat, "verdict")) {
		out->kind = TRIG_VERDICT;
		return 0;
	}
	gt = strchr(stat, '>');
	if (!gt) {
		snprintf(err, errlen, "'%s': want PATH.STAT>LIMIT, PATH.verdict or SIGUSR1 (%s)",
			 out->text, TRIGGER_FORMS);
		return -EINVAL;
	}
	if (gt - stat == 3 && !strncmp(stat, "cpu", 3)) {
		out->kind = TRIG_CPU;
		if (parse_share(gt + 1, &out->share)) {
			snprintf(err, errlen, "'%s': the cpu share is a fraction 0..1 or a percentage "
				 "(gossip.cpu>0.5, gossip.cpu>50%%)", out->text);
			return -EINVAL;
		}
		return 0;
	}
	if (parse_latency(spec, gt, out)) {
		snprintf(err, errlen, "'%s': want PATH.METRIC>DURATION with p50, p90, p95, p99, max "
			 "or mean (dht.p95>50ms), errors>PERCENT, or cpu>SHARE", out->text);
		return -EINVAL;
	}
	return 0;
}

/* Only [A-Za-z0-9._-] in a directory name, whatever a rules file calls a path. */
static void set_reason(struct trigger_fire *f, const char *a, const char *b, const char *c)
{
	snprintf(f->reason, sizeof(f->reason), "%s%s%s%s%s", a, *b ? "-" : "", b, *c ? "-" : "", c);
	for (char *s = f->reason; *s; s++) {
		if (!path_char(*s) && *s != '.')
			*s = '_';
	}
}

static const struct path_stats *find_path(const struct path_report *rep, const char *name)
{
	for (uint32_t i = 0; i < rep->nr_paths; i++) {
		if (!strcmp(rep->paths[i].name, name))
			return &rep->paths[i];
	}
	return NULL;
}

static bool eval_latency(const struct trigger *t, const struct path_report *rep,
			 struct trigger_fire *f)
{
	struct sla_result res;
	char v[UNITS_LEN], lim[UNITS_LEN];

	sla__check(rep, &t->lat, 1, &res);
	if (!res.known || res.pass)
		return false;
	snprintf(f->path, sizeof(f->path), "%s", t->lat.path);
	set_reason(f, t->lat.path, "", "");
	snprintf(f->reason + strlen(f->reason), sizeof(f->reason) - strlen(f->reason), ".%s",
		 sla__metric_name(t->lat.metric));
	if (t->lat.metric == SLA_ERRORS) {
		f->value = res.value / 100.0;
		f->threshold = t->lat.limit / 100.0;
		snprintf(f->text, sizeof(f->text), "%s errors %.2f%% over %.2f%% (%s)", f->path,
			 f->value, f->threshold, t->text);
		return true;
	}
	f->value = res.value;
	f->threshold = t->lat.limit;
	snprintf(f->text, sizeof(f->text), "%s %s %s over %s (%s)", f->path,
		 sla__metric_name(t->lat.metric), units__ns(f->value, UNITS_NS_SECONDS, v, sizeof(v)),
		 units__ns(f->threshold, UNITS_NS_SECONDS, lim, sizeof(lim)), t->text);
	return true;
}

static bool eval_cpu(const struct trigger *t, const struct path_report *rep,
		     struct trigger_fire *f)
{
	const struct path_stats *ps = find_path(rep, t->path);
	int64_t total = 0;

	for (uint32_t i = 0; i < rep->nr_paths; i++)
		total += rep->paths[i].cpu_user_ns + rep->paths[i].cpu_kernel_ns;
	if (!ps || total <= 0)
		return false;
	f->value = (double)(ps->cpu_user_ns + ps->cpu_kernel_ns) / total;
	f->threshold = t->share;
	if (!(f->value > t->share))
		return false;
	snprintf(f->path, sizeof(f->path), "%s", t->path);
	set_reason(f, t->path, "", "");
	strcat(f->reason, ".cpu");
	snprintf(f->text, sizeof(f->text), "%s on-CPU %.1f%% of the window's on-CPU time, over "
		 "%.1f%% (%s)", f->path, 100 * f->value, 100 * f->threshold, t->text);
	return true;
}

static enum verdict_kind prev_kind(const struct trigger_state *s, const char *path)
{
	for (int i = 0; i < s->nr; i++) {
		if (!strcmp(s->path[i], path))
			return s->kind[i];
	}
	return V_NONE;
}

static bool eval_verdict(const struct trigger *t, const struct path_report *rep,
			 const struct verdict *v, const struct trigger_state *prev,
			 struct trigger_fire *f)
{
	if (!prev || !prev->known)
		return false;	/* a first window changes nothing */
	for (uint32_t i = 0; i < rep->nr_paths; i++) {
		const char *name = rep->paths[i].name;
		enum verdict_kind was = prev_kind(prev, name);

		if ((t->path[0] && strcmp(t->path, name)) || v[i].kind <= V_IDLE ||
		    v[i].kind >= V_NR || v[i].kind == was)
			continue;
		snprintf(f->path, sizeof(f->path), "%s", name);
		f->was = was;
		f->now = v[i].kind;
		f->value = v[i].share;
		set_reason(f, "verdict", name, verdict_kind_names[v[i].kind]);
		snprintf(f->text, sizeof(f->text), "%s verdict %s (was %s), %.0f%% of its time (%s)",
			 name, verdict_kind_names[f->now], verdict_kind_names[was < V_NR ? was : 0],
			 100 * f->value, t->text);
		return true;
	}
	return false;
}

bool trigger__eval(const struct trigger *t, const struct path_report *rep,
		   const struct verdict *v, const struct trigger_state *prev,
		   struct trigger_fire *out)
{
	struct trigger_fire f = { .t = t };
	bool fired = false;

	switch (t->kind) {
	case TRIG_LATENCY: fired = eval_latency(t, rep, &f); break;
	case TRIG_CPU: fired = eval_cpu(t, rep, &f); break;
	case TRIG_VERDICT: fired = eval_verdict(t, rep, v, prev, &f); break;
	case TRIG_SIGNAL: break;
	}
	if (fired)
		*out = f;
	return fired;
}

int trigger__first(const struct trigger *t, int n, const struct path_report *rep,
		   const struct verdict *v, const struct trigger_state *prev,
		   struct trigger_fire *out)
{
	for (int i = 0; i < n; i++) {
		if (trigger__eval(&t[i], rep, v, prev, out))
			return i;
	}
	return -1;
}

void trigger__signal(const struct trigger *t, struct trigger_fire *out)
{
	memset(out, 0, sizeof(*out));
	out->t = t;
	snprintf(out->reason, sizeof(out->reason), "SIGUSR1");
	snprintf(out->text, sizeof(out->text), "SIGUSR1 received (%s)", t->text);
}

void trigger_state__update(struct trigger_state *s, const struct path_report *rep,
			   const struct verdict *v)
{
	s->known = true;
	s->nr = 0;
	for (uint32_t i = 0; i < rep->nr_paths && s->nr < TRIGGER_MAX_PATHS; i++) {
		snprintf(s->path[s->nr], sizeof(s->path[0]), "%s", rep->paths[i].name);
		s->kind[s->nr++] = v[i].kind;
	}
}
