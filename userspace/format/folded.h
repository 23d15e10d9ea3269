/* SPDX-License-Identifier: MIT */
/*
 * Folded stacks, FlameGraph's "frame;frame;... count" lines, root first:
 * the reader into the profile model, and the line codec the folded
 * renderer (reports/flame-folded.c, which walks a flame tree) writes with.
 *
 * Frames ending in "_[k]" are kernel frames (the suffix is removed); other
 * suffixes (_[j], _[i], _[w]) and the "-" separator frame are kept verbatim
 * as names.  Empty frames ("a;;b") are skipped.  The count is the last
 * space-separated token (frame names may contain spaces); it must be a
 * non-negative integer or decimal (rounded).  Blank lines and lines starting
 * with '#' are ignored.  Every frame becomes a named frame
 * (profile__intern_named_frame, no module).
 *
 * path "-" is stdin.  Returns 0 or a negative errno; -EBADMSG for a
 * malformed line (its number goes to *bad_line when the _buf variants are
 * given one).  On error the profile may hold the lines before the bad one.
 */
#ifndef PEERSCOPE_FOLDED_H
#define PEERSCOPE_FOLDED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct profile;

/* Into sample type samples/count. */
int folded__read(struct profile *p, const char *path);
/* Into sample type type/unit (added if new). */
int folded__read_type(struct profile *p, const char *path, const char *type, const char *unit);
int folded__read_buf(struct profile *p, const char *buf, size_t len, const char *type,
		     const char *unit, size_t *bad_line);
/*
 * folded__read_buf into samples/count for text straight from a stack
 * collapser (one line per sample): identical stacks are merged first, which
 * spares interning every frame of every line.
 */
int folded__read_buf_merged(struct profile *p, const char *buf, size_t len);
/*
 * The same, read from fd (at its current offset, to its end) a block of
 * FOLDED_BLOCK bytes at a time: only the distinct lines are kept.
 * -EFBIG past RECORDING_MAX_BYTES.
 */
#define FOLDED_BLOCK (4u << 20)
int folded__read_fd_merged(struct profile *p, int fd);

/*
 * The differential form "stack count_base count_new" (difffolded): the
 * base column into base, the new one into cur, both as samples/count.
 */
int folded__read_diff(struct profile *base, struct profile *cur, const char *path);
/* The same into two columns of one profile: base/count and new/count. */
int folded__read_diff_columns(struct profile *p, const char *path);
/*
 * General form: column a of each line into (pa, type_a), column b into
 * (pb, type_b); pa may equal pb.
 */
int folded__read_diff_buf(struct profile *pa, int type_a, struct profile *pb, int type_b,
			  const char *buf, size_t len, size_t *bad_line);

/* ---- writing -------------------------------------------------------------- */

/* What a frame's suffix says: kernel "_[k]", inlined "_[i]", plain none. */
enum folded_mark {
	FOLDED_PLAIN = 0,
	FOLDED_KERNEL,
	FOLDED_INLINE,
};

/* The most bytes folded__put_frame writes for name (no NUL). */
size_t folded__frame_len(const char *name, enum folded_mark mark);
/*
 * Writes one frame at w (no separator, no NUL) and returns its end.  A ';'
 * or a line break inside a name would split the frame when read back: they
 * are written as ':' and ' '.
 */
char *folded__put_frame(char *w, const char *name, enum folded_mark mark);
/*
 * Writes one line: the stack text [stack, stack + len), then each of the
 * nr counts after a space.  0 or -EIO.
 */
int folded__write_line(FILE *f, const char *stack, size_t len, const int64_t *counts, int nr);

#endif /* PEERSCOPE_FOLDED_H */
