#!/usr/bin/env bash
# Many distinct stacks lose none: tests/progs/many_stacks spins in 100 k
# distinct call paths (2 threads), recorded with `-c cpu` for 8 s twice:
#  1. `--unwind fp -F 999`: every user stack goes through the 16 k-bucket
#     stack map and a few percent of them collide in a bucket (-EEXIST).
#     Such samples travel through the overflow ring with their frames
#     inline.  At a rate where collisions are certain (>= 500 samples/s:
#     >= 7 per 1 s window on average), some samples must take the ring.
#  2. the default unwinder (.eh_frame tables) at -F 4999: ~25 k distinct
#     stacks, more than the unwinder's 16 k-stack store holds.  The cpu
#     collector empties its two stores in turn every second, so the store
#     never fills: 0 store errors (main before: ~5,000 of 23,000 samples
#     fell back to frame pointers once 16 k stacks were stored), and every
#     sample walked by the unwinder.
# Both: 0 stack errors (main before the ring: ~4 % of samples, "[no
# stack]"); every sample is in the output (folded sample counts sum to the
# samples `record` counted), at least 99 % of them whole (they reach the
# thread's entry, start_thread;worker: a broken stack would not) and at least
# 90 % in descend (idle 99-99.5 %; with busy loops beside it 98.0-98.5 %:
# the worker's own loop and clock reads, and with frame pointers a sample
# in a step function's prologue, whose caller the walk skips, take the
# rest; a CI-like run failed a 99 % bound there); the distinct stacks kept match the
# generator's expectation, N * (1 - exp(-samples / N)), within -7 % / +2 %.
. "$(dirname "$0")/lib.sh"
need_root
PATHS=100000
SECS=8
[ -x "$BUILD/progs/many_stacks" ] || skip "no $BUILD/progs/many_stacks (run make)"

bg "$BUILD/progs/many_stacks" $PATHS $((2 * SECS + 10)) 2 >/dev/null
gen=${BG_PIDS[-1]}
sleep 0.5

# record_checked LABEL [record options...]: records, checks what both cases
# share; leaves samples, ring (overflow samples) and the -v log in $T/err.
record_checked() {
	local label=$1 line errors kept total own whole expect
	shift
	"$PS" record -v -p "$gen" -c cpu -d $SECS -o "$T/r.pb.gz" "$@" 2>"$T/err" ||
		fail "$label: record failed: $(grep -v debug "$T/err" | tail -1)"
	line=$(grep 'wrote' "$T/err")
	samples=$(echo "$line" | sed -n 's/.*: \([0-9]*\) samples, \([0-9]*\) stack errors.*/\1/p')
	errors=$(echo "$line" | sed -n 's/.*: \([0-9]*\) samples, \([0-9]*\) stack errors.*/\2/p')
	ring=$(sed -n 's/.*cpu: \([0-9]*\) samples kept through the stack-collision.*/\1/p' "$T/err")
	ring=${ring:-0}
	[ -n "$samples" ] || fail "$label: no sample count in: $line"
	"$PS" flame --folded --type samples -o "$T/f" "$T/r.pb.gz" 2>"$T/flame.err" ||
		fail "$label: flame failed: $(tail -1 "$T/flame.err")"
	read -r kept total own whole < <(awk '{ n += $NF; if ($0 ~ /descend/) o += $NF
		if ($0 ~ /(^|;)start_thread;worker(;| )/) w += $NF } END { print NR, n, o + 0, w + 0 }' "$T/f")
	expect=$(awk -v n=$PATHS -v s="$samples" 'BEGIN { printf "%.0f", n * (1 - exp(-s / n)) }')
	note "$label: $samples samples, $errors stack errors, $ring through the overflow ring; $kept distinct stacks (expected ~$expect), $whole whole, $own in descend"

	[ "$errors" = 0 ] || fail "$label: $errors stack errors (want 0)"
	[ "$total" = "$samples" ] || fail "$label: folded output holds $total samples, record counted $samples"
	assert_between "$(awk -v o="$whole" -v t="$total" 'BEGIN { print t ? 100 * o / t : 0 }')" 99 100.01 \
		"$label: share of samples whose stack reaches start_thread;worker (%)"
	assert_between "$(awk -v o="$own" -v t="$total" 'BEGIN { print t ? 100 * o / t : 0 }')" 90 100.01 \
		"$label: share of samples in descend (%)"
	assert_between "$kept" "$(awk -v e="$expect" 'BEGIN { printf "%.0f", 0.93 * e }')" \
		"$(awk -v e="$expect" 'BEGIN { printf "%.0f", 1.02 * e }')" "$label: distinct stacks kept"
}

record_checked "frame pointers" -F 999 --unwind fp
if [ "$samples" -ge $((500 * SECS)) ]; then
	[ "$ring" -gt 0 ] || fail "$samples samples of 100 k paths and none collided: the overflow path was not taken"
else
	note "only $samples samples (a busy machine): too few to be sure of a collision"
fi

record_checked "default unwinder" -F 4999
read -r walked store < <(sed -n 's/.*unwind: \([0-9]*\) stacks walked.* \([0-9]*\) store errors.*/\1 \2/p' "$T/err")
[ -n "$store" ] || fail "default unwinder: no unwinder counters in the -v output (were tables loaded?)"
note "default unwinder: $walked stacks walked, $store store errors"
[ "$store" = 0 ] || fail "default unwinder: $store stacks did not fit the unwinder's store (want 0)"
assert_between "$walked" "$(( samples * 99 / 100 ))" "$samples" "default unwinder: stacks walked by the unwinder"
[ "$samples" -gt 17500 ] ||
	note "only $samples samples (a busy machine): under 16 k distinct stacks, the store could not have filled"
echo "ok $TEST_NAME"
