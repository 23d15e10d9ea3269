// SPDX-License-Identifier: MIT
/*
 * Known call chains for the unwinding tests (tests/integration/
 * test_unwind_*.sh build it with -O2 -fomit-frame-pointer, and with
 * -momit-leaf-frame-pointer; the generic rule's frame-pointer build is the
 * baseline).  Usage: nofp_chain [cpu|jit|vdso] [THREADS]
 *
 *   cpu   main -> chain_a -> chain_b -> chain_hot, and the same from THREADS
 *         worker threads (default 1): clone3 -> start_thread -> chain_worker
 *   jit   main -> jit_trampoline (anonymous executable memory, frame
 *         pointer kept, named in /tmp/perf-PID.map) -> chain_b -> chain_hot
 *   vdso  main -> chain_a -> chain_clock -> clock_gettime (the vDSO)
 *
 * chain_a uses alloca (its CFA is RBP-based even without frame pointers),
 * chain_b has a 4 KiB frame, chain_hot is a leaf where most samples land.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

volatile unsigned long sink;

__attribute__((noinline)) unsigned long chain_hot(unsigned long n)
{
	unsigned long s = 0;

	for (unsigned long i = 0; i < n; i++)
		s += (i * i) ^ (s >> 3);
	return s;
}

__attribute__((noinline)) unsigned long chain_clock(unsigned long n)
{
	struct timespec ts;
	unsigned long s = 0;

	for (unsigned long i = 0; i < n / 64; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s += ts.tv_nsec;
	}
	return s;
}

__attribute__((noinline)) unsigned long chain_b(unsigned long n)
{
	volatile char buf[4096];

	buf[n % sizeof(buf)] = (char)n;
	return chain_hot(n) + buf[n % sizeof(buf)];
}

static unsigned long (*leaf_fn)(unsigned long) = chain_b;

__attribute__((noinline)) unsigned long chain_a(unsigned long n)
{
	volatile char *v = __builtin_alloca(n % 64 + 16);

	v[0] = 1;
	return leaf_fn(n) + v[0];
}

static void *chain_worker(void *arg)
{
	for (;;)
		sink += chain_a(200000 + (unsigned long)arg);
	return NULL;
}

typedef unsigned long (*jit_fn)(unsigned long (*fn)(unsigned long), unsigned long arg);

/* push %rbp; mov %rsp,%rbp; mov %rdi,%rax; mov %rsi,%rdi; call *%rax; pop %rbp; ret */
static const unsigned char jit_code[] = {
	0x55, 0x48, 0x89, 0xe5, 0x48, 0x89, 0xf8, 0x48, 0x89, 0xf7, 0xff, 0xd0, 0x5d, 0xc3,
};

static jit_fn make_jit(void)
{
	void *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char path[64];
	FILE *f;

	if (mem == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memcpy(mem, jit_code, sizeof(jit_code));
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%lx %zx jit_trampoline\n", (unsigned long)(uintptr_t)mem, sizeof(jit_code));
		fclose(f);
	}
	return (jit_fn)mem;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "cpu";
	int threads = argc > 2 ? atoi(argv[2]) : 1;
	pthread_t t;

	if (!strcmp(mode, "jit")) {
		jit_fn jit = make_jit();

		for (;;)
			sink += jit(chain_b, 200000);
	}
	if (!strcmp(mode, "vdso"))
		leaf_fn = chain_clock;
	else
		for (int i = 0; i < threads; i++)
			pthread_create(&t, NULL, chain_worker, (void *)(unsigned long)i);
	for (;;)
		sink += chain_a(200000 + (unsigned long)argc);
	return 0;
}
