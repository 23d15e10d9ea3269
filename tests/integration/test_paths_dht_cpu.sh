#!/usr/bin/env bash
# --inject dht-cpu: the dht path is CPU-bound in dht_distance_slow.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

# --dht-rate 600: dht-cpu then costs ~0.25 CPUs, clear of the cpu rule's
# 0.10 CPU floor (at 300 it sat at ~0.1).  --duration 0: the network lives
# until the test ends; with 12 s, a loaded host once let the node exit
# before the kernel's account below was read after the recording (the
# account then read "0 %", against the recording's starved 54 %)
net_start --duration 0 --dht-rate 600 --gossip-rate 5 --inject dht-cpu --on-node 0
before=$(sched_ns "$(node_pid 0)")
record_node 0 5
after=$(sched_ns "$(node_pid 0)")
need_type cpu "on-CPU samples come from the cpu collector"
report_json
# CPU-bound -- unless the host starved the node, by the kernel's account
# over the recording (runq_agrees in lib.sh): with busy loops beside it the
# dht worker waits 39 % of its wall time and more.
wait_pct=$(runq_pct "$before" "$after")
[ "$wait_pct" -ge 0 ] ||
	fail "node 0's own account is incomplete (a thread of it exited while recorded: $before, then $after): nothing to check the verdict against"
note "node 0 waited for a CPU $wait_pct % of its runnable time while recorded (kernel's schedstat)"
if [ "$(verdict dht kind)" = runq ] && [ "$wait_pct" -ge "$STARVED_PCT" ]; then
	runq_agrees "$(verdict dht text)" "$wait_pct" ||
		fail "dht: starved by its verdict, the kernel says $wait_pct %: $(verdict dht text)"
	note "the host starved the node: $(verdict dht text)"
else
	expect_verdict dht cpu dht_distance_slow
fi
# the flame graph of the dht path holds it too (symbol rules apply there)
"$PS" flame "$T/rec.pb.gz" --path dht --folded -o "$T/dht.folded" 2>/dev/null ||
	"$PS" flame "$T/rec.pb.gz" --path dht -o "$T/dht.svg" 2>/dev/null ||
	fail "flame --path dht failed"
grep -q dht_distance_slow "$T"/dht.* || fail "flame --path dht lacks dht_distance_slow"
exit 0
