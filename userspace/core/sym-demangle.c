// SPDX-License-Identifier: MIT
/*
 * Demangling.  libiberty's cplus_demangle() with DMGL_AUTO recognises
 * Itanium C++ ("_Z"), Rust legacy ("_ZN...17h<hash>E", recognised by the
 * hash) and Rust v0 ("_R"); DMGL_PARAMS | DMGL_ANSI gives full C++
 * signatures.  DMGL_GNU_V3 alone would leave Rust legacy names with their
 * hash and not know v0 at all; DMGL_RUST alone would miss C++.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <libiberty/demangle.h>

#include "core/sym-demangle.h"

#define DEMANGLE_FLAGS (DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO)

/* Drops a trailing "::h" + 16 hex digits, as perf and pprof do for Rust. */
static void strip_rust_hash(char *s)
{
	size_t len = strlen(s), i;
	char *h;

	if (len < 19)
		return;
	h = s + len - 19;
	if (h[0] != ':' || h[1] != ':' || h[2] != 'h')
		return;
	for (i = 3; i < 19; i++)
		if (!isxdigit((unsigned char)h[i]))
			return;
	*h = '\0';
}

char *sym_demangle(const char *raw)
{
	char *d;
	bool mangled;

	if (!raw)
		return NULL;
	/*
	 * Only names that look mangled go to libiberty: it is slow-ish on
	 * long plain names and DMGL_AUTO also tries GNAT/D heuristics that
	 * can rewrite ordinary C names.
	 */
	mangled = (raw[0] == '_' && (raw[1] == 'Z' || raw[1] == 'R')) ||
		  (raw[0] == '_' && raw[1] == '_' && raw[2] == 'Z');
	if (!mangled)
		return NULL;
	d = cplus_demangle(raw, DEMANGLE_FLAGS);
	if (!d)
		return NULL;
	strip_rust_hash(d);
	return d;
}
