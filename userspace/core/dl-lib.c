// SPDX-License-Identifier: MIT
/* Binding a shared library's functions on first use (core/dl-lib.h). */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#include "core/dl-lib.h"

static int fail(struct dl_lib *lib, int err, const char *what)
{
	const char *msg = dlerror();

	/* dlerror() names the soname or the symbol; keep our own words if it has none */
	snprintf(lib->why, sizeof(lib->why), "%s", msg ? msg : what);
	for (size_t i = 0; i < lib->nr_syms; i++)
		*lib->syms[i].addr = NULL;
	return err;
}

static int bind_once(struct dl_lib *lib)
{
	void *h;

	dlerror();	/* a stale error would be taken for ours */
	h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return fail(lib, -ELIBACC, lib->soname);
	for (size_t i = 0; i < lib->nr_syms; i++) {
		void *p = dlsym(h, lib->syms[i].name);

		/* NULL: missing (no function of these libraries is at address 0) */
		if (!p) {
			char what[200];
			int err;

			snprintf(what, sizeof(what), "%s: undefined symbol: %s", lib->soname,
				 lib->syms[i].name);
			err = fail(lib, -ELIBBAD, what);
			dlclose(h);	/* nothing of it will be called: unmap it */
			return err;
		}
		*lib->syms[i].addr = p;
	}
	return 0;
}

int dl_lib__bind(struct dl_lib *lib)
{
	if (!lib->tried) {
		lib->err = bind_once(lib);
		lib->tried = true;
	}
	return lib->err;
}
