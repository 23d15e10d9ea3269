#!/usr/bin/env bash
# Run every tests/integration/test_*.sh (or those named, by path or as
# test_foo), one line each,
# then "N passed, N failed, N skipped".  A test exits 0 (pass), 77 (skip)
# or anything else (fail); its stderr is shown only when it fails.
# PEERSCOPE_TEST_LOCK=FILE runs each test under `flock FILE`, so that other
# work on the machine that loads BPF programs (and takes the same lock)
# never overlaps a test that counts them (tests/repeat-check.sh --lock).
# A test with the line "# test-lock: none" loads no BPF program and runs
# without the lock, so that it does not hold up other work that needs it.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-build}
pass=0 failn=0 skipn=0 failed=()
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=("$ROOT"/tests/integration/test_*.sh)
for t in "${tests[@]}"; do
	# a bare name (test_foo) means tests/integration/test_foo.sh
	[ -f "$t" ] || t=$ROOT/tests/integration/${t%.sh}.sh
	name=$(basename "$t" .sh)
	log=$(mktemp)
	start=$(date +%s)
	if [ -n "${PEERSCOPE_TEST_LOCK:-}" ] && ! grep -qx '# test-lock: none' "$t"; then
		flock "$PEERSCOPE_TEST_LOCK" timeout --kill-after=10 "${TEST_TIMEOUT:-300}" bash "$t" >"$log" 2>&1
	else
		timeout --kill-after=10 "${TEST_TIMEOUT:-300}" bash "$t" >"$log" 2>&1
	fi
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0)  pass=$((pass + 1)); printf '  ok    %-40s %3ss\n' "$name" "$secs" ;;
	77) skipn=$((skipn + 1)); printf '  skip  %-40s %s\n' "$name" "$(tail -n 1 "$log")" ;;
	*)  failn=$((failn + 1)); failed+=("$name")
	    printf '  FAIL  %-40s %3ss (exit %d)\n' "$name" "$secs" "$rc"
	    sed 's/^/        | /' "$log" | tail -n 30 ;;
	esac
	rm -f "$log"
done
echo "integration: $pass passed, $failn failed, $skipn skipped"
[ $failn -eq 0 ]
