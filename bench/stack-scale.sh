#!/usr/bin/env bash
# stack scale: `record -c cpu -F 999` of tests/progs/many_stacks (N distinct
# call paths, 2 threads) for SECONDS; prints the stack errors, map-full
# drops, distinct stacks kept (folded lines), the samples whose stack
# collided in a stack-map bucket and were kept through the overflow ring,
# the .eh_frame unwinder's store errors, and peerscope's peak RSS.  Twice:
# the default unwinder, and --unwind fp (every user stack in the stack map,
# the path that lost ~4 % of stacks to bucket collisions before the ring).
# Goal (issue 19): 0 stack errors and 0 store errors at 100 k distinct
# paths, bounded memory: peak RSS at most 64 MB.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=$BUILD/peerscope
PATHS=${PATHS:-100000}
SECONDS_REC=${SECONDS_REC:-60}

[ "$(id -u)" = 0 ] || { echo "stack scale: skipped (needs root)"; exit 0; }
[ -x "$BUILD/progs/many_stacks" ] || { echo "stack scale: skipped (run make)"; exit 0; }
T=$(mktemp -d /tmp/peerscope-bench.XXXXXX)
"$BUILD/progs/many_stacks" "$PATHS" $((2 * SECONDS_REC + 10)) 2 >/dev/null &
gen=$!
trap 'kill $gen 2>/dev/null; wait $gen 2>/dev/null; rm -rf "$T"' EXIT
sleep 0.5
# one_run LABEL [record options...]
one_run() {
	local label=$1 line kept ovf store
	shift
	/usr/bin/time -f "%M" -o "$T/rss" "$PS" record -v -p "$gen" -c cpu -F 999 -d "$SECONDS_REC" \
		-o "$T/r.pb.gz" "$@" 2>"$T/err" ||
		{ echo "stack scale ($label): record failed: $(grep -v debug "$T/err" | tail -1)"; return 1; }
	line=$(grep 'wrote' "$T/err")
	kept=$("$PS" flame --folded -o - "$T/r.pb.gz" 2>/dev/null | wc -l)
	ovf=$(sed -n 's/.*cpu: \([0-9]*\) samples kept through the stack-collision.*/\1/p' "$T/err")
	store=$(sed -n 's/.*unwind: .* \([0-9]*\) store errors.*/\1/p' "$T/err")
	printf 'stack scale (%s): %d paths, %ds: %s; %d distinct stacks kept; %s via the overflow ring; unwinder store errors %s; peak RSS %d MB (goal <= 64)\n' \
		"$label" "$PATHS" "$SECONDS_REC" "$(echo "$line" | sed 's/.*: \([0-9]* samples\)/\1/')" \
		"$kept" "${ovf:-?}" "${store:--}" $(( $(cat "$T/rss") / 1024 ))
}

rc=0
one_run "default unwinder" || rc=1
one_run "frame pointers" --unwind fp || rc=1
exit $rc
