#!/usr/bin/env bash
# Serving-peer tag on the test network (docs/peers.md), known answers:
#  1. abusive-peer on node 1 (ten times the DHT requests of the others):
#     recording node 0, `report --peers` names node 1 as the top dht CPU
#     cost, and its share of node 0's DHT messages is within 5 percentage
#     points of node 0's own count (p2pnet --json dht_datagrams_from).
#     With the node's peer probes (rules "peer" lines: the dht worker says
#     which peer each datagram is from), its share of the dht CPU is within
#     8 points of the CPU node 0 itself counted per sender
#     (dht_cpu_ns_from); docs/peers.md says what the last points are.
#  2. a rules file that matches no symbol of the node, plus --port dht=udp:..:
#     the dht path still gets CPU, through the socket the threads served
#     (it said "wall time 0 ns busy" before the tag).
#  3. clean network: no peer flagged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
. "$(dirname "$0")/peers-lib.sh"
need_sock
need_cmd jq
[ -x "$BUILD/p2pnet" ] || skip "no $BUILD/p2pnet (tests/node not built)"

peer_rules "$T/p2p.rules"

# 1. abusive-peer
SPAN=,span REC_ARGS="--rules $T/p2p.rules" run_net abusive --inject abusive-peer --on-node 1
"$PS" report "$T/abusive.pb.gz" --peers --json >"$T/abusive.rep" || fail "report --peers failed"
port1=$(jq -r '.per_node[1].udp_port' "$T/abusive.json")
top=$(jq -r '.peers.paths[] | select(.path == "dht") | .peers[0].peer' "$T/abusive.rep")
share=$(jq -r '.peers.paths[] | select(.path == "dht") | .peers[0].cpu_share' "$T/abusive.rep")
want=$(jq -r --arg p "$port1" '.per_node[0].dht_requests_from as $r |
	100 * ($r[$p] // 0) / ([$r[]] | add)' "$T/abusive.json")
[ "${top##*:}" = "$port1" ] || fail "abusive-peer: top dht CPU peer is $top, want port $port1"
cpu_want=$(jq -r --arg p "$port1" '.per_node[0].dht_cpu_ns_from as $r |
	100 * ($r[$p] // 0) / ([$r[]] | add)' "$T/abusive.json")
note "abusive-peer: top dht CPU peer $top, $share % of tagged dht CPU; node 0 counted $cpu_want % of its dht CPU and $want % of the requests it served for it"
assert_between "$share" "$(awk -v w="$cpu_want" 'BEGIN { print w - 8 }')" \
	"$(awk -v w="$cpu_want" 'BEGIN { print w + 8 }')" "abusive-peer: CPU share (node 0 counted $cpu_want %)"
# its share of node 0's DHT messages, as report --peers counts them, agrees
# with node 0's own count of the datagrams it handled (requests and replies)
got_msgs=$(jq -r '.peers.paths[] | select(.path == "dht") | .peers[0].msg_share' "$T/abusive.rep")
want_msgs=$(jq -r --arg p "$port1" '.per_node[0].dht_datagrams_from as $r |
	100 * ($r[$p] // 0) / ([$r[]] | add)' "$T/abusive.json")
assert_between "$got_msgs" "$(awk -v w="$want_msgs" 'BEGIN { print w - 5 }')" \
	"$(awk -v w="$want_msgs" 'BEGIN { print w + 5 }')" "abusive-peer: message share (node 0 counted $want_msgs %)"
note "abusive-peer: $got_msgs % of node 0's dht messages by report --peers, $want_msgs % by node 0's own count"

# 2. rules that match no symbol: dht CPU through the socket tag
printf 'path dht\ndht = zzz_no_such_symbol\n' >"$T/none.rules"
REC_ARGS="--rules $T/none.rules" run_net norules
busy=$("$PS" report "$T/norules.pb.gz" --json | jq -r '.paths.paths[] | select(.name == "dht") | .parts[] | select(.part == "cpu") | .total')
[ -n "$busy" ] && [ "$busy" -gt 0 ] || fail "rules matching no symbol: dht got no CPU (cpu part '$busy')"
sock=$("$PS" report "$T/norules.pb.gz" --peers --json | jq -r '.peers.paths[] | select(.path == "dht") | .evidence_cpu_ns.sockets')
[ -n "$sock" ] && [ "$sock" -gt 0 ] || fail "rules matching no symbol: report --peers puts no dht CPU on socket evidence ('$sock')"
note "rules matching no symbol: dht CPU $busy ns, $sock ns of it placed by the socket tag"

# 3. clean network: nobody flagged
REC_ARGS="" run_net clean
flagged=$("$PS" report "$T/clean.pb.gz" --peers --json | jq -r '[.peers.paths[] | select(.flagged != null) | .verdict] | join("; ")')
[ -z "$flagged" ] || fail "clean network: flagged: $flagged"
note "clean network: no peer flagged"
exit 0
