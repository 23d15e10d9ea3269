// SPDX-License-Identifier: MIT
/*
 * peerscope agent: the collectors of `record`, attached once, drained every
 * window without detaching (each collector's reset op clears what its
 * drain read; collectors without one are left out and said so), each window
 * written to DIR as a complete pprof file plus one line of DIR/index.jsonl,
 * and, with --metrics, a Prometheus endpoint over the windows added up
 * (docs/agent.md, docs/metrics.md).  The flight recorder (--trigger)
 * lives in agent-incident.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "builtin.h"
#include "collectors/bpf-ksyms.h"
#include "collectors/unwinder-trim.h"
#include "core/log.h"
#include "core/profile.h"
#include "core/rules.h"
#include "core/symbolizer.h"
#include "analysis/paths.h"
#include "analysis/sla.h"
#include "analysis/verdicts.h"
#include "reports/metrics.h"

#define AGENT_FREQ	19
#define AGENT_WINDOW_S	60

static const char usage_text[] =
"usage: peerscope agent -p PID[,PID...] | --comm NAME | --cgroup PATH --dir DIR [options]\n"
"\n"
"Profile processes continuously: every window is written to DIR as a pprof\n"
"file with one line in DIR/index.jsonl, and --metrics serves Prometheus\n"
"metrics.  SIGINT/SIGTERM write the partial window and exit 0; SIGHUP\n"
"rereads the rules file and reopens --log; SIGUSR1 is a trigger when\n"
"--trigger SIGUSR1 is given.\n"
"\n"
"  -p, --pid PID[,PID...]    processes to profile\n"
"      --comm NAME           every process named NAME, including ones that\n"
"                            start later (checked every second)\n"
"      --cgroup PATH         every process in a cgroup v2 directory and below\n"
"                            (absolute or under /sys/fs/cgroup; joins and\n"
"                            leaves checked every second)\n"
"      --dir DIR             where windows and index.jsonl go (required)\n"
"      --window TIME         window length (default 60s; e.g. 10s, 5m)\n"
"  -F, --freq HZ             on-CPU sampling frequency (default 19)\n"
"  -c, --collectors LIST     collectors to run (default: all that can drain\n"
"                            per window)\n"
"  -e, --events LIST         hardware counters per path (hwc collector), as in\n"
"                            record\n"
"      --alloc[=malloc]      memory, as in record: kernel allocation events,\n"
"                            or malloc uprobes\n"
"      --alloc-sample N      memory: record one call in N (default 1)\n"
"      --alloc-duty FRACTION memory: fraction of time probes are on (default 1)\n"
"      --rules FILE|NAME     path rules file or built-in set (docs/rules.md)\n"
"      --sla SPEC            path objectives, exported as metrics, repeatable\n"
"      --keep N              keep at most N windows (default 1440; 0: no limit)\n"
"      --max-bytes SIZE      keep at most SIZE of windows (e.g. 2G; default 0:\n"
"                            no limit)\n"
"      --metrics [ADDR:]PORT serve /metrics (loopback unless ADDR is given)\n"
"      --metrics-peers K     export the K costliest peers of each window as\n"
"                            peer labels, the rest as peer=\"other\"\n"
"      --log FILE            log to FILE (appended; reopened on SIGHUP)\n"
"      --trigger SPEC        flight recorder, repeatable: dht.p95>50ms,\n"
"                            gossip.cpu>0.5, verdict, dht.verdict, SIGUSR1;\n"
"                            keeps the window that fired and the one before\n"
"                            in DIR/incidents/TIME-REASON/ with a burst\n"
"      --burst TIME          burst recorded on a trigger (default 10s; 0: none)\n"
"      --burst-freq HZ       the burst's sampling frequency (default 499)\n"
"      --cooldown TIME       at most one incident per TIME (default 5m)\n"
"  -v, --verbose             debug output\n"
"  -h, --help                this text\n"
"\n"
"Exit status: 0 ok, 1 runtime error, 2 usage error.\n";

enum { OPT_COMM = 255, OPT_DIR = 256, OPT_WINDOW, OPT_RULES, OPT_SLA, OPT_KEEP, OPT_MAX_BYTES, OPT_METRICS,
       OPT_TRIGGER, OPT_BURST, OPT_BURST_FREQ, OPT_COOLDOWN, OPT_CGROUP, OPT_LOG,
       OPT_METRICS_PEERS, OPT_ALLOC, OPT_ALLOC_SAMPLE, OPT_ALLOC_DUTY };

static const struct option long_options[] = {
	{ "pid",        required_argument, NULL, 'p' },
	{ "freq",       required_argument, NULL, 'F' },
	{ "collectors", required_argument, NULL, 'c' },
	{ "events",     required_argument, NULL, 'e' },
	{ "verbose",    no_argument,       NULL, 'v' },
	{ "help",       no_argument,       NULL, 'h' },
	{ "dir",        required_argument, NULL, OPT_DIR },
	{ "comm",       required_argument, NULL, OPT_COMM },
	{ "window",     required_argument, NULL, OPT_WINDOW },
	{ "rules",      required_argument, NULL, OPT_RULES },
	{ "sla",        required_argument, NULL, OPT_SLA },
	{ "keep",       required_argument, NULL, OPT_KEEP },
	{ "max-bytes",  required_argument, NULL, OPT_MAX_BYTES },
	{ "metrics",    required_argument, NULL, OPT_METRICS },
	{ "trigger",    required_argument, NULL, OPT_TRIGGER },
	{ "burst",      required_argument, NULL, OPT_BURST },
	{ "burst-freq", required_argument, NULL, OPT_BURST_FREQ },
	{ "cooldown",   required_argument, NULL, OPT_COOLDOWN },
	{ "cgroup",     required_argument, NULL, OPT_CGROUP },
	{ "log",        required_argument, NULL, OPT_LOG },
	{ "metrics-peers", required_argument, NULL, OPT_METRICS_PEERS },
	{ "alloc",      optional_argument, NULL, OPT_ALLOC },
	{ "alloc-sample", required_argument, NULL, OPT_ALLOC_SAMPLE },
	{ "alloc-duty", required_argument, NULL, OPT_ALLOC_DUTY },
	{ NULL, 0, NULL, 0 },
};

struct agent {
	struct record r;
	const char *dir;
	double window_s;
	unsigned keep;
	uint64_t max_bytes;
	const char *metrics_addr;
	const char *comm;		/* --comm: follow every process of that name */
	char cgroup[4096];		/* --cgroup: its directory, "" without */
	const char *log_file;		/* --log: stderr goes there; SIGHUP reopens */
	struct path_rules *rules;	/* what the analysis uses; SIGHUP replaces it */
	struct sla *slas;
	int nr_slas;
	struct agent_http *http;
	struct metrics_state metrics;
	/* cumulative figures at the last window's end, for per-window deltas */
	struct collector_stats last_stats;
	double last_cpu_s;
	double end_cpu_s;		/* own CPU when the last window was done */
	struct agent_flight flight;	/* --trigger: agent-incident.c */
	struct unw_trim unw_trim;	/* the unwinder's store, at its last count */
	bool cut_by_signal;		/* this window ends early for SIGUSR1 */
	int cgroup_err;			/* the last --cgroup scan's, said once */
};

static volatile sig_atomic_t stop_signal, hup_signal, usr1_signal;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		hup_signal = 1;
	else if (sig == SIGUSR1)
		usr1_signal = 1;
	else
		stop_signal = sig;
}

/*
 * The agent's log: always printed (it runs unattended), one line each,
 * with the UTC time, so a journal or a log file says when.
 */
void agent_log(const char *fmt, ...)
{
	char when[32];
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "peerscope: agent: %s ", when);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps_err("agent: %s (see 'peerscope agent --help')", msg);
	return PS_EXIT_USAGE;
}

/* "2G", "500M", "64k", a bare number of bytes. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	*out = v;
	return *end ? -EINVAL : 0;
}

/* "60s", "5m", "2s", "500ms"; a bare number is seconds; at least 500 ms. */
static int parse_window(const char *s, double *out)
{
	if (agent__parse_seconds(s, out, false))
		return -EINVAL;
	return *out >= 0.5 ? 0 : -ERANGE;
}

static int parse_args(struct agent *a, int argc, char **argv)
{
	struct record *r = &a->r;
	const char *bad;
	char why[RECORD_OPTION_MSG];
	size_t off = 0;
	char *end;
	long v;
	int opt, err, idx = 0;	/* the long option getopt matched */

	for (int i = 0; i < argc && off < sizeof(r->cmdline) - 1; i++)
		off += snprintf(r->cmdline + off, sizeof(r->cmdline) - off, "%s%s",
				i ? " " : "peerscope ", argv[i]);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+p:F:c:e:vh", long_options, &idx)) != -1) {
		switch (opt) {
		case 'p':
			err = target__parse(&r->target, optarg, TARGET_MAX_PIDS, &bad);
			if (err)
				return usage_error("bad pid list '%s'", optarg);
			break;
		case 'F':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 100000)
				return usage_error("bad frequency '%s': want an integer number of Hz", optarg);
			r->opts.freq = v;
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
			fputs(usage_text, stdout);
			return -1;
		case OPT_DIR:
			a->dir = optarg;
			break;
		case OPT_COMM:
			if (!*optarg || strchr(optarg, '/'))
				return usage_error("bad --comm '%s': want a process name", optarg);
			a->comm = optarg;
			break;
		case OPT_WINDOW:
			if (parse_window(optarg, &a->window_s))
				return usage_error("bad --window '%s': want e.g. 60s, 5m (at least 500ms)",
						   optarg);
			break;
		case OPT_ALLOC: case OPT_ALLOC_SAMPLE: case OPT_ALLOC_DUTY:
			if (record__alloc_option(&r->opts, long_options[idx].name, optarg, why))
				return usage_error("%s", why);
			break;
		case OPT_RULES:
			r->rules_file = optarg;
			break;
		case OPT_SLA:
			if (r->nr_slas == MAX_SLAS)
				return usage_error("too many --sla: at most %d", MAX_SLAS);
			r->slas[r->nr_slas++] = optarg;
			break;
		case OPT_KEEP:
			v = strtol(optarg, &end, 10);
			if (*end || v < 0)
				return usage_error("bad --keep '%s': want a number of windows", optarg);
			a->keep = v;
			break;
		case OPT_MAX_BYTES:
			if (parse_size(optarg, &a->max_bytes))
				return usage_error("bad --max-bytes '%s': want e.g. 2G, 500M", optarg);
			break;
		case OPT_METRICS:
			a->metrics_addr = optarg;
			break;
		case OPT_CGROUP:
			err = agent_targets__cgroup_dir(optarg, a->cgroup, sizeof(a->cgroup));
			if (err)
				return usage_error("bad --cgroup '%s': %s: want a cgroup v2 directory",
						   optarg, err == -ENOTDIR ? "not cgroup v2"
						   : strerror(-err));
			break;
		case OPT_LOG:
			a->log_file = optarg;
			break;
		case OPT_METRICS_PEERS:
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > METRICS_PEERS_MAX - 1)
				return usage_error("bad --metrics-peers '%s': want 1 to %d", optarg,
						   METRICS_PEERS_MAX - 1);
			a->metrics.peers_k = v;
			break;
		case OPT_TRIGGER: case OPT_BURST: case OPT_BURST_FREQ: case OPT_COOLDOWN:
			if (agent_flight__option(&a->flight, opt - OPT_TRIGGER, optarg, why, sizeof(why)))
				return usage_error("%s", why);
			break;
		default:
			return usage_error("bad option");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!r->target.nr_pids && !a->comm && !a->cgroup[0])
		return usage_error("no target: give -p PID, --comm NAME or --cgroup PATH");
	if (a->cgroup[0] && (r->target.nr_pids || a->comm))
		return usage_error("--cgroup follows its members only: leave out -p and --comm");
	if (!a->dir)
		return usage_error("no directory: give --dir DIR");
	return 0;
}

/* Rules for the analysis; on SIGHUP a bad file keeps the old ones. */
static int load_rules(struct agent *a, bool reload)
{
	struct path_rules *nr;
	char why[256] = "";

	if (!a->r.rules_file) {
		if (reload)
			agent_log("SIGHUP: no --rules file to reread");
		if (!reload)
			a->rules = path_rules__for_pid(a->r.target.pids[0]);
		return 0;
	}
	nr = path_rules__load(a->r.rules_file, why, sizeof(why));
	if (!nr) {
		if (reload) {
			ps_warn("SIGHUP: bad path rules %s: %s: keeping the previous rules",
				a->r.rules_file, why);
			return 0;
		}
		ps_err("agent: bad path rules %s: %s (see docs/rules.md)", a->r.rules_file, why);
		return -EINVAL;
	}
	if (reload) {
		/* the collectors keep the rules they attached with (span probes) */
		agent_log("SIGHUP: reread path rules %s", a->r.rules_file);
		path_rules__free(a->rules);
	}
	a->rules = nr;
	return 0;
}

/* Collectors that cannot start each window empty are left out, aloud. */
static void keep_resettable(struct record *r)
{
	int n = 0;

	for (int i = 0; i < r->nr_coll; i++) {
		struct collector *c = &r->coll[i];

		if (!c->ops->reset) {
			agent_log("collector %s cannot drain per window yet: the agent runs without it",
				c->ops->name);
			if (c->ops->close)
				c->ops->close(c);
			continue;
		}
		r->coll[n++] = *c;
	}
	r->nr_coll = n;
}

/*
 * The unwinder's shared store of user stacks lives as long as the agent:
 * once more than half full, the stacks no collector refers to any more go
 * (collectors/unwinder-trim.h), instead of every new stack falling back to
 * frame pointers when it is full.
 */
static void trim_unwinder_store(struct agent *a)
{
	struct record *r = &a->r;
	struct unw_trim *t = &a->unw_trim;
	struct unw_keep k = {};
	uint32_t held;
	int err;

	if (!r->sm.unw || !unwinder__store_crowded(r->sm.unw, t))
		return;
	held = t->held;
	for (int i = 0; i < r->nr_coll; i++)
		if (r->coll[i].ops->keep_stacks)
			r->coll[i].ops->keep_stacks(&r->coll[i], &k);
	err = unwinder__trim(r->sm.unw, &k, t);
	if (err)
		agent_log("unwind: emptying the user-stack store failed (%s): new stacks may fall back to frame pointers",
			  strerror(-err));
	else
		ps_debug("unwind: user-stack store held %u of %u: %u still referred to, %u deleted",
			 held, t->capacity, t->kept, t->deleted);
	unw_keep__free(&k);
}

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static uint64_t self_rss(void)
{
	unsigned long size, rss = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return (uint64_t)rss * sysconf(_SC_PAGESIZE);
}

static void publish_metrics(struct agent *a)
{
	char *prom = NULL, *om = NULL;
	size_t prom_len = 0, om_len = 0;
	FILE *f;

	if (!a->http)
		return;
	f = open_memstream(&prom, &prom_len);
	if (f) {
		metrics__render(&a->metrics, f, false);
		fclose(f);
	}
	f = open_memstream(&om, &om_len);
	if (f) {
		metrics__render(&a->metrics, f, true);
		fclose(f);
	}
	if (prom && om)
		agent_http__publish(a->http, prom, prom_len, om, om_len);
	free(prom);
	free(om);
}

/* The analysis of a window into its index line and the metrics. */
static void summarize(struct agent *a, const struct profile *p, struct agent_window *w)
{
	struct path_report rep = {};
	struct sla_result res[MAX_SLAS * 4] = {};
	struct verdict *v;
	char *line = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (paths__analyze(p, a->rules, &rep)) {
		ps_warn("window %s: analysing it failed: no index line", w->file);
		return;
	}
	v = calloc(rep.nr_paths ? rep.nr_paths : 1, sizeof(*v));
	if (!v)
		goto free_rep;
	bottleneck__judge(&rep, NULL, v);
	agent_flight__window(&a->flight, &a->r, a->rules, p, &rep, v, w->file, a->cut_by_signal);
	if (a->nr_slas) {
		int n = a->nr_slas < (int)(sizeof(res) / sizeof(res[0])) ? a->nr_slas
			: (int)(sizeof(res) / sizeof(res[0]));

		sla__check(&rep, a->slas, n, res);
		w->slas = a->slas;
		w->sla_res = res;
		w->nr_slas = n;
	}
	f = open_memstream(&line, &len);
	if (f) {
		agent_index__line(f, w, &rep, v);
		fclose(f);
		err = agent_store__append_index(a->dir, line, len);
		if (err)
			ps_warn("cannot append to %s/index.jsonl: %s (check the disk)", a->dir,
				strerror(-err));
	}
	free(line);
	metrics__add_window(&a->metrics, p, w, &rep, v);
	publish_metrics(a);
	free(v);
free_rep:
	paths__free(&rep);
}

/* Drain every collector into one window, reset them, write it; never fatal. */
static void write_window(struct agent *a)
{
	struct record *r = &a->r;
	struct agent_window w = {};
	struct collector_stats t;
	char name[64] = "";
	struct profile *p;
	double cpu, t0 = self_cpu_s(), t2;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &r->t_stop);
	p = profile__new();
	if (!p) {
		ps_warn("out of memory building a window: window lost");
		return;
	}
	p->time_nanos = r->start_wall_ns;
	p->duration_nanos = (int64_t)((r->t_stop.tv_sec - r->t_attached.tv_sec) * 1e9 +
				      (r->t_stop.tv_nsec - r->t_attached.tv_nsec));
	record__read_stats(r);
	for (int i = 0; i < r->nr_coll; i++) {
		err = r->coll[i].ops->drain(&r->coll[i], p);
		if (err)
			ps_warn("%s: reading its maps failed (%s): this window is incomplete",
				r->coll[i].ops->name, strerror(-err));
		err = r->coll[i].ops->reset(&r->coll[i]);
		if (err)
			ps_warn("%s: clearing its maps failed (%s): the next window may repeat data",
				r->coll[i].ops->name, strerror(-err));
	}
	trim_unwinder_store(a);
	if (collectors__finish(p, &r->sm))
		ps_warn("finishing the window failed: its wall column is incomplete");
	if (p->default_type < 0)
		p->default_type = profile__type_index(p, "cpu");
	if (symbolizer__symbolize_profile(r->sym, p) < 0)
		ps_warn("symbolizing failed: frames are raw addresses");
	record__add_records(r, p);

	t = record__total_stats(r);
	cpu = self_cpu_s();
	w.start_ns = r->start_wall_ns;
	w.duration_s = p->duration_nanos / 1e9;
	w.agent_cpu_s = cpu - a->last_cpu_s;
	w.bpf_run_s = (t.bpf_run_ns - a->last_stats.bpf_run_ns) / 1e9;
	w.lost = t.lost - a->last_stats.lost;
	w.map_full = t.map_full - a->last_stats.map_full;
	w.stack_errors = t.stack_errors - a->last_stats.stack_errors;
	w.rss_bytes = self_rss();
	w.targets = r->target.nr_pids;
	a->last_stats = t;
	a->last_cpu_s = cpu;

	err = agent_store__write_window(a->dir, p, r->start_wall_ns, name, sizeof(name));
	if (err) {
		ps_warn("cannot write a window to %s: %s (check the disk; metrics are still served)",
			a->dir, strerror(-err));
	} else {
		w.file = name;
		ps_debug("wrote %s/%s", a->dir, name);
		err = agent_store__retain(a->dir, a->keep, a->max_bytes);
		if (err > 0)
			ps_debug("retention: deleted %d old window(s)", err);
	}
	if (!w.file)
		w.file = "";
	/*
	 * Labelled once, as report labels a loaded recording, after the window
	 * is on disk (the file stays as record writes one): every analysis of
	 * it then reads the same path and path_by (analysis/attribute.h).
	 */
	t2 = self_cpu_s();
	err = paths__label_profile(p, a->rules);
	if (err < 0)
		ps_warn("window %s: labelling its paths failed (%s): analysed from its stacks",
			w.file, strerror(-err));
	summarize(a, p, &w);
	profile__free(p);
	/* where the agent's own CPU goes: the window's work against the loop's */
	cpu = self_cpu_s();
	ps_debug("window: CPU %.1f ms in the loop since the last one, %.1f ms to drain and "
		 "symbolize, %.1f ms to write, %.1f ms to analyse", (t0 - a->end_cpu_s) * 1e3,
		 (a->last_cpu_s - t0) * 1e3, (t2 - a->last_cpu_s) * 1e3, (cpu - t2) * 1e3);
	a->end_cpu_s = cpu;

	/* the next window starts now */
	r->t_attached = r->t_stop;
	r->start_wall_ns += (int64_t)(w.duration_s * 1e9);
}

/* --comm, --cgroup: new processes followed, those gone dropped; said in the log. */
static void find_targets(struct agent *a, bool attached)
{
	int err;

	if (a->comm)
		agent_targets__find_comm(&a->r, a->comm, attached);
	if (!a->cgroup[0])
		return;
	err = agent_targets__scan_cgroup(&a->r, a->cgroup, attached);
	if (err && !a->cgroup_err)
		agent_log("cannot read cgroup %s: %s (keeping the current targets)", a->cgroup,
			  strerror(-err));
	a->cgroup_err = err;
}

/* --log: stderr appended to the file; SIGHUP reopens it (after a logrotate rename). */
static int open_log(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

	if (fd < 0)
		return -errno;
	if (dup2(fd, STDERR_FILENO) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

static void reopen_log(struct agent *a)
{
	int err;

	if (!a->log_file)
		return;
	err = open_log(a->log_file);
	if (err)
		agent_log("SIGHUP: cannot reopen the log %s: %s (logging to the old file)",
			  a->log_file, strerror(-err));
	else
		agent_log("SIGHUP: reopened the log %s", a->log_file);
}

/* ms until the next whole second (the target scan) or the window's end */
static int next_wake_ms(const struct agent *a)
{
	const struct record *r = &a->r;
	struct timespec now;
	double ms, end;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = 1000 - now.tv_nsec / 1e6;
	end = (a->window_s - record__ts_sec(&r->t_attached, &now)) * 1e3;
	if (end < ms)
		ms = end;
	return ms <= 0 ? 0 : (int)ms + 1;	/* + 1: wake past the deadline, not before */
}

/*
 * Sleeps until the next second, the window's end, a ring buffer filling
 * or a signal; once a second drops exited targets and looks for new ones.
 */
static void agent_loop(struct agent *a)
{
	struct record *r = &a->r;
	struct timespec now;
	time_t last_scan = 0;

	while (!stop_signal) {
		record__wait(r, next_wake_ms(a));
		if (hup_signal) {
			hup_signal = 0;
			reopen_log(a);
			load_rules(a, true);
		}
		agent_flight__poll(&a->flight, a->rules);
		if (usr1_signal) {
			usr1_signal = 0;
			/* the incident keeps the window up to now: it ends here */
			a->cut_by_signal = agent_flight__signal(&a->flight);
			if (a->cut_by_signal)
				write_window(a);
			a->cut_by_signal = false;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec != last_scan) {
			agent_targets__drop_exited(r);
			find_targets(a, true);
			last_scan = now.tv_sec;
		}
		if (!r->target.nr_pids && !a->comm && !a->cgroup[0]) {
			agent_log("every target has exited: writing the last window");
			break;
		}
		if ((now.tv_sec - r->t_attached.tv_sec) +
		    (now.tv_nsec - r->t_attached.tv_nsec) / 1e9 >= a->window_s)
			write_window(a);
	}
	write_window(a);
}

static int start(struct agent *a)
{
	struct record *r = &a->r;
	struct symbolizer_opts so = {};
	struct timespec now;
	char why[256];
	int err;

	features__probe(&r->kf);
	/* the kallsyms cache leaves BPF programs out: name them from bpf() */
	bpf_ksyms__register();
	find_targets(a, false);
	if (!r->target.nr_pids) {
		if (a->comm)
			ps_err("agent: no process named '%s' (start it first, or check the name with ps -e)",
			       a->comm);
		else
			ps_err("agent: no process in cgroup %s (start one in it first)", a->cgroup);
		return -ESRCH;
	}
	if (record__check_privileges() || record__check_targets(r))
		return -EPERM;
	if (mkdir(a->dir, 0755) && errno != EEXIST) {
		ps_err("agent: cannot create %s: %s (choose another --dir)", a->dir, strerror(errno));
		return -errno;
	}
	if (access(a->dir, W_OK)) {
		ps_err("agent: cannot write to %s: %s (choose another --dir)", a->dir, strerror(errno));
		return -EACCES;
	}
	err = agent_store__clean_temp(a->dir);
	if (err > 0)
		agent_log("removed %d unfinished window(s) left in %s by a previous run", err, a->dir);
	if (load_rules(a, false))
		return -EINVAL;
	r->opts.rules = a->rules;
	for (int i = 0; i < r->nr_slas; i++) {
		struct sla *s = NULL;
		int n = sla__parse(r->slas[i], &s, why, sizeof(why));
		void *ns;

		if (n < 0) {
			ps_err("agent: bad --sla '%s': %s", r->slas[i], why);
			return n;
		}
		ns = realloc(a->slas, (a->nr_slas + n) * sizeof(*a->slas));
		if (!ns) {
			free(s);
			return -ENOMEM;
		}
		a->slas = ns;
		memcpy(a->slas + a->nr_slas, s, n * sizeof(*s));
		a->nr_slas += n;
		free(s);
	}
	if (a->metrics_addr) {
		err = agent_http__start(&a->http, a->metrics_addr, why, sizeof(why));
		if (err == -ELIBACC || err == -ELIBBAD) {
			ps_err("agent: --metrics needs libmicrohttpd: %s (apt install libmicrohttpd12)",
			       why);
			return err;
		}
		if (err) {
			ps_err("agent: --metrics: %s (choose another port)", why);
			return err;
		}
		publish_metrics(a);
	}
	/* targets come and go: the unwinder's largest table space */
	err = shared_maps__create(&r->sm, r->opts.unwind, NULL);
	if (err) {
		ps_err("agent: creating BPF maps failed: %s (check RLIMIT_MEMLOCK)", strerror(-err));
		return err;
	}
	for (int i = 0; i < r->target.nr_pids; i++)
		shared_maps__add_target(&r->sm, r->target.pids[i]);
	r->sym = symbolizer__new(&so);
	if (!r->sym)
		return -ENOMEM;
	r->opts.drain_s = a->window_s;	/* the cpu maps hold one window */
	err = record__open_collectors(r);
	if (err)
		return err;
	keep_resettable(r);
	if (!r->nr_coll) {
		ps_err("agent: no collector can drain per window here (try -c cpu,offcpu,span)");
		return -EOPNOTSUPP;
	}
	err = record__attach_collectors(r);
	if (err)
		return err;
	for (int i = 0; i < r->target.nr_pids; i++)
		symbolizer__add_pid(r->sym, r->target.pids[i]);
	clock_gettime(CLOCK_MONOTONIC, &r->t_attached);
	r->t_start = r->t_attached;
	clock_gettime(CLOCK_REALTIME, &now);
	r->start_wall_ns = now.tv_sec * 1000000000LL + now.tv_nsec;
	a->last_cpu_s = self_cpu_s();
	err = record__wait_open(r);
	if (err)
		ps_debug("epoll_create1: %s: polling every second", strerror(-err));
	return 0;
}

int cmd_agent(int argc, char **argv)
{
	struct agent a = {
		.r = {
			.opts = { .freq = AGENT_FREQ, .alloc_sample = 1, .alloc_duty = 1.0,
				  .windows = true },
			.sm = { -1, -1, -1, -1 },
			.wait_fd = -1,
		},
		.window_s = AGENT_WINDOW_S,
		.keep = 1440,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	int err, ret = PS_EXIT_ERROR;

	agent_flight__init(&a.flight);
	err = parse_args(&a, argc, argv);
	if (err) {
		target__free(&a.r.target);
		return err < 0 ? PS_EXIT_OK : err;
	}
	a.flight.dir = a.dir;
	if (a.log_file && (err = open_log(a.log_file))) {
		ps_err("agent: cannot open the log %s: %s (choose another --log)", a.log_file,
		       strerror(-err));
		target__free(&a.r.target);
		return PS_EXIT_ERROR;
	}
	libbpf_set_print(record__libbpf_print);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	if (!start(&a)) {
		agent_log("%d process(es), %d collector(s), a window every %gs into %s%s%s",
			a.r.target.nr_pids, a.r.nr_coll, a.window_s, a.dir,
			a.http ? "; metrics on " : "", a.http ? a.metrics_addr : "");
		agent_loop(&a);
		ret = PS_EXIT_OK;
	}
	agent_flight__stop(&a.flight, a.rules);
	agent_http__stop(a.http);
	record__wait_close(&a.r);
	record__close_collectors(&a.r);
	symbolizer__free(a.r.sym);
	shared_maps__destroy(&a.r.sm);
	if (a.rules)
		path_rules__free(a.rules);
	free(a.slas);
	metrics__free(&a.metrics);
	target__free(&a.r.target);
	return ret;
}
