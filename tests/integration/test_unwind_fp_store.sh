#!/usr/bin/env bash
# unwind: a process the unwinder has no table for (tests/progs/fp_only:
# static, .eh_frame stripped, frame pointers) gets its user stacks by
# frame pointers alone, walked by the unwinder into its store rather than
# taken into sock's and offcpu's own stack maps, which are therefore small
# (sock) or hold kernel stacks only (offcpu).  Asserted: record -v counts
# those walks, and the stacks of the report reach main().  Without the
# walk the count is 0.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
[ -x "$PROGS/fp_only" ] || skip "no $PROGS/fp_only (run make)"

bg "$PROGS/fp_only" -d 20
pid=$!
sleep 0.3

"$PS" record -v -p "$pid" -d 2 -c sock,offcpu -o "$T/fp.pb.gz" 2>"$T/fp.err" ||
	fail "record failed: $(tail -n 2 "$T/fp.err")"
grep -q "unwind: pid $pid: no .eh_frame tables: frame pointers" "$T/fp.err" ||
	fail "record -v did not say pid $pid has no tables: the test needs a process without them"
stored=$(sed -n 's/.*debug: unwind: .*; \([0-9]*\) of them in processes without tables.*/\1/p' \
	"$T/fp.err")
note "unwind: $stored stacks walked by frame pointers alone"
assert_between "${stored:-0}" 2 10000000 "stacks of the process without tables walked into the store"

# offcpu's kernel stacks go to the same store (its stack map keeps 256 buckets)
kstored=$(sed -n 's/.*debug: unwind: .* \([0-9]*\) kernel stacks stored.*/\1/p' "$T/fp.err")
note "unwind: $kstored kernel stacks stored"
assert_between "${kstored:-0}" 1 10000000 "offcpu kernel stacks kept in the unwinder's store"

"$PS" report "$T/fp.pb.gz" --net --json --top 0 | jq -e '.net.tx_stacks' >"$T/tx.json" ||
	fail "report --net --json has no tx stacks"
main_msgs=$(jq '[.[] | select(.stack | test("^__libc_sendto < main <")) | .messages] | add // 0' "$T/tx.json")
all_msgs=$(jq '[.[] | .messages] | add // 0' "$T/tx.json")
note "sock: $main_msgs of $all_msgs messages sent from main"
assert_between "$all_msgs" 200 100000 "messages sent (1 per ~2 ms for 2 s)"
assert_between "$main_msgs" "$all_msgs" "$all_msgs" "messages whose tx stack reaches main"

"$PS" flame "$T/fp.pb.gz" --folded --no-kernel -t offcpu -o "$T/offcpu.folded" 2>"$T/flame.err" ||
	fail "flame -t offcpu failed: $(cat "$T/flame.err")"
nap=$(folded_share "$T/offcpu.folded" ';main;__clock_nanosleep;')
note "offcpu: main;__clock_nanosleep has $nap % of blocked time"
assert_between "$nap" 90 100 "share of off-CPU time in nanosleep() under main"
kill "$pid"
exit 0
