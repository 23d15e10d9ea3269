#!/usr/bin/env bash
# stack scale: `record -c cpu -F 999` of tests/progs/many_stacks (N distinct
# call paths, 2 threads) for SECONDS; prints the stack errors, map-full
# drops, distinct stacks kept (folded lines) and peerscope's peak RSS.
# Goal (issue 19): 0 stack errors at 100 k distinct paths, bounded memory.
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
"$BUILD/progs/many_stacks" "$PATHS" $((SECONDS_REC + 5)) 2 >/dev/null &
gen=$!
trap 'kill $gen 2>/dev/null; wait $gen 2>/dev/null; rm -rf "$T"' EXIT
sleep 0.5
/usr/bin/time -f "%M" -o "$T/rss" "$PS" record -p "$gen" -c cpu -F 999 -d "$SECONDS_REC" \
	-o "$T/r.pb.gz" 2>"$T/err" || { echo "stack scale: record failed: $(tail -1 "$T/err")"; exit 1; }
line=$(grep 'wrote' "$T/err")
kept=$("$PS" flame --folded -o - "$T/r.pb.gz" 2>/dev/null | wc -l)
printf 'stack scale: %d paths, %ds: %s; %d distinct stacks kept; peak RSS %d MB\n' \
	"$PATHS" "$SECONDS_REC" "$(echo "$line" | sed 's/.*: \([0-9]* samples\)/\1/')" \
	"$kept" $(( $(cat "$T/rss") / 1024 ))
