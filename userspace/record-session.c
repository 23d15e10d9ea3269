// SPDX-License-Identifier: MIT
/*
 * A recording session as `record` and `agent` share it (builtin.h): the
 * checks before attaching, the collectors opened, attached and closed, their
 * stats, and the records that describe a recording.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>

#include "collectors/bpf-usage.h"
#include "builtin.h"
#include "collectors/collector.h"
#include "core/log.h"
#include "core/opt-values.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "core/target.h"

#ifndef PEERSCOPE_VERSION
#define PEERSCOPE_VERSION "0.1.0"
#endif

int record__libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own messages (verifier logs...) are debug output */
	if (!ps_verbose || level == LIBBPF_DEBUG)
		return 0;
	fputs("peerscope: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

/* Root, or the two capabilities BPF profiling needs since 5.8. */
int record__check_privileges(void)
{
	unsigned long long eff = 0;
	char line[256], missing[64] = "";
	bool bpf, perfmon, sys_admin;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "CapEff: %llx", &eff) == 1)
				break;
		}
		fclose(f);
	}
	sys_admin = eff & (1ULL << CAP_SYS_ADMIN);
	bpf = eff & (1ULL << CAP_BPF);
	perfmon = eff & (1ULL << CAP_PERFMON);
	if ((bpf && perfmon) || sys_admin)
		return 0;
	snprintf(missing, sizeof(missing), "%s%s%s", bpf ? "" : "CAP_BPF",
		 !bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
	if (geteuid() != 0)
		ps_err("record: not permitted: not root and missing %s (run as root, or "
		       "setcap cap_bpf,cap_perfmon=ep on the peerscope binary)", missing);
	else
		ps_err("record: not permitted: root but missing %s in this container or "
		       "namespace (grant them, e.g. docker run --cap-add BPF --cap-add PERFMON)",
		       missing);
	return -EPERM;
}

int record__check_targets(struct record *r)
{
	for (int i = 0; i < r->target.nr_pids; i++) {
		uint32_t pid = r->target.pids[i], tgid;
		int err = target__validate(pid, &tgid);

		if (err == -ESRCH) {
			ps_err("record: no such process: %u (check the pid with ps; -p takes process ids)",
			       pid);
			return err;
		}
		if (err) {
			ps_err("record: cannot read /proc/%u: %s (is /proc mounted?)", pid, strerror(-err));
			return err;
		}
		if (tgid != pid) {
			ps_warn("%u is a thread of process %u: recording the whole process", pid, tgid);
			r->target.pids[i] = tgid;
		}
	}
	return 0;
}

/*
 * Supported and selected collectors, opened; 0 or a negative errno.  One
 * after the other: each open parses the 5 MB vmlinux BTF (libbpf holds
 * ~12 MB while it loads), and opening the three defaults in parallel threads
 * cut attach time to the slowest open but raised peak RSS from 25 to 39 MB.
 */
int record__open_collectors(struct record *r)
{
	struct timespec t0, t1;
	char why[256];
	int err;

	for (int i = 0; collector_table[i]; i++) {
		const struct collector_ops *ops = collector_table[i];
		bool asked = r->collectors && opt__list_has(r->collectors, ops->name);
		struct collector *c;

		if (r->collectors && !asked)
			continue;
		why[0] = '\0';
		if (ops->supported && !ops->supported(&r->kf, &r->opts, why, sizeof(why))) {
			if (asked && !why[0] && ops->turned_on_by) {
				ps_err("record: collector %s is off unless asked for: add %s",
				       ops->name, ops->turned_on_by);
				return -EOPNOTSUPP;
			}
			if (asked) {
				ps_err("record: collector %s cannot run here: %s (leave it out of -c)",
				       ops->name, why[0] ? why : "not supported");
				return -EOPNOTSUPP;
			}
			/* an empty why means "not asked for" (e.g. alloc without --alloc) */
			if (why[0])
				fprintf(stderr, "peerscope: note: %s collector off: %s\n", ops->name, why);
			continue;
		}
		if (r->nr_coll == MAX_COLLECTORS)
			break;
		c = &r->coll[r->nr_coll];
		memset(c, 0, sizeof(*c));
		c->ops = ops;
		c->opts = &r->opts;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = ops->open(c, &r->opts, &r->kf, &r->sm);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ps_debug("%s: opened and loaded in %.1f ms", ops->name, record__ts_sec(&t0, &t1) * 1e3);
		if (err) {
			if (asked)
				return err;
			ps_warn("collector %s did not load (%s): recording without it",
				ops->name, strerror(-err));
			continue;
		}
		r->nr_coll++;
	}
	if (!r->nr_coll) {
		ps_err("record: no collector can run on this kernel (see the notes above; -v says more)");
		return -EOPNOTSUPP;
	}
	return 0;
}

int record__attach_collectors(struct record *r)
{
	struct timespec t0, t1;

	for (int i = 0; i < r->nr_coll; i++) {
		struct collector *c = &r->coll[i];
		int err;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = c->ops->attach(c, &r->target);
		if (err) {
			/* the collector said what failed */
			return err;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ps_debug("%s: attached in %.1f ms", c->ops->name, record__ts_sec(&t0, &t1) * 1e3);
	}
	return 0;
}

void record__close_collectors(struct record *r)
{
	for (int i = r->nr_coll - 1; i >= 0; i--) {
		if (r->coll[i].ops->close)
			r->coll[i].ops->close(&r->coll[i]);
	}
	r->nr_coll = 0;
}

void record__read_stats(struct record *r)
{
	for (int i = 0; i < r->nr_coll; i++) {
		if (r->coll[i].ops->stats)
			r->coll[i].ops->stats(&r->coll[i]);
	}
}

struct collector_stats record__total_stats(const struct record *r)
{
	struct collector_stats t = {};

	for (int i = 0; i < r->nr_coll; i++) {
		const struct collector_stats *s = &r->coll[i].stats;

		t.events += s->events;
		t.stack_errors += s->stack_errors;
		t.map_full += s->map_full;
		t.lost += s->lost;
		t.bpf_run_ns += s->bpf_run_ns;
		t.bpf_run_cnt += s->bpf_run_cnt;
	}
	return t;
}

static int64_t rusage_ns(const struct timeval *tv)
{
	return tv->tv_sec * 1000000000LL + tv->tv_usec * 1000LL;
}

/* meta, stats and overhead records: see docs/format.md. */
void record__add_records(struct record *r, struct profile *p)
{
	char host[256] = "", start[64], pids[TARGET_MAX_PIDS * 11] = "", names[128] = "";
	double attach_s = record__ts_sec(&r->t_start, &r->t_attached);
	struct bpf_map_usage mu;
	struct rusage ru, kids;
	struct utsname u;
	time_t t = r->start_wall_ns / 1000000000LL;
	size_t off = 0;
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	uname(&u);
	gmtime_r(&t, &tm);
	strftime(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < r->target.nr_pids; i++)
		off += snprintf(pids + off, sizeof(pids) - off, "%s%u", i ? "," : "",
				r->target.pids[i]);
	off = 0;
	for (int i = 0; i < r->nr_coll && off < sizeof(names); i++)
		off += snprintf(names + off, sizeof(names) - off, "%s%s", i ? "," : "",
				r->coll[i].ops->name);
	records__add_meta(p, &(struct rec_meta){
		.version = PEERSCOPE_VERSION, .command = r->cmdline, .hostname = host,
		.kernel = u.release, .start = start,
		.duration_s = rec_round(record__ts_sec(&r->t_attached, &r->t_stop), 3),
		.pids = pids, .collectors = names, .freq = r->opts.freq,
		.kernel_stacks = !r->opts.no_kernel,
		.rules = r->rules_file ? r->rules_file : "",
		.ports = r->port_rules ? r->port_rules : "",
	});
	for (int i = 0; i < r->nr_slas; i++)
		records__add_sla(p, &(struct rec_sla){ .spec = r->slas[i] });
	if (r->opts.rules)
		path_rules__save(r->opts.rules, p, NULL);

	for (int i = 0; i < r->nr_coll; i++) {
		const struct collector_stats *s = &r->coll[i].stats;

		records__add_stats(p, &(struct rec_stats){
			.collector = r->coll[i].ops->name, .events = s->events,
			.stack_errors = s->stack_errors, .map_full = s->map_full, .lost = s->lost,
			.bpf_run_ns = s->bpf_run_ns, .bpf_run_cnt = s->bpf_run_cnt,
		});
	}

	/*
	 * The cost of recording, as measured from inside (maps are still
	 * open), children included: the first record after an upgrade runs
	 * bpftool to make its objects' CO-RE BTF (~0.25 s, 19 MB).
	 */
	getrusage(RUSAGE_SELF, &ru);
	getrusage(RUSAGE_CHILDREN, &kids);
	if (bpf_usage__maps(&mu))
		mu.bytes = 0;
	records__add_overhead(p, &(struct rec_overhead){
		.user_ns = rusage_ns(&ru.ru_utime) + rusage_ns(&kids.ru_utime),
		.sys_ns = rusage_ns(&ru.ru_stime) + rusage_ns(&kids.ru_stime),
		.bpf_run_ns = record__total_stats(r).bpf_run_ns, .attach_ns = (uint64_t)(attach_s * 1e9),
		.bpf_stats = 1,
		.peak_rss_kb = (uint64_t)(ru.ru_maxrss > kids.ru_maxrss ? ru.ru_maxrss : kids.ru_maxrss),
		.bpf_map_bytes = mu.bytes,
	});
}
