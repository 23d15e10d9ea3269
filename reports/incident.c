// SPDX-License-Identifier: MIT
/* An incident's report.txt and report.json (incident.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reports/incident.h"
#include "reports/output.h"

static const char *utc(int64_t ns, char *buf, size_t len)
{
	time_t t = ns / 1000000000LL;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

void incident__text(FILE *f, const struct incident_view *iv)
{
	char when[32];

	fprintf(f, "peerscope incident %s\n", iv->name);
	fprintf(f, "trigger   %s fired: %s\n", iv->fire->t->text, iv->fire->text);
	fprintf(f, "time      %s\n", utc(iv->time_ns, when, sizeof(when)));
	fprintf(f, "windows   %s (previous), %s (the one that fired)\n",
		*iv->previous ? iv->previous : "none", *iv->current ? iv->current : "none");
	if (*iv->burst_file)
		fprintf(f, "burst     %s, %g s at %d Hz: %s\n", iv->burst_file, iv->burst_s,
			iv->burst_freq, iv->burst_state);
	else
		fprintf(f, "burst     none: %s\n", iv->burst_state);
	if (iv->window_text)
		fprintf(f, "\nThe window that fired\n\n%s", iv->window_text);
	if (iv->burst_text)
		fprintf(f, "\nThe burst\n\n%s", iv->burst_text);
}

/* A section rendered elsewhere, without its trailing newline, or null. */
static void section(struct json_writer *w, const char *key, const char *json)
{
	char *copy;
	size_t n;

	json__key(w, key);
	if (!json || !*json) {
		json__null(w);
		return;
	}
	n = strlen(json);
	while (n && json[n - 1] == '\n')
		n--;
	copy = strndup(json, n);
	if (copy)
		json__raw(w, copy);
	else
		json__null(w);
	free(copy);
}

static void trigger_json(struct json_writer *w, const struct trigger_fire *fire)
{
	const struct trigger *t = fire->t;

	json__begin(w, '{');
	json__key(w, "spec"); json__str(w, t->text);
	json__key(w, "kind"); json__str(w, trigger__kind_name(t->kind));
	json__key(w, "path"); json__str(w, fire->path);
	json__key(w, "text"); json__str(w, fire->text);
	switch (t->kind) {
	case TRIG_LATENCY:
		json__key(w, "metric"); json__str(w, sla__metric_name(t->lat.metric));
		json__key(w, "unit"); json__str(w, t->lat.metric == SLA_ERRORS ? "percent" : "ns");
		json__key(w, "value"); json__num(w, fire->value);
		json__key(w, "threshold"); json__num(w, fire->threshold);
		break;
	case TRIG_CPU:
		json__key(w, "unit"); json__str(w, "share of on-CPU time");
		json__key(w, "value"); json__fixed(w, fire->value, 4);
		json__key(w, "threshold"); json__fixed(w, fire->threshold, 4);
		break;
	case TRIG_VERDICT:
		json__key(w, "was"); json__str(w, verdict_kind_names[fire->was]);
		json__key(w, "now"); json__str(w, verdict_kind_names[fire->now]);
		json__key(w, "value"); json__fixed(w, fire->value, 4);
		break;
	case TRIG_SIGNAL:
		break;
	}
	json__end(w, '}');
}

/* The incident's "windows" and "burst" objects, in the order the keys are printed. */
static const struct json_field window_fields[] = {
	JSON_FIELD(struct incident_view, previous, "previous"),
	JSON_FIELD(struct incident_view, current, "current"),
};

static const struct json_field burst_fields[] = {
	JSON_FIELD(struct incident_view, burst_file, "file"),
	JSON_FIELD(struct incident_view, burst_s, "seconds"),
	JSON_FIELD(struct incident_view, burst_freq, "freq"),
	JSON_FIELD(struct incident_view, burst_state, "state"),
};

void incident__json(FILE *f, const struct incident_view *iv)
{
	struct json_writer w;
	char when[32];

	json__init(&w, f, JSON_SPACED);
	json__begin(&w, '{');
	json__key(&w, "schema"); json__str(&w, "peerscope.incident/1");
	json__key(&w, "name"); json__str(&w, iv->name);
	json__key(&w, "time"); json__str(&w, utc(iv->time_ns, when, sizeof(when)));
	json__break(&w, 2);
	json__key(&w, "trigger");
	trigger_json(&w, iv->fire);
	json__break(&w, 2);
	json__key(&w, "windows");
	json__begin(&w, '{');
	json__fields(&w, window_fields, JSON_NR_FIELDS(window_fields), iv);
	json__end(&w, '}');
	json__break(&w, 2);
	json__key(&w, "burst");
	json__begin(&w, '{');
	json__fields(&w, burst_fields, JSON_NR_FIELDS(burst_fields), iv);
	json__end(&w, '}');
	json__break(&w, 2);
	section(&w, "window_paths", iv->window_json);
	json__break(&w, 2);
	section(&w, "burst_paths", iv->burst_json);
	json__end(&w, '}');
	fputc('\n', f);
}
