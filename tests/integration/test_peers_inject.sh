#!/usr/bin/env bash
# Per-peer known answers on the test network (docs/peers.md, docs/testnet.md),
# recording node 0 with the p2pnode rules plus its peer probes:
#  1. expensive-peer on node 1 (its gossip frames ask ten times the others'
#     validation work): report --peers names node 1 (by its own id, from the
#     gossip_serving probe) as the top gossip CPU cost, flags it, and its share
#     of the gossip CPU is within 5 percentage points of node 0's own count
#     (p2pnet --json gossip_cpu_ns_from: the CPU node 0 spent reading and
#     handling each sender's frames).
#     diff --peer HONEST --vs-peer NODE1 names the validation
#     (gossip_validate_work or gossip_validate_body, its caller) as the
#     caller that grew most.
#  2. slow-peer on node 1 (answers DHT requests 50 ms late): node 1 is the
#     peer dht waited on most, flagged as slow, and its share of the waiting
#     is within 5 points of node 0's own count (dht_wait_ns_from).
#  3. clean network: no peer flagged for CPU or waiting; both max/median
#     ratios printed, under the thresholds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
. "$(dirname "$0")/peers-lib.sh"
need_sock
need_cmd jq
[ -x "$BUILD/p2pnet" ] || skip "no $BUILD/p2pnet (tests/node not built)"

peer_rules "$T/p2p.rules"
export SPAN=,span REC_ARGS="--rules $T/p2p.rules" GOSSIP_RATE=100

# run NAME [p2pnet args]: run_net, then report --peers --json -> $T/NAME.rep
run() {
	run_net "$@"
	"$PS" report "$T/$1.pb.gz" --peers --json >"$T/$1.rep" || fail "$1: report --peers failed"
}

# path NAME PATH: that path's object of report --peers
path() { jq -c --arg p "$2" '.peers.paths[] | select(.path == $p)' "$T/$1.rep"; }
# share JSON KEY PORT: 100 * KEY[PORT] / sum(KEY) of node 0 in the driver's JSON
share() { jq -r --arg k "$2" --arg p "$3" '.per_node[0][$k] as $r | 100 * ($r[$p] // 0) / ([$r[]] | add)' "$T/$1.json"; }

# 1. expensive-peer
run expensive --inject expensive-peer --on-node 1
id1=$(jq -r '.per_node[1].id[0:16]' "$T/expensive.json")
g=$(path expensive gossip)
top=$(echo "$g" | jq -r '.peers[0].peer')
topid=$(echo "$g" | jq -r '.peers[0].peer_id')
got=$(echo "$g" | jq -r '.peers[0].cpu_share')
[ "$topid" = "$id1" ] || fail "expensive-peer: top gossip CPU peer is $top (id $topid), want node 1 (id $id1)"
[ "$(echo "$g" | jq -r '.flagged')" = "$top" ] || fail "expensive-peer: node 1 not flagged: $(echo "$g" | jq -r '.verdict')"
want=$(share expensive gossip_cpu_ns_from "${top##*:}")
note "expensive-peer: node 1 ($top, id $topid) $got % of tagged gossip CPU; node 0 counted $want %; $(echo "$g" | jq -r '.verdict')"
within5 "$got" "$want" "expensive-peer: node 1's gossip CPU share (node 0 counted $want %)"
# diff --peer honest --vs-peer expensive: the caller that grew is the validation work
honest=$(echo "$g" | jq -r '.peers[1].peer')
grew=$("$PS" diff "$T/expensive.pb.gz" --peer "$honest" --vs-peer "$top" --path gossip --json |
	jq -r '.functions.grew_total[0].name') || fail "diff --peer $honest --vs-peer $top failed"
# gossip_validate_body calls gossip_validate_work: either may rank first
case $grew in gossip_validate_work | gossip_validate_body) ;;
*) fail "diff --peer/--vs-peer: top caller that grew is '$grew', want gossip_validate_work or its caller" ;;
esac
note "diff --peer $honest --vs-peer $top: $grew grew most"

# 2. slow-peer
run slow --inject slow-peer --on-node 1
port1=$(jq -r '.per_node[1].udp_port' "$T/slow.json")
d=$(path slow dht)
wtop=$(echo "$d" | jq -r '.wait_top')
[ "${wtop##*:}" = "$port1" ] || fail "slow-peer: dht waited most on $wtop, want port $port1"
[ "$(echo "$d" | jq -r '.wait_flagged')" = "$wtop" ] || fail "slow-peer: node 1 not flagged as slow (ratio $(echo "$d" | jq -r '.wait_max_median'))"
got=$(echo "$d" | jq -r --arg p "$wtop" '.peers[] | select(.peer == $p) | .wait_share')
want=$(share slow dht_wait_ns_from "$port1")
note "slow-peer: $(echo "$d" | jq -r '.wait_verdict'); node 0 counted $want % of its waiting on node 1"
within5 "$got" "$want" "slow-peer: node 1's share of dht waiting (node 0 counted $want %)"

# 3. clean network
run clean
jq -c '.peers.paths[]' "$T/clean.rep" | while read -r p; do
	note "clean: $(echo "$p" | jq -r '"\(.path): CPU max/median \(.max_median) (flagged at 3), wait max/median \(.wait_max_median) (flagged at 3)"')"
	[ "$(echo "$p" | jq -r '.flagged')" = null ] || fail "clean network: $(echo "$p" | jq -r '.verdict')"
	[ "$(echo "$p" | jq -r '.wait_flagged')" = null ] || fail "clean network: $(echo "$p" | jq -r '.wait_verdict')"
done || exit 1
exit 0
