/* SPDX-License-Identifier: MIT */
/* The subcommands (one cmd-<name>.c each, listed in main.c) and what they share. */
#ifndef PEERSCOPE_BUILTIN_H
#define PEERSCOPE_BUILTIN_H

int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_flame(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_agent(int argc, char **argv);

/*
 * What report, flame and diff share to read their command line and their
 * recordings (open-recording.c).  Their steps return CMD_GO_ON to go on, or
 * the exit code.
 */
#define CMD_GO_ON (-1)
struct option;
struct profile;
/*
 * getopt_long over argv for command cmd: -h prints usage (exit 0), an
 * unknown option points at --help (exit 2), any other is handed to
 * opt(c, ctx) until it returns other than CMD_GO_ON; returns that, or
 * CMD_GO_ON with optind at the first operand.
 */
int cmd__options(int argc, char **argv, const char *cmd, const char *usage,
		 const char *short_opts, const struct option *long_opts,
		 int (*opt)(int c, void *ctx), void *ctx);
/*
 * Reads file into *p (*what: "pprof", "folded"; an agent directory: its
 * windows of the last since_s seconds merged, "agent windows") and, when type_idx is not
 * NULL, chooses its sample column by type (NULL: the default), saying what
 * went wrong as command cmd ("report: cannot read ...").
 */
/*
 * An agent directory (peerscope agent --dir) read as one recording: its
 * windows that started in the last since_s seconds (0: all), merged.
 */
int cmd__load_dir(const char *cmd, const char *dir, double since_s, struct profile **p);
int cmd__load(const char *cmd, const char *file, const char *type, double since_s,
	      struct profile **p, const char **what, int *type_idx);
/* cmd__load's choice of the sample column, alone: CMD_GO_ON or the exit code */
int cmd__pick_type(const char *cmd, const char *file, const struct profile *p,
		   const char *type, int *type_idx);
/* Keeps the samples of one path (--path) of a labelled profile, as command cmd. */
int cmd__select_path(const char *cmd, struct profile **p, const char *path);

/*
 * A recording session as `record` and `agent` share it: the collectors
 * opened and attached once, their stats, and the records that describe a
 * recording (meta, stats, overhead).  Implemented in record-session.c;
 * record's command line in record-args.c, its run in cmd-record.c.
 */
#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "collectors/collector.h"
#include "collectors/features.h"
#include "collectors/record-opts.h"
#include "collectors/shared-maps.h"
#include "core/target.h"

#define MAX_COLLECTORS	16
#define MAX_SLAS	16
#define RECORD_DEFAULT_OUTPUT	"peerscope.pb.gz"
#define RECORD_DEFAULT_FREQ	99

struct profile;
struct symbolizer;

struct record {
	struct record_opts opts;
	struct target target;
	const char *output;
	const char *fallback_output;	/* a second -o: where to write when -o fails */
	const char *collectors;	/* -c, NULL = default set */
	const char *rules_file;
	const char *slas[MAX_SLAS];
	int nr_slas;
	char cmdline[512];
	char *port_rules;	/* --port values joined by commas */

	struct kernel_features kf;
	struct shared_maps sm;
	struct symbolizer *sym;
	struct collector coll[MAX_COLLECTORS];
	int nr_coll;

	struct timespec t_start, t_attached, t_stop;
	int64_t start_wall_ns;
	/* what collectors flushed while recording; the drain adds the rest */
	struct profile *profile;
	/* each target as it was once attached, and as last seen (record-notes.c) */
	struct target_state *at_attach;
	struct target_watch *watch;
	/* what the loop sleeps on (record-wait.c): -1 until record__wait_open */
	int wait_fd;
	int *exit_fds;		/* pidfds of targets whose exit wakes it */
	int nr_exit_fds;
};

/*
 * A target's image as last seen while recording: an exec is caught while
 * the new image lives, so its maps are read even if it exits before the
 * end (then its frames would be unnamed and the exec unsaid).
 */
struct target_watch {
	char exe[256];
	int refresh_polls;	/* polls left that re-read its maps after an exec */
};

/* seconds from a to b (CLOCK_MONOTONIC readings) */
static inline double record__ts_sec(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * record's options into r (defaults already set): 0, -1 after --help, or
 * PS_EXIT_USAGE after saying what is wrong.
 */
int record__parse_args(struct record *r, int argc, char **argv);
/*
 * --alloc[=MODE], --alloc-sample N, --alloc-duty FRACTION (name without
 * the dashes) into o, for record and the agent alike: NULL, or msg (of
 * RECORD_OPTION_MSG bytes) filled with what the usage error says.
 */
#define RECORD_OPTION_MSG 256
const char *record__alloc_option(struct record_opts *o, const char *name, const char *arg,
				 char *msg);
/* notes on targets: gone by the end of attach; exec'd or forked by the stop */
/* each poll: a target that exec'd has its new image's maps read now */
void record__watch_targets(struct record *r);
void record__note_attached(struct record *r);
void record__note_changes(const struct record *r);
/*
 * The loop's sleep (record-wait.c): an epoll set of the collectors' wait
 * fds, opened after they attach; record__wait_exit makes pid's exit wake
 * it (a pidfd; a negative errno on kernels without one, which only
 * delays noticing the exit to the next poll).  record__wait sleeps up to
 * timeout_ms, less when a fd turns readable or a signal comes, then polls
 * every collector.
 */
int record__wait_open(struct record *r);
int record__wait_exit(struct record *r, uint32_t pid);
void record__wait(struct record *r, int timeout_ms);
void record__wait_close(struct record *r);
int record__libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap);
/* root, or CAP_BPF + CAP_PERFMON; says what is missing */
int record__check_privileges(void);
/* every -p pid exists; threads become their process */
int record__check_targets(struct record *r);
/* the supported collectors of r->collectors (NULL: the defaults), opened */
int record__open_collectors(struct record *r);
int record__attach_collectors(struct record *r);
void record__close_collectors(struct record *r);
void record__read_stats(struct record *r);
struct collector_stats record__total_stats(const struct record *r);
/* meta, sla, rules, stats and overhead records of a recording */
void record__add_records(struct record *r, struct profile *p);

/*
 * peerscope agent's pieces besides its loop (cmd-agent.c): the window
 * store in DIR (agent-store.c) and the /metrics endpoint (agent-http.c).
 */
#include <stddef.h>
#include <stdint.h>

struct profile;

/*
 * Writes p as DIR/NAME atomically (temporary file, fsync, rename, fsync of
 * the directory); NAME is made from start_ns (UTC, sorts by time) and
 * returned in name.  0 or a negative errno.
 */
int agent_store__write_window(const char *dir, const struct profile *p, int64_t start_ns,
			      char *name, size_t len);
/*
 * Deletes the temporary files a killed agent left in DIR (never a window:
 * those appear only by rename); returns how many or a negative errno.
 */
int agent_store__clean_temp(const char *dir);
/*
 * The agent's window files in dir that started at or after since_ns, oldest
 * first (*names: strdup'ed names, free with agent_store__free_list), and
 * the start of the newest window there (-1 if none).  0 or negative errno.
 */
int agent_store__list(const char *dir, int64_t since_ns, char ***names, size_t *nr,
		      int64_t *newest_ns);
void agent_store__free_list(char **names, size_t nr);
/* Appends one line (with its newline) to DIR/index.jsonl, fsynced. */
int agent_store__append_index(const char *dir, const char *line, size_t len);
/*
 * Deletes the oldest window files of DIR while there are more than keep
 * (0: no limit) or they hold more than max_bytes (0: no limit); the newest
 * stays.  Returns how many were deleted or a negative errno.
 */
int agent_store__retain(const char *dir, unsigned keep, uint64_t max_bytes);

struct agent_http;
/*
 * Serves GET /metrics on addr ("ADDR:PORT" or "PORT"; loopback when no
 * address) from the last snapshot, loading libmicrohttpd first.  0 with
 * *hp set, or a negative errno with a reason in why: -ELIBACC or -ELIBBAD
 * when libmicrohttpd.so.12 is missing or not the expected version, -EINVAL
 * for a bad address, the socket's errno when addr cannot be listened on.
 */
int agent_http__start(struct agent_http **hp, const char *addr, char *why, size_t len);
/* Replaces the snapshot (both texts are copied). */
void agent_http__publish(struct agent_http *h, const char *prom, size_t prom_len,
			 const char *om, size_t om_len);
void agent_http__stop(struct agent_http *h);

/*
 * A duration option of the agent: "10s", "5m", "500ms", "1h", a bare
 * number of seconds, up to a year; 0 only when zero_ok.  0 or -EINVAL.
 */
int agent__parse_seconds(const char *s, double *out, bool zero_ok);

/*
 * The agent's targets while it runs (agent-targets.c): exited ones dropped,
 * --comm NAME and --cgroup DIR followed; attached false before the
 * collectors attach (a new process only joins the list).
 */
void agent_targets__drop_exited(struct record *r);
void agent_targets__find_comm(struct record *r, const char *name, bool attached);
/* --cgroup ARG (absolute, or below /sys/fs/cgroup) as a cgroup v2 directory. */
int agent_targets__cgroup_dir(const char *arg, char *dir, size_t len);
/* Every process in dir and below followed, those that left dropped; 0 or -errno. */
int agent_targets__scan_cgroup(struct record *r, const char *dir, bool attached);

/* The agent's log: one line on stderr with the UTC time (cmd-agent.c). */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The flight recorder (agent-incident.c): --trigger, --burst, --burst-freq,
 * --cooldown.  When a trigger fires on a window (or SIGUSR1 arrives), the
 * window and the one before are kept in DIR/incidents/TIME-REASON/, a burst
 * is recorded there by a `peerscope record` child at the burst frequency,
 * and report.txt / report.json say what fired; at most one incident per
 * cooldown.
 */
#include <stdbool.h>
#include <sys/types.h>
#include "analysis/trigger.h"

#define AGENT_MAX_TRIGGERS	16

enum agent_flight_opt { FLIGHT_TRIGGER, FLIGHT_BURST, FLIGHT_BURST_FREQ, FLIGHT_COOLDOWN };

struct incident_state;
struct path_rules;
struct path_report;
struct verdict;

struct agent_flight {
	const char *dir;
	struct trigger trig[AGENT_MAX_TRIGGERS];
	int nr_trig;
	double burst_s, cooldown_s;
	int burst_freq;
	struct trigger_state state;	/* the previous window's verdicts */
	char prev_window[64];		/* the previous window's file ("" none) */
	struct timespec last;		/* when the last incident started */
	bool had_incident;
	struct incident_state *open;	/* the incident whose burst records */
};

void agent_flight__init(struct agent_flight *fl);
/* One of the options above; 0, or -EINVAL with one line in err. */
int agent_flight__option(struct agent_flight *fl, enum agent_flight_opt opt, const char *arg,
			 char *err, size_t len);
/*
 * SIGUSR1 arrived: true when it is a trigger and not in the cooldown (the
 * agent then ends its window now and passes sig to agent_flight__window);
 * otherwise it says why not in the log.
 */
bool agent_flight__signal(struct agent_flight *fl);
/*
 * A window was written (file "" if it could not be) and analysed: the
 * triggers are judged, and an incident started when one fires.
 */
void agent_flight__window(struct agent_flight *fl, const struct record *r,
			  const struct path_rules *rules, const struct profile *p,
			  const struct path_report *rep, const struct verdict *v,
			  const char *file, bool sig);
/* In the loop: a burst that ended completes its incident's report. */
void agent_flight__poll(struct agent_flight *fl, const struct path_rules *rules);
/* At exit: a burst still recording is stopped (it writes what it has). */
void agent_flight__stop(struct agent_flight *fl, const struct path_rules *rules);

/*
 * What `peerscope stat` (cmd-stat.c: options, counting loops, output) shares
 * with its counters (stat-counters.c: which events, probing them, opening and
 * reading one counter set per thread).
 */
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "core/pmu-events.h"
#include "core/pmu-metrics.h"

#define TICK_MS		100
#define PS_COMM_LEN	16	/* the kernel's TASK_COMM_LEN */
#define READ_FORMAT	(PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING)

/* One thread's counters (-p), or the command's inherited ones. */
struct counter_set {
	int tid;
	char comm[PS_COMM_LEN];
	bool exited;
	bool seen;			/* in the last /proc scan */
	int fd[PMU_MAX_EVENTS];		/* -1: not open */
	struct pmu_count cur[PMU_MAX_EVENTS];
	struct pmu_count prev[PMU_MAX_EVENTS];	/* at the last interval */
};

struct stat_cmd {
	/* options */
	int pid;
	char **cmd;
	const char *events;
	double duration;
	int interval_ms;
	bool json, strict, per_thread, list, topdown;
	const char *list_pattern;
	const char *output;
	FILE *out;
	char cmdline[512];

	/* events */
	struct pmu_event ev[PMU_MAX_EVENTS];
	int nr_ev;
	bool supported[PMU_MAX_EVENTS];
	const char *why[PMU_MAX_EVENTS];
	int leader[PMU_MAX_EVENTS];
	bool group_read[PMU_MAX_EVENTS];	/* per leader: PERF_FORMAT_GROUP */
	bool inherit;

	/* counting */
	struct counter_set *sets;
	int nr_sets, cap_sets;
	struct timespec t0;
	int child;
};

int stat_build_events(struct stat_cmd *s);
void stat_close_fds(int *fd, int n);
int stat_probe_events(struct stat_cmd *s);
struct counter_set *stat_add_set(struct stat_cmd *s, int tid);
int stat_open_set(struct stat_cmd *s, struct counter_set *c);
void stat_read_set(const struct stat_cmd *s, struct counter_set *c);
int stat_scan_threads(struct stat_cmd *s);

#endif /* PEERSCOPE_BUILTIN_H */
