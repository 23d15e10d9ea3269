/* SPDX-License-Identifier: MIT */
/*
 * Messages, as docs/conventions.md says: errors are one line on stderr,
 * "peerscope: <what failed>: <why> (<what to do>)"; progress goes to stderr
 * only on a TTY unless --progress was given; results never go through here.
 */
#ifndef PEERSCOPE_LOG_H
#define PEERSCOPE_LOG_H

#include <stdbool.h>

/* Exit codes shared by every command. */
enum ps_exit {
	PS_EXIT_OK = 0,
	PS_EXIT_ERROR = 1,       /* runtime error */
	PS_EXIT_USAGE = 2,       /* bad command line */
	PS_EXIT_SLA = 3,         /* an --sla failed */
	PS_EXIT_REGRESSION = 4,  /* diff --fail-above exceeded */
};

/* "peerscope: " + formatted text + "\n" on stderr. */
void ps_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same prefix, for warnings that do not stop the command ("warning: " added). */
void ps_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same prefix, for what the user should know about the result ("note: " added). */
void ps_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Debug output, only with -v. */
void ps_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Status/progress: printed only when progress is enabled. */
void ps_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A one-line live status that overwrites itself ("\r...\033[K"); only when
 * progress is enabled.  ps_status_done() ends the line.
 */
void ps_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ps_status_done(void);

extern int ps_verbose;
/* Progress defaults to isatty(stderr); --progress forces it on. */
void ps_set_progress(bool on);
bool ps_progress_enabled(void);

#endif /* PEERSCOPE_LOG_H */
