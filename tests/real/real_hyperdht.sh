#!/usr/bin/env bash
# hyperdht (JavaScript, npm; Hyperswarm's DHT on dht-rpc, udx-native and
# sodium-native): a test network of eight nodes (hyperdht/testnet) in one
# process keeps looking up random topics; the recorded node (own process,
# --perf-basic-prof, --cpu-prof as the yardstick) announces a topic and
# looks up random topics at a driven rate.
. "$(dirname "$0")/lib.sh"
need_root
need_npm hyperdht
SECS=${REAL_SECS:-10}
RATE=${REAL_RATE:-200}
export NPM_DIR
ns_start
ns_run node "$REAL/js-dht.js" hyper swarm "$T/boot" 8 $((SECS + 15)) >"$T/swarm.json" 2>"$T/swarm.log" &
swarm=$!
wait_file "$T/boot" 30 || fail "hyperdht test network did not start ($(tail -n 1 "$T/swarm.log"))"
mkdir -p "$T/prof"
ns_bg node --perf-basic-prof --logfile="$T/v8.log" --no-logfile-per-isolate --cpu-prof --cpu-prof-dir="$T/prof" "$REAL/js-dht.js" hyper node \
	"$(cat "$T/boot")" $((SECS + 6)) "$RATE" >"$T/node.json" 2>"$T/node.log"
pid=$!
sleep 4
ns_check
RULES=${REAL_RULES:-hyperdht}
assert_guess "$pid" hyperdht short
record_pair "$pid" "$SECS" "$RULES" none
wait "$pid" 2>/dev/null
wait $swarm
say "node counters: $(cat "$T/node.json"); swarm: $(cat "$T/swarm.json")"
# 200 lookups/s cost the node about 0.07 CPUs: not CPU-bound, and nothing
# to invent either ("nothing stands out" or "little work here")
js_compare "$pid" "$RULES" "lookup load" none idle
real_finish
