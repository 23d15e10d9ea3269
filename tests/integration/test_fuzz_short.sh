#!/usr/bin/env bash
# test-lock: none
# The short fuzz run of make check: every parser's libFuzzer harness
# (tests/fuzz) replays the inputs that once crashed it, then fuzzes for
# FUZZ_SHORT_SECONDS (3) from its seeds and this machine's files.  Any
# crash, leak, undefined behaviour or allocation over 2 GiB fails.
. "$(dirname "$0")/lib.sh"
need_cmd clang
need_cmd objcopy

make -s -C "$ROOT" BUILD="$BUILD" -j2 fuzz-build >"$T/build.log" 2>&1 ||
	fail "fuzz harnesses do not build: $(grep -m1 -E 'error' "$T/build.log")"
FUZZ_BUILD=$BUILD/fuzz PS=$PS "$ROOT/tests/fuzz/run.sh" "${FUZZ_SHORT_SECONDS:-3}" >"$T/run.log" 2>&1
rc=$?
while read -r line; do note "$line"; done <"$T/run.log"
[ $rc -eq 0 ] || fail "$(grep -m1 FAIL "$T/run.log")"
n=$(grep -c '^fuzz .*: ok' "$T/run.log")
[ "$n" -ge 14 ] || fail "only $n harnesses ran"
exit 0
