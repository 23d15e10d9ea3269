/* SPDX-License-Identifier: MIT */
/*
 * out-file.h - an output file (-o) written safely: into a fresh file of
 * our own next to the destination (O_EXCL, so never through a symlink or
 * into a file someone else made; mode 0666 less the umask), renamed over
 * the destination only when complete.  A symlink at the destination is
 * replaced, never followed; a file already there is replaced, never
 * truncated; a failure leaves nothing under the final name.  "-" (or
 * NULL) is standard output.
 */
#ifndef PEERSCOPE_OUT_FILE_H
#define PEERSCOPE_OUT_FILE_H

#include <stdbool.h>
#include <stdio.h>

struct out_file {
	FILE *f;		/* write here (stdout for "-") */
	char *tmp;		/* the temporary name, NULL for stdout */
	const char *path;	/* the destination */
};

/* 0 or a negative errno. */
int out_file__open(struct out_file *o, const char *path);
/*
 * ok: everything was written: the file takes the destination's name.
 * Otherwise (or when flushing fails) it is removed.  0 or a negative errno.
 */
int out_file__close(struct out_file *o, bool ok);

#endif /* PEERSCOPE_OUT_FILE_H */
