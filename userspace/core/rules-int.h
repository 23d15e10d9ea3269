/* SPDX-License-Identifier: MIT */
/* What the rules files share among themselves; not for other code. */
#ifndef PEERSCOPE_RULES_INT_H
#define PEERSCOPE_RULES_INT_H

/* A whole small text file, NUL-terminated (malloc'ed); NULL with *err set. */
char *path_rules__read_text(const char *path, int *err);

#endif /* PEERSCOPE_RULES_INT_H */
