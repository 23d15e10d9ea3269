/* SPDX-License-Identifier: MIT */
/*
 * Counter arithmetic shared by `peerscope stat` and the hwc collector:
 * which events share a group, multiplex scaling, derived metrics (IPC,
 * miss rates, CPUs utilised) and top-down level 1 with toplev's flags.
 * Pure functions over numbers: unit-tested on values with known answers.
 */
#ifndef PEERSCOPE_PMU_METRICS_H
#define PEERSCOPE_PMU_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/pmu-events.h"

/* At most this many events in one group (slots + 4 metrics; 4 GP + fixed). */
#define PMU_MAX_GROUP	6

/*
 * Group events so that ratios are measured over the same time: cycles with
 * instructions, branches with branch-misses, cache-references with
 * cache-misses, slots with the topdown-* events (slots leads, as the
 * kernel requires), the pre-Ice-Lake top-down events with cycles.  Every
 * software event and every other hardware event is its own group.
 * leader[i] = index of event i's group leader (leader[i] == i for leaders);
 * a member may come before its leader in evs (topdown-* written before
 * slots): open every leader before its members.  Returns the number of groups.
 */
int pmu_metrics__group(const struct pmu_event *evs, int nr, int *leader);

/* One counter as read (PERF_FORMAT_TOTAL_TIME_ENABLED|RUNNING). */
struct pmu_count {
	uint64_t value;
	uint64_t enabled;	/* ns the event was enabled */
	uint64_t running;	/* ns it was on a counter */
};

/*
 * value * enabled / running, as perf does; 0 when it never ran.  pct (may
 * be NULL) gets running / enabled in percent (100 = not multiplexed).
 */
double pmu_scale(const struct pmu_count *c, double *pct);

/*
 * Parse a read() of a group leader opened with PERF_FORMAT_GROUP |
 * TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING: { nr, enabled, running,
 * value[nr] }.  Fills out[0..nr) (all share enabled/running).  0, or
 * -EINVAL when the buffer is short or holds another number of events.
 */
int pmu_metrics__parse_group_read(const uint64_t *buf, size_t bytes, int nr,
				  struct pmu_count *out);

enum pmu_td_method {
	PMU_TD_NONE = 0,
	PMU_TD_PERF_METRICS,	/* Ice Lake+: slots + topdown-* */
	PMU_TD_SLOTS4,		/* older 4-wide cores: IDQ_UOPS_NOT_DELIVERED/UOPS_* */
};

/* toplev's level-1 thresholds */
#define PMU_TD_FE_FLAG		0.2
#define PMU_TD_BAD_FLAG		0.1
#define PMU_TD_BE_FLAG		0.2
#define PMU_TD_RET_FLAG		0.7

struct pmu_topdown {
	enum pmu_td_method method;
	double frontend, bad_spec, backend, retiring;	/* fractions of slots, 0..1 */
	bool flag_frontend, flag_bad_spec, flag_backend, flag_retiring;
};

/*
 * Ice Lake+: the kernel returns each topdown-* count as slots x its
 * PERF_METRICS fraction; fractions are each over the sum of the four
 * (what perf does; they sum to slots up to rounding).  -EINVAL if all 0.
 */
int pmu_topdown__perf_metrics(double slots, double retiring, double bad_spec,
			      double fe_bound, double be_bound, struct pmu_topdown *td);
/* The raw PERF_METRICS MSR: bytes 0..3 = retiring, bad spec, fe bound, be bound, /0xff. */
int pmu_topdown__perf_metrics_raw(uint64_t msr, struct pmu_topdown *td);
/*
 * Older cores: SLOTS = 4 x cycles; FE = IDQ_UOPS_NOT_DELIVERED.CORE / SLOTS;
 * Bad = (UOPS_ISSUED.ANY - UOPS_RETIRED.RETIRE_SLOTS + 4 x
 * INT_MISC.RECOVERY_CYCLES) / SLOTS; Ret = UOPS_RETIRED.RETIRE_SLOTS / SLOTS;
 * BE = 1 - the others.  Each clamped to 0..1.  -EINVAL if cycles is 0.
 */
int pmu_topdown__slots4(double cycles, double idq_not_delivered, double uops_issued,
			double uops_retired_slots, double recovery_cycles, struct pmu_topdown *td);
/* Set the flag_* fields from the fractions and the thresholds above. */
void pmu_topdown__flag(struct pmu_topdown *td);

/* One event's total, by normalised base name (struct pmu_event.base). */
struct pmu_reading {
	const char *base;
	double value;		/* scaled */
	bool counted;		/* false: unsupported or never ran */
};

struct pmu_derived {
	bool has_ipc, has_cache_miss, has_branch_miss, has_cpus;
	double ipc;			/* instructions / cycles */
	double cache_miss_pct;		/* cache-misses / cache-references x 100 */
	double branch_miss_pct;		/* branch-misses / branches x 100 */
	double cpus;			/* task-clock / wall time */
	struct pmu_topdown topdown;	/* method PMU_TD_NONE when the events are missing */
};

/* Every metric whose events were counted; wall_ns 0 = no CPUs-utilised figure. */
void pmu_metrics__derive(const struct pmu_reading *r, int nr, double wall_ns,
			 struct pmu_derived *d);

/*
 * The value of the first counted reading whose base is one of names
 * (NULL-terminated); false when none.
 */
bool pmu_metrics__find(const struct pmu_reading *r, int nr, const char *const *names, double *v);

/* Event names for the top-down group of a method (NULL-terminated list). */
const char *const *pmu_topdown__events(enum pmu_td_method m);
const char *pmu_topdown__method_name(enum pmu_td_method m);

#endif /* PEERSCOPE_PMU_METRICS_H */
