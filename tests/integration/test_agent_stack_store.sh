#!/usr/bin/env bash
# agent: the unwinder's store of user stacks (shared by offcpu, sock and
# alloc, 16 384 stacks) does not fill for good on a long-running node.  The
# agent empties it between windows once it is more than half full, keeping
# the stacks open waits still refer to.  Known answer: many_stacks waits
# 200 us at each of 100 k distinct leaves, 2-4 k new off-CPU stacks a
# second; without the trim the store fills within seconds and from then on
# every new stack is a store error (a frame-pointer walk instead: 70 % of
# the walks in this test).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
. "$(dirname "$0")/agent-lib.sh"
need_root
[ -x "$BUILD/progs/many_stacks" ] || skip "no $BUILD/progs/many_stacks (run make)"

bg "$BUILD/progs/many_stacks" 100000 60 1 200 >/dev/null
pid=$!
agent_run "$T/agent.err" -v -p "$pid" -c offcpu --window 1s --dir "$T/w"
wait_windows 20 90
agent_stop

# the last walk counters (-v): "N stacks walked ... M store errors"
read -r walked store_err < <(grep -E "debug: unwind: [0-9]+ stacks walked" "$T/agent.err" | tail -1 |
	sed -E 's/.* ([0-9]+) stacks walked.* ([0-9]+) store errors.*/\1 \2/')
trims=$(grep -c "user-stack store held" "$T/agent.err")
note "walks $walked, store errors $store_err, trims $trims"
grep "user-stack store held" "$T/agent.err" | tail -3 | sed 's/^/  /'
[ "${walked:-0}" -ge 16384 ] || fail "only ${walked:-0} stacks walked: fewer than the store holds"
[ "$trims" -ge 1 ] || fail "the store was never emptied"
# a stack walked while a trim deletes may go (its wait keeps its time);
# a full store would turn every new stack into a store error
assert_between "$(awk -v e="$store_err" -v w="$walked" 'BEGIN { print 100 * e / w }')" 0 1 \
	"store errors, % of walks"

for f in $(windows); do
	"$PS" flame --folded --type offcpu "$T/w/$f" 2>>"$T/flame.err" ||
		fail "flame of window $f failed: $(tail -2 "$T/flame.err")"
done >"$T/all.folded"
# the waits at the leaves: their user stacks reach the leaf through descend()
share=$(awk '/;do_nanosleep_\[k\]/ { t += $NF; if ($0 ~ /;descend;.*;leaf;/) ok += $NF }
	END { printf "%.2f", t ? 100 * ok / t : 0 }' "$T/all.folded")
note "leaf waits with their user stack: $share %"
assert_between "$share" 98 100.01 "leaf waits with their user stack (%)"
exit 0
