#!/usr/bin/env bash
# Many distinct stacks lose none: tests/progs/many_stacks spins in 100 k
# distinct call paths (2 threads) under `record -c cpu -F 999 --unwind fp`
# for 8 s, so every user stack goes through the 16 k-bucket stack map and
# a few percent of them collide in a bucket (-EEXIST).  Such samples travel
# through the overflow ring with their frames inline.  Checks:
#  - 0 stack errors (main before the ring: ~4 % of samples, "[no stack]");
#  - every sample is in the output (folded sample counts sum to the
#    samples `record` counted), and at least 99 % of them have the
#    program's own frames (a broken inline stack would not);
#  - the distinct stacks kept match the generator's expectation,
#    N * (1 - exp(-samples / N)), within -7 % / +2 %;
#  - at a rate where collisions are certain (>= 500 samples/s: >= 7 per 1 s
#    window on average), some samples did take the ring.
. "$(dirname "$0")/lib.sh"
need_root
PATHS=100000
SECS=8
[ -x "$BUILD/progs/many_stacks" ] || skip "no $BUILD/progs/many_stacks (run make)"

bg "$BUILD/progs/many_stacks" $PATHS $((SECS + 10)) 2 >/dev/null
gen=${BG_PIDS[-1]}
sleep 0.5
"$PS" record -v -p "$gen" -c cpu -F 999 --unwind fp -d $SECS -o "$T/r.pb.gz" 2>"$T/err" ||
	fail "record failed: $(grep -v debug "$T/err" | tail -1)"
line=$(grep 'wrote' "$T/err")
samples=$(echo "$line" | sed -n 's/.*: \([0-9]*\) samples, \([0-9]*\) stack errors.*/\1/p')
errors=$(echo "$line" | sed -n 's/.*: \([0-9]*\) samples, \([0-9]*\) stack errors.*/\2/p')
ring=$(sed -n 's/.*cpu: \([0-9]*\) samples kept through the stack-collision.*/\1/p' "$T/err")
ring=${ring:-0}
[ -n "$samples" ] || fail "no sample count in: $line"
"$PS" flame --folded --type samples -o "$T/f" "$T/r.pb.gz" 2>"$T/flame.err" ||
	fail "flame failed: $(tail -1 "$T/flame.err")"
read -r kept total own < <(awk '{ n += $NF; if ($0 ~ /descend/) o += $NF } END { print NR, n, o + 0 }' "$T/f")
expect=$(awk -v n=$PATHS -v s="$samples" 'BEGIN { printf "%.0f", n * (1 - exp(-s / n)) }')
note "$samples samples, $errors stack errors, $ring through the overflow ring; $kept distinct stacks (expected ~$expect), $own samples in the program's frames"

[ "$errors" = 0 ] || fail "$errors stack errors (want 0)"
[ "$total" = "$samples" ] || fail "folded output holds $total samples, record counted $samples"
assert_between "$(awk -v o="$own" -v t="$total" 'BEGIN { print t ? 100 * o / t : 0 }')" 99 100.01 \
	"share of samples in many_stacks' own frames (%)"
assert_between "$kept" "$(awk -v e="$expect" 'BEGIN { printf "%.0f", 0.93 * e }')" \
	"$(awk -v e="$expect" 'BEGIN { printf "%.0f", 1.02 * e }')" "distinct stacks kept"
if [ "$samples" -ge $((500 * SECS)) ]; then
	[ "$ring" -gt 0 ] || fail "$samples samples of 100 k paths and none collided: the overflow path was not taken"
else
	note "only $samples samples (a busy machine): too few to be sure of a collision"
fi
echo "ok $TEST_NAME"
