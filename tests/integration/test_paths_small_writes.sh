#!/usr/bin/env bash
# --inject small-writes: gossip is a socket-write storm from gossip_write_small.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

net_start --duration 12 --dht-rate 10 --gossip-rate 60 --inject small-writes --on-node 1
record_node 1 5
need_type tx "socket messages come from the sock collector"
report_json
expect_verdict gossip write-storm gossip_write_small
exit 0
