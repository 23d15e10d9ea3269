#!/usr/bin/env bash
# bittorrent-dht (JavaScript, npm; Mainline DHT on k-rpc / k-bucket): five
# nodes in one process look up random info-hashes; the recorded node (its
# own process, js_node_bg: the perf map for peerscope, a jitdump for perf,
# the yardstick, and V8's --cpu-prof beside it) serves them, looks up hashes
# itself, and is flooded with queries (mdht-flood.js).
. "$(dirname "$0")/lib.sh"
need_root
need_npm bittorrent-dht
SECS=${REAL_SECS:-10}
RATE=${REAL_RATE:-40}
export NPM_DIR
ns_start
ns_bg node "$REAL/js-dht.js" bittorrent swarm 7001 5 $((SECS + 12)) >"$T/swarm.json" 2>"$T/swarm.log"
swarm=$!
wait_port 7005 || fail "bittorrent-dht swarm did not start ($(tail -n 1 "$T/swarm.log"))"
js_node_bg "$REAL/js-dht.js" bittorrent node \
	7100 7001 $((SECS + 8)) "$RATE" >"$T/node.json"
pid=$!
wait_port 7100 || fail "the recorded node did not start"
sleep 2
ns_check
ns_run node "$REAL/mdht-flood.js" 127.0.0.1:7100 1500 $((SECS + 2)) 100000 >"$T/flood.json" &
flood=$!
RULES=${REAL_RULES:-bittorrent-dht}
assert_guess "$pid" bittorrent-dht short
# ~0.25 CPUs on the main thread: at 199 Hz ~500 samples, and two profilers'
# 65 % shares differ by 3 pp (one sigma) from sampling alone; at 999 Hz by 1.4
REAL_FREQ=${REAL_FREQ:-999} record_pair "$pid" "$SECS" "$RULES" perf-jit
wait $flood
wait "$pid" 2>/dev/null
# the swarm's padding is for a slow start of the node; once the node is
# done, stop it (it prints its counters and exits) instead of waiting it out
kill -TERM $swarm 2>/dev/null
wait $swarm
say "node counters: $(cat "$T/node.json"); flood: $(cat "$T/flood.json")"
js_compare "$pid" "$RULES" "DHT flood"
real_finish
