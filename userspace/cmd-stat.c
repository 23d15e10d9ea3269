// SPDX-License-Identifier: MIT
/*
 * peerscope stat: count hardware and software events of a process (every
 * thread, existing and new) or of a command, like perf stat, with events
 * named as libpfm4 names them (docs/stat.md).
 *
 * Before counting, every event is opened once on ourselves: what this
 * machine cannot count is said once, one line per event, and left out
 * (--strict makes that fatal).  Ratios are measured together: events are
 * grouped (core/pmu-metrics.c) and each group leader read with
 * PERF_FORMAT_GROUP; a group the PMU refuses is split into single events.
 * A PID is counted with one counter set per thread (inherit=0; new threads
 * are found by rescanning /proc/PID/task every 100 ms or every interval);
 * a command with one inherited set opened before it execs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/perf_event.h>

#include "builtin.h"
#include "core/log.h"
#include "core/out-file.h"
#include "core/pmu-events.h"
#include "core/pmu-metrics.h"
#include "reports/stat.h"

static const char usage_text[] =
"usage: peerscope stat -p PID [-e EVENT[,EVENT...]] [-d SECONDS] [-I MS] [options]\n"
"       peerscope stat [-e EVENT,...] [options] -- CMD [ARGS...]\n"
"       peerscope stat --list [PATTERN]\n"
"\n"
"Count events of a running process (all its threads, existing and new) or of\n"
"a command, as perf stat does, with derived metrics (IPC, miss rates) and\n"
"top-down level 1 when the CPU offers the events.\n"
"\n"
"  -p, --pid PID            process to count (its threads, existing and new)\n"
"  -e, --events LIST        events, comma separated: any libpfm4 name on this\n"
"                           machine (cycles, instructions, LLC_MISSES,\n"
"                           MEM_LOAD_RETIRED:L3_MISS, ...; modifiers :u :k) or a\n"
"                           perf software event (task-clock, context-switches,\n"
"                           page-faults, cpu-migrations, ...).  Default: task-clock,\n"
"                           context-switches, cpu-migrations, page-faults, cycles,\n"
"                           instructions, branches, branch-misses, cache-references,\n"
"                           cache-misses (+ top-down on Ice Lake and later)\n"
"      --topdown            add the top-down level-1 events of this CPU\n"
"  -d, --duration SECONDS   stop after this long (default: Ctrl-C or the target exits)\n"
"  -I, --interval MS        print counts every MS milliseconds (at least 10)\n"
"      --per-thread         counts of every thread too\n"
"      --json               JSON output, one object per line (docs/stat.md)\n"
"  -o, --output FILE        write results to FILE instead of stdout\n"
"      --strict             an event this machine cannot count is an error (exit 1)\n"
"      --list [PATTERN]     events libpfm4 and perf offer here, with descriptions\n"
"  -v, --verbose            debug output (grouping, encodings)\n"
"  -h, --help               this text\n"
"\n"
"Exit status: 0 counted (unsupported events are skipped with a note), 1 error or\n"
"nothing countable (or --strict with an unsupported event), 2 usage error.\n";

enum {
	OPT_JSON = 256,
	OPT_STRICT,
	OPT_PER_THREAD,
	OPT_LIST,
	OPT_TOPDOWN,
};

static const struct option long_options[] = {
	{ "pid",        required_argument, NULL, 'p' },
	{ "events",     required_argument, NULL, 'e' },
	{ "duration",   required_argument, NULL, 'd' },
	{ "interval",   required_argument, NULL, 'I' },
	{ "output",     required_argument, NULL, 'o' },
	{ "verbose",    no_argument,       NULL, 'v' },
	{ "help",       no_argument,       NULL, 'h' },
	{ "json",       no_argument,       NULL, OPT_JSON },
	{ "strict",     no_argument,       NULL, OPT_STRICT },
	{ "per-thread", no_argument,       NULL, OPT_PER_THREAD },
	{ "list",       no_argument,       NULL, OPT_LIST },
	{ "topdown",    no_argument,       NULL, OPT_TOPDOWN },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int usage_error(const char *msg, const char *arg)
{
	ps_err("stat: %s%s%s (see 'peerscope stat --help')", msg, arg ? " " : "", arg ? arg : "");
	return PS_EXIT_USAGE;
}

static double now_s(const struct stat_cmd *s)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - s->t0.tv_sec) + (t.tv_nsec - s->t0.tv_nsec) / 1e9;
}

static int parse_args(struct stat_cmd *s, int argc, char **argv)
{
	size_t off = 0;
	char *end;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+p:e:d:I:o:vh", long_options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			errno = 0;
			s->pid = strtol(optarg, &end, 10);
			if (errno || *end || s->pid <= 0)
				return usage_error("bad pid", optarg);
			break;
		case 'e':
			s->events = optarg;
			break;
		case 'd':
			errno = 0;
			s->duration = strtod(optarg, &end);
			if (errno || *end || end == optarg || s->duration <= 0)
				return usage_error("bad duration: want seconds > 0, not", optarg);
			break;
		case 'I':
			errno = 0;
			s->interval_ms = strtol(optarg, &end, 10);
			if (errno || *end || s->interval_ms < 10)
				return usage_error("bad interval: want milliseconds >= 10, not", optarg);
			break;
		case 'o':
			s->output = optarg;
			break;
		case 'v':
			ps_verbose = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case OPT_JSON:
			s->json = true;
			break;
		case OPT_STRICT:
			s->strict = true;
			break;
		case OPT_PER_THREAD:
			s->per_thread = true;
			break;
		case OPT_LIST:
			s->list = true;
			break;
		case OPT_TOPDOWN:
			s->topdown = true;
			break;
		default:
			return usage_error("bad option", NULL);
		}
	}
	if (s->list) {
		if (optind < argc)
			s->list_pattern = argv[optind++];
		if (optind < argc)
			return usage_error("unexpected argument", argv[optind]);
		return 0;
	}
	/* getopt stops at "--" or at the first non-option: the command */
	if (optind < argc)
		s->cmd = &argv[optind];
	if (s->cmd && s->pid)
		return usage_error("give -p PID or a command after --, not both", NULL);
	if (!s->cmd && !s->pid)
		return usage_error("no target: give -p PID or -- CMD", NULL);
	for (int i = 0; s->cmd && s->cmd[i] && off < sizeof(s->cmdline) - 1; i++)
		off += snprintf(s->cmdline + off, sizeof(s->cmdline) - off, "%s%s", i ? " " : "",
				s->cmd[i]);
	return 0;
}

/* The event list: -e, or the defaults (+ top-down where the CPU has it). */
static struct pmu_count count_delta(const struct pmu_count *a, const struct pmu_count *b)
{
	return (struct pmu_count){ a->value - b->value, a->enabled - b->enabled,
				   a->running - b->running };
}

/* Build the view (totals over sets) of cur, or of cur - prev for intervals. */
static void show(struct stat_cmd *s, double start, double end, bool interval, bool header)
{
	struct stat_event ev[PMU_MAX_EVENTS];
	struct stat_thread *thr = NULL;
	double *vals = NULL;
	struct stat_view v = {
		.pid = s->cmd ? s->child : s->pid,
		.command = s->cmd ? s->cmdline : NULL,
		.interval = interval,
		.start_s = start,
		.end_s = end,
		.nr_threads_seen = s->cmd ? 0 : s->nr_sets,
		.nr_events = s->nr_ev,
		.ev = ev,
	};

	if (s->per_thread && s->nr_sets) {
		thr = calloc(s->nr_sets, sizeof(*thr));
		vals = calloc((size_t)s->nr_sets * s->nr_ev, sizeof(*vals));
		if (!thr || !vals) {
			free(thr);
			free(vals);
			thr = NULL;
			vals = NULL;
		}
	}
	for (int i = 0; i < s->nr_ev; i++) {
		struct stat_event *e = &ev[i];
		uint64_t ena = 0, run = 0;

		*e = (struct stat_event){
			.name = s->ev[i].name, .base = s->ev[i].base, .software = s->ev[i].software,
			.supported = s->supported[i], .why = s->why[i],
		};
		for (int t = 0; t < s->nr_sets; t++) {
			struct counter_set *c = &s->sets[t];
			struct pmu_count d = interval ? count_delta(&c->cur[i], &c->prev[i]) : c->cur[i];
			double scaled = pmu_scale(&d, NULL);

			e->count.value += d.value;
			ena += d.enabled;
			run += d.running;
			e->value += scaled;
			if (vals)
				vals[(size_t)t * s->nr_ev + i] = scaled;
		}
		e->count.enabled = ena;
		e->count.running = run;
		e->pct = ena ? 100.0 * run / ena : 100;
	}
	if (thr) {
		for (int t = 0; t < s->nr_sets; t++)
			thr[t] = (struct stat_thread){ s->sets[t].tid, s->sets[t].comm,
						       s->sets[t].exited,
						       &vals[(size_t)t * s->nr_ev] };
		v.nr_threads = s->nr_sets;
		v.thr = thr;
	}
	if (s->json)
		stat__print_json(s->out, &v);
	else if (interval)
		stat__print_interval_text(s->out, &v, header);
	else
		stat__print_text(s->out, &v);
	free(thr);
	free(vals);
}

static void snapshot_prev(struct stat_cmd *s)
{
	for (int t = 0; t < s->nr_sets; t++)
		memcpy(s->sets[t].prev, s->sets[t].cur, sizeof(s->sets[t].prev));
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Count -p PID until -d, a signal, or the process exits. */
static int count_pid(struct stat_cmd *s)
{
	int tick = s->interval_ms && s->interval_ms < TICK_MS ? s->interval_ms : TICK_MS;
	double last_iv = 0, t;
	bool header = true;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	err = stat_scan_threads(s);
	if (err) {
		ps_err("stat: no such process: %d (check the pid with ps)", s->pid);
		return PS_EXIT_ERROR;
	}
	ps_info("counting process %d (%d threads)%s", s->pid, s->nr_sets,
		s->duration ? "" : "; Ctrl-C to stop");
	while (!stop_signal) {
		sleep_ms(tick);
		t = now_s(s);
		if (stat_scan_threads(s)) {
			/* the process is gone: its threads' final values are kept */
			for (int i = 0; i < s->nr_sets; i++) {
				if (s->sets[i].exited)
					continue;
				stat_read_set(s, &s->sets[i]);
				stat_close_fds(s->sets[i].fd, s->nr_ev);
				s->sets[i].exited = true;
			}
			break;
		}
		if (s->interval_ms && (t - last_iv) * 1000 >= s->interval_ms - tick / 2) {
			for (int i = 0; i < s->nr_sets; i++)
				if (!s->sets[i].exited)
					stat_read_set(s, &s->sets[i]);
			show(s, last_iv, t, true, header);
			header = false;
			snapshot_prev(s);
			last_iv = t;
		}
		if (s->duration && t >= s->duration)
			break;
	}
	t = now_s(s);
	for (int i = 0; i < s->nr_sets; i++) {
		if (!s->sets[i].exited)
			stat_read_set(s, &s->sets[i]);
	}
	show(s, 0, t, false, false);
	return PS_EXIT_OK;
}

/* Run CMD with inherited counters that start at its exec. */
static int count_command(struct stat_cmd *s)
{
	int go[2], status = 0, ret = PS_EXIT_OK;
	double last_iv = 0, t;
	bool header = true, exited = false;
	struct counter_set *c;
	char b = 0;

	if (pipe2(go, O_CLOEXEC)) {
		ps_err("stat: pipe: %s (out of file descriptors?)", strerror(errno));
		return PS_EXIT_ERROR;
	}
	fflush(NULL);
	s->child = fork();
	if (s->child < 0) {
		ps_err("stat: fork: %s (too many processes?)", strerror(errno));
		return PS_EXIT_ERROR;
	}
	if (!s->child) {
		close(go[1]);
		/* wait until the counters are open; EOF means the parent gave up */
		if (read(go[0], &b, 1) != 1)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(s->cmd[0], s->cmd);
		fprintf(stderr, "peerscope: stat: cannot run %s: %s (check the command and PATH)\n",
			s->cmd[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	c = stat_add_set(s, s->child);
	if (!c || stat_open_set(s, c)) {
		close(go[1]);
		waitpid(s->child, NULL, 0);
		ps_err("stat: opening the counters on the command failed (run with -v)");
		return PS_EXIT_ERROR;
	}
	snprintf(c->comm, sizeof(c->comm), "%.15s", s->cmd[0]);
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	if (write(go[1], &b, 1) != 1) {
		ps_err("stat: starting the command failed: %s", strerror(errno));
		ret = PS_EXIT_ERROR;
	}
	close(go[1]);
	while (!exited) {
		int tick = s->interval_ms && s->interval_ms < TICK_MS ? s->interval_ms : TICK_MS;
		pid_t w;

		if (stop_signal) {
			/* pass Ctrl-C/TERM on; count until the command is gone */
			kill(s->child, stop_signal);
			stop_signal = 0;
		}
		w = waitpid(s->child, &status, WNOHANG);
		if (w == s->child) {
			exited = true;
			break;
		}
		sleep_ms(tick);
		t = now_s(s);
		if (s->interval_ms && (t - last_iv) * 1000 >= s->interval_ms - tick / 2) {
			stat_read_set(s, c);
			show(s, last_iv, t, true, header);
			header = false;
			snapshot_prev(s);
			last_iv = t;
		}
		if (s->duration && t >= s->duration)
			break;	/* stop counting; the command keeps running */
	}
	t = now_s(s);
	stat_read_set(s, c);
	show(s, 0, t, false, false);
	if (exited && WIFEXITED(status) && WEXITSTATUS(status))
		ps_info("the command exited with status %d", WEXITSTATUS(status));
	else if (exited && WIFSIGNALED(status))
		ps_info("the command was killed by signal %d", WTERMSIG(status));
	return ret;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	/* one fd per event per thread adds up on busy nodes */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int cmd_stat(int argc, char **argv)
{
	struct stat_cmd s = { .out = stdout };
	struct out_file of;
	struct sigaction sa = { .sa_handler = on_signal };
	int err, unsupported, counted;

	err = parse_args(&s, argc, argv);
	if (err)
		return err < 0 ? PS_EXIT_OK : err;
	if (pmu_events__init())
		ps_debug("stat: libpfm4 did not initialise: only perf's own event names work");
	if (s.list) {
		if (!pmu_events__list(stdout, s.list_pattern) && s.list_pattern)
			fprintf(stderr, "peerscope: stat: no event matches '%s'\n", s.list_pattern);
		pmu_events__fini();
		return PS_EXIT_OK;
	}
	err = stat_build_events(&s);
	if (err)
		goto fini;
	s.inherit = s.cmd != NULL;
	/* a wrong pid is the first thing to hear about, before event notes */
	if (s.pid && kill(s.pid, 0) && errno == ESRCH) {
		ps_err("stat: no such process: %d (check the pid with ps)", s.pid);
		err = PS_EXIT_ERROR;
		goto fini;
	}
	unsupported = stat_probe_events(&s);
	counted = s.nr_ev - unsupported;
	if (unsupported && s.strict) {
		ps_err("stat: %d event(s) cannot be counted on this machine and --strict is set "
		       "(drop them from -e)", unsupported);
		err = PS_EXIT_ERROR;
		goto fini;
	}
	if (!counted) {
		ps_err("stat: no event in the list can be counted on this machine (software events "
		       "such as task-clock always can)");
		err = PS_EXIT_ERROR;
		goto fini;
	}
	if (s.output) {
		int oerr = out_file__open(&of, s.output);

		if (oerr) {
			ps_err("stat: cannot write %s: %s (choose another file with -o)", s.output,
			       strerror(-oerr));
			err = PS_EXIT_ERROR;
			goto fini;
		}
		s.out = of.f;
	}
	raise_nofile();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = s.cmd ? count_command(&s) : count_pid(&s);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (s.output) {
		int cerr = out_file__close(&of, true);

		if (cerr) {
			ps_err("stat: writing %s failed: %s (check the disk)", s.output,
			       strerror(-cerr));
			err = PS_EXIT_ERROR;
		}
	}
	for (int i = 0; i < s.nr_sets; i++)
		stat_close_fds(s.sets[i].fd, s.nr_ev);
	free(s.sets);
fini:
	pmu_events__fini();
	return err;
}
