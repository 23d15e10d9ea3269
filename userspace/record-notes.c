// SPDX-License-Identifier: MIT
/*
 * What record says about targets that were handled roughly while it
 * recorded (docs/limits.md, "Rough handling"): a target that exited while
 * record attached, one that exec'd another binary, one whose children
 * used CPU (children are not recorded).  One note line each, on stderr.
 */
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "core/log.h"
#include "core/symbolizer.h"
#include "core/target.h"

/* Children's CPU below this is not worth a note (a shell's `date`). */
#define CHILDREN_NOTE_NS	10000000ULL
/*
 * After an exec the loader maps the new image's libraries over the next
 * milliseconds: its maps are read again at this many polls (100 ms each),
 * not only once at the exec.
 */
#define EXEC_REFRESH_POLLS	5

void record__note_attached(struct record *r)
{
	free(r->at_attach);
	free(r->watch);
	r->at_attach = calloc(r->target.nr_pids, sizeof(*r->at_attach));
	r->watch = calloc(r->target.nr_pids, sizeof(*r->watch));
	for (int i = 0; i < r->target.nr_pids; i++) {
		struct target_state st, *s = r->at_attach ? &r->at_attach[i] : &st;

		if (!target__state(r->target.pids[i], s)) {
			if (r->watch)
				snprintf(r->watch[i].exe, sizeof(r->watch[i].exe), "%s", s->exe);
			continue;
		}
		ps_note("pid %u exited while record was attaching "
			"(%.2f s): nothing of it is recorded, its frames would be unnamed "
			"(start record before the work to profile)", r->target.pids[i],
			record__ts_sec(&r->t_start, &r->t_attached));
	}
}

void record__watch_targets(struct record *r)
{
	for (int i = 0; r->at_attach && r->watch && i < r->target.nr_pids; i++) {
		struct target_watch *w = &r->watch[i];
		uint32_t pid = r->target.pids[i];
		struct target_state s;

		if (!r->at_attach[i].alive || target__state(pid, &s))
			continue;
		if (strcmp(w->exe, s.exe)) {
			snprintf(w->exe, sizeof(w->exe), "%s", s.exe);
			w->refresh_polls = EXEC_REFRESH_POLLS;
		}
		if (w->refresh_polls > 0) {
			w->refresh_polls--;
			symbolizer__add_pid(r->sym, pid);	/* merged with the old image's */
		}
	}
}

void record__note_changes(const struct record *r)
{
	for (int i = 0; r->at_attach && i < r->target.nr_pids; i++) {
		const struct target_state *a = &r->at_attach[i];
		uint32_t pid = r->target.pids[i];
		struct target_state s;

		if (!a->alive)
			continue;
		/* said even when the new image has exited since */
		if (r->watch && strcmp(a->exe, r->watch[i].exe))
			ps_note("pid %u exec'd %s while recording "
				"(was %s): samples of both are in the recording, each named "
				"from its own binary", pid, r->watch[i].exe, a->exe);
		if (target__state(pid, &s))
			continue;	/* gone: "every target has exited" said so */
		if (s.children_cpu_ns >= a->children_cpu_ns + CHILDREN_NOTE_NS)
			ps_note("pid %u: child processes used %.2f s "
				"of CPU while recording; children are not recorded (give their "
				"pids with -p)", pid,
				(s.children_cpu_ns - a->children_cpu_ns) / 1e9);
	}
}
