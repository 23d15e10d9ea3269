// SPDX-License-Identifier: MIT
/*
 * Stripped Go binaries (go build -ldflags=-s, plain and PIE) named from
 * .gopclntab.  Built at test time from tests/unit/fixtures/sym_go.go;
 * skipped when no Go toolchain is installed.
 */
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/symbolizer.h"

static char dir[] = "/tmp/peerscope-symgo-XXXXXX";
static bool built;

static int sh(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int setup(void **state)
{
	const char *env = getenv("PEERSCOPE_FIXTURES");
	char src[PATH_MAX], cache[PATH_MAX];

	if (!mkdtemp(dir))
		return -1;
	if (env)
		snprintf(src, sizeof(src), "%s/sym_go.go", env);
	else if (!realpath("tests/unit/fixtures/sym_go.go", src))
		return 0;  /* not run from the repo root: skip */
	if (sh("command -v go >/dev/null"))
		return 0;
	/*
	 * A private home; a build cache that outlives the run (cold, the two
	 * builds take ~10 s, warm well under 1 s), per user so root and
	 * non-root runs do not trip over each other's files.
	 */
	if (getenv("GOCACHE"))
		snprintf(cache, sizeof(cache), "%s", getenv("GOCACHE"));
	else
		snprintf(cache, sizeof(cache), "/tmp/peerscope-gocache-%u", (unsigned)getuid());
	if (sh("cd %s && HOME=%s GOCACHE=%s GOPATH=%s/gopath GO111MODULE=off "
	       "go build -ldflags=-s -o go_plain %s && "
	       "HOME=%s GOCACHE=%s GOPATH=%s/gopath GO111MODULE=off "
	       "go build -buildmode=pie -ldflags=-s -o go_pie %s",
	       dir, dir, cache, dir, src, dir, cache, dir, src)) {
		fprintf(stderr, "test_sym_go: go build failed\n");
		return -1;
	}
	built = true;
	return 0;
}

static int teardown(void **state)
{
	/* the Go cache is read-only files */
	return sh("chmod -R u+w '%s' && rm -rf '%s'", dir, dir) ? -1 : 0;
}

static void run_one(const char *prog)
{
	struct symbolizer_opts o = { .no_kernel = true };
	char path[PATH_MAX], line[256];
	struct symbolizer *s;
	struct sym_frame f;
	int in[2], out[2], st, seen = 0;
	pid_t pid;
	FILE *fp;

	if (!built)
		skip();
	snprintf(path, sizeof(path), "%s/%s", dir, prog);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s = symbolizer__new(&o);
	assert_non_null(s);
	fp = fdopen(out[0], "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		unsigned long long a;
		char name[64];

		if (!strncmp(line, "ready", 5))
			break;
		if (sscanf(line, "%63s %llx", name, &a) != 2)
			continue;
		if (!seen)
			assert_int_equal(symbolizer__add_pid(s, pid), 0);
		assert_int_equal(symbolizer__resolve(s, pid, false, a + 1, &f), 0);
		if (!f.name)
			fail_msg("%s: %s at 0x%llx unnamed (module %s)", prog, name, a, f.module);
		assert_string_equal(f.name, name);
		assert_int_equal(f.sym_offset, 1);
		seen++;
	}
	fclose(fp);
	assert_int_equal(seen, 2);
	close(in[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	symbolizer__free(s);
}

static void test_go_plain(void **state)
{
	run_one("go_plain");
}

static void test_go_pie(void **state)
{
	run_one("go_pie");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_plain),
		cmocka_unit_test(test_go_pie),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
