/* SPDX-License-Identifier: MIT */
/* Demangling of C++ (Itanium) and Rust (legacy and v0) names via libiberty. */
#ifndef PEERSCOPE_SYM_DEMANGLE_H
#define PEERSCOPE_SYM_DEMANGLE_H

/*
 * The demangled form of raw as a malloc'd string, or NULL when raw is not
 * a mangled name (plain C symbols) or cannot be demangled.  Rust legacy
 * hashes ("::h0123456789abcdef") are dropped.
 */
char *sym_demangle(const char *raw);

#endif /* PEERSCOPE_SYM_DEMANGLE_H */
