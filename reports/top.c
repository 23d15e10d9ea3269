// SPDX-License-Identifier: MIT
/* The top functions section of peerscope report (top.h). */
#include "reports/top.h"
#include "analysis/flame-tree.h"
#include "reports/output.h"
#include "core/profile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double share(int64_t v, int64_t total)
{
	return total > 0 ? (double)v / total : 0;
}

static void emit_json(FILE *f, const struct profile *p, const struct report_opts *o,
		      const struct top_result *r, uint32_t n)
{
	struct json_writer w;

	json__init(&w, f, JSON_SPACED);
	json__begin(&w, '{');
	json__key(&w, "type"); json__str(&w, profile__str(p, p->types[o->type_idx].type));
	json__key(&w, "unit"); json__str(&w, profile__str(p, p->types[o->type_idx].unit));
	json__key(&w, "total"); json__int(&w, r->grand_total);
	json__key(&w, "sort"); json__str(&w, o->sort_total ? "total" : "self");
	json__key(&w, "nr_functions"); json__uint(&w, r->nr);
	json__key(&w, "functions");
	json__begin(&w, '[');
	for (uint32_t i = 0; i < n; i++) {
		const struct top_fn *fn = &r->fns[i];

		json__break(&w, 2);
		json__begin(&w, '{');
		json__key(&w, "name"); json__str(&w, fn->name);
		json__key(&w, "kernel"); json__bool(&w, fn->kernel);
		if (fn->vm) {
			json__key(&w, "vm"); json__bool(&w, true);
		}
		json__key(&w, "self"); json__int(&w, fn->self);
		json__key(&w, "self_share"); json__num(&w, share(fn->self, r->grand_total));
		json__key(&w, "total"); json__int(&w, fn->total);
		json__key(&w, "total_share"); json__num(&w, share(fn->total, r->grand_total));
		json__end(&w, '}');
	}
	json__end(&w, ']');
	json__end(&w, '}');
}

static void emit_table(struct report_out *out, const struct profile *p,
		       const struct report_opts *o, const struct top_result *r, uint32_t n)
{
	const char *unit = profile__str(p, p->types[o->type_idx].unit);
	FILE *f = out->f;
	/* Self, Self%, Total, Total% take 40 columns; the name gets the rest */
	int name_w = out->width - 42;

	if (name_w < 20)
		name_w = 20;
	if (out->format == REPORT_MD)
		fputs("| Self | Self % | Total | Total % | Function |\n"
		      "|---:|---:|---:|---:|---|\n", f);
	else
		fprintf(f, "%10s %7s %10s %7s  %s\n", "Self", "Self%", "Total", "Total%",
			"Function");
	for (uint32_t i = 0; i < n; i++) {
		const struct top_fn *fn = &r->fns[i];
		char s[OUTPUT_NUM_LEN], sp[OUTPUT_NUM_LEN], t[OUTPUT_NUM_LEN], tp[OUTPUT_NUM_LEN];

		output__fmt_value(fn->self, unit, s, sizeof(s));
		output__fmt_pct(share(fn->self, r->grand_total), sp, sizeof(sp));
		output__fmt_value(fn->total, unit, t, sizeof(t));
		output__fmt_pct(share(fn->total, r->grand_total), tp, sizeof(tp));
		if (out->format == REPORT_MD) {
			fprintf(f, "| %s | %s | %s | %s | ", s, sp, t, tp);
			report_out__md_cell(f, fn->name, true);
			fputs(fn->vm ? " [vm] |\n" : fn->kernel ? " [k] |\n" : " |\n", f);
			continue;
		}
		{
			int len = strlen(fn->name), room = name_w - (fn->vm ? 5 : fn->kernel ? 4 : 0);

			fprintf(f, "%10s %7s %10s %7s  ", s, sp, t, tp);
			if (len > room)
				fprintf(f, "%.*s...", room - 3, fn->name);
			else
				fputs(fn->name, f);
			fputs(fn->vm ? " [vm]\n" : fn->kernel ? " [k]\n" : "\n", f);
		}
	}
	if (r->nr > n)
		fprintf(f, "%s(%u more functions; --top N shows more)%s\n",
			out->format == REPORT_MD ? "\n" : "  ", r->nr - n,
			out->format == REPORT_MD ? "" : "");
}

int report_top__emit(const struct profile *p, const struct report_opts *o,
		     struct report_out *out)
{
	struct top_result r;
	char title[128];
	uint32_t n;
	int err;

	if (o->type_idx < 0)	/* counters alone: no functions to rank */
		return 0;
	err = top__compute(p, o->type_idx, o->sort_total, &r);
	if (err)
		return err;
	n = o->top_n > 0 && (uint32_t)o->top_n < r.nr ? (uint32_t)o->top_n : r.nr;
	snprintf(title, sizeof(title), "Top functions by %s (%s)",
		 o->sort_total ? "total" : "self", profile__str(p, p->types[o->type_idx].type));
	report_out__section(out, "top", title);
	if (out->format == REPORT_JSON)
		emit_json(out->f, p, o, &r, n);
	else if (!r.nr)
		fputs("  no samples of this type\n", out->f);
	else
		emit_table(out, p, o, &r, n);
	top__free(&r);
	return 0;
}
