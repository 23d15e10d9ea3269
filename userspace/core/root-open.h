/* SPDX-License-Identifier: MIT */
/*
 * Opening files a target names, inside the target's root directory
 * (/proc/PID/root): symlinks and ".." resolve within it (openat2
 * RESOLVE_IN_ROOT, or a component-by-component walk refusing symlinks and
 * ".." where openat2 is missing), so a container cannot make us read a host
 * file.
 */
#ifndef PEERSCOPE_CORE_ROOT_OPEN_H
#define PEERSCOPE_CORE_ROOT_OPEN_H

/*
 * path as the process whose root is root sees it, opened read-only with
 * O_CLOEXEC | flags; -1 with errno on failure.
 */
int root__open_in(const char *root, const char *path, int flags);

/* path inside root if root is set, else (or failing that) path itself. */
int root__open(const char *root, const char *path);

#endif
