/* SPDX-License-Identifier: MIT */
/*
 * `peerscope report` is a list of SECTIONS (userspace/cmd-report.c, table
 * `sections[]`), each one function that prints one part of the report in
 * the format the user chose.  This header is the contract between the
 * command and the sections, plus the loading helpers that report, flame
 * and diff share (read a recording, choose the sample type, keep one path).
 *
 * ## Adding a section
 *
 * 1. Write `int report_<name>__emit(const struct profile *p, const struct report_opts *o,
 *    struct report_out *out)` in reports/<name>.c (+ .h).
 * 2. When it has something to show, it calls
 *    `report_out__section(out, "<key>", "<Title>")` once and then prints
 *    its body to out->f in out->format:
 *      - REPORT_TEXT: plain text at most out->width (100) columns;
 *      - REPORT_MD:   GitHub Markdown (tables, no raw HTML);
 *      - REPORT_JSON: exactly ONE JSON value (usually an object) and
 *        nothing else: the section becomes "<key>": <value> of the single
 *        top-level object, so commas and braces are not the section's job.
 *    With nothing to show it returns 0 without calling report_out__section
 *    (the key is then absent from the JSON).
 * 3. It returns 0, a positive number when a check it makes failed (e.g.
 *    SLAs: the command then exits 3), or a negative errno (the command
 *    prints one error line and exits 1; it must not have printed a half
 *    value in JSON mode — compute first, print last).
 * 4. Add one line to `sections[]` in userspace/cmd-report.c, add any option
 *    it needs to struct report_opts below (and to the command's --help),
 *    and document its JSON key in docs/usage.md ("peerscope report", JSON).
 *
 * Sections get the profile read-only, already labelled with its paths
 * (report__label_paths: every sample's `path` and `path_by`) and filtered
 * by --path (report__filter_path), at load: they compute through the
 * analyses of reports/analysis/ (which take a const profile) and print, so
 * every section sees the same recording, and puts each sample on the same
 * path, whatever ran before it.
 */
#ifndef PEERSCOPE_REPORT_H
#define PEERSCOPE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "reports/output.h"

struct profile;
struct path_rules;

/* The output formats of every renderer: report, its paths section, diff. */
enum report_format {
	REPORT_TEXT = 0,
	REPORT_MD,
	REPORT_JSON,
};

/* What the user asked for; every section reads what concerns it. */
struct report_opts {
	const char *file;		/* the recording, as given */
	int type_idx;			/* sample column chosen (--type or the default);
				   -1: none, a recording of counters alone */
	const char *path;		/* --path PATH (already applied), or NULL */
	int top_n;			/* --top N: rows per table (default 20) */
	bool sort_total;		/* --sort total: top functions by total, not self */
	int width;			/* text width in columns (default 100) */
	const char *rules;		/* --rules NAME|FILE: path rules (else the recording's) */
	const struct path_rules *path_rules;	/* the rules the profile was labelled with */
	const char **slas;		/* --sla SPEC, repeatable */
	int nr_slas;
	bool net;			/* --net: the network section (reports/net.c) */
	bool peers;			/* --peers: cost per served peer (reports/peers.c) */
	/* later sections: add their options here */
};

/* Where and how sections print. */
struct report_out {
	FILE *f;
	enum report_format format;
	struct json_writer json;	/* the top-level JSON object */
	int width;			/* text columns */
	unsigned int nr_sections;	/* sections begun so far */
};

/*
 * Starts the document: JSON opens the top-level object and writes its
 * "schema" key ("peerscope.report/1"); text and Markdown print nothing.
 */
void report_out__begin(struct report_out *o, FILE *f, enum report_format format, int width);
/*
 * Starts a section: text prints the title underlined with '-', Markdown a
 * "## Title" heading, JSON `,"key": ` (the section then prints one value).
 */
void report_out__section(struct report_out *o, const char *key, const char *title);
/* Ends the document (JSON closes the object).  0 or -EIO if writing failed. */
int report_out__end(struct report_out *o);

/*
 * Markdown cell text: '|' escaped, line breaks as spaces, inside backticks
 * when code is set (names like std::map<K, V> would otherwise be HTML).
 */
void report_out__md_cell(FILE *f, const char *s, bool code);

/* ---- paths and --path --------------------------------------------------- */

/*
 * Gives every sample of p its path, once, right after loading
 * (paths__label_profile: the `path` and `path_by` labels), with the rules
 * named by name (--rules: a built-in set or a file), else those the
 * recording used, else the default set.  *rules gets them (the caller
 * frees them with path_rules__free) for the analyses that need the list of
 * paths.  Returns 0, -EINVAL when name cannot be loaded (msg says why) or
 * another negative errno.
 */
int report__label_paths(struct profile *p, const char *name, struct path_rules **rules,
			char *msg, size_t len);

/*
 * Keeps only the samples on path `path` by their `path` label (no label
 * counts as "other"): label them first (report__label_paths).  *p is
 * replaced on success.  Returns the number of samples kept or a negative
 * errno.
 */
int report__filter_path(struct profile **p, const char *path);

/*
 * Keeps only the samples whose string label key is value (flame --peer:
 * key "peer").  Same return as report__filter_path.
 */
int report__filter_label(struct profile **p, const char *key, const char *value);

/* ---- the header section ------------------------------------------------ */

/*
 * Recording metadata (key "meta"): file, when, where, duration, targets,
 * collectors, sample totals per column, and the drops each collector
 * counted (stats records), with a warning when anything was lost.
 */
int report_meta__emit(const struct profile *p, const struct report_opts *o,
		      struct report_out *out);

#endif /* PEERSCOPE_REPORT_H */
