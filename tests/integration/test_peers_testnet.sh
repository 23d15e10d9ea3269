#!/usr/bin/env bash
# Serving-peer tag on the test network (docs/peers.md), known answers:
#  1. abusive-peer on node 1 (ten times the DHT requests of the others):
#     recording node 0, `report --peers` names node 1 as the top dht CPU
#     cost, and its share of node 0's DHT messages is within 5 percentage
#     points of node 0's own count (p2pnet --json dht_datagrams_from).
#     With the node's peer probes (rules "peer" lines: the dht worker says
#     which peer each datagram is from), its share of the tagged dht CPU is
#     within 5 points of the CPU node 0 itself counted per sender
#     (dht_cpu_ns_from).  Both sides count the same CPU over the same time:
#     - time: the nodes wait at --start-gate until the recording is
#       attached, and it ends when node 0 exits, after its stats (run_net);
#     - p2p-loop: from the return of one datagram's recvfrom to the next
#       recvfrom, for that datagram's sender (the read sets the tag);
#     - dht-worker: from the start of one datagram's handling to the start
#       of the next item, bookkeeping between items included, for that
#       datagram's sender (its dht_serving probe sets the tag, a lookup of
#       its own clears it);
#     - both leave out the socket calls, the queue's hand-off and wait, and
#       the probe hits (LEFT_OUT below; the node brackets them with
#       from_leave_out_*): most of their CPU is peerscope's own tracepoint
#       and uprobe programs, which the node's clock counts and no sample
#       can see, in an amount that depends on the machine and its load
#       (with them in, the share drifted -6.4 points on a CI machine).
#     report --peers's own share, which keeps them in, and the per-thread
#     split of both are printed.
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

# Frames of the calls both sides leave out of a sender's CPU (above): the
# socket calls, the dht queue's hand-off and wait, and the uprobe trap.
LEFT_OUT='sendto|recvfrom|workq_pop|workq_push|uprobe|int3'

# left_in_shares NAME PEER: PEER's share of the tagged dht CPU samples
# outside LEFT_OUT, all threads ("all N.N") and per dht thread
left_in_shares() {
	local p
	for p in $(jq -r '.peers.paths[] | select(.path == "dht") | .peers[].peer' "$T/$1.rep"); do
		"$PS" flame "$T/$1.pb.gz" --folded --type cpu --path dht --peer "$p" --by thread | sed "s/^/$p /"
	done | awk -v me="$2" -v out="$LEFT_OUT" '$2 ~ out { next }
		{ t = substr($2, 1, index($2, ";") - 1); all[t] += $NF; if ($1 == me) mine[t] += $NF }
		END { for (t in all) { a += all[t]; m += mine[t] }
			printf "all %.1f %%", a ? 100 * m / a : 0
			for (t in all) if (t ~ /p2p-loop|dht-worker/) printf ", %s %.1f %%", t, 100 * mine[t] / all[t] }'
}

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
# node 0's own split: the p2p-loop's part, and the rest (the worker's)
node_split=$(jq -r --arg p "$port1" '.per_node[0] | .dht_cpu_ns_from as $c | .dht_loop_cpu_ns_from as $l |
	([$l[]] | add) as $lt | (([$c[]] | add) - $lt) as $wt |
	"p2p-loop \(100 * ($l[$p] // 0) / $lt | .*10 | round / 10) %, dht-worker \(100 * (($c[$p] // 0) - ($l[$p] // 0)) / $wt | .*10 | round / 10) %"' "$T/abusive.json")
left_in=$(left_in_shares abusive "$top")
got_cpu=$(echo "$left_in" | awk '{ print $2 + 0 }')
note "abusive-peer: top dht CPU peer $top, $share % of tagged dht CPU by report --peers; outside the left-out calls $left_in; node 0 counted $cpu_want % ($node_split) of its dht CPU and $want % of the requests it served for it"
within5 "$got_cpu" "$cpu_want" "abusive-peer: CPU share outside the left-out calls (node 0 counted $cpu_want %)"
# its share of node 0's DHT messages, as report --peers counts them, agrees
# with node 0's own count of the datagrams it handled (requests and replies)
got_msgs=$(jq -r '.peers.paths[] | select(.path == "dht") | .peers[0].msg_share' "$T/abusive.rep")
want_msgs=$(jq -r --arg p "$port1" '.per_node[0].dht_datagrams_from as $r |
	100 * ($r[$p] // 0) / ([$r[]] | add)' "$T/abusive.json")
within5 "$got_msgs" "$want_msgs" "abusive-peer: message share (node 0 counted $want_msgs %)"
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
