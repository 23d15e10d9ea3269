// SPDX-License-Identifier: MIT
/*
 * Counter arithmetic: groups, multiplex scaling, derived metrics, top-down
 * level 1 (formulas in docs/stat.md).
 */
#include <errno.h>
#include <string.h>

#include "core/pmu-metrics.h"

/* Base names (pmu_event__base_name) of the events each metric reads. */
static const char *const cycles_names[] = {
	"CYCLES", "CPU-CYCLES", "UNHALTED_CORE_CYCLES", "CPU_CLK_UNHALTED:THREAD",
	"CPU_CLK_UNHALTED:THREAD_P", "CPU_CLK_THREAD_UNHALTED:THREAD_P", NULL,
};
static const char *const instr_names[] = {
	"INSTRUCTIONS", "INSTRUCTION_RETIRED", "INST_RETIRED:ANY", "INST_RETIRED:ANY_P", NULL,
};
static const char *const cref_names[] = { "CACHE-REFERENCES", "LLC_REFERENCES", NULL };
static const char *const cmiss_names[] = { "CACHE-MISSES", "LLC_MISSES", NULL };
static const char *const br_names[] = {
	"BRANCHES", "BRANCH-INSTRUCTIONS", "BRANCH_INSTRUCTIONS_RETIRED", "BR_INST_RETIRED:ALL_BRANCHES", NULL,
};
static const char *const brmiss_names[] = {
	"BRANCH-MISSES", "MISPREDICTED_BRANCH_RETIRED", "BR_MISP_RETIRED:ALL_BRANCHES", NULL,
};
static const char *const taskclock_names[] = { "TASK-CLOCK", NULL };
static const char *const slots_names[] = { "SLOTS", "TOPDOWN:SLOTS", NULL };
static const char *const td_ret_names[] = { "TOPDOWN-RETIRING", NULL };
static const char *const td_bad_names[] = { "TOPDOWN-BAD-SPEC", NULL };
static const char *const td_fe_names[] = { "TOPDOWN-FE-BOUND", NULL };
static const char *const td_be_names[] = { "TOPDOWN-BE-BOUND", NULL };
static const char *const idq_names[] = { "IDQ_UOPS_NOT_DELIVERED:CORE", NULL };
static const char *const issued_names[] = { "UOPS_ISSUED:ANY", NULL };
static const char *const retired_names[] = { "UOPS_RETIRED:RETIRE_SLOTS", NULL };
static const char *const recovery_names[] = { "INT_MISC:RECOVERY_CYCLES", NULL };

static const char *const td_perf_metrics_events[] = {
	"slots", "topdown-retiring", "topdown-bad-spec", "topdown-fe-bound", "topdown-be-bound", NULL,
};
static const char *const td_slots4_events[] = {
	"cycles", "IDQ_UOPS_NOT_DELIVERED:CORE", "UOPS_ISSUED:ANY", "UOPS_RETIRED:RETIRE_SLOTS",
	"INT_MISC:RECOVERY_CYCLES", NULL,
};

static bool in(const char *const *names, const char *base)
{
	for (; *names; names++)
		if (!strcmp(*names, base))
			return true;
	return false;
}

enum family { FAM_NONE, FAM_IPC, FAM_BRANCH, FAM_CACHE, FAM_TD, FAM_TD_OLD, FAM_MAX };

static enum family family_of(const struct pmu_event *ev, bool old_td)
{
	const char *b = ev->base;

	if (ev->software)
		return FAM_NONE;
	if (in(cycles_names, b))
		return old_td ? FAM_TD_OLD : FAM_IPC;
	if (in(instr_names, b))
		return FAM_IPC;
	if (in(br_names, b) || in(brmiss_names, b))
		return FAM_BRANCH;
	if (in(cref_names, b) || in(cmiss_names, b))
		return FAM_CACHE;
	if (in(slots_names, b) || !strncmp(b, "TOPDOWN-", 8))
		return FAM_TD;
	if (in(idq_names, b) || in(issued_names, b) || in(retired_names, b) || in(recovery_names, b))
		return FAM_TD_OLD;
	return FAM_NONE;
}

int pmu_metrics__group(const struct pmu_event *evs, int nr, int *leader)
{
	int cur[FAM_MAX], size[FAM_MAX] = {}, groups = 0;
	bool old_td = false;

	for (int i = 0; i < FAM_MAX; i++)
		cur[i] = -1;
	for (int i = 0; i < nr; i++) {
		if (in(idq_names, evs[i].base))
			old_td = true;
		/* slots must lead the topdown group, wherever it was written */
		if (in(slots_names, evs[i].base) && cur[FAM_TD] < 0)
			cur[FAM_TD] = i;
	}
	for (int i = 0; i < nr; i++) {
		enum family f = family_of(&evs[i], old_td);

		leader[i] = i;
		if (f == FAM_NONE)
			continue;
		if (cur[f] < 0 || size[f] >= PMU_MAX_GROUP) {
			cur[f] = i;	/* first of its family, or the group is full */
			size[f] = 0;
		}
		leader[i] = cur[f];
		size[f]++;
	}
	for (int i = 0; i < nr; i++)
		if (leader[i] == i)
			groups++;
	return groups;
}

double pmu_scale(const struct pmu_count *c, double *pct)
{
	if (pct)
		*pct = c->enabled ? 100.0 * c->running / c->enabled : 0;
	if (!c->running)
		return 0;
	if (c->running >= c->enabled)
		return c->value;
	return (double)c->value * c->enabled / c->running;
}

int pmu_metrics__parse_group_read(const uint64_t *buf, size_t bytes, int nr,
				  struct pmu_count *out)
{
	if (bytes < 3 * sizeof(uint64_t) || buf[0] != (uint64_t)nr ||
	    bytes < (3 + (size_t)nr) * sizeof(uint64_t))
		return -EINVAL;
	for (int i = 0; i < nr; i++) {
		out[i].value = buf[3 + i];
		out[i].enabled = buf[1];
		out[i].running = buf[2];
	}
	return 0;
}

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

void pmu_topdown__flag(struct pmu_topdown *td)
{
	td->flag_frontend = td->frontend > PMU_TD_FE_FLAG;
	td->flag_bad_spec = td->bad_spec > PMU_TD_BAD_FLAG;
	td->flag_backend = td->backend > PMU_TD_BE_FLAG;
	td->flag_retiring = td->retiring > PMU_TD_RET_FLAG;
}

int pmu_topdown__perf_metrics(double slots, double retiring, double bad_spec,
			      double fe_bound, double be_bound, struct pmu_topdown *td)
{
	double sum = retiring + bad_spec + fe_bound + be_bound;

	memset(td, 0, sizeof(*td));
	if (sum <= 0)
		sum = slots;
	if (sum <= 0)
		return -EINVAL;
	td->method = PMU_TD_PERF_METRICS;
	td->retiring = clamp01(retiring / sum);
	td->bad_spec = clamp01(bad_spec / sum);
	td->frontend = clamp01(fe_bound / sum);
	td->backend = clamp01(be_bound / sum);
	pmu_topdown__flag(td);
	return 0;
}

int pmu_topdown__perf_metrics_raw(uint64_t msr, struct pmu_topdown *td)
{
	return pmu_topdown__perf_metrics(0xff, msr & 0xff, (msr >> 8) & 0xff,
					 (msr >> 16) & 0xff, (msr >> 24) & 0xff, td);
}

int pmu_topdown__slots4(double cycles, double idq_not_delivered, double uops_issued,
			double uops_retired_slots, double recovery_cycles, struct pmu_topdown *td)
{
	double slots = 4 * cycles;

	memset(td, 0, sizeof(*td));
	if (slots <= 0)
		return -EINVAL;
	td->method = PMU_TD_SLOTS4;
	td->frontend = clamp01(idq_not_delivered / slots);
	td->bad_spec = clamp01((uops_issued - uops_retired_slots + 4 * recovery_cycles) / slots);
	td->retiring = clamp01(uops_retired_slots / slots);
	td->backend = clamp01(1 - td->frontend - td->bad_spec - td->retiring);
	pmu_topdown__flag(td);
	return 0;
}

bool pmu_metrics__find(const struct pmu_reading *r, int nr, const char *const *names, double *v)
{
	for (int i = 0; i < nr; i++) {
		if (r[i].counted && in(names, r[i].base)) {
			*v = r[i].value;
			return true;
		}
	}
	return false;
}

void pmu_metrics__derive(const struct pmu_reading *r, int nr, double wall_ns,
			 struct pmu_derived *d)
{
	double a, b, c, e, f;

	memset(d, 0, sizeof(*d));
	if (pmu_metrics__find(r, nr, cycles_names, &a) && pmu_metrics__find(r, nr, instr_names, &b) &&
	    a > 0) {
		d->has_ipc = true;
		d->ipc = b / a;
	}
	if (pmu_metrics__find(r, nr, cref_names, &a) && pmu_metrics__find(r, nr, cmiss_names, &b) &&
	    a > 0) {
		d->has_cache_miss = true;
		d->cache_miss_pct = 100 * b / a;
	}
	if (pmu_metrics__find(r, nr, br_names, &a) && pmu_metrics__find(r, nr, brmiss_names, &b) &&
	    a > 0) {
		d->has_branch_miss = true;
		d->branch_miss_pct = 100 * b / a;
	}
	if (wall_ns > 0 && pmu_metrics__find(r, nr, taskclock_names, &a)) {
		d->has_cpus = true;
		d->cpus = a / wall_ns;
	}
	/* the CPU's own method first: perf metrics when its events were counted */
	if (pmu_metrics__find(r, nr, td_ret_names, &a) && pmu_metrics__find(r, nr, td_bad_names, &b) &&
	    pmu_metrics__find(r, nr, td_fe_names, &c) && pmu_metrics__find(r, nr, td_be_names, &e)) {
		if (!pmu_metrics__find(r, nr, slots_names, &f))
			f = 0;
		pmu_topdown__perf_metrics(f, a, b, c, e, &d->topdown);
	} else if (pmu_metrics__find(r, nr, cycles_names, &a) &&
		   pmu_metrics__find(r, nr, idq_names, &b) &&
		   pmu_metrics__find(r, nr, issued_names, &c) &&
		   pmu_metrics__find(r, nr, retired_names, &e) &&
		   pmu_metrics__find(r, nr, recovery_names, &f)) {
		pmu_topdown__slots4(a, b, c, e, f, &d->topdown);
	}
}

const char *const *pmu_topdown__events(enum pmu_td_method m)
{
	switch (m) {
	case PMU_TD_PERF_METRICS:
		return td_perf_metrics_events;
	case PMU_TD_SLOTS4:
		return td_slots4_events;
	default:
		return NULL;
	}
}

const char *pmu_topdown__method_name(enum pmu_td_method m)
{
	switch (m) {
	case PMU_TD_PERF_METRICS:
		return "perf-metrics";
	case PMU_TD_SLOTS4:
		return "slots4";
	default:
		return "none";
	}
}
