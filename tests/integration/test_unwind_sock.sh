#!/usr/bin/env bash
# unwind: stacks taken inside a syscall (sock at sys_exit, offcpu at
# sched_switch, alloc at mmap's sys_exit) name the function that called the
# libc wrapper.  tests/progs/unwind_syscalls keeps frame pointers, libc does
# not: with the in-kernel .eh_frame unwinder (--unwind auto, the default)
# send_known, recv_known and mmap_known are in the stacks; with --unwind fp
# the walk goes from the wrapper to their caller and they are absent.  Both
# are asserted, so the test shows the difference.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
[ -x "$PROGS/unwind_syscalls" ] || skip "no $PROGS/unwind_syscalls (run make)"

bg "$PROGS/unwind_syscalls" 30
pid=$!
sleep 0.3

for mode in auto fp; do
	"$PS" record -v -p "$pid" -d 2 -c sock,offcpu,alloc --alloc --unwind "$mode" \
		-o "$T/$mode.pb.gz" 2>"$T/$mode.err" ||
		fail "record --unwind $mode failed: $(tail -n 2 "$T/$mode.err")"
	"$PS" report "$T/$mode.pb.gz" --net --json --top 0 | jq -e '.net.tx_stacks' >"$T/$mode.tx.json" ||
		fail "report --net --json --unwind $mode has no tx stacks"
	for type in offcpu alloc; do
		"$PS" flame "$T/$mode.pb.gz" --folded --no-kernel -t "$type" -o "$T/$mode.$type.folded" \
			2>"$T/flame.err" || fail "flame -t $type ($mode) failed: $(cat "$T/flame.err")"
	done
done

# --- sock: the tx stack of send() ---
jq -e '[.[] | select(.function == "send_known" and (.stack | test("^__send < send_known < main")))]
	| length == 1' "$T/auto.tx.json" >/dev/null ||
	fail "auto: no tx stack with send_known as the caller of send(): $(jq -c . "$T/auto.tx.json")"
auto_msgs=$(jq '[.[] | select(.function == "send_known") | .messages] | add' "$T/auto.tx.json")
fp_msgs=$(jq '[.[] | .messages] | add // 0' "$T/fp.tx.json")
note "sock: auto: $auto_msgs messages from send_known; fp: $fp_msgs messages, stacks $(jq -c '[.[].stack]' "$T/fp.tx.json")"
assert_between "$auto_msgs" 150 100000 "auto: messages sent from send_known (1 per ~2 ms for 2 s)"
assert_between "$fp_msgs" 200 100000 "fp: messages counted (the fp recording is not empty)"
jq -e '[.[] | select(.stack | test("send_known"))] | length == 0' "$T/fp.tx.json" >/dev/null ||
	fail "fp: send_known found in a tx stack: the test would not show the unwinder's difference"

# --- sock: stacks reused per call site still tell send_known from send_twin ---
# They alternate, and their send() enters the kernel with the same registers:
# a new site is walked again at its next visit, which finds the other
# function and mark the site as varying (bpf/site-memo.bpf.h), so at most a
# message or two lands on the wrong twin: 50/50 +- 3.  (With the old check,
# every 16th reuse, the check always fell on the same twin: 100/0.)
twin_msgs=$(jq '[.[] | select(.function == "send_twin") | .messages] | add // 0' "$T/auto.tx.json")
known_pct=$(echo "$auto_msgs $twin_msgs" | awk '{ printf "%.1f", $1 + $2 ? 100 * $1 / ($1 + $2) : 0 }')
memo=$(grep -o 'sock: stacks reused at [0-9]* sends and receives, walked at [0-9]* ([^)]*; [0-9]* sites vary)' \
	"$T/auto.err") || fail "auto: record -v did not say how sock stacks were reused"
note "sock: send_known $auto_msgs, send_twin $twin_msgs messages ($known_pct % send_known); $memo"
assert_between "$known_pct" 47 53 "auto: send_known's share of the two twins' messages (they alternate)"
reused=$(echo "$memo" | sed 's/.*reused at \([0-9]*\) .*/\1/')
varied=$(echo "$memo" | sed 's/.*; \([0-9]*\) sites vary)/\1/')
assert_between "$varied" 1 3 "auto: sites found to vary (the twins' send site)"
assert_between "$reused" 100 10000000 "auto: sends and receives whose stack was reused (the receiver's recv site)"

# --- offcpu: the receiver blocked in recv() ---
auto_recv=$(folded_share "$T/auto.offcpu.folded" ';recv_known;recv;\[net\]$')
fp_recv=$(folded_share "$T/fp.offcpu.folded" 'recv_known')
fp_net=$(folded_share "$T/fp.offcpu.folded" '(^|;)recv;\[net\]$')
note "offcpu: recv_known;recv in $auto_recv % of blocked time (auto), $fp_recv % (fp; recv;[net] $fp_net %)"
assert_between "$auto_recv" 20 100 "auto: share of off-CPU time blocked in recv() under recv_known"
assert_between "$fp_net" 20 100 "fp: share of off-CPU time blocked in recv() (the fp recording sees it)"
assert_between "$fp_recv" 0 0 "fp: share of off-CPU time naming recv_known"

# --- alloc: mmap() ---
auto_mmap=$(folded_share "$T/auto.alloc.folded" ';mmap_known;__mmap$')
fp_mmap=$(folded_share "$T/fp.alloc.folded" 'mmap_known')
fp_any=$(folded_share "$T/fp.alloc.folded" ';__mmap$')
note "alloc: mmap_known;__mmap has $auto_mmap % of mmap-ed bytes (auto), $fp_mmap % (fp; __mmap leaf $fp_any %)"
assert_between "$auto_mmap" 50 100 "auto: share of allocated bytes from mmap_known"
assert_between "$fp_any" 50 100 "fp: share of allocated bytes from __mmap (the fp recording sees them)"
assert_between "$fp_mmap" 0 0 "fp: share of allocated bytes naming mmap_known"

# the walks were counted in the recording's unwind record, once
grep -q 'debug: unwind: [0-9]* stacks walked' "$T/auto.err" || fail "auto: no unwinder counters in record -v"
walked=$(sed -n 's/.*debug: unwind: \([0-9]*\) stacks walked.*/\1/p' "$T/auto.err")
assert_between "$walked" 400 10000000 "auto: user stacks walked by the unwinder"
grep -q 'debug: unwind: [0-9]* stacks walked' "$T/fp.err" && fail "fp: the unwinder ran"
kill "$pid"
exit 0
