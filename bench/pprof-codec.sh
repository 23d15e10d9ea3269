#!/usr/bin/env bash
# pprof codec: our hand-written protobuf encoder/decoder (userspace/format/
# pprof.c) against the code protobuf-c generates from profile.proto
# (bench/pprof-pbc.c over build/gen/profile.pb-c.c), on one synthetic
# recording of SAMPLES samples (default 1 M) over STACKS distinct stacks
# (default 65,536).  Both must write the same bytes and read the same
# profile (checked first).  Three views, each printed as pbc/hand ratios:
#   1. write and read time and the memory each operation adds (peak RSS
#      above the RSS it started at), best of RUNS, each in a fresh child;
#   2. whole-process peak RSS (/usr/bin/time -v) of writing and of reading;
#   3. instructions (callgrind, repeatable on a noisy machine) of the codec
#      functions alone, on CG_SAMPLES samples (default 100 k: callgrind is
#      ~50x slower) over CG_SAMPLES/12 stacks.
# The hand-written codec is the one peerscope ships because it wins all
# three (docs/format.md).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
B=$BUILD/bench/pprof-codec
SAMPLES=${SAMPLES:-1000000}
STACKS=${STACKS:-65536}
RUNS=${RUNS:-3}
CG_SAMPLES=${CG_SAMPLES:-100000}

[ -x "$B" ] || { echo "pprof codec: skipped (no $B; run make bench)"; exit 0; }

"$B" -n "$SAMPLES" -s "$STACKS" -r "$RUNS" || exit 1

# rss CODEC OP: max resident set of one whole run, in kB
rss() {
	/usr/bin/time -v "$B" -n "$SAMPLES" -s "$STACKS" "$1" "$2" 2>&1 >/dev/null |
		awk '/Maximum resident set size/ { print $NF }'
}
if [ -x /usr/bin/time ]; then
	for op in write read; do
		h=$(rss hand $op) p=$(rss pbc $op)
		awk -v op=$op -v h="$h" -v p="$p" 'BEGIN {
			printf "   process peak RSS, %s: hand %.0f MiB, pbc %.0f MiB (pbc/hand %.2fx)\n",
			       op, h / 1024, p / 1024, p / h }'
	done
else
	echo "   process peak RSS: skipped (no /usr/bin/time)"
fi

# instr CODEC OP FUNCTION: instructions callgrind counts inside FUNCTION
instr() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="$3" \
		"$B" -n "$CG_SAMPLES" -s $((CG_SAMPLES / 12)) "$1" "$2" 2>&1 >/dev/null |
		awk '/Collected :/ { print $NF }'
}
if command -v valgrind >/dev/null; then
	for op in write read; do
		if [ $op = write ]; then
			h=$(instr hand write pprof__encode) p=$(instr pbc write pprof_pbc__encode)
		else
			h=$(instr hand read pprof__decode) p=$(instr pbc read pprof_pbc__decode_plain)
		fi
		awk -v op=$op -v h="$h" -v p="$p" -v n="$CG_SAMPLES" 'BEGIN {
			printf "   instructions, %s of %d samples: hand %.0f M, pbc %.0f M (pbc/hand %.2fx)\n",
			       op, n, h / 1e6, p / 1e6, p / h }'
	done
else
	echo "   instructions: skipped (no valgrind)"
fi
