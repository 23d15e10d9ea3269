#!/usr/bin/env bash
# --netns: nodes in namespaces of their own (10.199.0.0/16 on a private
# bridge), node-level latency when the kernel lacks sch_netem, all torn down.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/node/testlib.sh"
need_p2pnet
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
need_cmd ip
probe=p2pnet-probe-$$
ip netns add "$probe" 2>/dev/null || skip "cannot create network namespaces here"
ip -n "$probe" link add vp0 type veth peer name vp1 2>/dev/null; vrc=$?
ip netns del "$probe"
[ $vrc -eq 0 ] || skip "no veth support in this kernel"

# namespaces of other runs (a killed one leaves its own) are not ours to count
ip netns list | awk '/^p2pnet[0-9]/ { print $1 }' | sort >"$T/ns.before"
run_net ns --nodes 4 --duration 3 --dht-rate 10 --gossip-rate 5 --netns --latency 5 --base-port 20400
assert_between "$(jget ns "j['dht']['success_ratio']")" 0.9 1 "netns: DHT lookup success ratio"
assert_between "$(jget ns "j['gossip']['delivery_ratio']")" 0.99 1 "netns: gossip delivery ratio"
assert_gt "$(jget ns "j['gossip']['latency_ms']['p50']")" 4 "netns: gossip p50 ms with 5 ms latency"
[ "$(jget ns "j['per_node'][1]['addr']")" = 10.199.0.2 ] || fail "netns: node 1 is not on 10.199.0.2"
left=$(ip netns list | awk '/^p2pnet[0-9]/ { print $1 }' | sort | comm -13 "$T/ns.before" - | tr '\n' ' ')
[ -z "$left" ] || fail "netns: namespaces left behind: $left"
exit 0
