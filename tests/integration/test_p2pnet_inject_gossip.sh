#!/usr/bin/env bash
# Gossip injections move the driver's own numbers: gossip-lock raises
# propagation latency and voluntary context switches, alloc-churn raises node
# CPU, small-writes multiplies write() calls per message.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/node/testlib.sh"
need_p2pnet
ARGS="--nodes 10 --duration 3 --dht-rate 5 --gossip-rate 20 --base-port $(free_net_base)"

run_net clean $ARGS
run_net lock $ARGS --inject gossip-lock
run_net churn $ARGS --inject alloc-churn
run_net small $ARGS --inject small-writes

for r in lock churn small; do
	assert_between "$(jget $r "j['gossip']['delivery_ratio']")" 0.99 1 "$r: gossip delivery ratio"
done

c50=$(jget clean "j['gossip']['latency_ms']['p50']")
l50=$(jget lock "j['gossip']['latency_ms']['p50']")
assert_gt "$l50" "$(awk -v c="$c50" 'BEGIN { print (2 * c > c + 1) ? 2 * c : c + 1 }')" "gossip-lock: gossip p50 ms vs clean ($c50)"
assert_gt "$(jget lock "j['totals']['ctx_switches']['voluntary']")" "$(jget clean "j['totals']['ctx_switches']['voluntary']")" "gossip-lock: voluntary context switches vs clean"

# Two short runs' CPU, each moving by +-15 % on a busy machine (ticks of
# 10 ms, contention): churn took 1.97-2.29x clean's beside two busy loops,
# and once 1.63x when more load came and went between the runs.  1.3x + 50
# ms still tells the injection from noise.
ccpu=$(jget clean "j['totals']['cpu_ms']")
assert_gt "$(jget churn "j['totals']['cpu_ms']")" "$(awk -v c="$ccpu" 'BEGIN { print 1.3 * c + 50 }')" "alloc-churn: node CPU ms vs clean ($ccpu)"

cw=$(jget clean "j['totals']['gossip']['tx_writes'] / max(1, j['totals']['gossip']['tx_msgs'])")
sw=$(jget small "j['totals']['gossip']['tx_writes'] / max(1, j['totals']['gossip']['tx_msgs'])")
assert_between "$cw" 1 1.5 "clean: write() calls per gossip frame"
assert_gt "$sw" 20 "small-writes: write() calls per gossip frame"
exit 0
