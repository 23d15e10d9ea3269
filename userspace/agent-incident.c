// SPDX-License-Identifier: MIT
/*
 * The agent's flight recorder (builtin.h): triggers judged on each window,
 * and an incident when one fires: DIR/incidents/TIME-REASON/ with the
 * window that fired and the one before (hard links, so retention never
 * takes them), a high-resolution burst recorded by a `peerscope record`
 * child (its own collectors at --burst-freq, so the agent's windows go on
 * undisturbed and none is lost), and report.txt / report.json, written
 * when the trigger fires and again with the burst's analysis when it ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "builtin.h"
#include "core/out-file.h"
#include "core/profile.h"
#include "core/rules.h"
#include "format/recording.h"
#include "analysis/paths.h"
#include "analysis/verdicts.h"
#include "reports/incident.h"
#include "reports/paths-render.h"

#define BURST_S_DEFAULT		10
#define BURST_FREQ_DEFAULT	499
#define COOLDOWN_S_DEFAULT	300
#define BURST_STOP_WAIT_MS	5000	/* at exit: how long a burst may take to write */
#define BURST_FILE		"burst.pb.gz"

/* One incident, kept while its burst records. */
struct incident_state {
	char dir[4096];
	char name[128];
	struct trigger_fire fire;
	struct trigger sig_trigger;	/* fire.t of a SIGUSR1 incident points here */
	int64_t time_ns;
	char previous[64], current[64];
	pid_t burst_pid;		/* 0: none running */
	bool burst_started;		/* burst.pb.gz is (or was) being written */
	char burst_state[160];
	char *window_text, *window_json, *burst_text, *burst_json;
	double burst_s;
	int burst_freq;
};

void agent_flight__init(struct agent_flight *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->burst_s = BURST_S_DEFAULT;
	fl->burst_freq = BURST_FREQ_DEFAULT;
	fl->cooldown_s = COOLDOWN_S_DEFAULT;
}

int agent__parse_seconds(const char *s, double *out, bool zero_ok)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v >= 0) || v > 86400 * 365)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		v /= 1000;
	else if (!strcmp(end, "m"))
		v *= 60;
	else if (!strcmp(end, "h"))
		v *= 3600;
	else if (*end && strcmp(end, "s"))
		return -EINVAL;
	if (!v && !zero_ok)
		return -EINVAL;
	*out = v;
	return 0;
}

int agent_flight__option(struct agent_flight *fl, enum agent_flight_opt opt, const char *arg,
			 char *err, size_t len)
{
	char *end;
	long v;

	switch (opt) {
	case FLIGHT_TRIGGER:
		if (fl->nr_trig == AGENT_MAX_TRIGGERS) {
			snprintf(err, len, "too many --trigger: at most %d", AGENT_MAX_TRIGGERS);
			return -EINVAL;
		}
		if (trigger__parse(arg, &fl->trig[fl->nr_trig], err, len))
			return -EINVAL;
		fl->nr_trig++;
		return 0;
	case FLIGHT_BURST:
		if (agent__parse_seconds(arg, &fl->burst_s, true) || fl->burst_s > 3600) {
			snprintf(err, len, "bad --burst '%s': want e.g. 10s, up to 1h (0: no burst)", arg);
			return -EINVAL;
		}
		return 0;
	case FLIGHT_BURST_FREQ:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 1 || v > 100000) {
			snprintf(err, len, "bad --burst-freq '%s': want an integer number of Hz", arg);
			return -EINVAL;
		}
		fl->burst_freq = v;
		return 0;
	case FLIGHT_COOLDOWN:
		if (agent__parse_seconds(arg, &fl->cooldown_s, true)) {
			snprintf(err, len, "bad --cooldown '%s': want e.g. 5m, 30s (0: none)", arg);
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

static double since_s(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Seconds of cooldown left (0: an incident may start), said in the log if not. */
static bool may_start(struct agent_flight *fl, const char *what)
{
	double left = fl->had_incident ? fl->cooldown_s - since_s(&fl->last) : 0;

	if (fl->open && fl->open->burst_pid) {
		agent_log("%s: the last incident's burst is still recording: no incident", what);
		return false;
	}
	if (left > 0) {
		agent_log("%s: in the cooldown (%.0f s left): no incident", what, left);
		return false;
	}
	return true;
}

bool agent_flight__signal(struct agent_flight *fl)
{
	for (int i = 0; i < fl->nr_trig; i++) {
		if (fl->trig[i].kind == TRIG_SIGNAL)
			return may_start(fl, "SIGUSR1");
	}
	agent_log("SIGUSR1: not a trigger (give --trigger SIGUSR1): ignored");
	return false;
}

static char *render(void (*fn)(FILE *, const struct paths_view *), const struct paths_view *pv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fn(f, pv);
	fclose(f);
	return buf;
}

static void render_text(FILE *f, const struct paths_view *pv)
{
	paths_render__text(f, pv, false, false, 100);
}

/* The paths sections of an analysed profile, as the report prints them. */
static void render_sections(const struct profile *p, const struct path_rules *rules,
			    const struct path_report *rep, const struct verdict *v,
			    char **text, char **json)
{
	struct paths_view pv = { .p = p, .rules = rules, .rep = rep, .v = v };

	*text = render(render_text, &pv);
	*json = render(paths_render__json, &pv);
}

static void write_one(struct incident_state *in, const char *name,
		      void (*fn)(FILE *, const struct incident_view *),
		      const struct incident_view *iv)
{
	char path[4200];
	struct out_file o;
	int err;

	snprintf(path, sizeof(path), "%s/%s", in->dir, name);
	err = out_file__open(&o, path);
	if (!err) {
		fn(o.f, iv);
		err = out_file__close(&o, !ferror(o.f));
	}
	if (err)
		agent_log("incident %s: cannot write %s: %s (check the disk)", in->name, name,
			  strerror(-err));
}

static void write_reports(struct incident_state *in)
{
	struct incident_view iv = {
		.name = in->name, .time_ns = in->time_ns, .fire = &in->fire,
		.previous = in->previous, .current = in->current,
		.burst_s = in->burst_s, .burst_freq = in->burst_freq,
		.burst_file = in->burst_started ? BURST_FILE : "",
		.burst_state = in->burst_state,
		.window_text = in->window_text, .window_json = in->window_json,
		.burst_text = in->burst_text, .burst_json = in->burst_json,
	};

	write_one(in, "report.txt", incident__text, &iv);
	write_one(in, "report.json", incident__json, &iv);
}

static void incident_free(struct incident_state *in)
{
	if (!in)
		return;
	free(in->window_text);
	free(in->window_json);
	free(in->burst_text);
	free(in->burst_json);
	free(in);
}

/* DIR/incidents/TIME-REASON, made unique with -2, -3 ... */
static int make_dir(struct agent_flight *fl, struct incident_state *in)
{
	char base[3900], when[32];
	time_t t = in->time_ns / 1000000000LL;
	struct tm tm;

	snprintf(base, sizeof(base), "%s/incidents", fl->dir);
	if (mkdir(base, 0755) && errno != EEXIST)
		return -errno;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	for (int n = 1; n < 100; n++) {
		if (n == 1)
			snprintf(in->name, sizeof(in->name), "%s-%s", when, in->fire.reason);
		else
			snprintf(in->name, sizeof(in->name), "%s-%s-%d", when, in->fire.reason, n);
		snprintf(in->dir, sizeof(in->dir), "%s/%s", base, in->name);
		if (!mkdir(in->dir, 0755))
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* A window file linked into the incident (a copy is never needed: same directory tree). */
static void keep_window(struct agent_flight *fl, struct incident_state *in, const char *file,
			char *kept, size_t len)
{
	char from[4200], to[4200];

	kept[0] = '\0';
	if (!*file)
		return;
	snprintf(from, sizeof(from), "%s/%s", fl->dir, file);
	snprintf(to, sizeof(to), "%s/%s", in->dir, file);
	if (link(from, to))
		agent_log("incident %s: cannot keep window %s: %s", in->name, file, strerror(errno));
	else
		snprintf(kept, len, "%s", file);
}

/* `peerscope record` of the agent's targets and collectors into the incident. */
static pid_t start_burst(const struct record *r, struct incident_state *in, double secs, int freq)
{
	char pids[TARGET_MAX_PIDS * 11 + 1] = "", colls[256] = "", hz[16], dur[32];
	char out[4200], log[4200];
	const char *argv[20];
	size_t off = 0;
	int a = 0;
	pid_t pid;

	for (int i = 0; i < r->target.nr_pids && off < sizeof(pids) - 12; i++)
		off += snprintf(pids + off, sizeof(pids) - off, "%s%u", i ? "," : "",
				r->target.pids[i]);
	off = 0;
	for (int i = 0; i < r->nr_coll && off < sizeof(colls) - 32; i++)
		off += snprintf(colls + off, sizeof(colls) - off, "%s%s", i ? "," : "",
				r->coll[i].ops->name);
	snprintf(hz, sizeof(hz), "%d", freq);
	snprintf(dur, sizeof(dur), "%.3f", secs);
	snprintf(out, sizeof(out), "%s/" BURST_FILE, in->dir);
	snprintf(log, sizeof(log), "%s/burst.log", in->dir);
	argv[a++] = "peerscope";
	argv[a++] = "record";
	argv[a++] = "-p"; argv[a++] = pids;
	argv[a++] = "-F"; argv[a++] = hz;
	argv[a++] = "-d"; argv[a++] = dur;
	argv[a++] = "-o"; argv[a++] = out;
	if (*colls) {
		argv[a++] = "-c"; argv[a++] = colls;
	}
	if (r->rules_file) {
		argv[a++] = "--rules"; argv[a++] = r->rules_file;
	}
	argv[a] = NULL;
	pid = fork();
	if (pid == 0) {
		/* only async-signal-safe calls until exec: the agent has threads */
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int nul = open("/dev/null", O_RDONLY);

		if (fd < 0 || nul < 0)
			_exit(126);
		dup2(nul, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		/* an agent killed even by SIGKILL still gets its burst written */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		syscall(SYS_close_range, 3, ~0U, 0);
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static void start_incident(struct agent_flight *fl, const struct record *r,
			   const struct path_rules *rules, const struct profile *p,
			   const struct path_report *rep, const struct verdict *v,
			   const struct trigger_fire *fire, const char *file)
{
	struct incident_state *in = calloc(1, sizeof(*in));
	struct timespec now;
	int err;

	if (!in) {
		agent_log("%s: out of memory: no incident", fire->text);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	in->time_ns = now.tv_sec * 1000000000LL + now.tv_nsec;
	in->fire = *fire;
	if (fire->t->kind == TRIG_SIGNAL) {
		in->sig_trigger = *fire->t;
		in->fire.t = &in->sig_trigger;
	}
	in->burst_s = fl->burst_s;
	in->burst_freq = fl->burst_freq;
	err = make_dir(fl, in);
	if (err) {
		agent_log("%s: cannot create an incident in %s/incidents: %s (check the disk)",
			  fire->text, fl->dir, strerror(-err));
		incident_free(in);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &fl->last);
	fl->had_incident = true;
	keep_window(fl, in, fl->prev_window, in->previous, sizeof(in->previous));
	keep_window(fl, in, file, in->current, sizeof(in->current));
	render_sections(p, rules, rep, v, &in->window_text, &in->window_json);
	if (fl->burst_s > 0) {
		in->burst_pid = start_burst(r, in, fl->burst_s, fl->burst_freq);
		if (in->burst_pid < 0) {
			snprintf(in->burst_state, sizeof(in->burst_state), "failed: fork: %s",
				 strerror(errno));
			in->burst_pid = 0;
		} else {
			in->burst_started = true;
			snprintf(in->burst_state, sizeof(in->burst_state), "recording");
		}
	} else {
		snprintf(in->burst_state, sizeof(in->burst_state), "--burst 0");
	}
	write_reports(in);
	agent_log("incident %s: %s; windows kept, %s", in->name, fire->text,
		  in->burst_pid ? "burst recording" : in->burst_state);
	incident_free(fl->open);
	fl->open = in;
}

void agent_flight__window(struct agent_flight *fl, const struct record *r,
			  const struct path_rules *rules, const struct profile *p,
			  const struct path_report *rep, const struct verdict *v,
			  const char *file, bool sig)
{
	struct trigger_fire fire;
	int i = -1;

	if (sig) {
		for (i = 0; i < fl->nr_trig && fl->trig[i].kind != TRIG_SIGNAL; i++)
			;
		if (i < fl->nr_trig)
			trigger__signal(&fl->trig[i], &fire);
		else
			i = -1;
	}
	if (i < 0)
		i = trigger__first(fl->trig, fl->nr_trig, rep, v, &fl->state, &fire);
	if (i >= 0 && (sig || may_start(fl, fire.text)))
		start_incident(fl, r, rules, p, rep, v, &fire, file);
	trigger_state__update(&fl->state, rep, v);
	snprintf(fl->prev_window, sizeof(fl->prev_window), "%s", file);
}

/* The burst's recording analysed into the report, or why there is none. */
static void finish_burst(struct incident_state *in, int status, const struct path_rules *rules)
{
	char path[4200];
	struct path_report rep = {};
	struct profile *p = NULL;
	struct verdict *v = NULL;
	const char *what;
	int err;

	in->burst_pid = 0;
	snprintf(path, sizeof(path), "%s/" BURST_FILE, in->dir);
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		snprintf(in->burst_state, sizeof(in->burst_state),
			 "failed: record %s %d (see burst.log)",
			 WIFEXITED(status) ? "exited" : "killed by signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	} else if ((err = recording__load(path, &p, &what)) < 0) {
		snprintf(in->burst_state, sizeof(in->burst_state), "failed: reading it: %s",
			 strerror(-err));
	} else if (paths__label_profile(p, rules) < 0 || paths__analyze(p, rules, &rep) ||
		   !(v = calloc(rep.nr_paths ? rep.nr_paths : 1, sizeof(*v)))) {
		snprintf(in->burst_state, sizeof(in->burst_state), "failed: analysing it");
	} else {
		bottleneck__judge(&rep, NULL, v);
		render_sections(p, rules, &rep, v, &in->burst_text, &in->burst_json);
		snprintf(in->burst_state, sizeof(in->burst_state), "done");
	}
	free(v);
	paths__free(&rep);
	profile__free(p);
	write_reports(in);
	agent_log("incident %s: burst %s", in->name, in->burst_state);
}

void agent_flight__poll(struct agent_flight *fl, const struct path_rules *rules)
{
	struct incident_state *in = fl->open;
	int status;

	if (!in || !in->burst_pid || waitpid(in->burst_pid, &status, WNOHANG) != in->burst_pid)
		return;
	finish_burst(in, status, rules);
}

void agent_flight__stop(struct agent_flight *fl, const struct path_rules *rules)
{
	struct incident_state *in = fl->open;
	int status;

	if (in && in->burst_pid) {
		/* record writes what it has on SIGINT */
		kill(in->burst_pid, SIGINT);
		for (int ms = 0; ms < BURST_STOP_WAIT_MS; ms += 50) {
			if (waitpid(in->burst_pid, &status, WNOHANG) == in->burst_pid) {
				finish_burst(in, status, rules);
				break;
			}
			usleep(50000);
		}
		if (in->burst_pid) {
			kill(in->burst_pid, SIGKILL);
			waitpid(in->burst_pid, &status, 0);
			finish_burst(in, status, rules);
		}
	}
	incident_free(fl->open);
	fl->open = NULL;
}
