// SPDX-License-Identifier: MIT
/* The shared stack walker and frame classifiers (reports/analysis/frames.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/rules.h"
#include "analysis/frames.h"

/* "leaf;caller;..." with "k:" for kernel frames and "lib@file" for a module */
static uint32_t stack_of(struct profile *p, const char *frames)
{
	uint32_t locs[64], n = 0;
	char *copy = strdup(frames), *tok, *save = NULL;

	for (tok = strtok_r(copy, ";", &save); tok && n < 64; tok = strtok_r(NULL, ";", &save)) {
		bool k = !strncmp(tok, "k:", 2);
		char *at = strchr(tok, '@');

		if (at)
			*at++ = '\0';
		locs[n++] = profile__intern_named_frame(p, k ? tok + 2 : tok,
							at ? at : k ? "[kernel]" : "/usr/bin/node", k);
	}
	free(copy);
	return profile__intern_stack(p, locs, n);
}

static uint32_t leaf_loc(struct profile *p, uint32_t stack)
{
	return p->stacks[stack].locs[0];
}

/* One list decides for every section: by name, by shared object, never the kernel. */
static void test_library(void **state)
{
	static const struct { const char *frame; bool library; } rows[] = {
		{ "pthread_mutex_lock", true },		/* prefix */
		{ "__lll_lock_wait", true },
		{ "runtime.futex", true },
		{ "sendto", true },			/* syscall wrapper */
		{ "memcpy", true },
		{ "helper@/usr/lib/x86_64-linux-gnu/libc.so.6", true },
		{ "je_arena@/usr/lib/libjemalloc.so.2", true },
		{ "clock_gettime@[vdso]", true },
		{ "gossip_validate", false },
		{ "k:__x64_sys_sendto", false },	/* the kernel says what happened */
		{ "sendto_peer", false },		/* whole names only */
	};
	struct profile *p = profile__new();
	char buf[FRAMES_NAME_LEN];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t loc = leaf_loc(p, stack_of(p, rows[i].frame));

		profile__frame_name(p, loc, 0, buf, sizeof(buf));
		if (frames__is_library(p, loc, buf) != rows[i].library)
			fail_msg("%s: library %d expected", rows[i].frame, rows[i].library);
	}
	profile__free(p);
}

/* Waits, profilers' own threads and the hypervisor's frames: never "hottest". */
static void test_wait_profiler_vm(void **state)
{
	static const char *const waits[] = {
		"__lll_lock_wait", "__futex_abstimed_wait_common", "pthread_cond_timedwait",
		"epoll_wait", "runtime.futex", "runtime.notetsleep",
		"v8::base::ConditionVariable::WaitFor(v8::base::Mutex*, v8::base::TimeDelta const&)",
		"uv_cond_wait",
	};
	static const char *const vms[] = {
		"pvm_irq_enable", "pv_native_safe_halt", "__raw_callee_save___pv_queued_spin_unlock",
		"xen_hypercall_sched_op", "kvm_wait",
	};

	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
		if (!frames__is_wait(waits[i]))
			fail_msg("%s is a wait", waits[i]);
	for (size_t i = 0; i < sizeof(vms) / sizeof(vms[0]); i++)
		if (!frames__is_vm(vms[i]))
			fail_msg("%s is virtualisation", vms[i]);
	assert_false(frames__is_wait("dht_wait_for_reply_slot"));
	assert_false(frames__is_wait("gossip_validate"));
	assert_false(frames__is_vm("do_syscall_64"));
	assert_false(frames__is_vm("kvm_free_page"));
	assert_true(frames__is_profiler("v8::sampler::Sampler::DoSample()"));
	assert_true(frames__is_profiler("runtime/pprof.profileWriter"));
	assert_false(frames__is_profiler("v8::internal::Execution::Call"));
}

static bool is_dht(const char *name, void *ctx)
{
	return !strncmp(name, "dht_", 4);
}

/*
 * A frame longer than the line no longer hides the stack: names are
 * shortened in the middle (head and tail kept) and the frame that put the
 * stack in its path stays visible.  JSON's names stay whole.
 */
static void test_stack_line(void **state)
{
	static const char jit[] = "JS:*closest /home/user/node_modules/k-bucket/index.js"
				  ":203:11 with a very long tail that goes on and on and on and on";
	struct profile *p = profile__new();
	char frames[1024], buf[80], names[4][FRAMES_NAME_LEN];
	uint32_t st;

	snprintf(frames, sizeof(frames), "%s;lib_a;lib_b;lib_c;lib_d;lib_e;dht_lookup;main", jit);
	st = stack_of(p, frames);
	frames__stack_line(p, st, is_dht, NULL, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
	assert_non_null(strstr(buf, "JS:*closest"));	/* head */
	assert_non_null(strstr(buf, "on and on"));	/* tail */
	assert_non_null(strstr(buf, " < ... < dht_lookup < ..."));
	/* without a key: the leaf and a "< ..." */
	frames__stack_line(p, st, NULL, NULL, buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "JS:*closest", 11), 0);
	assert_non_null(strstr(buf, " < ..."));
	/* whole names for JSON */
	assert_int_equal(frames__stack_names(p, st, names, 4), 4);
	assert_string_equal(names[0], jit);
	profile__free(p);
}

static void test_walk(void **state)
{
	struct profile *p = profile__new();
	struct frames *f = malloc(sizeof(*f));
	uint32_t blocked = stack_of(p, "k:schedule;k:futex_wait;__lll_lock_wait;gossip_validate;"
				       "main;-;k:try_to_wake_up;dht_reply;main");
	char buf[128];

	frames__user(p, blocked, f);
	/* kernel frames skipped, the waker's part cut off */
	assert_int_equal(f->nr, 3);
	assert_string_equal(f->names[0], "__lll_lock_wait");
	assert_string_equal(f->names[2], "main");
	assert_false(frames__in_allocator(f));
	assert_true(frames__leaf_is_kernel(p, blocked));
	assert_string_equal(frames__waker(p, blocked, buf, sizeof(buf)), "dht_reply");
	assert_string_equal(frames__stack_str(p, blocked, FRAMES_STR_USER, buf, sizeof(buf)),
			    "__lll_lock_wait < gossip_validate < main");
	assert_string_equal(frames__stack_str(p, stack_of(p, "k:do_idle"), FRAMES_STR_USER, buf,
					      sizeof(buf)),
			    "do_idle [k]");
	assert_true(frames__thread_exited(p, stack_of(p, "k:schedule;k:do_exit;worker")));
	assert_false(frames__thread_exited(p, blocked));

	frames__user(p, stack_of(p, "_int_malloc;malloc;parse;main"), f);
	assert_true(frames__in_allocator(f));
	frames__user(p, stack_of(p, "epoll_wait;loop_run;main"), f);
	assert_true(frames__is_idle(NULL, f));
	frames__user(p, stack_of(p, "poll;dial;main"), f);
	assert_false(frames__is_idle(NULL, f));
	assert_true(frames__is_thread_start("start_thread"));
	assert_false(frames__is_thread_start("main"));
	free(f);
	profile__free(p);
}

/* The two table-row styles the network and memory sections print. */
static void test_describe(void **state)
{
	struct profile *p = profile__new();
	uint32_t st = stack_of(p, "k:tcp_sendmsg;sendto@/usr/lib/x86_64-linux-gnu/libc.so.6;"
				  "gossip_flush;gossip_loop;main;start_thread");
	uint32_t alloc = stack_of(p, "malloc@/usr/lib/x86_64-linux-gnu/libc.so.6;frame_copy;main");
	char func[128], text[256];

	frames__describe(p, st, FRAMES_DESCRIBE_NET, func, sizeof(func), text, sizeof(text));
	assert_string_equal(func, "tcp_sendmsg");	/* kernel frames are not library frames */
	assert_string_equal(text, "tcp_sendmsg < sendto < gossip_flush < gossip_loop < main");
	frames__describe(p, 0, FRAMES_DESCRIBE_NET, func, sizeof(func), text, sizeof(text));
	assert_string_equal(func, "[no stack]");
	assert_string_equal(text, "[no stack]");
	frames__describe(p, alloc, FRAMES_DESCRIBE_MEMORY, func, sizeof(func), text, sizeof(text));
	assert_string_equal(func, "frame_copy");	/* the allocator's caller */
	assert_string_equal(text, "frame_copy < main");
	frames__describe(p, 0, FRAMES_DESCRIBE_MEMORY, func, sizeof(func), text, sizeof(text));
	assert_string_equal(func, "[unknown]");
	assert_string_equal(text, "");
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library),
		cmocka_unit_test(test_wait_profiler_vm),
		cmocka_unit_test(test_stack_line),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
