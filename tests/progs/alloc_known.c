// SPDX-License-Identifier: MIT
/*
 * A target with a known memory behaviour, for the alloc collector's tests.
 * It waits for SIGUSR1 (so the recorder can attach first), does its work
 * once, prints "done" on stdout, then sleeps until killed or -d elapses.
 *
 *   alloc_known pattern   alloc_pattern(): 1000 x malloc(64) and
 *                         500 x calloc(10, 100), all freed
 *                         (564,000 bytes, 1,500 objects, nothing in use)
 *   alloc_known leak      leak_step() every 100 ms, 30 times: 10 x
 *                         malloc(1000) never freed (300,000 bytes in use),
 *                         while churn() allocates and frees the same amount
 *   alloc_known touch N   touch_pages(): mmap N pages (no huge pages) and
 *                         write one byte in each: N page faults
 *   alloc_known loop      alloc_loop(): malloc(32)+free as fast as it can
 *                         (a benchmark's allocation-heavy target); prints
 *                         calls per second every second
 *   alloc_known threads N RATE
 *                         N short-lived threads, RATE a second, one at a
 *                         time: each makes one malloc(64) and frees it in
 *                         thread_alloc() (a node whose threads come and go:
 *                         one alloc key per thread).  Each thread is named
 *                         a0, a1, ...: where pid_max is 32768 (this VM) the
 *                         thread ids come round again, and the names keep
 *                         the keys apart as ids do under systemd's 4194304
 *
 * Built with frame pointers (-O1): each function's calls are its own.
 */
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

static volatile sig_atomic_t go;
static void *keep[1500];
void *volatile sink;

static void on_usr1(int sig)
{
	go = 1;
}

__attribute__((noinline)) void alloc_pattern(void)
{
	int n = 0;

	for (int i = 0; i < 1000; i++)
		keep[n++] = malloc(64);
	for (int i = 0; i < 500; i++)
		keep[n++] = calloc(10, 100);
	for (int i = 0; i < n; i++)
		free(keep[i]);
}

__attribute__((noinline)) void leak_step(void)
{
	for (int i = 0; i < 10; i++) {
		char *p = malloc(1000);

		p[0] = 1;	/* used, never freed */
		sink = p;
	}
}

__attribute__((noinline)) void churn(void)
{
	for (int i = 0; i < 10; i++) {
		void *p = malloc(1000);

		sink = p;
		free(p);
	}
}

__attribute__((noinline)) void touch_pages(long n)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	madvise(p, n * page, MADV_NOHUGEPAGE);
	for (long i = 0; i < n; i++)
		p[i * page] = 1;
	sink = p;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) long alloc_loop(double seconds)
{
	double end = now() + seconds, next = now() + 1;
	long calls = 0, last = 0;

	while (seconds <= 0 || now() < end) {
		for (int i = 0; i < 1000; i++) {
			sink = malloc(32);
			free(sink);
		}
		calls += 1000;
		if (now() >= next) {
			printf("%ld\n", calls - last);
			fflush(stdout);
			last = calls;
			next += 1;
		}
	}
	return calls;
}

__attribute__((noinline)) void *thread_alloc(void *arg)
{
	char name[16];
	void *p;

	snprintf(name, sizeof(name), "a%ld", (long)(intptr_t)arg);
	prctl(PR_SET_NAME, name);
	p = malloc(64);

	sink = p;
	free(p);
	return NULL;
}

static int churn_threads(long n, double rate)
{
	double start = now();

	for (long i = 0; i < n; i++) {
		pthread_t t;
		double due = start + i / rate;

		while (now() < due)
			nanosleep(&(struct timespec){ 0, 200000 }, NULL);
		if (pthread_create(&t, NULL, thread_alloc, (void *)(intptr_t)i) ||
		    pthread_join(t, NULL)) {
			fprintf(stderr, "alloc_known: thread %ld failed\n", i);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "pattern";
	struct timespec tick = { 0, 100000000L };
	double dur = 60;

	signal(SIGUSR1, on_usr1);
	if (argc > 3 && !strcmp(argv[2], "-d"))
		dur = atof(argv[3]);
	if (!strcmp(mode, "loop"))
		return alloc_loop(argc > 2 ? atof(argv[2]) : 0) < 0;
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("ready\n");
	while (!go)
		pause();
	if (!strcmp(mode, "pattern")) {
		alloc_pattern();
	} else if (!strcmp(mode, "leak")) {
		for (int i = 0; i < 30; i++) {
			leak_step();
			churn();
			nanosleep(&tick, NULL);
		}
	} else if (!strcmp(mode, "threads")) {
		if (argc < 4 || churn_threads(atol(argv[2]), atof(argv[3])))
			return 1;
	} else if (!strcmp(mode, "touch")) {
		touch_pages(argc > 2 ? atol(argv[2]) : 1000);
	} else {
		fprintf(stderr, "alloc_known: unknown mode %s\n", mode);
		return 2;
	}
	printf("done\n");
	for (double end = now() + dur; now() < end;)
		nanosleep(&tick, NULL);
	return 0;
}
