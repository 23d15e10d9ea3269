#!/usr/bin/env bash
# --inject dht-cpu: the dht path is CPU-bound in dht_distance_slow.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

net_start --duration 12 --dht-rate 300 --gossip-rate 5 --inject dht-cpu --on-node 0
record_node 0 5
need_type cpu "on-CPU samples come from the cpu collector"
report_json
expect_verdict dht cpu dht_distance_slow
# the flame graph of the dht path holds it too (symbol rules apply there)
"$PS" flame "$T/rec.pb.gz" --path dht --folded -o "$T/dht.folded" 2>/dev/null ||
	"$PS" flame "$T/rec.pb.gz" --path dht -o "$T/dht.svg" 2>/dev/null ||
	fail "flame --path dht failed"
grep -q dht_distance_slow "$T"/dht.* || fail "flame --path dht lacks dht_distance_slow"
exit 0
