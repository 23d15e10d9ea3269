#!/usr/bin/env bash
# A clean network: the report names no bottleneck on any path, the dht
# span counts node 0's lookups, and --sla passes (exit 0) or fails (exit 3).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

# 5 s of recording inside 9 s of traffic (it starts as the pids file appears)
net_start --duration 9 --dht-rate 100 --gossip-rate 20
record_node 0 5
report_json || fail "report exit $? on a clean network"
# "other" (the control thread, the event loop) is shown but not asserted:
# on a busy 2-CPU host its wakeups may really wait for a CPU
note "other: $(verdict other text)"
for path in dht gossip bootstrap; do
	kind=$(verdict $path kind)
	case $kind in
	none | idle | absent) note "$path: $(verdict $path text)" ;;
	*) fail "clean network, $path: invented a '$kind' bottleneck: $(verdict $path text)" ;;
	esac
done
# p2pnet sends each lookup to a random node: the span counts those node 0
# ran in the seconds recorded, about its share of p2pnet's count for node 0.
# The seconds are the recording's own (5, or fewer if a slow attach on a
# loaded host ran into the end of the 9 s of traffic), not a fixed 5.
net_wait
ops=$(python3 -c "import json; d=json.load(open('$T/report.json'))
print(next(p['operations']['count'] for p in d['paths']['paths'] if p['name']=='dht'))")
secs=$(python3 -c "import json; print(json.load(open('$T/report.json'))['paths']['duration_ns'] / 1e9)")
want=$(python3 -c "import json; j=json.load(open('$T/net.json'))
print(round(j['per_node'][0]['lookups']['count'] * $secs / j['ran_s']))")
note "dht lookups: node 0 ran $want in the $secs s recorded (p2pnet), the span timed $ops"
[ "$want" -ge 50 ] || fail "p2pnet says node 0 ran only $want lookups in $secs s (dht-rate 100, 4 nodes: ~125 in 5 s)"
assert_between "$ops" "$((want * 3 / 4))" "$((want * 5 / 4))" "dht lookups timed by the span (node 0 ran $want)"

"$PS" report "$T/rec.pb.gz" --sla dht.p99=10s >"$T/ok.txt" || fail "a met SLA gave exit $?"
grep -q "dht p99 <= 10 s: pass" "$T/ok.txt" || fail "SLA line missing: $(grep -A3 ^SLA "$T/ok.txt")"
"$PS" report "$T/rec.pb.gz" --sla dht.p50=1ns,bootstrap.p99=2s >"$T/bad.txt"
[ $? = 3 ] || fail "a missed SLA did not exit 3"
grep -q "dht p50 <= 1 ns: FAIL" "$T/bad.txt" || fail "failed SLA not marked FAIL"
"$PS" report "$T/rec.pb.gz" --sla dht.p77=1s >/dev/null 2>&1
[ $? = 2 ] || [ $? = 1 ] || fail "a malformed --sla was accepted"
# the Paths section fits 100 columns
awk '/^Paths/ { on = 1 } /^Top functions/ { on = 0 } on && length > 100 { exit 1 }' "$T/ok.txt" ||
	fail "Paths section wider than 100 columns"
exit 0
