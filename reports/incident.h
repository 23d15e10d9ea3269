/* SPDX-License-Identifier: MIT */
/*
 * The report of a flight-recorder incident (peerscope agent --trigger,
 * docs/agent.md): which trigger fired with what value, the windows and the
 * burst kept, and the paths section of the window that fired and of the
 * burst, as text (report.txt) and JSON (report.json, peerscope.incident/1).
 */
#ifndef PEERSCOPE_REPORTS_INCIDENT_H
#define PEERSCOPE_REPORTS_INCIDENT_H

#include <stdint.h>
#include <stdio.h>

#include "analysis/trigger.h"

struct incident_view {
	const char *name;		/* the incident's directory name */
	int64_t time_ns;		/* wall clock when the trigger fired */
	const struct trigger_fire *fire;
	const char *previous, *current;	/* window files kept, "" when none */
	double burst_s;
	int burst_freq;
	const char *burst_file;		/* "" when no burst was started */
	const char *burst_state;	/* "recording", "done", "failed: why" */
	/* the paths sections, rendered (paths-render.h); NULL when absent */
	const char *window_text, *window_json;
	const char *burst_text, *burst_json;
};

void incident__text(FILE *f, const struct incident_view *iv);
void incident__json(FILE *f, const struct incident_view *iv);

#endif /* PEERSCOPE_REPORTS_INCIDENT_H */
