#!/usr/bin/env bash
# A socket's traffic no rule places takes the path of the rest of that
# socket's traffic (path_by socket), with known answers.  net_udp_paths:
# two UDP sockets in one process, lock step, COUNT rounds of SIZE bytes
# each way; every send is under dht_send_query or dht_send_reply, every
# receive in loop_recv (as libuv receives before udx's callback runs).
# - rules `dht = ^dht_`: the sends are dht by symbol, and so are the
#   receives, by their socket: path dht has all 2*COUNT datagrams sent and
#   received, `other` no UDP traffic, in the Paths and the Network
#   sections; the rx samples say path_by socket.
# - rules `dht = ^nomatch_`: nothing places any of it, so nothing is
#   inherited: all of it stays in `other`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
need_sock

COUNT=300 SIZE=64
N=$((2 * COUNT)) B=$((2 * COUNT * SIZE))
PORT=$(pick_port)
printf 'dht = ^dht_\n' >"$T/dht.rules"
printf 'dht = ^nomatch_\n' >"$T/none.rules"
REC_OPTS="--rules $T/dht.rules"
rec "$T/udp.pb.gz" "$PROGS/net_udp_paths" "$T/go" "$PORT" $COUNT $SIZE

# network RULES PATH: "tx_bytes tx_msgs rx_bytes rx_msgs" of PATH in the Paths section
network() {
	"$PS" report "$T/udp.pb.gz" --rules "$1" --json --top 0 | jq -r --arg p "$2" '
		[.paths.paths[] | select(.name == $p) | .network] | first //
		{tx_bytes: 0, tx_messages: 0, rx_bytes: 0, rx_messages: 0} |
		"\(.tx_bytes) \(.tx_messages) \(.rx_bytes) \(.rx_messages)"'
}

# net_path RULES PATH: "tx_bytes rx_bytes" of PATH's udp row in the Network section
net_path() {
	"$PS" report "$T/udp.pb.gz" --rules "$1" --net --json --top 0 | jq -r --arg p "$2" '
		([.net.paths[] | select(.path == $p and .proto == "udp") | .tx_bytes] | add // 0 | tostring)
		+ " " +
		([.net.paths[] | select(.path == $p and .proto == "udp") | .rx_bytes] | add // 0 | tostring)'
}

want="$B $N $B $N"
got=$(network "$T/dht.rules" dht)
[ "$got" = "$want" ] || fail "dht rules: dht's network is '$got', want '$want' (tx bytes msgs, rx bytes msgs)"
got=$(network "$T/dht.rules" other)
[ "$got" = "0 0 0 0" ] || fail "dht rules: other's network is '$got', want none"
got=$(net_path "$T/dht.rules" dht)
[ "$got" = "$B $B" ] || fail "dht rules: Network section's udp on dht is '$got', want '$B $B'"
got=$(net_path "$T/dht.rules" other)
[ "$got" = "0 0" ] || fail "dht rules: Network section's udp on other is '$got', want '0 0'"

# what placed the received bytes: their socket, and nothing else
got=$("$PS" rules --explain "$T/udp.pb.gz" --rules "$T/dht.rules" -t rx --top 100 --json |
	jq -r '[.stacks[] | select(.value > 0) | "\(.path)/\(.evidence)"] | unique | join(",")')
[ "$got" = "dht/socket" ] || fail "dht rules: rx placed by '$got', want 'dht/socket'"
got=$("$PS" rules --explain "$T/udp.pb.gz" --rules "$T/dht.rules" -t tx --top 100 --json |
	jq -r '[.stacks[] | select(.value > 0) | "\(.path)/\(.evidence)"] | unique | join(",")')
[ "$got" = "dht/symbol" ] || fail "dht rules: tx placed by '$got', want 'dht/symbol'"

# no evidence, no inheritance
got=$(network "$T/none.rules" other)
[ "$got" = "$want" ] || fail "rules matching nothing: other's network is '$got', want '$want'"
got=$(network "$T/none.rules" dht)
[ "$got" = "0 0 0 0" ] || fail "rules matching nothing: dht's network is '$got', want none"
got=$(net_path "$T/none.rules" other)
[ "$got" = "$B $B" ] || fail "rules matching nothing: Network section's udp on other is '$got', want '$B $B'"
note "$N datagrams each way: received ones follow their socket to dht; with no rule matching, all stay in other"
