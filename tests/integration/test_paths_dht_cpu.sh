#!/usr/bin/env bash
# --inject dht-cpu: the dht path is CPU-bound in dht_distance_slow.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

net_start --duration 12 --dht-rate 300 --gossip-rate 5 --inject dht-cpu --on-node 0
before=$(sched_ns "$(node_pid 0)")
record_node 0 5
after=$(sched_ns "$(node_pid 0)")
need_type cpu "on-CPU samples come from the cpu collector"
report_json
# CPU-bound -- unless the host starved the node: a path that waits for a
# CPU longer than it runs is host contention by the verdict's rule, and with
# busy loops beside it the dht worker waits 39 % of its wall time and more.
# The kernel's account over the recording decides: under 40 % of the node's
# runnable time waiting (10-25 % idle) the verdict must be CPU-bound; from
# 40 % on, "run-queue starvation" is right too, with a waiting share within
# 20 points of the kernel's ("as on every path" is added only when the other
# paths waited as long; a demo run beside two busy loops had dht starved
# alone, kernel 54 %, verdict 56 %).
wait_pct=$(runq_pct "$before" "$after")
note "node 0 waited for a CPU $wait_pct % of its runnable time while recorded (kernel's schedstat)"
if [ "$(verdict dht kind)" = runq ] && [ "$wait_pct" -ge 40 ]; then
	said=$(verdict dht text | sed -n 's/.*run-queue starvation: \([0-9]*\) %.*/\1/p')
	[ -n "$said" ] && [ $((said - wait_pct)) -le 20 ] && [ $((wait_pct - said)) -le 20 ] ||
		fail "dht: starved at '$said' %, the kernel says $wait_pct %: $(verdict dht text)"
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
