/* SPDX-License-Identifier: MIT */
/*
 * Folded-stack READER (the writer is flame-folded.c): FlameGraph's
 * "frame;frame;... count" lines, root first, into the profile model.
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

struct profile;

/* Into sample type samples/count. */
int folded__read(struct profile *p, const char *path);
/* Into sample type type/unit (added if new). */
int folded__read_type(struct profile *p, const char *path, const char *type, const char *unit);
int folded__read_buf(struct profile *p, const char *buf, size_t len, const char *type,
		     const char *unit, size_t *bad_line);

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

#endif /* PEERSCOPE_FOLDED_H */
