#!/usr/bin/env bash
# DHT injections move the driver's own numbers: dht-loss blows lookup p99
# (queries wait for their timeouts), dht-cpu raises lookup latency and CPU.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/node/testlib.sh"
need_p2pnet
ARGS="--nodes 10 --duration 3 --dht-rate 30 --gossip-rate 2 --base-port $(free_net_base)"

run_net clean $ARGS
run_net loss $ARGS --inject dht-loss
run_net cpu $ARGS --inject dht-cpu

c99=$(jget clean "j['dht']['latency_ms']['p99']")
l99=$(jget loss "j['dht']['latency_ms']['p99']")
assert_gt "$l99" 100 "dht-loss: lookup p99 ms (per-query timeout is 250 ms)"
assert_gt "$l99" "$(awk -v c="$c99" 'BEGIN { print 3 * c }')" "dht-loss: lookup p99 ms vs 3x clean"
assert_gt "$(jget loss "j['totals']['dht']['timeouts']")" "$(jget clean "j['totals']['dht']['timeouts']")" "dht-loss: DHT timeouts vs clean"
assert_gt "$(jget loss "j['totals']['dht']['dropped']")" 0 "dht-loss: replies dropped"

c50=$(jget clean "j['dht']['latency_ms']['p50']")
p50=$(jget cpu "j['dht']['latency_ms']['p50']")
assert_gt "$p50" "$(awk -v c="$c50" 'BEGIN { print 2 * c }')" "dht-cpu: lookup p50 ms vs 2x clean ($c50)"
assert_gt "$(jget cpu "j['totals']['cpu_ms']")" "$(jget clean "j['totals']['cpu_ms']")" "dht-cpu: node CPU ms vs clean"
assert_gt "$(jget cpu "j['dht']['success_ratio']")" 0.9 "dht-cpu: lookups still succeed"
exit 0
