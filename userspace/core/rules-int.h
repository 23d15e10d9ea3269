/* SPDX-License-Identifier: MIT */
/* What the rules files share among themselves; not for other code. */
#ifndef PEERSCOPE_RULES_INT_H
#define PEERSCOPE_RULES_INT_H

/* A whole small text file, NUL-terminated (malloc'ed); NULL with *err set. */
char *path_rules__read_text(const char *path, int *err);

/*
 * The guess reads the binary this much at a time (a Node.js binary is
 * 100 MB: mapped whole, its pages counted in record's peak RSS).
 */
#define RULES_SCAN_CHUNK	(1u << 20)

#endif /* PEERSCOPE_RULES_INT_H */
