#!/usr/bin/env bash
# bootstrap-slow raises every joiner's bootstrap time; cpu-starve (hogs on
# one node) raises tail latency on the DHT and gossip paths of everyone.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/node/testlib.sh"
need_p2pnet
ARGS="--nodes 10 --duration 3 --dht-rate 30 --gossip-rate 10 --base-port 20300"

run_net clean $ARGS
run_net slow $ARGS --inject bootstrap-slow --on-node 0
run_net starve $ARGS --inject cpu-starve --on-node 0

assert_gt "$(jget slow "j['bootstrap_ms']['p50']")" 200 "bootstrap-slow: bootstrap p50 ms (seed answers 250 ms late)"
assert_gt "$(jget slow "j['bootstrap_ms']['p50']")" "$(jget clean "j['bootstrap_ms']['p50'] + 100")" "bootstrap-slow: bootstrap p50 ms vs clean"
[ "$(jget slow "j['per_node'][0]['bootstrap_ms'] < 50")" = True ] || fail "bootstrap-slow: the seed itself should not be slow"

ctail=$(jget clean "j['dht']['latency_ms']['p95'] + j['gossip']['latency_ms']['p95']")
stail=$(jget starve "j['dht']['latency_ms']['p95'] + j['gossip']['latency_ms']['p95']")
assert_gt "$stail" "$(awk -v c="$ctail" 'BEGIN { print 2 * c }')" "cpu-starve: DHT p95 + gossip p95 ms vs 2x clean ($ctail)"
assert_gt "$(jget starve "j['per_node'][0]['cpu_ms']")" 1000 "cpu-starve: the hogs' node CPU ms"
exit 0
