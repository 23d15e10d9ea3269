// SPDX-License-Identifier: MIT
/*
 * A hot loop inside a signal handler, for the signal-frame unwinding test
 * (tests/integration/test_unwind_signal.sh builds it with -O2
 * -fomit-frame-pointer, so frame pointers cannot bridge the frames).
 * Usage: sig_handler [SECONDS]
 *
 * main -> sig_interrupted spins; SIGALRM every 10 ms runs on_alarm ->
 * sig_handler_work for about half of the time.  A complete stack of a
 * sample in the handler is
 *   _start ... main;sig_interrupted;<__restore_rt>;on_alarm;sig_handler_work
 * where the kernel's signal frame sits between sig_interrupted (the
 * interrupted pc) and on_alarm (entered with __restore_rt as its return
 * address).
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

volatile unsigned long sink;
static volatile unsigned long work_per_signal = 2000000;

__attribute__((noinline)) void sig_handler_work(unsigned long n)
{
	unsigned long s = sink;

	for (unsigned long i = 0; i < n; i++)
		s += (i * i) ^ (s >> 3);
	sink = s;
}

__attribute__((noinline)) void on_alarm(int sig)
{
	(void)sig;
	sig_handler_work(work_per_signal);
	sink++;		/* not a tail call: on_alarm stays on the stack */
}

__attribute__((noinline)) void sig_interrupted(time_t until)
{
	unsigned long s = 0;

	while (time(NULL) < until)
		for (unsigned long i = 0; i < 1000000; i++)
			s += (i * 7) ^ (s << 1);
	sink = s;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	int secs = argc > 1 ? atoi(argv[1]) : 10;
	struct timespec a, b;

	/*
	 * calibrate: the handler's work takes about 5 ms of CPU on this
	 * machine.  CPU time, not wall time: on a loaded machine a preemption
	 * during the calibration made the work ten times too small, and the
	 * handler got 3 samples in 4 s.
	 */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	sig_handler_work(work_per_signal);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	{
		double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;

		if (ms > 0.01)
			work_per_signal = (unsigned long)(work_per_signal * 5.0 / ms);
	}
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL))
		return 1;
	sig_interrupted(time(NULL) + secs);
	return 0;
}
