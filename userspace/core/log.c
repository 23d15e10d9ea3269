// SPDX-License-Identifier: MIT
/* Messages to the user: errors, warnings and progress, all on stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "core/log.h"

int ps_verbose;
static int progress = -1;	/* -1: not decided yet, follow the TTY */
static bool status_open;

void ps_set_progress(bool on)
{
	progress = on;
}

bool ps_progress_enabled(void)
{
	if (progress < 0)
		progress = isatty(STDERR_FILENO);
	return progress;
}

static void end_status_line(void)
{
	if (status_open) {
		fputs("\r\033[K", stderr);
		status_open = false;
	}
}

static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	end_status_line();
	fputs("peerscope: ", stderr);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void ps_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
}

void ps_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("warning: ", fmt, ap);
	va_end(ap);
}

void ps_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("note: ", fmt, ap);
	va_end(ap);
}

void ps_debug(const char *fmt, ...)
{
	va_list ap;

	if (!ps_verbose)
		return;
	va_start(ap, fmt);
	vprint("debug: ", fmt, ap);
	va_end(ap);
}

void ps_info(const char *fmt, ...)
{
	va_list ap;

	if (!ps_progress_enabled())
		return;
	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
}

void ps_status(const char *fmt, ...)
{
	va_list ap;

	if (!ps_progress_enabled())
		return;
	va_start(ap, fmt);
	fputs("\r", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\033[K", stderr);
	va_end(ap);
	fflush(stderr);
	status_open = true;
}

void ps_status_done(void)
{
	if (status_open) {
		fputc('\n', stderr);
		status_open = false;
	}
}
