#!/usr/bin/env bash
# --inject gossip-lock: the gossip path waits on one mutex in gossip_validate.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

net_start --duration 12 --dht-rate 10 --gossip-rate 60 --inject gossip-lock --on-node 1
record_node 1 5
need_type offcpu "lock waits come from the offcpu collector"
report_json
# the mutex wait's own frames may hide gossip_validate (a libc leaf without a
# frame pointer hides its caller): any gossip_ function is the right code
expect_verdict gossip lock gossip_
exit 0
