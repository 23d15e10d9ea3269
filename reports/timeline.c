// SPDX-License-Identifier: MIT
/* The timeline section of peerscope report: text, Markdown and JSON (timeline.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "reports/output.h"
#include "reports/timeline.h"
#include "analysis/frames.h"

/* Column titles: the part names, but on-CPU says what cpu means here. */
static const char *title(int part)
{
	return part == TL_CPU ? wall_part_titles[TL_CPU] : wall_part_names[part];
}

/* The order columns are printed in. */
static const int order[TL_NR] = {
	TL_CPU, TL_RUNQ, TL_LOCK, TL_NET, TL_TIMER, TL_IO, TL_FAULT, TL_OTHER, TL_IDLE,
};

static double share(int64_t a, int64_t b)
{
	return b > 0 ? (double)a / b : 0;
}

static void emit_text(const struct profile *p, const struct timeline *t, uint32_t n,
		      const struct report_opts *o, FILE *f, bool md)
{
	char a[OUTPUT_NUM_LEN], stack[512];
	int width = o->width > 40 ? o->width : 100;

	if (md) {
		fprintf(f, "| thread | tid | wall |");
		for (int k = 0; k < TL_NR; k++)
			fprintf(f, " %s |", title(order[k]));
		fprintf(f, "\n|---|---:|---:|");
		for (int k = 0; k < TL_NR; k++)
			fprintf(f, "---:|");
		fprintf(f, "\n");
	} else {
		fprintf(f, "%-16s %7s %9s", "thread", "tid", "wall");
		for (int k = 0; k < TL_NR; k++)
			fprintf(f, " %6s", title(order[k]));
		fprintf(f, "\n");
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct tl_thread *th = &t->threads[i];

		output__fmt_ns(th->wall, a, sizeof(a));
		if (md) {
			fprintf(f, "| ");
			report_out__md_cell(f, th->thread, false);
			fprintf(f, " | %lld | %s |", (long long)th->tid, a);
			for (int k = 0; k < TL_NR; k++)
				fprintf(f, " %.1f %% |", 100 * share(th->ns[order[k]], th->wall));
			fprintf(f, "\n");
		} else {
			fprintf(f, "%-16.16s %7lld %9s", th->thread, (long long)th->tid, a);
			for (int k = 0; k < TL_NR; k++)
				fprintf(f, " %5.1f%%", 100 * share(th->ns[order[k]], th->wall));
			fprintf(f, "\n");
		}
	}
	fprintf(f, md ? "\nTop stacks per thread and part (leaf first):\n\n" :
		"\nTop stacks per thread and part (leaf first):\n");
	for (uint32_t i = 0; i < n; i++) {
		const struct tl_thread *th = &t->threads[i];

		fprintf(f, md ? "\n**%s** (tid %lld)\n\n" : "  %s (tid %lld)\n", th->thread,
			(long long)th->tid);
		for (int k = 0; k < TL_NR; k++) {
			int part = order[k];

			for (int j = 0; j < TIMELINE_TOP && th->top[part][j].ns > 0; j++) {
				frames__stack_str(p, th->top[part][j].stack, FRAMES_STR_USER_OR_KERNEL, stack,
						    md ? sizeof(stack) : (size_t)(width - 26 > 20 ? width - 26 : 20));
				output__fmt_ns(th->top[part][j].ns, a, sizeof(a));
				if (md) {
					fprintf(f, "- %s %s: ", title(part), a);
					report_out__md_cell(f, stack[0] ? stack : "[no stack]", true);
					fprintf(f, "\n");
				} else {
					fprintf(f, "    %-6s %9s  %s\n", title(part), a,
						stack[0] ? stack : "[no stack]");
				}
			}
		}
	}
}

/* A thread's keys in the timeline JSON, before its parts. */
static const struct json_field thread_fields[] = {
	JSON_FIELD(struct tl_thread, pid, "pid"),
	JSON_FIELD(struct tl_thread, tid, "tid"),
	JSON_FIELD(struct tl_thread, thread, "thread"),
	JSON_FIELD(struct tl_thread, wall, "wall_ns"),
};

static void emit_json(const struct profile *p, const struct timeline *t, uint32_t n, FILE *f)
{
	struct json_writer w;
	char stack[1024];

	json__init(&w, f, JSON_SPACED);
	json__begin(&w, '{');
	json__key(&w, "threads");
	json__begin(&w, '[');
	for (uint32_t i = 0; i < n; i++) {
		const struct tl_thread *th = &t->threads[i];

		json__begin(&w, '{');
		json__fields(&w, thread_fields, JSON_NR_FIELDS(thread_fields), th);
		json__key(&w, "parts");
		json__begin(&w, '{');
		for (int k = 0; k < TL_NR; k++) {
			json__key(&w, wall_part_names[order[k]]);
			json__int(&w, th->ns[order[k]]);
		}
		json__end(&w, '}');
		json__key(&w, "top");
		json__begin(&w, '{');
		for (int k = 0; k < TL_NR; k++) {
			int part = order[k];

			if (th->top[part][0].ns <= 0)
				continue;
			json__key(&w, wall_part_names[part]);
			json__begin(&w, '[');
			for (int j = 0; j < TIMELINE_TOP && th->top[part][j].ns > 0; j++) {
				frames__stack_str(p, th->top[part][j].stack, FRAMES_STR_USER_OR_KERNEL,
						  stack, sizeof(stack));
				json__begin(&w, '{');
				json__key(&w, "ns"); json__int(&w, th->top[part][j].ns);
				json__key(&w, "stack"); json__str(&w, stack);
				json__end(&w, '}');
			}
			json__end(&w, ']');
		}
		json__end(&w, '}');
		json__end(&w, '}');
	}
	json__end(&w, ']');
	json__end(&w, '}');
}

int report_timeline__emit(const struct profile *p, const struct report_opts *o,
			  struct report_out *out)
{
	struct timeline t;
	uint32_t n;
	int err;

	err = timeline__compute(p, o->path_rules, &t);
	if (err)
		return err;
	/* without off-CPU data this would only repeat the CPU profile */
	if (!t.has_offcpu || !t.nr) {
		timeline__free(&t);
		return 0;
	}
	n = o->top_n > 0 && (uint32_t)o->top_n < t.nr ? (uint32_t)o->top_n : t.nr;
	report_out__section(out, "timeline", "Where the time goes (per thread)");
	if (out->format == REPORT_JSON)
		emit_json(p, &t, n, out->f);
	else
		emit_text(p, &t, n, o, out->f, out->format == REPORT_MD);
	timeline__free(&t);
	return 0;
}
