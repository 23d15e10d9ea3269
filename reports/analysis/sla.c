// SPDX-License-Identifier: MIT
/* Service levels: parsing --sla specs and checking them (sla.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/records.h"
#include "analysis/paths.h"
#include "analysis/sla.h"

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
	double v = strtod(s, &end), mult;

	if (end == s || !(v >= 0))	/* NaN too */
		return -EINVAL;
	if (!strcmp(end, "ns"))
		mult = 1;
	else if (!strcmp(end, "us"))
		mult = 1e3;
	else if (!strcmp(end, "ms"))
		mult = 1e6;
	else if (!strcmp(end, "s") || !*end)
		mult = 1e9;
	else
		return -EINVAL;
	if (v * mult >= 18e18)		/* beyond uint64_t nanoseconds (570 years) */
		return -ERANGE;
	*ns = v * mult;
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

			if (end == eq + 1 || (*end && strcmp(end, "%")) || !(pc >= 0 && pc <= 100)) {
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

/* Appends the SLAs of spec to *all; the count added or a negative errno. */
static int sla_append(const char *spec, struct sla **all, int *nr_all, char *err, size_t errlen)
{
	struct sla *slas = NULL, *na;
	int n = sla__parse(spec, &slas, err, errlen);

	if (n < 0)
		return n;
	na = realloc(*all, (*nr_all + n) * sizeof(**all));
	if (!na) {
		free(slas);
		return -ENOMEM;
	}
	*all = na;
	memcpy(na + *nr_all, slas, n * sizeof(*slas));
	*nr_all += n;
	free(slas);
	return n;
}

int sla__gather(const struct profile *p, const char *const *given, int nr_given,
		struct sla **out, const char **bad, char *err, size_t errlen)
{
	struct sla *all = NULL;
	struct rec_sla rs;
	int nr_all = 0, ret = 0;

	*out = NULL;
	/* --sla first, then the recording's own */
	for (int i = 0; i < nr_given && ret >= 0; i++) {
		*bad = given[i];
		ret = sla_append(given[i], &all, &nr_all, err, errlen);
	}
	for (uint32_t pos = 0; ret >= 0 && records__next_sla(p, &pos, &rs);) {
		if (!rs.spec || !*rs.spec)
			continue;
		*bad = rs.spec;
		ret = sla_append(rs.spec, &all, &nr_all, err, errlen);
	}
	if (ret < 0) {
		free(all);
		return ret;
	}
	*out = all;
	return nr_all;
}
