#!/usr/bin/env bash
# --inject dht-loss: lost replies time out; dht waits on the network with p99 >> p50.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

# every node drops replies: node 0's lookups ask all of them
net_start --duration 12 --dht-rate 60 --gossip-rate 5 --inject dht-loss --rpc-timeout 250
record_node 0 6
report_json
expect_verdict dht net
[ "$(verdict dht tail)" = true ] || fail "dht: no latency tail named: $(verdict dht text)"
exit 0
