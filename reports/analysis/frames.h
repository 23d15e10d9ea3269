/* SPDX-License-Identifier: MIT */
/*
 * One stack walker and one set of frame classifiers for every analysis, so
 * that two sections of one report never disagree on which function is to
 * blame (a library frame in one and the culprit in another).
 *
 * A stack's "user frames" are its non-kernel frames, leaf first, with
 * inlined functions expanded, up to the "-" that separates a blocked stack
 * from its waker's (PF_WAKER_SEP).
 */
#ifndef PEERSCOPE_ANALYSIS_FRAMES_H
#define PEERSCOPE_ANALYSIS_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct profile;
struct path_rules;

#define FRAMES_MAX 256
#define FRAMES_NAME_LEN 512	/* whole names for JSON; text shortens them */

struct frames {
	const char *names[FRAMES_MAX];	/* leaf first */
	uint32_t locs[FRAMES_MAX];	/* the location of each name */
	uint32_t nr;
	char buf[FRAMES_MAX][FRAMES_NAME_LEN];
};

/* One frame met by frames__walk(). */
struct frame_visit {
	uint32_t loc;		/* location id */
	uint32_t index;		/* its position in the stack, leaf first */
	uint32_t line;		/* 0: the innermost function of the location */
	bool last;		/* the stack's outermost location */
	const char *name;	/* profile__frame_name(), in the walker's buffer */
};

/* Returns false to stop the walk. */
typedef bool (*frames_visit_fn)(const struct profile *p, const struct frame_visit *v, void *ctx);

enum frames_walk_flags {
	FRAMES_WALK_KERNEL = 1,		/* kernel frames too (else user frames only) */
	FRAMES_WALK_INLINED = 2,	/* every inlined function (else line 0 only) */
};

/*
 * The one stack walker: calls fn for the frames of stack, leaf first, with
 * each name written into buf (names longer than len - 1 are cut), until fn
 * returns false.
 */
void frames__walk(const struct profile *p, uint32_t stack, unsigned int flags, char *buf,
		  size_t len, frames_visit_fn fn, void *ctx);

/*
 * A stack for a table row: func the innermost frame outside libraries (the
 * caller of a syscall wrapper or allocator), text the first frames as
 * "leaf < caller < ...".  The network and memory sections have always
 * described stacks differently, so each keeps its style.
 */
enum frames_describe_style {
	/* any frame, inlined ones too, 5 at most; func cut at 127; "[no stack]" when empty */
	FRAMES_DESCRIBE_NET = 0,
	/* line 0 of each frame, library frames at the leaf skipped, 4 at most; "[unknown]" */
	FRAMES_DESCRIBE_MEMORY,
};
void frames__describe(const struct profile *p, uint32_t stack, enum frames_describe_style style,
		      char *func, size_t flen, char *text, size_t tlen);

/* The user frames of stack into f (large: allocate it once per walk). */
void frames__user(const struct profile *p, uint32_t stack, struct frames *f);

/*
 * A frame of a library or runtime (libc, the loader, libstdc++, allocators,
 * Go's and Rust's runtimes, the vDSO) or a syscall wrapper by name: where
 * work or a wait happens, not who asked for it.  name is the frame's name
 * (profile__frame_name).  A kernel frame is never one: its name says what
 * the thread was doing (a syscall, a fault), which the caller wants to see.
 */
bool frames__is_library(const struct profile *p, uint32_t loc, const char *name);
/* A frame a thread starts in, below its own entry function (start_thread, _start). */
bool frames__is_thread_start(const char *name);
/* One of the innermost three frames is the allocator's. */
bool frames__in_allocator(const struct frames *f);
/*
 * Waiting for work (an event loop in epoll_wait, an idle worker), by the
 * built-in idle patterns and r's idle rules (r may be NULL).
 */
bool frames__is_idle(const struct path_rules *r, const struct frames *f);
/*
 * A function that waits (a futex, condition variable or semaphore wait,
 * epoll_wait, a runtime's sleep): where a thread blocks, never the function
 * to blame for CPU time ("hottest").
 */
bool frames__is_wait(const char *name);

/*
 * An on-CPU stack that is the cost of waiting for work, not work: from the
 * leaf, past library and wait frames (the syscall wrapper, the runtime's
 * scheduler), the first other frame matches the idle rules (epoll_wait in
 * an event loop, Go's findRunnable spinning, sysmon).  A callback run by
 * the loop (uv__io_poll -> uv__udp_io -> ...) meets its own frame first.
 */
bool frames__is_idle_on_cpu(const struct profile *p, const struct path_rules *r,
			    const struct frames *f);
/* A profiler's own code (V8's sampler thread, Go's pprof writer, SIGPROF). */
bool frames__is_profiler(const char *name);
/*
 * A kernel frame of virtualisation (paravirt IRQ/spinlock ops, Xen, KVM
 * hypercalls and halt): time the hypervisor takes, shown as "[vm]", never
 * blamed for a path's CPU.
 */
bool frames__is_vm(const char *name);

/* The thread had exited (do_exit/do_task_dead among its innermost kernel frames). */
bool frames__thread_exited(const struct profile *p, uint32_t stack);
bool frames__leaf_is_kernel(const struct profile *p, uint32_t stack);
/* The waker's innermost user frame outside libraries (after "-"), or NULL. */
const char *frames__waker(const struct profile *p, uint32_t stack, char *buf, size_t len);

/*
 * How a stack is printed as one line.  The paths section and the timeline
 * have long printed stacks differently and their output is compared across
 * versions, so both stay, chosen by name.
 */
enum frames_str_style {
	/*
	 * User frames "leaf < caller < ..." (library frames kept), each name
	 * shortened in its middle to half the line, a " < ..." that
	 * fits when cut; a kernel-only stack as its leaf, "leaf [k]".
	 */
	FRAMES_STR_USER = 0,
	/*
	 * User frames, or every kernel frame when there is none, up to the
	 * waker's "-"; the last three characters become "..." when cut.
	 */
	FRAMES_STR_USER_OR_KERNEL,
};

/* The stack as one line of at most len-1 characters (see the styles). */
const char *frames__stack_str(const struct profile *p, uint32_t stack,
			      enum frames_str_style style, char *buf, size_t len);

/*
 * Stacks that print alike (FRAMES_STR_USER_OR_KERNEL: they differ only in
 * kernel frames below user ones) as one: each stack's first look-alike,
 * remembered per stack id.
 */
struct frames_canon {
	uint32_t *ids;		/* per stack id: its look-alike + 1, 0 not yet seen */
	struct hashmap *shown;	/* printed stack -> look-alike + 1 */
};
int frames_canon__init(struct frames_canon *c, const struct profile *p);
void frames_canon__free(struct frames_canon *c);
/* The first stack id that prints as stack does, or -ENOMEM. */
int64_t frames_canon__of(struct frames_canon *c, const struct profile *p, uint32_t stack);
/* Whether a frame defines the stack's path (a symbol rule matches it). */
typedef bool (*frames_key_fn)(const char *name, void *ctx);
/*
 * FRAMES_STR_USER, and when the frames do not all fit, the innermost frame
 * is_key accepts stays visible: "leaf < ... < key < ...".
 */
const char *frames__stack_line(const struct profile *p, uint32_t stack, frames_key_fn is_key,
			       void *ctx, char *buf, size_t len);
/* The user frames as an array of names, leaf first; returns the count (<= max). */
uint32_t frames__stack_names(const struct profile *p, uint32_t stack,
			     char (*names)[FRAMES_NAME_LEN], uint32_t max);

#endif /* PEERSCOPE_ANALYSIS_FRAMES_H */
