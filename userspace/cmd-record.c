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
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collectors/bpf-ksyms.h"
#include "collectors/bpf-usage.h"
#include "builtin.h"
#include "collectors/collector.h"
#include "collectors/shared-maps.h"
#include "core/log.h"
#include "core/profile.h"
#include "core/rules.h"
#include "core/rules-check.h"
#include "core/symbolizer.h"
#include "core/target.h"
#include "format/pprof.h"

#define POLL_MS		100	/* polls while -v watches for the first event */
#define FLUSH_MS	1000	/* maps -> profile: bounded maps on long recordings */
#define FIRST_EVENT_POLL_MS	2

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
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
 * With -v: how long after start the first event of any collector arrived
 * (polled every few ms for the first second, then given up on).
 */
static void watch_first_event(struct record *r, const struct timespec *now, bool *watching)
{
	if (record__ts_sec(&r->t_attached, now) > 1.0) {
		*watching = false;
		return;
	}
	record__read_stats(r);
	if (!record__total_stats(r).events)
		return;
	*watching = false;
	ps_debug("first event %.1f ms after start (%.1f ms after attach)",
		 record__ts_sec(&r->t_start, now) * 1e3, record__ts_sec(&r->t_attached, now) * 1e3);
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

/* ms until the next flush or the end of -d, whichever comes first */
static int next_wake_ms(const struct record *r, const struct timespec *last_flush)
{
	struct timespec now;
	double ms, end;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = FLUSH_MS - record__ts_sec(last_flush, &now) * 1e3;
	if (r->opts.duration) {
		end = (r->opts.duration - record__ts_sec(&r->t_attached, &now)) * 1e3;
		if (end < ms)
			ms = end;
	}
	return ms <= 0 ? 0 : (int)ms + 1;	/* + 1: wake past the deadline, not before */
}

/*
 * Sleeps until the next flush (once a second), the end of -d, a ring
 * buffer filling, a target's exit or a signal -- whichever comes first.
 */
static void record_loop(struct record *r)
{
	struct timespec now, last_status = r->t_attached, last_poll = r->t_attached;
	struct timespec last_flush = r->t_attached;
	const struct timespec first_tick = { 0, FIRST_EVENT_POLL_MS * 1000000L };
	int alive = r->target.nr_pids;
	bool watching = ps_verbose;

	while (!stop_signal) {
		if (watching) {
			nanosleep(&first_tick, NULL);
			clock_gettime(CLOCK_MONOTONIC, &now);
			watch_first_event(r, &now, &watching);
			if (record__ts_sec(&last_poll, &now) * 1e3 < POLL_MS)
				continue;
			record__wait(r, 0);
		} else {
			record__wait(r, next_wake_ms(r, &last_flush));
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		last_poll = now;
		if (record__ts_sec(&last_flush, &now) * 1e3 >= FLUSH_MS) {
			flush_collectors(r);
			last_flush = now;
		}
		record__watch_targets(r);
		alive = target__nr_alive(&r->target);
		if (!alive) {
			ps_info("every target has exited: stopping");
			break;
		}
		if (r->opts.duration && record__ts_sec(&r->t_attached, &now) >= r->opts.duration)
			break;
		if (ps_progress_enabled() && record__ts_sec(&last_status, &now) >= 1.0) {
			struct collector_stats t;

			record__read_stats(r);
			t = record__total_stats(r);
			ps_status("recording %.0fs: %llu samples, %llu lost, %d/%d targets alive",
				  record__ts_sec(&r->t_attached, &now), (unsigned long long)t.events,
				  (unsigned long long)(t.lost + t.map_full), alive, r->target.nr_pids);
			last_status = now;
		}
	}
	ps_status_done();
	if (stop_signal)
		ps_debug("stopped by signal %d", (int)stop_signal);
}

/* Stop every program from counting: they all check the target map. */
static void stop_targets(struct record *r)
{
	for (int i = 0; i < r->target.nr_pids; i++)
		bpf_map_delete_elem(r->sm.targets_fd, &r->target.pids[i]);
}

/*
 * p into -o.  When that fails (a full disk), into the second -o if there is
 * one, else the error says what is lost.  0 when the first -o has it; *written
 * is where the recording is, NULL when nowhere.
 */
static int write_recording(const struct record *r, struct profile *p, int64_t samples,
			   const char *noun, const char **written)
{
	double secs = record__ts_sec(&r->t_attached, &r->t_stop);
	int err = pprof__write(p, r->output), err2;

	*written = r->output;
	if (!err)
		return 0;
	*written = NULL;
	if (!r->fallback_output) {
		ps_err("record: writing %s failed: %s: %lld %s of %.1f s are lost (check the "
		       "disk and the path given with -o; a second -o keeps the recording when "
		       "the first cannot be written)", r->output, strerror(-err),
		       (long long)samples, noun, secs);
		return err;
	}
	err2 = pprof__write(p, r->fallback_output);
	if (err2) {
		ps_err("record: writing %s failed: %s, and the second -o %s: %s: %lld %s of "
		       "%.1f s are lost (check both disks)", r->output, strerror(-err),
		       r->fallback_output, strerror(-err2), (long long)samples, noun, secs);
		return err;
	}
	ps_err("record: writing %s failed: %s: the recording went to the second -o, %s "
	       "(free space for the first)", r->output, strerror(-err), r->fallback_output);
	*written = r->fallback_output;
	return err;
}

/*
 * Which collectors' events lost a stack, out of how many: off-CPU and
 * socket events are not samples, and "223 stack errors" beside "1589
 * samples" read as 14 % of the samples when it was 0.3 % of the context
 * switches.
 */
static void stack_errors_by_collector(const struct record *r)
{
	const char *sep = " (stack errors: ";

	for (int i = 0; i < r->nr_coll; i++) {
		const struct collector_stats *s = &r->coll[i].stats;

		if (!s->stack_errors)
			continue;
		fprintf(stderr, "%s%s %llu of %llu events", sep, r->coll[i].ops->name,
			(unsigned long long)s->stack_errors, (unsigned long long)s->events);
		sep = ", ";
	}
	if (*sep == ',')
		fputc(')', stderr);
}

static int drain_and_write(struct record *r)
{
	struct collector_stats t;
	const char *written, *noun;
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
	p->duration_nanos = (int64_t)(record__ts_sec(&r->t_attached, &r->t_stop) * 1e9);

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

	t = record__total_stats(r);
	/* without the cpu collector there are no samples: count its events */
	idx = profile__type_index(p, "samples");
	samples = idx >= 0 ? profile__total(p, idx) : (int64_t)t.events;
	noun = idx >= 0 ? "samples" : "events";
	err = write_recording(r, p, samples, noun, &written);
	if (!written)
		goto free_profile;

	for (int i = 0; i < r->nr_coll; i++) {
		const struct collector_stats *s = &r->coll[i].stats;

		ps_debug("%s: %llu events, %llu stack errors, %llu map full, %llu lost, "
			 "bpf %.3f ms in %llu runs", r->coll[i].ops->name,
			 (unsigned long long)s->events, (unsigned long long)s->stack_errors,
			 (unsigned long long)s->map_full, (unsigned long long)s->lost,
			 s->bpf_run_ns / 1e6, (unsigned long long)s->bpf_run_cnt);
	}
	/* drops are always shown, even when zero */
	fprintf(stderr, "peerscope: wrote %s: %lld %s, %llu stack errors, %llu map full, "
		"%llu lost", strcmp(written, "-") ? written : "stdout", (long long)samples, noun,
		(unsigned long long)t.stack_errors, (unsigned long long)t.map_full,
		(unsigned long long)t.lost);
	stack_errors_by_collector(r);
	fputc('\n', stderr);

free_profile:
	profile__free(p);
	return err;
}

/*
 * --rules FILE|NAME, or without it the built-in set that fits the first
 * target, said aloud.  *rules is what the caller frees.
 */
static int choose_rules(struct record *r, struct path_rules **rules)
{
	if (r->rules_file) {
		char why[256] = "";

		*rules = path_rules__load(r->rules_file, why, sizeof(why));
		if (!*rules) {
			ps_err("record: bad path rules %s: %s (see docs/rules.md)", r->rules_file, why);
			return -EINVAL;
		}
		r->opts.rules = *rules;
		return 0;
	}
	*rules = path_rules__for_pid(r->target.pids[0]);
	if (*rules)
		ps_info("path rules: %s (%s; --rules to choose)", (*rules)->name, (*rules)->why);
	r->opts.rules = *rules;
	return 0;
}

/* With -v: what the maps of every collector cost in kernel memory. */
static void debug_map_usage(void)
{
	struct bpf_map_usage mu;

	if (ps_verbose && !bpf_usage__maps(&mu))
		ps_debug("BPF maps: %u, %.1f MiB of kernel memory", mu.nr_maps, mu.bytes / 1048576.0);
}

int cmd_record(int argc, char **argv)
{
	struct record r = {
		.opts = {
			.freq = RECORD_DEFAULT_FREQ,
			.alloc_sample = 1,
			.alloc_duty = 1.0,
			.drain_s = FLUSH_MS / 1000.0,
		},
		.output = RECORD_DEFAULT_OUTPUT,
		.sm = { -1, -1, -1, -1 },
		.wait_fd = -1,
	};
	struct symbolizer_opts so = {};
	struct sigaction sa = { .sa_handler = on_signal };
	struct path_rules *rules = NULL;
	struct timespec now;
	int err, ret = PS_EXIT_ERROR;

	err = record__parse_args(&r, argc, argv);
	if (err) {
		free(r.port_rules);
		target__free(&r.target);
		return err < 0 ? PS_EXIT_OK : err;	/* --help */
	}
	libbpf_set_print(record__libbpf_print);

	clock_gettime(CLOCK_MONOTONIC, &r.t_start);
	features__probe(&r.kf);
	/* the kallsyms cache leaves BPF programs out: name them from bpf() */
	bpf_ksyms__register();
	clock_gettime(CLOCK_MONOTONIC, &now);
	ps_debug("features probed in %.1f ms", record__ts_sec(&r.t_start, &now) * 1e3);
	if (record__check_privileges())
		goto free_target;
	if (!r.kf.btf) {
		ps_err("record: no kernel BTF: /sys/kernel/btf/vmlinux is missing "
		       "(use a kernel built with CONFIG_DEBUG_INFO_BTF=y)");
		goto free_target;
	}
	if (record__check_targets(&r) || check_output(r.output) ||
	    (r.fallback_output && check_output(r.fallback_output)))
		goto free_target;
	if (choose_rules(&r, &rules))
		goto free_target;

	clock_gettime(CLOCK_MONOTONIC, &r.t_start);

	err = shared_maps__create(&r.sm, r.opts.unwind, &r.target);
	if (err) {
		ps_err("record: creating BPF maps failed: %s (check RLIMIT_MEMLOCK and privileges)",
		       strerror(-err));
		goto free_target;
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
		 record__ts_sec(&r.t_start, &r.t_attached) * 1e3);
	debug_map_usage();

	/* maps now, while targets live: one that exits is still symbolized */
	for (int i = 0; i < r.target.nr_pids; i++) {
		err = symbolizer__add_pid(r.sym, r.target.pids[i]);
		if (err)
			ps_debug("symbolizer: pid %u: %s", r.target.pids[i], strerror(-err));
	}
	if (rules && !r.rules_file) {
		struct rules_hits hits;

		/* a guess that names nothing of the target must say so; its files are parsed now */
		path_rules__check_target(rules, r.sym, r.target.pids[0], true, &hits);
	}
	record__note_attached(&r);
	err = record__wait_open(&r);
	if (err)
		ps_debug("epoll_create1: %s: polling every second", strerror(-err));
	for (int i = 0; !err && i < r.target.nr_pids; i++) {
		int e = record__wait_exit(&r, r.target.pids[i]);

		if (e)
			ps_debug("pidfd of %u: %s: its exit is seen at the next poll",
				 r.target.pids[i], strerror(-e));
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ps_info("recording %d process(es) with %d collector(s)%s", r.target.nr_pids, r.nr_coll,
		r.opts.duration ? "" : "; Ctrl-C to stop");
	record_loop(&r);
	record__wait_close(&r);
	stop_targets(&r);
	clock_gettime(CLOCK_MONOTONIC, &r.t_stop);
	record__note_changes(&r);
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
free_target:
	if (rules)
		path_rules__free(rules);
	free(r.port_rules);
	free(r.at_attach);
	free(r.watch);
	target__free(&r.target);
	return ret;
}
