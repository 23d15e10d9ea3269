/* SPDX-License-Identifier: MIT */
/*
 * Event names -> perf_event_attr, through libpfm4 (docs/stat.md).
 *
 * A name is resolved in this order:
 *   1. perf software events by perf's names (task-clock, context-switches,
 *      cs, page-faults, faults, minor-faults, major-faults, cpu-migrations,
 *      migrations, cpu-clock, alignment-faults, emulation-faults);
 *   2. the Ice Lake+ top-down pseudo events (slots, topdown-retiring,
 *      topdown-bad-spec, topdown-fe-bound, topdown-be-bound), from
 *      /sys/bus/event_source/devices/cpu/events/ or the kernel's fixed
 *      encodings;
 *   3. anything libpfm4 knows on this machine's active PMUs
 *      (pfm_get_os_event_encoding(PFM_OS_PERF_EVENT_EXT)): cycles,
 *      instructions, LLC_MISSES, MEM_LOAD_RETIRED:L3_MISS, skl::...;
 *   4. perf's generic hardware names (cycles, instructions, branches, ...)
 *      when libpfm4 has no "perf" PMU (e.g. LIBPFM_FORCE_PMU in tests).
 * Modifiers :u and :k (and :h) work on every kind.
 */
#ifndef PEERSCOPE_PMU_EVENTS_H
#define PEERSCOPE_PMU_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/perf_event.h>

#define PMU_NAME_LEN	96
#define PMU_MAX_EVENTS	32

struct pmu_event {
	char name[PMU_NAME_LEN];	/* as the user wrote it */
	char base[PMU_NAME_LEN];	/* normalised for metrics: no pmu::, no :u/:k, upper case */
	struct perf_event_attr attr;
	bool software;			/* PERF_TYPE_SOFTWARE: no PMU needed */
};

/*
 * Loads libpfm.so.4 and calls pfm_initialize(), once.  0, -ELIBACC or
 * -ELIBBAD (libpfm4 missing or not the expected version; -v says why) or
 * -EIO (libpfm4 could not start).  Without it, perf's own event names
 * still resolve and only libpfm4's are unknown.
 */
int pmu_events__init(void);
void pmu_events__fini(void);

/*
 * Resolve one name.  0, or -ENOENT (unknown: why says so) / -EINVAL (bad
 * modifier).  ev->attr is ready for perf_event_open except read_format,
 * disabled and inherit, which the caller sets.
 */
int pmu_event__parse(const char *name, struct pmu_event *ev, char *why, size_t len);

/*
 * Comma-separated list -> evs[0..*nr).  Commas inside a libpfm4 attribute
 * are not allowed (they are not needed).  0 or negative errno, why set.
 */
int pmu_events__parse_list(const char *list, struct pmu_event *evs, int max, int *nr,
			   char *why, size_t len);

/* The normalised base name of a user-written event name (see struct pmu_event). */
void pmu_event__base_name(const char *name, char *base, size_t len);

/*
 * Everything that can be counted by name, with a description, filtered by
 * pattern (case-insensitive substring; NULL = all): perf software events,
 * then each active libpfm4 PMU's events.  Returns the number of lines.
 */
int pmu_events__list(FILE *f, const char *pattern);

/*
 * perf_event_open, replaceable by tests.  Returns an fd or -1 with errno.
 */
typedef int (*pmu_open_fn)(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
			   unsigned long flags);
extern pmu_open_fn pmu_perf_event_open;

/*
 * Why opening ev failed with errno err, as a phrase for
 * "<event>: <phrase>": "not supported on this machine (no hardware PMU in
 * the kernel)" for a hardware event the kernel cannot drive.
 */
const char *pmu_event__open_error(const struct pmu_event *ev, int err);
/* True when err (an errno from perf_event_open) means "this machine cannot count it". */
bool pmu_event__unsupported_errno(int err);

/* Ice Lake+ perf-metrics top-down available (sysfs cpu/events/topdown-retiring)? */
bool pmu_events__has_perf_metrics(void);
/* libpfm4 can encode the pre-Ice-Lake top-down events on this machine? */
bool pmu_events__has_old_topdown(void);

#endif /* PEERSCOPE_PMU_EVENTS_H */
