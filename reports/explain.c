// SPDX-License-Identifier: MIT
/*
 * rules --explain: one line per top stack -- its share, the path it went
 * to, the evidence that put it there and what matched -- after the share
 * of the whole recording each kind of evidence placed.
 */
#include <stdio.h>

#include "core/profile.h"
#include "core/rules.h"
#include "core/units.h"
#include "analysis/explain.h"
#include "analysis/frames.h"
#include "reports/explain.h"
#include "reports/output.h"

static double share(int64_t v, int64_t total)
{
	return total > 0 ? (double)v / total : 0;
}

static void print_json(FILE *f, const struct profile *p, const struct path_rules *r,
		       const char *type, const struct explain *e)
{
	struct json_writer w;
	char stack[1024];

	json__init(&w, f, JSON_SPACED);
	json__begin(&w, '{');
	json__key(&w, "rules"); json__str(&w, r->name);
	json__key(&w, "type"); json__str(&w, type);
	json__key(&w, "total"); json__int(&w, e->total);
	json__key(&w, "evidence");
	json__begin(&w, '{');
	for (int h = 0; h < BY_NR; h++) {
		json__key(&w, paths__how_name(h));
		json__fixed(&w, share(e->by_how[h], e->total), 4);
	}
	json__end(&w, '}');
	json__key(&w, "stacks");
	json__begin(&w, '[');
	for (uint32_t i = 0; i < e->nr; i++) {
		const struct explain_row *row = &e->rows[i];

		json__break(&w, 1);
		json__begin(&w, '{');
		json__key(&w, "value"); json__int(&w, row->value);
		json__key(&w, "share"); json__fixed(&w, share(row->value, e->total), 4);
		json__key(&w, "path"); json__str(&w, path_rules__name(r, row->path));
		json__key(&w, "evidence"); json__str(&w, paths__how_name(row->how));
		json__key(&w, "matched"); json__str(&w, row->detail);
		json__key(&w, "stack");
		json__str(&w, frames__stack_str(p, row->stack, FRAMES_STR_USER_OR_KERNEL, stack,
						sizeof(stack)));
		json__end(&w, '}');
	}
	json__end(&w, ']');
	json__end(&w, '}');
	fputc('\n', f);
}

void explain__print(FILE *f, const struct profile *p, const struct path_rules *r,
		    const char *type, const struct explain *e, bool json)
{
	char stack[72], matched[40];

	if (json) {
		print_json(f, p, r, type, e);
		return;
	}
	fprintf(f, "Which rule put each of the top stacks in its path (rules: %s; %s)\n\n",
		r->name, type);
	fprintf(f, "evidence, share of all %s:", type);
	for (int h = 0; h < BY_NR; h++) {
		if (e->by_how[h])
			fprintf(f, " %s %.1f %%", paths__how_name(h),
				100 * share(e->by_how[h], e->total));
	}
	fprintf(f, "\n\n%6s  %-10s %-8s %-38s %s\n", "share", "path", "by", "matched",
		"stack (leaf first)");
	for (uint32_t i = 0; i < e->nr; i++) {
		const struct explain_row *row = &e->rows[i];

		fprintf(f, "%5.1f%%  %-10s %-8s %-38s %s\n", 100 * share(row->value, e->total),
			path_rules__name(r, row->path), paths__how_name(row->how),
			row->detail[0] ? units__shorten(row->detail, 38, matched, sizeof(matched)) : "-",
			frames__stack_str(p, row->stack, FRAMES_STR_USER_OR_KERNEL, stack,
					  sizeof(stack)));
	}
	if (!e->nr)
		fprintf(f, "(no samples of %s)\n", type);
}
