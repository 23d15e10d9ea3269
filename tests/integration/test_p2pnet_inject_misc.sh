#!/usr/bin/env bash
# bootstrap-slow raises every joiner's bootstrap time; cpu-starve (hogs on
# node 0) slows node 0 itself and, through it, DHT and gossip tail latency
# of everyone.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/node/testlib.sh"
need_p2pnet
# dht-rate 100: 300 lookups, enough for a p95 that a single slow moment does not make
ARGS="--nodes 10 --duration 3 --dht-rate 100 --gossip-rate 10 --base-port 20300"

run_net clean $ARGS
run_net slow $ARGS --inject bootstrap-slow --on-node 0
run_net starve $ARGS --inject cpu-starve --on-node 0

assert_gt "$(jget slow "j['bootstrap_ms']['p50']")" 200 "bootstrap-slow: bootstrap p50 ms (seed answers 250 ms late)"
assert_gt "$(jget slow "j['bootstrap_ms']['p50']")" "$(jget clean "j['bootstrap_ms']['p50'] + 100")" "bootstrap-slow: bootstrap p50 ms vs clean"
[ "$(jget slow "j['per_node'][0]['bootstrap_ms'] < 50")" = True ] || fail "bootstrap-slow: the seed itself should not be slow"

# cpu-starve, within one run (the host's own load slows every node alike):
# node 0's threads wait for a CPU, so the gossip messages it delivers reach
# it later than they reach its peers.  Clean, node 0 -- the hub -- is the
# fastest (about half its peers' median); starved, the slowest.  Measured
# against its peers, and that ratio against the clean run's: own/peers was
# 0.47-0.52 clean and 1.6-2.6 starved over six runs.
PEERS="sorted(n['deliveries']['latency_ms']['p50'] for n in j['per_node'][1:])[len(j['per_node'][1:]) // 2]"
own=$(jget starve "j['per_node'][0]['deliveries']['latency_ms']['p50']")
peers=$(jget starve "$PEERS")
cown=$(jget clean "j['per_node'][0]['deliveries']['latency_ms']['p50']")
cpeers=$(jget clean "$PEERS")
note "cpu-starve: node 0 delivers in p50 $own ms, its peers in $peers ms (clean: $cown vs $cpeers)"
assert_gt "$own" "$(awk -v c="$peers" 'BEGIN { print 1.25 * c }')" "cpu-starve: node 0's gossip delivery p50 ms vs 1.25x its peers' median ($peers)"
ratio=$(awk -v a="$own" -v b="$peers" 'BEGIN { printf "%.3f", a / b }')
cratio=$(awk -v a="$cown" -v b="$cpeers" 'BEGIN { printf "%.3f", a / b }')
assert_gt "$ratio" "$(awk -v c="$cratio" 'BEGIN { print 2 * c }')" "cpu-starve: node 0's delivery p50 / peers' vs 2x the clean run's ($cratio)"

# and across runs: the tails of the whole network.  A baseline that the
# host's load disturbed is measured once more (the lower one counts); the
# starved run is never retried, so an injection that does nothing fails.
tail_of() { jget "$1" "j['dht']['latency_ms']['p95'] + j['gossip']['latency_ms']['p95']"; }
ctail=$(tail_of clean)
stail=$(tail_of starve)
if ! awk -v s="$stail" -v c="$ctail" 'BEGIN { exit !(s > 2 * c) }'; then
	run_net clean2 $ARGS
	note "cpu-starve: baseline tail $ctail ms, once more $(tail_of clean2) ms"
	ctail=$(awk -v a="$ctail" -v b="$(tail_of clean2)" 'BEGIN { print (a < b ? a : b) }')
fi
assert_gt "$stail" "$(awk -v c="$ctail" 'BEGIN { print 2 * c }')" "cpu-starve: DHT p95 + gossip p95 ms vs 2x clean ($ctail)"
assert_gt "$(jget starve "j['per_node'][0]['cpu_ms']")" 1000 "cpu-starve: the hogs' node CPU ms"
exit 0
