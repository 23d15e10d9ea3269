#!/usr/bin/env bash
# flame speed: 1 M synthetic samples over 50 k distinct stacks (depth 6-37,
# 30 % with kernel frames) through `peerscope flame`.
#   1. folded text, one line per sample (130 MB, what a stack collapser
#      emits before merging) -> SVG + pprof (--pprof-out);
#   2. that pprof (samples merged by stack) -> SVG;
#   3. that pprof -> folded;
#   4. `report` on that pprof.
# Yardstick, same run: awk merging the same 1 M lines by stack (the least
# work any folded-stack tool must do), so the ratio says how far above
# "just reading the text" step 1 is.  Best of RUNS runs each.
# Goals (issue 19): step 1 at most 1 s and faster than awk; report at most 1 s.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=$BUILD/peerscope
SAMPLES=${SAMPLES:-1000000}
STACKS=${STACKS:-50000}
RUNS=${RUNS:-3}

[ -x "$PS" ] || { echo "flame speed: skipped (no $PS; run make)"; exit 0; }
command -v python3 >/dev/null || { echo "flame speed: skipped (needs python3)"; exit 0; }
T=$(mktemp -d /tmp/peerscope-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

python3 "$ROOT/tests/flame/gen_folded.py" bench "$SAMPLES" "$STACKS" 1 > "$T/in.folded" ||
	{ echo "flame speed: generator failed"; exit 1; }

# best CMD...: the smallest wall time of RUNS runs, in seconds
best() {
	local i s e t b=
	for i in $(seq "$RUNS"); do
		s=$(date +%s.%N)
		"$@" >/dev/null || return 1
		e=$(date +%s.%N)
		t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
		if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
	done
	echo "$b"
}

awk_merge() {
	awk '{ n = $NF; $NF = ""; c[$0] += n } END { for (k in c) print k, c[k] }' "$T/in.folded"
}

t_fold=$(best "$PS" flame "$T/in.folded" -o "$T/a.svg" --pprof-out "$T/a.pb.gz") ||
	{ echo "flame speed: peerscope flame failed"; exit 1; }
t_svg=$(best "$PS" flame "$T/a.pb.gz" -o "$T/b.svg") || { echo "flame speed: failed"; exit 1; }
t_out=$(best "$PS" flame "$T/a.pb.gz" --folded -o "$T/b.folded") ||
	{ echo "flame speed: failed"; exit 1; }
t_rep=$(best "$PS" report "$T/a.pb.gz") || { echo "flame speed: report failed"; exit 1; }
t_awk=$(best awk_merge) || { echo "flame speed: awk failed"; exit 1; }

mb=$(awk -v b="$(stat -c %s "$T/in.folded")" 'BEGIN { printf "%.0f", b / 1048576 }')
kb=$(awk -v b="$(stat -c %s "$T/b.svg")" 'BEGIN { printf "%.0f", b / 1024 }')
printf '   %d samples, %d stacks (%s MB folded):\n' "$SAMPLES" "$STACKS" "$mb"
# ok VALUE GOAL: "ok" when VALUE <= GOAL
ok() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g ? "ok" : "OVER") }'; }
ratio=$(awk -v a="$t_fold" -v b="$t_awk" 'BEGIN { printf "%.2f", a / b }')
printf '   folded -> SVG + pprof   %6.2f s   (awk merge of the same lines: %.2f s, ratio %s; goal <= 1 s and < 1: %s)\n' \
	"$t_fold" "$t_awk" "$ratio" \
	"$(awk -v t="$t_fold" -v r="$ratio" 'BEGIN { print (t <= 1 && r < 1 ? "ok" : "OVER") }')"
printf '   pprof  -> SVG           %6.2f s   (%s KiB SVG, %s frames drawn)\n' "$t_svg" "$kb" \
	"$(grep -c 'class="f"' "$T/b.svg")"
printf '   pprof  -> folded        %6.2f s   (%s lines)\n' "$t_out" "$(wc -l < "$T/b.folded")"
printf '   pprof  -> report        %6.2f s   (goal <= 1 s: %s)\n' "$t_rep" "$(ok "$t_rep" 1)"
