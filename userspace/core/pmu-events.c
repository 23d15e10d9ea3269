// SPDX-License-Identifier: MIT
/*
 * Event names -> perf_event_attr.  libpfm4 knows the hardware events of the
 * machine's PMUs (and, through its "perf" PMU, perf's generic names); our
 * own small tables cover perf's software events, the Ice Lake+ top-down
 * pseudo events (which are sysfs aliases, not libpfm4 events) and the
 * generic hardware names when libpfm4 runs without its perf PMU.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

#include "core/dl-lib.h"
#include "core/log.h"
#include "core/pmu-events.h"

#define SYSFS_PMUS "/sys/bus/event_source/devices"

struct named_event {
	const char *name;
	const char *alias;
	uint32_t type;
	uint64_t config;
	const char *desc;
};

static const struct named_event sw_events[] = {
	{ "task-clock", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK,
	  "time the task ran on a CPU, in nanoseconds" },
	{ "cpu-clock", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK,
	  "CPU time, in nanoseconds (per-CPU high-resolution timer)" },
	{ "context-switches", "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES,
	  "times the task was switched out" },
	{ "cpu-migrations", "migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS,
	  "times the task moved to another CPU" },
	{ "page-faults", "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS,
	  "page faults (minor + major)" },
	{ "minor-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN,
	  "page faults served without I/O" },
	{ "major-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ,
	  "page faults that needed I/O" },
	{ "alignment-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS,
	  "alignment faults fixed up by the kernel" },
	{ "emulation-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS,
	  "instructions emulated by the kernel" },
};

static const struct named_event hw_events[] = {
	{ "cycles", "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES,
	  "core cycles (generic perf event)" },
	{ "instructions", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS,
	  "instructions retired (generic perf event)" },
	{ "cache-references", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES,
	  "last-level cache accesses (generic perf event)" },
	{ "cache-misses", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES,
	  "last-level cache misses (generic perf event)" },
	{ "branches", "branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS,
	  "branch instructions retired (generic perf event)" },
	{ "branch-misses", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES,
	  "mispredicted branches (generic perf event)" },
	{ "bus-cycles", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES,
	  "bus cycles (generic perf event)" },
	{ "ref-cycles", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES,
	  "reference cycles, not scaled by frequency (generic perf event)" },
	{ "stalled-cycles-frontend", "idle-cycles-frontend", PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, "cycles the front end stalled (generic perf event)" },
	{ "stalled-cycles-backend", "idle-cycles-backend", PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_STALLED_CYCLES_BACKEND, "cycles the back end stalled (generic perf event)" },
};

/*
 * Ice Lake+ PERF_METRICS pseudo events: the kernel's fixed encodings
 * (arch/x86/events/intel/core.c), used when sysfs does not list them (no
 * PMU here, or tests) so the names still parse and fail cleanly at open.
 */
static const struct named_event topdown_events[] = {
	{ "slots", NULL, PERF_TYPE_RAW, 0x0400, "issue slots (Ice Lake+ fixed counter 3)" },
	{ "topdown-retiring", NULL, PERF_TYPE_RAW, 0x8000, "slots retiring (PERF_METRICS)" },
	{ "topdown-bad-spec", NULL, PERF_TYPE_RAW, 0x8100, "slots lost to bad speculation (PERF_METRICS)" },
	{ "topdown-fe-bound", NULL, PERF_TYPE_RAW, 0x8200, "slots the front end did not fill (PERF_METRICS)" },
	{ "topdown-be-bound", NULL, PERF_TYPE_RAW, 0x8300, "slots stalled in the back end (PERF_METRICS)" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
			       unsigned long flags)
{
	return syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

pmu_open_fn pmu_perf_event_open = sys_perf_event_open;

/*
 * libpfm4 is loaded by the first pmu_events__init(), not linked: its 41k
 * relocations made every command start ~6 ms slower, and only stat and the
 * hwc collector look event names up.
 */
static struct {
	__typeof__(&pfm_initialize) initialize;
	__typeof__(&pfm_terminate) terminate;
	__typeof__(&pfm_get_os_event_encoding) get_os_event_encoding;
	__typeof__(&pfm_get_event_info) get_event_info;
	__typeof__(&pfm_get_event_attr_info) get_event_attr_info;
	__typeof__(&pfm_get_pmu_info) get_pmu_info;
	__typeof__(&pfm_get_event_next) get_event_next;
} pfm;

static const struct dl_sym pfm_syms[] = {
	DL_SYM(pfm_initialize, pfm.initialize),
	DL_SYM(pfm_terminate, pfm.terminate),
	DL_SYM(pfm_get_os_event_encoding, pfm.get_os_event_encoding),
	DL_SYM(pfm_get_event_info, pfm.get_event_info),
	DL_SYM(pfm_get_event_attr_info, pfm.get_event_attr_info),
	DL_SYM(pfm_get_pmu_info, pfm.get_pmu_info),
	DL_SYM(pfm_get_event_next, pfm.get_event_next),
};

static struct dl_lib pfm_lib = DL_LIB("libpfm.so.4", pfm_syms);

static int pfm_state;	/* 0 not tried, 1 ok, or the negative errno it failed with */

/* Loads libpfm4 on the first call; says why not once, for -v. */
static int pfm_load(void)
{
	bool first = !pfm_lib.tried;
	int err = dl_lib__bind(&pfm_lib);

	if (err && first)
		ps_debug("libpfm4 not loaded: %s: only perf's own event names work "
			 "(apt install libpfm4)", pfm_lib.why);
	return err;
}

int pmu_events__init(void)
{
	if (!pfm_state) {
		/* without libpfm4, as when it does not start: perf's own names still work */
		pfm_state = pfm_load();
		if (!pfm_state)
			pfm_state = pfm.initialize() == PFM_SUCCESS ? 1 : -EIO;
	}
	return pfm_state > 0 ? 0 : pfm_state;
}

void pmu_events__fini(void)
{
	if (pfm_state > 0)
		pfm.terminate();
	pfm_state = 0;
}

static const struct named_event *find_named(const struct named_event *t, size_t n,
					    const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if ((strlen(t[i].name) == len && !strncasecmp(t[i].name, name, len)) ||
		    (t[i].alias && strlen(t[i].alias) == len && !strncasecmp(t[i].alias, name, len)))
			return &t[i];
	}
	return NULL;
}

/* perf-style modifiers after ':' ("u", "k", "uk", "h"); -EINVAL for others. */
static int apply_modifiers(struct perf_event_attr *attr, const char *mods)
{
	bool u = false, k = false, h = false;

	if (!*mods)
		return 0;
	for (const char *m = mods; *m; m++) {
		switch (*m) {
		case 'u': u = true; break;
		case 'k': k = true; break;
		case 'h': h = true; break;
		case ':': break;
		default: return -EINVAL;
		}
	}
	attr->exclude_user = !u;
	attr->exclude_kernel = !k;
	attr->exclude_hv = !h;
	return 0;
}

static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* The core PMU's sysfs directory name: "cpu", or "cpu_core" on hybrids. */
static const char *core_pmu_dir(void)
{
	static const char *const names[] = { "cpu", "cpu_core" };
	char path[128];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), SYSFS_PMUS "/%s/type", names[i]);
		if (!access(path, R_OK))
			return names[i];
	}
	return NULL;
}

/* Set bits lo..hi of *cfg to v (format "config:8-15" or "config:21"). */
static int apply_format(const char *pmu, const char *term, uint64_t v, uint64_t *cfg)
{
	char path[256], fmt[64];
	unsigned lo, hi;

	snprintf(path, sizeof(path), SYSFS_PMUS "/%s/format/%s", pmu, term);
	if (!read_line(path, fmt, sizeof(fmt)))
		return -ENOENT;
	if (sscanf(fmt, "config:%u-%u", &lo, &hi) != 2) {
		if (sscanf(fmt, "config:%u", &lo) != 1)
			return -EINVAL;	/* config1/config2 terms: not needed here */
		hi = lo;
	}
	if (hi >= 64 || lo > hi)
		return -EINVAL;
	*cfg |= (v & (hi - lo == 63 ? ~0ULL : ((1ULL << (hi - lo + 1)) - 1))) << lo;
	return 0;
}

/* "event=0x00,umask=0x80" of a sysfs event alias -> config. */
static int sysfs_event(const char *pmu, const char *name, uint32_t *type, uint64_t *config)
{
	char path[256], buf[256], *save = NULL;
	uint64_t cfg = 0;

	snprintf(path, sizeof(path), SYSFS_PMUS "/%s/events/%s", pmu, name);
	if (!read_line(path, buf, sizeof(buf)))
		return -ENOENT;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		uint64_t v = 1;

		if (eq) {
			*eq = '\0';
			v = strtoull(eq + 1, NULL, 0);
		}
		if (apply_format(pmu, t, v, &cfg))
			return -EINVAL;
	}
	snprintf(path, sizeof(path), SYSFS_PMUS "/%s/type", pmu);
	if (!read_line(path, buf, sizeof(buf)))
		return -ENOENT;
	*type = strtoul(buf, NULL, 10);
	*config = cfg;
	return 0;
}

void pmu_event__base_name(const char *name, char *base, size_t len)
{
	const char *s = strstr(name, "::");
	size_t n, o = 0;
	char *colon;

	s = s ? s + 2 : name;
	for (n = 0; s[n] && o + 1 < len; n++)
		base[o++] = s[n] == '.' ? ':' : toupper((unsigned char)s[n]);
	base[o] = '\0';
	/* drop trailing modifiers: ":U", ":UK", ":K=1", ":PRECISE=0"... */
	while ((colon = strrchr(base, ':'))) {
		const char *m = colon + 1;
		bool mod = strchr(m, '=') != NULL || (*m && strspn(m, "UKH") == strlen(m));

		if (!mod)
			break;
		*colon = '\0';
	}
}

/* Base name from the encoding for generic events, so aliases agree (cs = context-switches). */
static void set_base(struct pmu_event *ev)
{
	const struct named_event *t = NULL;
	size_t n = 0;

	if (ev->attr.type == PERF_TYPE_SOFTWARE) {
		t = sw_events;
		n = ARRAY_SIZE(sw_events);
	} else if (ev->attr.type == PERF_TYPE_HARDWARE) {
		t = hw_events;
		n = ARRAY_SIZE(hw_events);
	}
	for (size_t i = 0; i < n; i++) {
		if (t[i].config == ev->attr.config) {
			pmu_event__base_name(t[i].name, ev->base, sizeof(ev->base));
			return;
		}
	}
	pmu_event__base_name(ev->name, ev->base, sizeof(ev->base));
}

static int parse_named(const char *name, struct pmu_event *ev, const struct named_event *t,
		       size_t n, bool sysfs)
{
	size_t len = strcspn(name, ":");
	const struct named_event *e = find_named(t, n, name, len);
	const char *pmu;

	if (!e)
		return -ENOENT;
	ev->attr.type = e->type;
	ev->attr.config = e->config;
	if (sysfs && (pmu = core_pmu_dir())) {
		uint32_t type;
		uint64_t cfg;

		if (!sysfs_event(pmu, e->name, &type, &cfg)) {
			ev->attr.type = type;
			ev->attr.config = cfg;
		}
	}
	return apply_modifiers(&ev->attr, name + len + (name[len] == ':'));
}

static int parse_pfm(const char *name, struct pmu_event *ev)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	pfm_perf_encode_arg_t arg = { .attr = &attr, .size = sizeof(arg) };
	int ret;

	if (pmu_events__init())
		return -ENOENT;
	ret = pfm.get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret != PFM_SUCCESS)
		return ret == PFM_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	attr.size = sizeof(attr);
	ev->attr = attr;
	return 0;
}

int pmu_event__parse(const char *name, struct pmu_event *ev, char *why, size_t len)
{
	int err;

	memset(ev, 0, sizeof(*ev));
	if (!*name || strlen(name) >= sizeof(ev->name)) {
		snprintf(why, len, "bad event name '%s'", name);
		return -EINVAL;
	}
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	ev->attr.size = sizeof(ev->attr);

	err = parse_named(name, ev, sw_events, ARRAY_SIZE(sw_events), false);
	if (err == -ENOENT)
		err = parse_named(name, ev, topdown_events, ARRAY_SIZE(topdown_events), true);
	if (err == -ENOENT)
		err = parse_pfm(name, ev);
	if (err == -ENOENT)
		err = parse_named(name, ev, hw_events, ARRAY_SIZE(hw_events), false);
	if (err == -ENOENT) {
		snprintf(why, len, "unknown event '%s': libpfm4 does not know it on this machine "
			 "(peerscope stat --list shows the events)", name);
		return err;
	}
	if (err) {
		snprintf(why, len, "bad event '%s': unknown modifier or attribute "
			 "(use :u, :k or a unit mask that peerscope stat --list shows)", name);
		return err;
	}
	ev->attr.size = sizeof(ev->attr);
	ev->software = ev->attr.type == PERF_TYPE_SOFTWARE;
	set_base(ev);
	return 0;
}

int pmu_events__parse_list(const char *list, struct pmu_event *evs, int max, int *nr,
			   char *why, size_t len)
{
	char name[PMU_NAME_LEN];
	int err;

	*nr = 0;
	for (const char *s = list; s && *s;) {
		size_t n = strcspn(s, ",");

		if (n) {
			if (*nr == max) {
				snprintf(why, len, "too many events: at most %d", max);
				return -E2BIG;
			}
			if (n >= sizeof(name)) {
				snprintf(why, len, "event name too long: '%.*s...'", 32, s);
				return -EINVAL;
			}
			snprintf(name, sizeof(name), "%.*s", (int)n, s);
			err = pmu_event__parse(name, &evs[*nr], why, len);
			if (err)
				return err;
			(*nr)++;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	if (!*nr) {
		snprintf(why, len, "empty event list");
		return -EINVAL;
	}
	return 0;
}

static bool matches(const char *pattern, const char *a, const char *b)
{
	return !pattern || !*pattern || strcasestr(a, pattern) || (b && strcasestr(b, pattern));
}

static int list_table(FILE *f, const char *pattern, const char *kind,
		      const struct named_event *t, size_t n)
{
	int lines = 0;

	for (size_t i = 0; i < n; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s%s%s", t[i].name, t[i].alias ? " OR " : "",
			 t[i].alias ? t[i].alias : "");
		if (!matches(pattern, name, t[i].desc))
			continue;
		fprintf(f, "  %-40s [%s] %s\n", name, kind, t[i].desc);
		lines++;
	}
	return lines;
}

/* One line per libpfm4 event, and one per unit mask (EVENT:UMASK). */
static int list_pfm_event(FILE *f, const char *pattern, const char *pmu, int idx)
{
	pfm_event_info_t info = { .size = sizeof(info) };
	char full[256];
	int lines = 0;

	if (pfm.get_event_info(idx, PFM_OS_PERF_EVENT_EXT, &info) != PFM_SUCCESS)
		return 0;
	snprintf(full, sizeof(full), "%s::%s", pmu, info.name);
	if (matches(pattern, full, info.desc)) {
		fprintf(f, "  %-40s %s\n", full, info.desc ? info.desc : "");
		lines++;
	}
	for (int a = 0; a < info.nattrs; a++) {
		pfm_event_attr_info_t ai = { .size = sizeof(ai) };
		char um[320];

		if (pfm.get_event_attr_info(idx, a, PFM_OS_PERF_EVENT_EXT, &ai) != PFM_SUCCESS ||
		    ai.type != PFM_ATTR_UMASK)
			continue;
		snprintf(um, sizeof(um), "%s:%s", full, ai.name);
		if (!matches(pattern, um, ai.desc))
			continue;
		fprintf(f, "    %-38s %s\n", um, ai.desc ? ai.desc : "");
		lines++;
	}
	return lines;
}

int pmu_events__list(FILE *f, const char *pattern)
{
	int lines = 0, i;

	fprintf(f, "perf software events (always available):\n");
	lines += list_table(f, pattern, "software", sw_events, ARRAY_SIZE(sw_events));
	fprintf(f, "perf generic hardware events (need a hardware PMU):\n");
	lines += list_table(f, pattern, "hardware", hw_events, ARRAY_SIZE(hw_events));
	if (pmu_events__has_perf_metrics()) {
		fprintf(f, "top-down (Ice Lake+ PERF_METRICS):\n");
		lines += list_table(f, pattern, "topdown", topdown_events, ARRAY_SIZE(topdown_events));
	}
	if (pmu_events__init()) {
		fprintf(f, "(libpfm4 did not initialise: no PMU event tables)\n");
		return lines;
	}
	pfm_for_all_pmus(i) {
		pfm_pmu_info_t pinfo = { .size = sizeof(pinfo) };

		if (pfm.get_pmu_info(i, &pinfo) != PFM_SUCCESS || !pinfo.is_present)
			continue;
		fprintf(f, "libpfm4 PMU %s (%s), %d events:\n", pinfo.name, pinfo.desc, pinfo.nevents);
		for (int e = pinfo.first_event; e != -1; e = pfm.get_event_next(e))
			lines += list_pfm_event(f, pattern, pinfo.name, e);
	}
	return lines;
}

static bool has_hw_pmu(void)
{
	return core_pmu_dir() != NULL;
}

bool pmu_event__unsupported_errno(int err)
{
	return err == ENOENT || err == ENODEV || err == EOPNOTSUPP || err == EINVAL;
}

const char *pmu_event__open_error(const struct pmu_event *ev, int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case EOPNOTSUPP:
		if (!ev->software && !has_hw_pmu())
			return "not supported on this machine (no hardware PMU in the kernel)";
		return "not supported on this machine (the kernel's PMU driver does not offer it)";
	case EINVAL:
		return "not supported on this machine (the PMU rejects this encoding or modifier)";
	case EACCES:
	case EPERM:
		return "not permitted (run as root or lower /proc/sys/kernel/perf_event_paranoid)";
	case ESRCH:
		return "the thread is gone";
	case EMFILE:
	case ENFILE:
		return "too many open files (raise ulimit -n or count fewer events)";
	default:
		return strerror(err);
	}
}

bool pmu_events__has_perf_metrics(void)
{
	const char *pmu = core_pmu_dir();
	char path[128];

	if (!pmu)
		return false;
	snprintf(path, sizeof(path), SYSFS_PMUS "/%s/events/topdown-retiring", pmu);
	return !access(path, R_OK);
}

bool pmu_events__has_old_topdown(void)
{
	static const char *const need[] = {
		"IDQ_UOPS_NOT_DELIVERED:CORE", "UOPS_ISSUED:ANY", "UOPS_RETIRED:RETIRE_SLOTS",
		"INT_MISC:RECOVERY_CYCLES",
	};
	struct pmu_event ev;
	char why[256];

	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		if (pmu_event__parse(need[i], &ev, why, sizeof(why)))
			return false;
	}
	return true;
}
