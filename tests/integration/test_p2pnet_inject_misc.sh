#!/usr/bin/env bash
# bootstrap-slow raises every joiner's bootstrap time; cpu-starve (hogs on
# node 0) makes node 0's threads wait for a CPU, and so slows what it
# delivers.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/node/testlib.sh"
need_p2pnet
# dht-rate 100: 300 lookups, enough for a p95 that a single slow moment does not make
ARGS="--nodes 10 --duration 3 --dht-rate 100 --gossip-rate 10 --base-port $(free_net_base)"

run_net clean $ARGS
run_net slow $ARGS --inject bootstrap-slow --on-node 0
run_net starve $ARGS --inject cpu-starve --on-node 0

assert_gt "$(jget slow "j['bootstrap_ms']['p50']")" 200 "bootstrap-slow: bootstrap p50 ms (seed answers 250 ms late)"
assert_gt "$(jget slow "j['bootstrap_ms']['p50']")" "$(jget clean "j['bootstrap_ms']['p50'] + 100")" "bootstrap-slow: bootstrap p50 ms vs clean"
[ "$(jget slow "j['per_node'][0]['bootstrap_ms'] < 50")" = True ] || fail "bootstrap-slow: the seed itself should not be slow"

# node 0's FIELD, its peers' median FIELD, in a run; A / B to three places
own_of() { jget "$1" "j['per_node'][0]$2"; }
peers_of() { jget "$1" "(lambda p: sorted(p)[len(p) // 2])([n$2 for n in j['per_node'][1:]])"; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }

# cpu-starve, within one run (the host's own load slows every node alike,
# and it moved the clean run's own/peers ratios too much from run to run to
# judge the starved run against them; the clean figures are only shown).
# What the row of the table names, run-queue delay: the time node 0's own
# threads (the hogs left out) spent runnable without a CPU, from schedstat,
# against its peers' median.  Over fifteen runs it was 0.99-1.43x clean,
# 3.6-4.6x starved; beside two busy loops (which add the same wait to every
# node) 1.26x clean and 2.40x starved in one run.  2.0 is 40 % above the
# clean maximum.
rq=$(own_of starve "['runq_ms']")
rqpeers=$(peers_of starve "['runq_ms']")
crqratio=$(div "$(own_of clean "['runq_ms']")" "$(peers_of clean "['runq_ms']")")
note "cpu-starve: node 0 waited for a CPU $rq ms, its peers' median $rqpeers ms (clean ratio $crqratio)"
assert_gt "$(div "$rq" "$rqpeers")" 2.0 "cpu-starve: node 0's run-queue wait / its peers' median"

# and so the gossip messages node 0 delivers reach it later than they reach
# its peers -- on a host with CPU to spare.  Node 0 is the hub: clean, on a
# quiet host its own/peers mean delivery ratio was 0.36-0.60, and starved
# over clean 3.3-10.4 (three runs).  Beside busy loops the host's own load
# delays node 0 even in the clean run (mean ratio 1.2-2.5), and the starved
# run then came out anywhere from 0.6x to 2.6x the clean one (seven runs;
# one check run beside two others failed the old "starved p50 above 1.25x
# its peers" at 0.91): delivery then says nothing about the injection.  So
# it is judged only when the clean run shows node 0 no slower than its
# peers; the run-queue ratio above is judged always.
DLV="['deliveries']['latency_ms']['p50']"
MEAN="['deliveries']['latency_ms']['mean']"
sratio=$(div "$(own_of starve "$MEAN")" "$(peers_of starve "$MEAN")")
cratio=$(div "$(own_of clean "$MEAN")" "$(peers_of clean "$MEAN")")
note "cpu-starve: node 0 delivers in p50 $(own_of starve "$DLV") ms, its peers in $(peers_of starve "$DLV") ms (clean: $(own_of clean "$DLV") vs $(peers_of clean "$DLV")); mean own/peers $sratio starved, $cratio clean"
if [ "$(awk -v c="$cratio" 'BEGIN { print (c <= 1.0) }')" = 1 ]; then
	assert_gt "$sratio" "$(awk -v c="$cratio" 'BEGIN { print 1.25 * c }')" "cpu-starve: node 0's own/peers mean delivery ratio starved vs 1.25x the clean run's ($cratio)"
else
	note "cpu-starve: delivery not judged: the host's load slows node 0 in the clean run too (own/peers mean $cratio > 1)"
fi
assert_gt "$(jget starve "j['per_node'][0]['cpu_ms']")" 1000 "cpu-starve: the hogs' node CPU ms"
exit 0
