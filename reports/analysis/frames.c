// SPDX-License-Identifier: MIT
/* The stack walker and frame classifiers every analysis shares (frames.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/rules.h"
#include "analysis/frames.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void frames__user(const struct profile *p, uint32_t stack, struct frames *f)
{
	const struct pf_stack *st;

	f->nr = 0;
	if (!stack || stack >= p->nr_stacks)
		return;
	st = &p->stacks[stack];
	for (uint32_t i = 0; i < st->nr && f->nr < FRAMES_MAX; i++) {
		uint32_t loc = st->locs[i];
		uint32_t n;

		if (!loc || loc >= p->nr_locations || p->locations[loc].kernel)
			continue;
		n = profile__frame_count(p, loc);
		/* "-" separates the blocked stack from its waker's (offcpu): stop there */
		if (!strcmp(profile__frame_name(p, loc, 0, f->buf[f->nr], sizeof(f->buf[0])),
			    PF_WAKER_SEP))
			break;
		for (uint32_t l = 0; l < n && f->nr < FRAMES_MAX; l++) {
			f->names[f->nr] = profile__frame_name(p, loc, l, f->buf[f->nr],
							      sizeof(f->buf[0]));
			f->locs[f->nr] = loc;
			f->nr++;
		}
	}
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
	for (size_t i = 0; name && i < ARRAY_LEN(prefixes); i++) {
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	}
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

/*
 * A thread that has exited is not waiting for anything: its "blocked" time
 * after do_exit() is no part of any path (an off-CPU collector may still
 * report it).
 */
bool frames__thread_exited(const struct profile *p, uint32_t stack)
{
	const struct pf_stack *st;
	char buf[64];

	if (!stack || stack >= p->nr_stacks)
		return false;
	st = &p->stacks[stack];
	for (uint32_t i = 0; i < st->nr && i < 8; i++) {
		const char *n;

		if (!p->locations[st->locs[i]].kernel)
			break;
		n = profile__frame_name(p, st->locs[i], 0, buf, sizeof(buf));
		if (!strcmp(n, "do_task_dead") || !strcmp(n, "do_exit"))
			return true;
	}
	return false;
}

bool frames__leaf_is_kernel(const struct profile *p, uint32_t stack)
{
	if (!stack || stack >= p->nr_stacks || !p->stacks[stack].nr)
		return false;
	return p->locations[p->stacks[stack].locs[0]].kernel;
}

/* Waker frames follow a frame named "-" (FlameGraph's convention), if the collector adds them. */
const char *frames__waker(const struct profile *p, uint32_t stack, char *buf, size_t len)
{
	const struct pf_stack *st = &p->stacks[stack];
	bool after = false;

	/* leaf first: the blocked stack, then "-", then the waker leaf first */
	for (uint32_t i = 0; i < st->nr; i++) {
		const char *n = profile__frame_name(p, st->locs[i], 0, buf, len);

		if (!strcmp(n, PF_WAKER_SEP)) {
			after = true;
			continue;
		}
		if (after && !p->locations[st->locs[i]].kernel &&
		    !frames__is_library(p, st->locs[i], n))
			return n;
	}
	return NULL;
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

static const char *stack_str_user(const struct profile *p, uint32_t stack, char *buf,
				  size_t len)
{
	struct frames *f = malloc(sizeof(*f));
	size_t off = 0;

	buf[0] = '\0';
	if (!f)
		return buf;
	frames__user(p, stack, f);
	if (!f->nr && stack && stack < p->nr_stacks && p->stacks[stack].nr) {
		/* kernel-only stack */
		profile__frame_name(p, p->stacks[stack].locs[0], 0, f->buf[0], sizeof(f->buf[0]));
		snprintf(buf, len, "%s [k]", f->buf[0]);
	}
	for (uint32_t i = 0; i < f->nr; i++) {
		size_t need = strlen(f->names[i]) + (i ? 3 : 0);

		if (off + need + 4 >= len) {
			snprintf(buf + off, len - off, "%s", i ? " < ..." : "...");
			break;
		}
		off += snprintf(buf + off, len - off, "%s%s", i ? " < " : "", f->names[i]);
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
	return stack_str_user(p, stack, buf, len);
}
