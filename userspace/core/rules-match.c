// SPDX-License-Identifier: MIT
/*
 * Path rules: matching a stack, a frame or a port to a path, the idle
 * frames, and writing a rule set back out as text.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/rules.h"

/* ---- names and matching ------------------------------------------------- */

const char *path_rules__name(const struct path_rules *r, uint32_t id)
{
	if (!r || id >= r->nr_paths)
		return NULL;
	return r->names[id];
}

int path_rules__id(const struct path_rules *r, const char *name)
{
	for (uint32_t i = 0; r && i < r->nr_paths; i++) {
		if (!strcmp(r->names[i], name))
			return i;
	}
	return -1;
}

/* Glob with '*' only, anchored at both ends of s. */
static bool glob_at(const char *p, const char *s, bool nocase)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			while (p[1] == '*')
				p++;
			if (!p[1])
				return true;
			for (; *s; s++) {
				if (glob_at(p + 1, s, nocase))
					return true;
			}
			return false;
		}
		if (!*s)
			return false;
		if (nocase ? tolower((unsigned char)*p) != tolower((unsigned char)*s) : *p != *s)
			return false;
	}
	return !*s;
}

/*
 * Does a match starting at name[i] begin a word?  Words end at anything but
 * a letter or digit ('.', ':', '/', '_', '-', ' ', '(', '*', ...) and where
 * a lower-case letter or digit meets an upper-case one (camelCase).  So
 * "kad" matches "go-libp2p-kad-dht" and "libp2p_kad::", never
 * "net.ipToSockaddrInet4".
 */
static bool word_start(const char *name, size_t i)
{
	unsigned char prev, c = name[i];

	if (i == 0)
		return true;
	prev = name[i - 1];
	if (!isalnum(prev))
		return true;
	return (islower(prev) || isdigit(prev)) && isupper(c);
}

/*
 * A pattern matches a name as a substring that starts a word ('*' = any run
 * of characters), "^x" only at the start and "x$" only at the end.  A
 * pattern that itself starts with a separator ("::dial", "/k-rpc/") may
 * start anywhere.
 */
static bool pattern_matches(const char *pat, const char *name, bool nocase)
{
	char buf[256];
	size_t n = strlen(pat);
	bool start = pat[0] == '^', end = n > 1 && pat[n - 1] == '$', any_start;

	if (start) {
		pat++;
		n--;
	}
	if (end)
		n--;
	if (n + 2 > sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%.*s%s", (int)n, pat, end ? "" : "*");
	if (start)
		return glob_at(buf, name, nocase);
	any_start = !isalnum((unsigned char)buf[0]);
	for (size_t i = 0; name[i]; i++) {
		if ((any_start || word_start(name, i)) && glob_at(buf, name + i, nocase))
			return true;
	}
	return false;
}

static bool rule_matches(const struct path_symbol_rule *sr, const char *name)
{
	for (uint32_t i = 0; i < sr->nr_pats; i++) {
		if (pattern_matches(sr->pats[i], name, sr->nocase))
			return true;
	}
	return false;
}

bool path_rules__symbol_matches(const struct path_rules *r, uint32_t path, const char *name)
{
	for (uint32_t i = 0; r && i < r->nr_syms; i++) {
		if (r->syms[i].path == path && rule_matches(&r->syms[i], name))
			return true;
	}
	return false;
}

int path_rules__match_frames(const struct path_rules *r, const char *const *names,
			     uint32_t nr, uint32_t *frame)
{
	int best = -1, best_outer = -1;
	uint32_t best_i = 0, best_outer_i = 0;

	if (!r)
		return -1;
	for (uint32_t s = 0; s < r->nr_syms; s++) {
		const struct path_symbol_rule *sr = &r->syms[s];

		if (sr->outermost) {
			/* from the root down: the first hit is the outermost frame */
			for (uint32_t i = nr; i-- > 0;) {
				if (names[i] && rule_matches(sr, names[i])) {
					if (best_outer < 0 || i > best_outer_i) {
						best_outer = sr->path;
						best_outer_i = i;
					}
					break;
				}
			}
			continue;
		}
		/* from the leaf up: earlier rules win ties (file order) */
		for (uint32_t i = 0; i < nr; i++) {
			if (best >= 0 && i >= best_i)
				break;
			if (names[i] && rule_matches(sr, names[i])) {
				best = sr->path;
				best_i = i;
				break;
			}
		}
	}
	if (best_outer >= 0) {
		if (frame)
			*frame = best_outer_i;
		return best_outer;
	}
	if (best >= 0 && frame)
		*frame = best_i;
	return best;
}

/*
 * Waiting for work, whatever the program: event loops (epoll, libuv), idle
 * workers on a condition variable, Go's idle Ms, tokio's parked workers,
 * listeners in accept.  A blocking call inside an operation (poll() in a
 * dial, recvfrom() for a reply) is not here: that wait is the operation's.
 */
static const char *const idle_builtin[] = {
	"epoll_wait", "epoll_pwait", "pthread_cond_wait", "pthread_cond_timedwait",
	/* glibc's condition-variable (and semaphore) wait; a contended mutex is __lll_lock_wait */
	"__futex_abstimed_wait_common",
	"pthread_cond_clockwait", "sigwaitinfo", "sigtimedwait", "^accept", "__libc_accept",
	/* Go: idle Ps looking for work, parked Ms, the netpoller, sysmon's sleeps */
	"runtime.findRunnable", "runtime.findrunnable", "runtime.stopm", "runtime.netpoll",
	"runtime.mPark", "runtime.sysmon", "runtime.templateThread",
	/* os/signal's goroutine waiting for a signal (Go's sigwaitinfo) */
	"os/signal.signal_recv",
	/* an event loop of Go code on its own thread: epoll_wait without libc */
	"golang.org/x/sys/unix.EpollWait", "syscall.EpollWait",
	/* tokio: parked workers, the blocking pool waiting for tasks */
	"tokio::runtime::park", "tokio::runtime::scheduler::multi_thread::park::",
	"tokio::runtime::blocking::pool::Inner::run",
	/* libuv: the loop's poll, thread-pool workers and semaphores waiting */
	"uv__io_poll", "uv_cond_wait", "uv_cond_timedwait", "uv_sem_wait",
	/* V8 / Node.js: platform workers, delayed-task queues, the profiler's sampler */
	"v8::base::ConditionVariable::Wait", "v8::base::ConditionVariable::WaitFor",
	"v8::base::Semaphore::Wait", "node::TaskQueue*::BlockingPop",
	"v8::platform::DelayedTaskQueue::GetNext", "SamplingEventsProcessor::Run",
	/* Go's own profiler waiting for samples to write */
	"runtime/pprof.profileWriter", "runtime/pprof.readProfile",
};

bool path_rules__is_idle(const struct path_rules *r, const char *const *names, uint32_t nr)
{
	for (uint32_t i = 0; i < nr; i++) {
		if (!names[i])
			continue;
		for (size_t k = 0; k < sizeof(idle_builtin) / sizeof(idle_builtin[0]); k++) {
			if (pattern_matches(idle_builtin[k], names[i], false))
				return true;
		}
		for (uint32_t k = 0; r && k < r->nr_idle; k++) {
			if (rule_matches(&r->idle[k], names[i]))
				return true;
		}
	}
	return false;
}

int path_rules__match_port(const struct path_rules *r, const char *proto, int port)
{
	int pn = 0;

	if (proto)
		pn = !strcmp(proto, "udp") ? 17 : !strcmp(proto, "tcp") ? 6 : 0;
	for (uint32_t i = 0; r && i < r->nr_ports; i++) {
		const struct path_port_rule *pr = &r->ports[i];

		if (pr->proto && pn && pr->proto != pn)
			continue;
		if (port >= pr->lo && port <= pr->hi)
			return pr->path;
	}
	return -1;
}

bool path_rules__has_span(const struct path_rules *r, uint32_t path)
{
	for (uint32_t i = 0; r && i < r->nr_spans; i++) {
		if (r->spans[i].path == path)
			return true;
	}
	return false;
}

void path_rules__write(const struct path_rules *r, FILE *f)
{
	fprintf(f, "# rules: %s\n", r->name);
	for (uint32_t i = 4; i < r->nr_paths; i++)
		fprintf(f, "path %s\n", r->names[i]);
	for (uint32_t i = 0; i < r->nr_spans; i++) {
		const struct path_span_rule *sp = &r->spans[i];

		fprintf(f, "span %s ", r->names[sp->path]);
		if (sp->kind == SPAN_UPROBE) {
			fprintf(f, "uprobe:%s%s%s", sp->binary ? sp->binary : "",
				sp->binary ? ":" : "", sp->symbol);
		} else {
			fprintf(f, "usdt:%s:%s:%s", sp->provider, sp->start, sp->done);
			if (sp->id_arg >= 0 || sp->ok_arg >= 0)
				fprintf(f, ":%d", sp->id_arg);
			if (sp->ok_arg >= 0)
				fprintf(f, ":%d", sp->ok_arg);
		}
		fprintf(f, "%s%s\n", sp->nothread ? " nothread" : "", sp->multi ? " multi" : "");
	}
	for (uint32_t i = 0; i < r->nr_syms; i++) {
		const struct path_symbol_rule *sr = &r->syms[i];

		fprintf(f, "%s%s%s =", r->names[sr->path], sr->outermost ? " outermost" : "",
			sr->nocase ? " nocase" : "");
		for (uint32_t j = 0; j < sr->nr_pats; j++)
			fprintf(f, "%s%s", j ? "|" : " ", sr->pats[j]);
		fputc('\n', f);
	}
	for (uint32_t i = 0; i < r->nr_idle; i++) {
		const struct path_symbol_rule *sr = &r->idle[i];

		fprintf(f, "idle%s =", sr->nocase ? " nocase" : "");
		for (uint32_t j = 0; j < sr->nr_pats; j++)
			fprintf(f, "%s%s", j ? "|" : " ", sr->pats[j]);
		fputc('\n', f);
	}
	for (uint32_t i = 0; i < r->nr_ports; i++) {
		const struct path_port_rule *pr = &r->ports[i];

		fprintf(f, "port %s = %s:%u", r->names[pr->path],
			pr->proto == 17 ? "udp" : pr->proto == 6 ? "tcp" : "any", pr->lo);
		if (pr->hi != pr->lo)
			fprintf(f, "-%u", pr->hi);
		fputc('\n', f);
	}
}
