// SPDX-License-Identifier: MIT
/*
 * peerscope record: attach every enabled collector to the target processes,
 * wait, then drain all of them into one profile and write it as pprof.
 *
 * Everything that can be checked before recording is checked first
 * (arguments, privileges, BTF, pids, the output file), so a recording is
 * never thrown away at the end; from attach on, whatever happens (signal,
 * targets exiting), what was collected is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "collectors/bpf-usage.h"
#include "builtin.h"
#include "collectors/collector.h"
#include "collectors/features.h"
#include "collectors/record-opts.h"
#include "collectors/shared-maps.h"
#include "core/log.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "core/rules-check.h"
#include "core/symbolizer.h"
#include "core/target.h"
#include "format/pprof.h"

#ifndef PEERSCOPE_VERSION
#define PEERSCOPE_VERSION "0.1.0"
#endif

#define DEFAULT_OUTPUT	"peerscope.pb.gz"
#define DEFAULT_FREQ	99
#define POLL_MS		100
#define FLUSH_MS	1000	/* maps -> profile: bounded maps on long recordings */
#define FIRST_EVENT_POLL_MS	2

static const char usage_text[] =
"usage: peerscope record -p PID[,PID...] [options]\n"
"\n"
"Record running processes into one pprof file (default " DEFAULT_OUTPUT ").\n"
"Runs until -d elapses, SIGINT/SIGTERM, or every target has exited, and\n"
"always writes what it has.\n"
"\n"
"  -p, --pid PID[,PID...]    processes to record (required)\n"
"  -F, --freq HZ             on-CPU sampling frequency (default 99)\n"
"  -d, --duration SECONDS    stop after this long (default: until Ctrl-C)\n"
"  -o, --output FILE         pprof output (default " DEFAULT_OUTPUT ")\n"
"  -c, --collectors LIST     collectors to run, comma separated (default: all\n"
"                            supported ones); see the list below\n"
"      --no-kernel           user stacks only\n"
"      --min-block TIME      off-CPU: ignore blocks shorter than TIME (e.g. 1ms,\n"
"                            500us; a bare number is microseconds)\n"
"      --alloc[=malloc]      memory: kernel allocation events, or malloc uprobes\n"
"      --alloc-sample N      memory: record one call in N (default 1)\n"
"      --alloc-duty FRACTION memory: fraction of time probes are on (default 1)\n"
"  -e, --events LIST         hardware counters to read (hwc collector)\n"
"      --rules FILE|NAME     path rules file or built-in set (docs/rules.md)\n"
"      --port NAME=[PROTO:]LO[-HI]  socket traffic to a path by port, repeatable\n"
"      --no-peers            no serving-peer tag on events, no peer probes or\n"
"                            reply tracking (docs/peers.md)\n"
"      --sla SPEC            fail (exit 3) when a path misses SPEC, repeatable\n"
"      --unwind MODE         user stack unwinding: auto, fp or dwarf (default auto)\n"
"  -v, --verbose             debug output (features, libbpf, per-collector stats)\n"
"      --progress            live status line even when stderr is not a TTY\n"
"  -h, --help                this text\n"
"\n"
"Exit status: 0 ok, 1 runtime error, 2 usage error, 3 an --sla failed.\n"
"\n"
"Collectors:\n";

enum {
	OPT_NO_KERNEL = 256,
	OPT_PROGRESS,
	OPT_MIN_BLOCK,
	OPT_ALLOC,
	OPT_ALLOC_SAMPLE,
	OPT_ALLOC_DUTY,
	OPT_RULES,
	OPT_SLA,
	OPT_UNWIND,
	OPT_PORT,
	OPT_NO_PEERS,
};

static const struct option long_options[] = {
	{ "pid",          required_argument, NULL, 'p' },
	{ "freq",         required_argument, NULL, 'F' },
	{ "duration",     required_argument, NULL, 'd' },
	{ "output",       required_argument, NULL, 'o' },
	{ "collectors",   required_argument, NULL, 'c' },
	{ "events",       required_argument, NULL, 'e' },
	{ "verbose",      no_argument,       NULL, 'v' },
	{ "help",         no_argument,       NULL, 'h' },
	{ "no-kernel",    no_argument,       NULL, OPT_NO_KERNEL },
	{ "progress",     no_argument,       NULL, OPT_PROGRESS },
	{ "min-block",    required_argument, NULL, OPT_MIN_BLOCK },
	{ "alloc",        optional_argument, NULL, OPT_ALLOC },
	{ "alloc-sample", required_argument, NULL, OPT_ALLOC_SAMPLE },
	{ "alloc-duty",   required_argument, NULL, OPT_ALLOC_DUTY },
	{ "rules",        required_argument, NULL, OPT_RULES },
	{ "sla",          required_argument, NULL, OPT_SLA },
	{ "unwind",       required_argument, NULL, OPT_UNWIND },
	{ "port",         required_argument, NULL, OPT_PORT },
	{ "no-peers",     no_argument,       NULL, OPT_NO_PEERS },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

int record__libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own messages (verifier logs...) are debug output */
	if (!ps_verbose || level == LIBBPF_DEBUG)
		return 0;
	fputs("peerscope: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *f)
{
	fputs(usage_text, f);
	for (int i = 0; collector_table[i]; i++)
		fprintf(f, "  %-8s %s\n", collector_table[i]->name,
			collector_table[i]->summary ? collector_table[i]->summary : "");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps_err("record: %s (see 'peerscope record --help')", msg);
	return PS_EXIT_USAGE;
}

static double ts_sec(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

static int parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno || end == s || *end ? -EINVAL : 0;
}

/* "10ms", "500us", "2s", "100ns"; a bare number is microseconds. */
static int parse_time_ns(const char *s, uint64_t *ns)
{
	static const struct { const char *sfx; double mul; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1e3 },
	};
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].sfx)) {
			*ns = (uint64_t)(v * units[i].mul);
			return 0;
		}
	}
	return -EINVAL;
}

static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; s && *s;) {
		size_t len = strcspn(s, ",");

		if (len == n && !strncmp(s, name, n))
			return true;
		s += len;
		if (*s == ',')
			s++;
	}
	return false;
}

static int parse_args(struct record *r, int argc, char **argv)
{
	const char *bad;
	size_t off = 0;
	double d;
	int opt, err;

	for (int i = 0; i < argc && off < sizeof(r->cmdline) - 1; i++)
		off += snprintf(r->cmdline + off, sizeof(r->cmdline) - off, "%s%s",
				i ? " " : "peerscope ", argv[i]);

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+p:F:d:o:c:e:vh", long_options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			err = target__parse(&r->target, optarg, TARGET_MAX_PIDS, &bad);
			if (err == -E2BIG)
				return usage_error("too many pids: at most %d", TARGET_MAX_PIDS);
			if (err)
				return usage_error("bad pid list '%s' at '%s'", optarg, bad);
			break;
		case 'F':
			if (parse_double(optarg, &d) || d < 1 || d > 100000 || d != (int)d)
				return usage_error("bad frequency '%s': want an integer number of Hz", optarg);
			r->opts.freq = d;
			break;
		case 'd':
			if (parse_double(optarg, &d) || d <= 0)
				return usage_error("bad duration '%s': want seconds > 0", optarg);
			r->opts.duration = d;
			break;
		case 'o':
			r->output = optarg;
			break;
		case 'c':
			r->collectors = optarg;
			break;
		case 'e':
			r->opts.events = optarg;
			break;
		case 'v':
			r->opts.verbose = true;
			ps_verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case OPT_NO_KERNEL:
			r->opts.no_kernel = true;
			break;
		case OPT_PROGRESS:
			ps_set_progress(true);
			break;
		case OPT_MIN_BLOCK:
			if (parse_time_ns(optarg, &r->opts.min_block_ns))
				return usage_error("bad --min-block '%s': want e.g. 1ms, 500us", optarg);
			break;
		case OPT_ALLOC:
			if (!optarg || !strcmp(optarg, "kernel"))
				r->opts.alloc = ALLOC_KERNEL;
			else if (!strcmp(optarg, "malloc"))
				r->opts.alloc = ALLOC_MALLOC;
			else
				return usage_error("bad --alloc '%s': want kernel or malloc", optarg);
			break;
		case OPT_ALLOC_SAMPLE:
			if (parse_double(optarg, &d) || d < 1 || d != (unsigned)d)
				return usage_error("bad --alloc-sample '%s': want an integer >= 1", optarg);
			r->opts.alloc_sample = d;
			break;
		case OPT_ALLOC_DUTY:
			if (parse_double(optarg, &d) || d <= 0 || d > 1)
				return usage_error("bad --alloc-duty '%s': want a fraction in (0, 1]", optarg);
			r->opts.alloc_duty = d;
			break;
		case OPT_RULES:
			r->rules_file = optarg;
			break;
		case OPT_SLA:
			if (r->nr_slas == MAX_SLAS)
				return usage_error("too many --sla: at most %d", MAX_SLAS);
			r->slas[r->nr_slas++] = optarg;
			break;
		case OPT_PORT: {
			/* checked by the sock collector (core/ports.h) */
			size_t old = r->port_rules ? strlen(r->port_rules) : 0;
			char *v = realloc(r->port_rules, old + strlen(optarg) + 2);

			if (!v)
				return usage_error("out of memory");
			snprintf(v + old, strlen(optarg) + 2, "%s%s", old ? "," : "", optarg);
			r->port_rules = v;
			r->opts.port_rules = v;
			break;
		}
		case OPT_NO_PEERS:
			r->opts.no_peers = true;
			break;
		case OPT_UNWIND:
			if (!strcmp(optarg, "auto"))
				r->opts.unwind = UNWIND_AUTO;
			else if (!strcmp(optarg, "fp"))
				r->opts.unwind = UNWIND_FP;
			else if (!strcmp(optarg, "dwarf"))
				r->opts.unwind = UNWIND_DWARF;
			else
				return usage_error("bad --unwind '%s': want auto, fp or dwarf", optarg);
			break;
		default:
			return usage_error("bad option");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!r->target.nr_pids)
		return usage_error("no target: give -p PID");
	for (const char *s = r->collectors; s && *s;) {
		size_t len = strcspn(s, ",");
		char name[32];

		snprintf(name, sizeof(name), "%.*s", (int)len, s);
		if (!collector__find(name))
			return usage_error("unknown collector '%s'", name);
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
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
 * Better to fail now than after a long recording.  The writer creates a
 * temporary file beside the output and renames it into place, so what must
 * be writable is the directory; a directory in the way fails the rename.
 */
static int check_output(const char *path)
{
	char buf[4096], tmp[4200];
	const char *dir;
	struct stat st;
	int fd, err;

	if (!strcmp(path, "-"))
		return 0;	/* stdout */
	snprintf(buf, sizeof(buf), "%s", path);
	dir = dirname(buf);	/* points into buf or at "." */
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto fail;
	}
	snprintf(tmp, sizeof(tmp), "%s/.peerscope-check.XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	close(fd);
	unlink(tmp);
	return 0;

fail:
	ps_err("record: cannot write %s: %s (choose another file with -o, or check %s)",
	       path, strerror(-err), dir);
	return err;
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
		bool asked = r->collectors && in_list(r->collectors, ops->name);
		struct collector *c;

		if (r->collectors && !asked)
			continue;
		why[0] = '\0';
		if (ops->supported && !ops->supported(&r->kf, &r->opts, why, sizeof(why))) {
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
		ps_debug("%s: opened and loaded in %.1f ms", ops->name, ts_sec(&t0, &t1) * 1e3);
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
		ps_debug("%s: attached in %.1f ms", c->ops->name, ts_sec(&t0, &t1) * 1e3);
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

/*
 * With -v: how long after start the first event of any collector arrived
 * (polled every few ms for the first second, then given up on).
 */
static void watch_first_event(struct record *r, const struct timespec *now, bool *watching)
{
	if (ts_sec(&r->t_attached, now) > 1.0) {
		*watching = false;
		return;
	}
	record__read_stats(r);
	if (!record__total_stats(r).events)
		return;
	*watching = false;
	ps_debug("first event %.1f ms after start (%.1f ms after attach)",
		 ts_sec(&r->t_start, now) * 1e3, ts_sec(&r->t_attached, now) * 1e3);
}

/* Collectors that can empty their maps while recording do it now. */
static void flush_collectors(struct record *r)
{
	for (int i = 0; i < r->nr_coll; i++) {
		int err;

		if (!r->coll[i].ops->flush)
			continue;
		if (!r->profile)
			r->profile = profile__new();
		if (!r->profile)
			return;	/* the final drain still reads the maps */
		err = r->coll[i].ops->flush(&r->coll[i], r->profile);
		if (err)
			ps_debug("%s: flush failed: %s", r->coll[i].ops->name, strerror(-err));
	}
}

static void record_loop(struct record *r)
{
	struct timespec now, last_status = r->t_attached, last_poll = r->t_attached;
	struct timespec last_flush = r->t_attached;
	struct timespec tick = { 0, POLL_MS * 1000000L };
	const struct timespec first_tick = { 0, FIRST_EVENT_POLL_MS * 1000000L };
	int alive = r->target.nr_pids;
	bool watching = ps_verbose;

	while (!stop_signal) {
		if (watching) {
			nanosleep(&first_tick, NULL);
			clock_gettime(CLOCK_MONOTONIC, &now);
			watch_first_event(r, &now, &watching);
			if (ts_sec(&last_poll, &now) * 1e3 < POLL_MS)
				continue;
		} else {
			nanosleep(&tick, NULL);
		}
		for (int i = 0; i < r->nr_coll; i++) {
			if (r->coll[i].ops->poll && r->coll[i].ops->poll(&r->coll[i]) < 0)
				ps_debug("%s: poll failed", r->coll[i].ops->name);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		last_poll = now;
		if (ts_sec(&last_flush, &now) * 1e3 >= FLUSH_MS) {
			flush_collectors(r);
			last_flush = now;
		}
		alive = target__nr_alive(&r->target);
		if (!alive) {
			ps_info("every target has exited: stopping");
			break;
		}
		if (r->opts.duration && ts_sec(&r->t_attached, &now) >= r->opts.duration)
			break;
		if (ps_progress_enabled() && ts_sec(&last_status, &now) >= 1.0) {
			struct collector_stats t;

			record__read_stats(r);
			t = record__total_stats(r);
			ps_status("recording %.0fs: %llu samples, %llu lost, %d/%d targets alive",
				  ts_sec(&r->t_attached, &now), (unsigned long long)t.events,
				  (unsigned long long)(t.lost + t.map_full), alive, r->target.nr_pids);
			last_status = now;
		}
	}
	ps_status_done();
	if (stop_signal)
		ps_debug("stopped by signal %d", (int)stop_signal);
}

static int64_t rusage_ns(const struct timeval *tv)
{
	return tv->tv_sec * 1000000000LL + tv->tv_usec * 1000LL;
}

/* meta, stats and overhead records: see docs/format.md. */
void record__add_records(struct record *r, struct profile *p)
{
	char host[256] = "", start[64], pids[TARGET_MAX_PIDS * 11] = "", names[128] = "";
	double attach_s = ts_sec(&r->t_start, &r->t_attached);
	struct bpf_map_usage mu;
	struct rusage ru;
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
		.duration_s = rec_round(ts_sec(&r->t_attached, &r->t_stop), 3),
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

	/* the cost of recording, as measured from inside (maps are still open) */
	getrusage(RUSAGE_SELF, &ru);
	if (bpf_usage__maps(&mu))
		mu.bytes = 0;
	records__add_overhead(p, &(struct rec_overhead){
		.user_ns = rusage_ns(&ru.ru_utime), .sys_ns = rusage_ns(&ru.ru_stime),
		.bpf_run_ns = record__total_stats(r).bpf_run_ns, .attach_ns = (uint64_t)(attach_s * 1e9),
		.bpf_stats = r->stats_fd >= 0, .peak_rss_kb = (uint64_t)ru.ru_maxrss,
		.bpf_map_bytes = mu.bytes,
	});
}

/* Stop every program from counting: they all check the target map. */
static void stop_targets(struct record *r)
{
	for (int i = 0; i < r->target.nr_pids; i++)
		bpf_map_delete_elem(r->sm.targets_fd, &r->target.pids[i]);
}

static int drain_and_write(struct record *r)
{
	struct collector_stats t;
	struct profile *p;
	int64_t samples = 0;
	int err, idx, left;

	p = r->profile ? r->profile : profile__new();
	r->profile = NULL;
	if (!p) {
		ps_err("record: out of memory building the profile (record fewer processes or for less time)");
		return -ENOMEM;
	}
	p->time_nanos = r->start_wall_ns;
	p->duration_nanos = (int64_t)(ts_sec(&r->t_attached, &r->t_stop) * 1e9);

	record__read_stats(r);
	for (int i = 0; i < r->nr_coll; i++) {
		err = r->coll[i].ops->drain(&r->coll[i], p);
		if (err)
			ps_warn("%s: reading its maps failed (%s): its data is incomplete",
				r->coll[i].ops->name, strerror(-err));
	}
	err = collectors__finish(p, &r->sm);
	if (err)
		ps_warn("finishing the recording failed (%s): its wall column or unwinder "
			"record is incomplete", strerror(-err));
	/* what pprof shows first: CPU time when there is any */
	if (p->default_type < 0)
		p->default_type = profile__type_index(p, "cpu");
	left = symbolizer__symbolize_profile(r->sym, p);
	if (left < 0)
		ps_warn("symbolizing failed (%s): frames are raw addresses", strerror(-left));
	else
		ps_debug("symbolized %u locations, %d without a name", p->nr_locations, left);
	record__add_records(r, p);

	err = pprof__write(p, r->output);
	if (err) {
		ps_err("record: writing %s failed: %s (check the disk and the path given with -o)",
		       r->output, strerror(-err));
		goto free_profile;
	}

	t = record__total_stats(r);
	idx = profile__type_index(p, "samples");
	samples = idx >= 0 ? profile__total(p, idx) : (int64_t)t.events;
	for (int i = 0; i < r->nr_coll; i++) {
		const struct collector_stats *s = &r->coll[i].stats;

		ps_debug("%s: %llu events, %llu stack errors, %llu map full, %llu lost, "
			 "bpf %.3f ms in %llu runs", r->coll[i].ops->name,
			 (unsigned long long)s->events, (unsigned long long)s->stack_errors,
			 (unsigned long long)s->map_full, (unsigned long long)s->lost,
			 s->bpf_run_ns / 1e6, (unsigned long long)s->bpf_run_cnt);
	}
	/* drops are always shown, even when zero */
	fprintf(stderr, "peerscope: wrote %s: %lld samples, %llu stack errors, %llu map full, "
		"%llu lost\n", strcmp(r->output, "-") ? r->output : "stdout", (long long)samples,
		(unsigned long long)t.stack_errors, (unsigned long long)t.map_full,
		(unsigned long long)t.lost);

free_profile:
	profile__free(p);
	return err;
}

int cmd_record(int argc, char **argv)
{
	struct record r = {
		.opts = {
			.freq = DEFAULT_FREQ,
			.alloc_sample = 1,
			.alloc_duty = 1.0,
		},
		.output = DEFAULT_OUTPUT,
		.sm = { -1, -1, -1, -1 },
		.stats_fd = -1,
	};
	struct symbolizer_opts so = {};
	struct sigaction sa = { .sa_handler = on_signal };
	struct path_rules *rules = NULL;
	struct timespec now;
	int err, ret = PS_EXIT_ERROR;

	err = parse_args(&r, argc, argv);
	if (err) {
		free(r.port_rules);
		target__free(&r.target);
		return err < 0 ? PS_EXIT_OK : err;	/* --help */
	}
	libbpf_set_print(record__libbpf_print);

	clock_gettime(CLOCK_MONOTONIC, &r.t_start);
	features__probe(&r.kf);
	clock_gettime(CLOCK_MONOTONIC, &now);
	ps_debug("features probed in %.1f ms", ts_sec(&r.t_start, &now) * 1e3);
	if (record__check_privileges())
		goto free_target;
	if (!r.kf.btf) {
		ps_err("record: no kernel BTF: /sys/kernel/btf/vmlinux is missing "
		       "(use a kernel built with CONFIG_DEBUG_INFO_BTF=y)");
		goto free_target;
	}
	if (record__check_targets(&r) || check_output(r.output))
		goto free_target;
	if (r.rules_file) {
		char why[256] = "";

		rules = path_rules__load(r.rules_file, why, sizeof(why));
		if (!rules) {
			ps_err("record: bad path rules %s: %s (see docs/rules.md)", r.rules_file, why);
			goto free_target;
		}
		r.opts.rules = rules;
	} else {
		/* no --rules: the built-in set that fits the first target, said aloud */
		rules = path_rules__for_pid(r.target.pids[0]);
		if (rules) {
			struct rules_hits hits;

			ps_info("path rules: %s (%s; --rules to choose)", rules->name, rules->why);
			/* a guess that names nothing of the target must say so */
			path_rules__check_target(rules, r.target.pids[0], true, &hits);
		}
		r.opts.rules = rules;
	}

	clock_gettime(CLOCK_MONOTONIC, &r.t_start);
	/* counting program run time costs a little; it is our overhead figure */
	r.stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (r.stats_fd < 0)
		ps_debug("bpf_enable_stats: %s: BPF run time will read 0", strerror(errno));

	err = shared_maps__create(&r.sm, r.opts.unwind);
	if (err) {
		ps_err("record: creating BPF maps failed: %s (check RLIMIT_MEMLOCK and privileges)",
		       strerror(-err));
		goto disable_stats;
	}
	for (int i = 0; i < r.target.nr_pids; i++) {
		err = shared_maps__add_target(&r.sm, r.target.pids[i]);
		if (err) {
			ps_err("record: adding pid %u to the target map failed: %s (report a bug)",
			       r.target.pids[i], strerror(-err));
			goto destroy_maps;
		}
	}
	so.no_kernel = r.opts.no_kernel;
	r.sym = symbolizer__new(&so);
	if (!r.sym) {
		ps_err("record: starting the symbolizer failed: out of memory (record fewer processes)");
		goto destroy_maps;
	}

	if (record__open_collectors(&r) || record__attach_collectors(&r))
		goto record__close_collectors;
	clock_gettime(CLOCK_MONOTONIC, &r.t_attached);
	clock_gettime(CLOCK_REALTIME, &now);
	r.start_wall_ns = now.tv_sec * 1000000000LL + now.tv_nsec;
	ps_debug("attached %d collector(s) in %.1f ms", r.nr_coll,
		 ts_sec(&r.t_start, &r.t_attached) * 1e3);
	if (ps_verbose) {
		struct bpf_map_usage mu;

		if (!bpf_usage__maps(&mu))
			ps_debug("BPF maps: %u, %.1f MiB of kernel memory", mu.nr_maps,
				 mu.bytes / 1048576.0);
	}

	/* maps now, while targets live: one that exits is still symbolized */
	for (int i = 0; i < r.target.nr_pids; i++) {
		err = symbolizer__add_pid(r.sym, r.target.pids[i]);
		if (err)
			ps_debug("symbolizer: pid %u: %s", r.target.pids[i], strerror(-err));
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ps_info("recording %d process(es) with %d collector(s)%s", r.target.nr_pids, r.nr_coll,
		r.opts.duration ? "" : "; Ctrl-C to stop");
	record_loop(&r);
	stop_targets(&r);
	clock_gettime(CLOCK_MONOTONIC, &r.t_stop);
	/*
	 * The first signal means "stop and write"; a second one while
	 * draining kills, so a stuck drain can always be interrupted.
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);

	if (!drain_and_write(&r))
		ret = PS_EXIT_OK;

record__close_collectors:
	record__close_collectors(&r);
	symbolizer__free(r.sym);
destroy_maps:
	shared_maps__destroy(&r.sm);
disable_stats:
	if (r.stats_fd >= 0)
		close(r.stats_fd);
free_target:
	if (rules)
		path_rules__free(rules);
	free(r.port_rules);
	target__free(&r.target);
	return ret;
}
