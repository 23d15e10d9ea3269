#!/usr/bin/env bash
# A clean network: the report names no bottleneck on any path, the dht
# span counts lookups, and --sla passes (exit 0) or fails (exit 3).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

net_start --duration 12 --dht-rate 100 --gossip-rate 20
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
ops=$(python3 -c "import json; d=json.load(open('$T/report.json'))
print(next(p['operations']['count'] for p in d['paths']['paths'] if p['name']=='dht'))")
assert_between "$ops" 200 1000 "dht lookups timed by the span"

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
