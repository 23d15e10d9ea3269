// SPDX-License-Identifier: MIT
/* The stack walker and frame classifiers every analysis shares (frames.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/profile.h"
#include "core/rules.h"
#include "core/units.h"
#include "analysis/frames.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void frames__walk(const struct profile *p, uint32_t stack, unsigned int flags, char *buf,
		  size_t len, frames_visit_fn fn, void *ctx)
{
	const struct pf_stack *st;
	struct frame_visit v;

	if (!stack || stack >= p->nr_stacks)
		return;
	st = &p->stacks[stack];
	for (uint32_t i = 0; i < st->nr; i++) {
		uint32_t loc = st->locs[i], n;

		if (!loc || loc >= p->nr_locations ||
		    (p->locations[loc].kernel && !(flags & FRAMES_WALK_KERNEL)))
			continue;
		n = flags & FRAMES_WALK_INLINED ? profile__frame_count(p, loc) : 1;
		for (uint32_t l = 0; l < n; l++) {
			v = (struct frame_visit){ loc, i, l, i + 1 == st->nr,
						  profile__frame_name(p, loc, l, buf, len) };
			if (!fn(p, &v, ctx))
				return;
		}
	}
}

/* "-" separates the blocked stack from its waker's (offcpu): the user frames stop there. */
static bool collect_user(const struct profile *p, const struct frame_visit *v, void *ctx)
{
	struct frames *f = ctx;

	if (v->line == 0 && !strcmp(v->name, PF_WAKER_SEP))
		return false;
	if (f->nr == FRAMES_MAX)
		return false;
	memcpy(f->buf[f->nr], v->name, strlen(v->name) + 1);
	f->names[f->nr] = f->buf[f->nr];
	f->locs[f->nr] = v->loc;
	f->nr++;
	return true;
}

void frames__user(const struct profile *p, uint32_t stack, struct frames *f)
{
	char buf[FRAMES_NAME_LEN];

	f->nr = 0;
	frames__walk(p, stack, FRAMES_WALK_INLINED, buf, sizeof(buf), collect_user, f);
}

struct describe {
	enum frames_describe_style style;
	char *func, *text;
	size_t flen, tlen, off;
	int shown;
};

static bool describe_frame(const struct profile *p, const struct frame_visit *v, void *ctx)
{
	struct describe *d = ctx;
	bool lib = frames__is_library(p, v->loc, v->name);

	if (d->style == FRAMES_DESCRIBE_MEMORY) {
		/* the allocator's own frame: the caller is what matters */
		if (!d->shown && !v->last && lib)
			return true;
		if (!d->shown)
			snprintf(d->func, d->flen, "%s", v->name);
	} else if (!d->func[0] && !lib) {
		snprintf(d->func, d->flen, "%.127s", v->name);
	}
	if (d->off < d->tlen)
		d->off += snprintf(d->text + d->off, d->tlen - d->off, "%s%s", d->shown ? " < " : "",
				   v->name);
	d->shown++;
	return d->shown < (d->style == FRAMES_DESCRIBE_MEMORY ? 4 : 5);
}

void frames__describe(const struct profile *p, uint32_t stack, enum frames_describe_style style,
		      char *func, size_t flen, char *text, size_t tlen)
{
	struct describe d = { style, func, text, flen, tlen };
	bool net = style == FRAMES_DESCRIBE_NET;
	char buf[256];

	snprintf(func, flen, "%s", net ? "" : "[unknown]");
	text[0] = '\0';
	frames__walk(p, stack, FRAMES_WALK_KERNEL | (net ? FRAMES_WALK_INLINED : 0), buf,
		     net ? sizeof(buf) : 128, describe_frame, &d);
	if (!net)
		return;
	if (!func[0]) {
		if (stack && stack < p->nr_stacks && p->stacks[stack].nr)
			profile__frame_name(p, p->stacks[stack].locs[0], 0, func, flen);
		else
			snprintf(func, flen, "[no stack]");
	}
	if (!text[0])
		snprintf(text, tlen, "[no stack]");
}

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(name, list[i]))
			return true;
	}
	return false;
}

/* Shared objects whose frames are never the culprit. */
static bool library_file(const char *file)
{
	static const char *const files[] = {
		"/libc.so", "/libc-", "libpthread", "/ld-linux", "libstdc++", "libgcc_s", "[vdso]",
		"malloc",	/* libjemalloc, libtcmalloc, libmimalloc's siblings */
	};

	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		if (strstr(file, files[i]))
			return true;
	}
	return false;
}

static bool has_prefix(const char *name, const char *const *prefixes, size_t nr)
{
	for (size_t i = 0; name && i < nr; i++) {
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	}
	return false;
}

bool frames__is_library(const struct profile *p, uint32_t loc, const char *name)
{
	static const char *const prefixes[] = {
		"__", "pthread_", "_dl", "_int_", "runtime.", "syscall.", "std::", "core::",
		"alloc::",
	};
	static const char *const names[] = {
		"send", "sendto", "sendmsg", "sendmmsg", "write", "writev", "recv", "recvfrom",
		"recvmsg", "recvmmsg", "read", "readv", "poll", "ppoll", "select", "epoll_wait",
		"nanosleep", "clock_nanosleep", "usleep", "sleep", "malloc", "free", "calloc",
		"realloc", "memcpy", "memmove", "memset", "syscall", "start_thread", "clone",
		"clone3", "connect", "accept", "accept4", "futex", "open", "openat", "close",
		"fsync", "fdatasync", "pread", "pwrite",
	};
	const struct pf_location *l = loc && loc < p->nr_locations ? &p->locations[loc] : NULL;

	if (l && l->kernel)
		return false;
	if (has_prefix(name, prefixes, ARRAY_LEN(prefixes)))
		return true;
	if (name && in_list(name, names, ARRAY_LEN(names)))
		return true;
	if (!l || !l->mapping || l->mapping >= p->nr_mappings)
		return false;
	return library_file(profile__str(p, p->mappings[l->mapping].filename));
}

bool frames__is_thread_start(const char *name)
{
	static const char *const starts[] = {
		"start_thread", "clone", "clone3", "__clone", "__clone3", "thread_start",
		"__libc_start_call_main", "__libc_start_main", "_start",
	};

	return in_list(name, starts, ARRAY_LEN(starts));
}

bool frames__in_allocator(const struct frames *f)
{
	static const char *const names[] = {
		"malloc", "free", "calloc", "realloc", "_int_malloc", "_int_free", "cfree",
		"operator new", "operator delete", "__libc_malloc", "__libc_free", "je_malloc",
		"tc_malloc", "mallocgc", "runtime.mallocgc", "__rust_alloc", "__rust_dealloc",
		"malloc_consolidate", "_int_realloc", "tcache_",
	};

	/* only the innermost few frames: code that merely calls malloc is not "in" it */
	for (uint32_t i = 0; i < f->nr && i < 3; i++) {
		for (size_t k = 0; k < ARRAY_LEN(names); k++) {
			if (strstr(f->names[i], names[k]))
				return true;
		}
	}
	return false;
}

bool frames__is_idle(const struct path_rules *r, const struct frames *f)
{
	return path_rules__is_idle(r, f->names, f->nr);
}

bool frames__is_idle_on_cpu(const struct profile *p, const struct path_rules *r,
			    const struct frames *f)
{
	for (uint32_t i = 0; i < f->nr; i++) {
		if (!f->names[i])
			continue;
		if (path_rules__is_idle(r, &f->names[i], 1))
			return true;
		if (!frames__is_wait(f->names[i]) && !frames__is_library(p, f->locs[i], f->names[i]))
			return false;
	}
	return false;
}

bool frames__is_wait(const char *name)
{
	static const char *const prefixes[] = {
		"__lll_lock_wait", "__futex_abstimed_wait", "futex_wait", "__futex_wait",
		"pthread_cond_", "__pthread_cond_", "epoll_wait", "epoll_pwait", "__GI_epoll_wait",
		"sem_wait", "sem_timedwait", "__new_sem_wait", "do_futex_wait",
		"runtime.futex", "runtime.notesleep", "runtime.notetsleep", "runtime.semasleep",
		"runtime.usleep", "runtime.netpoll", "runtime/internal/syscall.EpollWait",
		"v8::base::ConditionVariable::Wait", "v8::base::Semaphore::Wait",
		"uv_cond_wait", "uv_cond_timedwait", "uv_sem_wait", "uv__io_poll",
	};

	return has_prefix(name, prefixes, ARRAY_LEN(prefixes));
}

bool frames__is_profiler(const char *name)
{
	static const char *const prefixes[] = {
		"v8::sampler::", "v8::internal::SamplingEventsProcessor",
		"v8::internal::ProfilerEventsProcessor", "runtime/pprof.", "runtime.sigprof",
	};

	return has_prefix(name, prefixes, ARRAY_LEN(prefixes));
}

bool frames__is_vm(const char *name)
{
	static const char *const prefixes[] = {
		"pvm_", "pv_native_", "__raw_callee_save___pv_", "xen_", "kvm_wait",
		"kvm_hypercall", "kvm_sched_clock", "kvm_clock_", "kvm_steal_clock",
		"hv_", "vmware_sched_clock", "native_safe_halt", "__pv_queued_spin",
	};

	return has_prefix(name, prefixes, ARRAY_LEN(prefixes));
}

/*
 * A thread that has exited is not waiting for anything: its "blocked" time
 * after do_exit() is no part of any path (an off-CPU collector may still
 * report it).
 */
static bool exit_frame(const struct profile *p, const struct frame_visit *v, void *ctx)
{
	bool *exited = ctx;

	/* the innermost kernel frames only */
	if (!p->locations[v->loc].kernel || v->index >= 8)
		return false;
	*exited = !strcmp(v->name, "do_task_dead") || !strcmp(v->name, "do_exit");
	return !*exited;
}

bool frames__thread_exited(const struct profile *p, uint32_t stack)
{
	bool exited = false;
	char buf[64];

	frames__walk(p, stack, FRAMES_WALK_KERNEL, buf, sizeof(buf), exit_frame, &exited);
	return exited;
}

bool frames__leaf_is_kernel(const struct profile *p, uint32_t stack)
{
	if (!stack || stack >= p->nr_stacks || !p->stacks[stack].nr)
		return false;
	return p->locations[p->stacks[stack].locs[0]].kernel;
}

/* Waker frames follow a frame named "-" (FlameGraph's convention), if the collector adds them. */
struct waker {
	bool after;		/* past the "-" */
	const char *name;
};

static bool waker_frame(const struct profile *p, const struct frame_visit *v, void *ctx)
{
	struct waker *w = ctx;

	if (!strcmp(v->name, PF_WAKER_SEP)) {
		w->after = true;
		return true;
	}
	if (w->after && !p->locations[v->loc].kernel && !frames__is_library(p, v->loc, v->name))
		w->name = v->name;
	return !w->name;
}

const char *frames__waker(const struct profile *p, uint32_t stack, char *buf, size_t len)
{
	struct waker w = { false, NULL };

	frames__walk(p, stack, FRAMES_WALK_KERNEL, buf, len, waker_frame, &w);
	return w.name;
}

uint32_t frames__stack_names(const struct profile *p, uint32_t stack,
			     char (*names)[FRAMES_NAME_LEN], uint32_t max)
{
	struct frames *f = malloc(sizeof(*f));
	uint32_t n = 0;

	if (!f)
		return 0;
	frames__user(p, stack, f);
	for (; n < f->nr && n < max; n++)
		snprintf(names[n], FRAMES_NAME_LEN, "%s", f->names[n]);
	free(f);
	return n;
}

/* The innermost frame is_key says defines the stack's path, or -1. */
static int key_frame(const struct frames *f, frames_key_fn is_key, void *ctx)
{
	for (uint32_t i = 0; is_key && i < f->nr; i++) {
		if (is_key(f->names[i], ctx))
			return i;
	}
	return -1;
}

/*
 * "leaf < caller < ...": each name shortened in its middle to half the
 * line, and when the frames do not all fit, the key frame still shown
 * after the leaf ("leaf < ... < key < ...").
 */
static const char *stack_str_user(const struct profile *p, uint32_t stack, frames_key_fn is_key,
				  void *ctx, char *buf, size_t len)
{
	struct frames *f = malloc(sizeof(*f));
	size_t off = 0, max = len / 2 > 24 ? len / 2 : 24;
	char name[FRAMES_NAME_LEN], key[FRAMES_NAME_LEN] = "";
	int k;

	buf[0] = '\0';
	if (!f || len < 8) {
		free(f);
		return buf;
	}
	frames__user(p, stack, f);
	if (!f->nr && stack && stack < p->nr_stacks && p->stacks[stack].nr) {
		/* kernel-only stack */
		profile__frame_name(p, p->stacks[stack].locs[0], 0, f->buf[0], sizeof(f->buf[0]));
		units__shorten(f->buf[0], len - 5, name, sizeof(name));
		snprintf(buf, len, "%s [k]", name);
	}
	k = key_frame(f, is_key, ctx);
	if (k > 0)
		units__shorten(f->names[k], max, key, sizeof(key));
	for (uint32_t i = 0; i < f->nr; i++) {
		/* room for " < ..." after, and " < ... < key" while the key is still to come */
		size_t reserve = (i + 1 < f->nr ? 6 : 0) + ((int)i < k ? strlen(key) + 9 : 0);

		units__shorten(f->names[i], max, name, sizeof(name));
		if (i && off + strlen(name) + 3 + reserve >= len) {
			if ((int)i < k) {
				off += snprintf(buf + off, len - off, " < ... < %s", key);
				if ((uint32_t)k + 1 < f->nr)
					snprintf(buf + off, len - off, " < ...");
			} else {
				snprintf(buf + off, len - off, " < ...");
			}
			break;
		}
		off += snprintf(buf + off, len - off, "%s%s", i ? " < " : "", name);
		if (off >= len)
			break;
	}
	free(f);
	return buf;
}

static const char *stack_str_user_or_kernel(const struct profile *p, uint32_t stack,
					    char *buf, size_t len)
{
	const struct pf_stack *st;
	size_t off = 0;
	char name[256];
	bool any_user = false;

	buf[0] = '\0';
	if (!stack || stack >= p->nr_stacks || !len)
		return buf;
	st = &p->stacks[stack];
	for (uint32_t i = 0; i < st->nr; i++) {
		const struct pf_location *l = &p->locations[st->locs[i]];

		if (!strcmp(profile__frame_name(p, st->locs[i], 0, name, sizeof(name)), PF_WAKER_SEP))
			break;
		any_user |= !l->kernel;
	}
	for (uint32_t i = 0; i < st->nr; i++) {
		uint32_t loc = st->locs[i];

		if (p->locations[loc].kernel == any_user)
			continue;
		for (uint32_t ln = 0; ln < profile__frame_count(p, loc); ln++) {
			int n;

			profile__frame_name(p, loc, ln, name, sizeof(name));
			if (!strcmp(name, PF_WAKER_SEP))
				return buf;
			n = snprintf(buf + off, len - off, "%s%s", off ? " < " : "", name);
			if (n < 0 || (size_t)n >= len - off) {
				if (len > 4)
					strcpy(buf + len - 4, "...");
				return buf;
			}
			off += n;
		}
	}
	return buf;
}

const char *frames__stack_str(const struct profile *p, uint32_t stack,
			      enum frames_str_style style, char *buf, size_t len)
{
	if (style == FRAMES_STR_USER_OR_KERNEL)
		return stack_str_user_or_kernel(p, stack, buf, len);
	return stack_str_user(p, stack, NULL, NULL, buf, len);
}

const char *frames__stack_line(const struct profile *p, uint32_t stack, frames_key_fn is_key,
			       void *ctx, char *buf, size_t len)
{
	return stack_str_user(p, stack, is_key, ctx, buf, len);
}

int frames_canon__init(struct frames_canon *c, const struct profile *p)
{
	c->ids = calloc(p->nr_stacks ? p->nr_stacks : 1, sizeof(*c->ids));
	c->shown = hashmap__new(NULL, NULL);
	if (c->ids && c->shown)
		return 0;
	frames_canon__free(c);
	return -ENOMEM;
}

void frames_canon__free(struct frames_canon *c)
{
	free(c->ids);
	hashmap__free(c->shown);
	c->ids = NULL;
	c->shown = NULL;
}

int64_t frames_canon__of(struct frames_canon *c, const struct profile *p, uint32_t stack)
{
	char str[4096];

	if (stack >= p->nr_stacks)
		return stack;
	if (!c->ids[stack]) {
		str[0] = '#';	/* keys are never empty */
		frames__stack_str(p, stack, FRAMES_STR_USER_OR_KERNEL, str + 1, sizeof(str) - 1);
		if (hashmap__find_or_insert(c->shown, str, strlen(str), stack + 1, &c->ids[stack]) < 0)
			return -ENOMEM;
	}
	return c->ids[stack] - 1;
}
