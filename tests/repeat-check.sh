#!/usr/bin/env bash
# repeat-check.sh [-n N] [-r REV] [-o DIR] [--busy K|--no-load] [--lock FILE] [TEST...]
#
# Does `make check` pass N times in a row on a clean clone while the
# machine is busy?  Clones REV (default HEAD) of this repository into a
# fresh directory, starts CPU-bound busy loops (shell `while :`, two by default), runs
# `make check` N times (default 10) one after the other, and prints one
# line per run -- result, time, load average, the tests that failed -- and
# a summary.  Exit 0 only when every run passed.
#
#   -n N       runs (default 10)
#   -r REV     what to clone (default HEAD; uncommitted changes are not in it)
#   -o DIR     keep the clone and the logs there (default a new /tmp dir);
#              run K's output is DIR/run-K.log
#   --busy K   K busy loops (default 2; 0 is the same as --no-load)
#   --no-load  no busy loops (a baseline to compare with)
#   --lock F   run each integration test under `flock F`: other work on the
#              machine that takes the same lock (engineers' own tests and
#              benches) then never overlaps a test, and is part of the load
#   TEST...    instead of the whole `make check`: build, then only these
#              integration tests (names as tests/run-integration.sh takes
#              them) -- for trying the script itself, not for the verdict
#
# Needs root like `make check`.  The whole check takes ~10-15 min a run
# on the 2-core machine, so 10 runs are 2-3 hours.  docs/testing.md says more.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
runs=10 rev=HEAD out= busy_n=2 lock= tests=()
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=$2; shift 2 ;;
	-r) rev=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	--no-load) busy_n=0; shift ;;
	--busy) busy_n=$2; shift 2 ;;
	--lock) lock=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "repeat-check: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) tests+=("$1"); shift ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "repeat-check: -n wants a count >= 1" >&2; exit 2 ;; esac
case $busy_n in ''|*[!0-9]*) echo "repeat-check: --busy wants a count >= 0" >&2; exit 2 ;; esac
[ -z "$lock" ] || export PEERSCOPE_TEST_LOCK=$lock
[ -n "$out" ] || out=$(mktemp -d /tmp/peerscope-repeat.XXXXXX)
mkdir -p "$out" || exit 1
clone=$out/clone
commit=$(git -C "$ROOT" rev-parse --verify "$rev^{commit}") || exit 2

busy=()
stop_load() {
	local p
	for p in "${busy[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${busy[@]}"; do wait "$p" 2>/dev/null; done
	busy=()
}
trap stop_load EXIT
trap 'exit 130' INT TERM

rm -rf "$clone"
git clone --quiet --no-local "$ROOT" "$clone" && git -C "$clone" checkout --quiet "$commit" ||
	{ echo "repeat-check: cannot clone $ROOT at $rev" >&2; exit 1; }
what="make check"
[ ${#tests[@]} -eq 0 ] || what="integration tests ${tests[*]}"
echo "repeat-check: $runs run(s) of $what on a clean clone of $(git -C "$ROOT" log -1 --format='%h %s' "$commit")"
echo "repeat-check: in $clone, logs in $out, $busy_n busy loop(s)${lock:+, each test under flock $lock}"
if [ "$busy_n" -gt 0 ]; then
	for _ in $(seq "$busy_n"); do
		( while :; do :; done ) &
		busy+=($!)
	done
fi

# one_run K: `make check` (or the subset) in the clone; its output in run-K.log
one_run() {
	cd "$clone" || return 1
	if [ ${#tests[@]} -eq 0 ]; then
		make check
	else
		make -j2 all unit-build >/dev/null && tests/run-integration.sh "${tests[@]}"
	fi
}

passed=0 results=()
for k in $(seq "$runs"); do
	start=$(date +%s)
	one_run >"$out/run-$k.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	summary=$(grep -E '^(check|integration): [0-9]+ passed' "$out/run-$k.log" | tail -1)
	failed=$(sed -n 's/^  FAIL  \([^ ]*\).*/\1/p' "$out/run-$k.log" | tr '\n' ' ')
	[ $rc -eq 0 ] && passed=$((passed + 1))
	line=$(printf 'run %2d: %-4s %-45s %5ss  load %s%s' "$k" "$([ $rc -eq 0 ] && echo ok || echo FAIL)" \
		"${summary:-no summary (exit $rc)}" "$secs" "$(cut -d' ' -f1-3 /proc/loadavg)" \
		"${failed:+  failed: $failed}")
	results+=("$line")
	echo "$line"
done
stop_load
echo "repeat-check: $passed of $runs run(s) passed"
printf '%s\n' "${results[@]}" >"$out/results.txt"
[ "$passed" -eq "$runs" ]
