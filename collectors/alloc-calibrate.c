// SPDX-License-Identifier: MIT
/*
 * The alloc collector: what one probe hit costs the target, measured at
 * attach so that the recording says it (docs/memory.md).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collectors/alloc-discover.h"
#include "bpf/alloc.h"
#include "alloc.skel.h"
#include "collectors/collector.h"
#include "collectors/features.h"
#include "collectors/record-opts.h"
#include "collectors/peers.h"
#include "collectors/shared-maps.h"
#include "core/hashmap.h"
#include "core/log.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/target.h"
#include "collectors/unwinder.h"
#include "collectors/alloc-int.h"


/* A function of our own for the probe-cost calibration: never inlined. */
__attribute__((noinline, used)) int peerscope_alloc_calib_fn(int x)
{
	asm volatile("" : "+r"(x));
	return x + 1;
}

/*
 * What a probe hit costs depends on the probed instruction: the kernel
 * emulates some (push, nop, jmp...) and single-steps the others out of
 * line, which costs ten times more in a VM (glibc's free starts with a
 * test: ~60 us here; malloc with a push: ~2 us).  So when the target uses
 * our own libc, the probes are timed on it, in this process; otherwise on
 * a function of ours whose first instruction is single-stepped (an upper
 * bound).
 */
enum calib_loop { CALIB_FN, CALIB_MALLOC_FREE };

static double time_calls(enum calib_loop what, int n)
{
	uint64_t t0 = now_ns();
	volatile int sink = 0;

	for (int i = 0; i < n; i++) {
		if (what == CALIB_FN) {
			sink = peerscope_alloc_calib_fn(sink);
		} else {
			void *volatile p = malloc(32);

			free(p);
		}
	}
	return (double)(now_ns() - t0) / n;
}

/* Best of three: other work on the machine only ever adds time. */
static double best_time(enum calib_loop what, int n)
{
	double best = 1e18;

	for (int i = 0; i < 3; i++) {
		double t = time_calls(what, n);

		if (t < best)
			best = t;
	}
	return best;
}

/* Attaches at path:off in this process (entry, or entry + return) and times the loop. */
static double probed_time(struct alloc_priv *ap, const char *path, uint64_t off, bool ret,
			  unsigned cookie, enum calib_loop what)
{
	struct bpf_program *entry = what == CALIB_FN ? ap->skel->progs.alloc_calib
						     : ap->skel->progs.alloc_enter;
	struct bpf_link *l[2] = {};
	double t = -1;

	for (int r = 0; r <= (int)ret; r++) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = r, .bpf_cookie = cookie);

		l[r] = bpf_program__attach_uprobe_opts(r ? ap->skel->progs.alloc_exit : entry,
						       getpid(), path, off, &uo);
		if (!l[r])
			goto destroy;
	}
	t = best_time(what, CALIB_PROBED_CALLS);
destroy:
	bpf_link__destroy(l[0]);
	bpf_link__destroy(l[1]);
	return t;
}

/* The target's allocator is the libc this process uses (same inode). */
static bool same_libc(const struct alloc_target *t)
{
	char line[1024];
	struct stat a, b;
	bool same = false;
	FILE *f;

	if (strcmp(t->allocator, "glibc") || stat(t->path, &a))
		return false;
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return false;
	while (!same && fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/');

		if (!file || !strstr(file, "/libc.so"))
			continue;
		file[strcspn(file, "\n")] = '\0';
		same = !stat(file, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	}
	fclose(f);
	return same;
}

static uint64_t probe_offset(const struct alloc_target *t, const char *sym)
{
	for (int i = 0; i < t->nr_probes; i++) {
		if (!strcmp(t->probes[i].sym, sym))
			return t->probes[i].offset;
	}
	return 0;
}

void alloc__calibrate(struct alloc_priv *ap)
{
	const struct alloc_target *t = &ap->targets[0];
	const char *names[] = { "peerscope_alloc_calib_fn" };
	uint64_t off, moff = probe_offset(t, "malloc"), foff = probe_offset(t, "free");
	double base, te, tf;

	ap->alloc_ns = ap->free_ns = CALIB_DEFAULT_NS;
	if (same_libc(t) && moff && foff) {
		base = best_time(CALIB_MALLOC_FREE, CALIB_CALLS);
		te = probed_time(ap, t->path, moff, true, AF_MALLOC, CALIB_MALLOC_FREE);
		tf = probed_time(ap, t->path, foff, false, AF_FREE, CALIB_MALLOC_FREE);
		snprintf(ap->calib_on, sizeof(ap->calib_on), "libc");
	} else if (alloc__sym_offsets("/proc/self/exe", names, 1, &off) == 1) {
		/* entry, then entry + return, on a single-stepped instruction */
		base = best_time(CALIB_FN, CALIB_CALLS);
		tf = probed_time(ap, "/proc/self/exe", off, false, 0, CALIB_FN);
		te = probed_time(ap, "/proc/self/exe", off, true, 0, CALIB_FN);
		snprintf(ap->calib_on, sizeof(ap->calib_on), "self");
	} else {
		ps_debug("alloc: no function to calibrate on: assuming %d ns per hit",
			 CALIB_DEFAULT_NS);
		snprintf(ap->calib_on, sizeof(ap->calib_on), "default");
		return;
	}
	if (te > base)
		ap->alloc_ns = te - base;
	if (tf > base)
		ap->free_ns = tf - base;
	ps_debug("alloc: probe cost measured on %s: %.0f ns per allocation call (entry + return), "
		 "%.0f ns per free", ap->calib_on, ap->alloc_ns, ap->free_ns);
}

