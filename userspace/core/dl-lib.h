/* SPDX-License-Identifier: MIT */
/*
 * A shared library bound on first use instead of at start-up.  Linking a
 * library that few commands need makes every command pay for its
 * relocations and page faults (libpfm4: 41k relocations; libmicrohttpd:
 * gnutls and its dependencies); dlopen() moves that cost to the command
 * that uses it.
 *
 * The user keeps one pointer per function, typed exactly as the function
 * (__typeof__(&fn)), and a table of DL_SYM() entries that fill them:
 *
 *	static struct { __typeof__(&zlibVersion) version; } z;
 *	static const struct dl_sym z_syms[] = { DL_SYM(zlibVersion, z.version) };
 *	static struct dl_lib z_lib = DL_LIB("libz.so.1", z_syms);
 *
 *	if (dl_lib__bind(&z_lib))
 *		... z_lib.why says why ...
 */
#ifndef PEERSCOPE_DL_LIB_H
#define PEERSCOPE_DL_LIB_H

#include <stdbool.h>
#include <stddef.h>

struct dl_sym {
	const char *name;
	void **addr;	/* a function pointer of the symbol's own type */
};

/*
 * One entry: symbol fn into ptr.  Does not build unless ptr has the type
 * of &fn ("negative width in bit-field"), so a table cannot pair a name
 * with the wrong pointer.
 */
#define DL_SYM(fn, ptr)								\
	{ #fn, (void **)&(ptr) +						\
	  sizeof(struct { int:(-!__builtin_types_compatible_p(__typeof__(ptr),	\
							       __typeof__(&fn))); }) }

struct dl_lib {
	const char *soname;
	const struct dl_sym *syms;
	size_t nr_syms;
	bool tried;
	int err;		/* of the first dl_lib__bind() */
	char why[256];		/* when err: one line, dlerror()'s, naming the soname or symbol */
};

#define DL_LIB(name, table) \
	{ .soname = (name), .syms = (table), .nr_syms = sizeof(table) / sizeof((table)[0]) }

/*
 * dlopen(soname, RTLD_NOW | RTLD_LOCAL) and every symbol of the table, on
 * the first call; later calls return the first answer.  0; -ELIBACC when
 * the library cannot be loaded, -ELIBBAD when it lacks a symbol (an
 * incompatible version), with lib->why set and every pointer NULL.  The
 * library stays loaded for the life of the process.  Not thread-safe: bind
 * before starting threads that use it.
 */
int dl_lib__bind(struct dl_lib *lib);

#endif /* PEERSCOPE_DL_LIB_H */
