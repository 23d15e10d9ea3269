#!/usr/bin/env bash
# 50 nodes on this machine at modest rates: all bootstrap, lookups succeed,
# gossip reaches >= 99 % of nodes.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/node/testlib.sh"
need_p2pnet

run_net n50 --nodes 50 --duration 6 --dht-rate 20 --gossip-rate 5 --base-port "$(free_net_base)" --pids-file "$T/pids"
[ "$(jget n50 "sum(n['ready'] for n in j['per_node'])")" = 50 ] || fail "not all 50 nodes bootstrapped"
assert_between "$(jget n50 "j['dht']['success_ratio']")" 0.95 1 "50 nodes: DHT lookup success ratio"
assert_between "$(jget n50 "j['gossip']['delivery_ratio']")" 0.99 1 "50 nodes: gossip delivery ratio"
assert_no_orphans "$T/pids" "after a 50-node run"
exit 0
