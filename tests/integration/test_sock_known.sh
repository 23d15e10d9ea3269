#!/usr/bin/env bash
# Known answers: TCP ping-pong and UDP ping-pong on loopback give exact byte
# and message counts per peer, per stack and per connection.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
need_sock

N=200 S=100
PORT=$(pick_port)
rec "$T/tcp.pb.gz" "$PROGS/net_echo" "$T/go" "$PORT" $N $S
net_json "$T/tcp.pb.gz" >"$T/tcp.json"
B=$((N * S))
# client side: peer is the listening port; server side: the listening port is local
jq -e --argjson b $B --argjson n $N --arg peer "127.0.0.1:$PORT" --argjson port "$PORT" '
	([.peers[] | select(.peer == $peer)] | length == 1) and
	(.peers[] | select(.peer == $peer) | .tx_bytes == $b and .rx_bytes == $b and .tx_msgs == $n and .rx_msgs == $n) and
	(.peers[] | select(.lport == $port) | .tx_bytes == $b and .rx_bytes == $b and .tx_msgs == $n and .rx_msgs == $n) and
	(.paths[] | select(.proto == "tcp") | .tx_bytes == 2 * $b and .rx_bytes == 2 * $b)' "$T/tcp.json" >/dev/null ||
	fail "TCP counts are not exact: $(jq -c '.peers' "$T/tcp.json")"
# connection records: one per side, bytes exact, connect latency measured
jq -e --argjson b $B '
	.tcp.connections == 2 and .tcp.failed == 0 and
	([.tcp.top[] | select(.tx_bytes == $b and .rx_bytes == $b and .state == "closed")] | length == 2) and
	([.tcp.top[] | select(.side == "connect" and .connect_ns > 0)] | length == 1) and
	([.tcp.top[] | select(.side == "accept")] | length == 1)' "$T/tcp.json" >/dev/null ||
	fail "TCP connection records are wrong: $(jq -c '.tcp' "$T/tcp.json")"
# the stacks that send and receive are named
jq -e '[.tx_stacks[].function] | index("client_ping") != null and index("server_echo") != null' \
	"$T/tcp.json" >/dev/null || fail "sending stacks do not name client_ping and server_echo: $(jq -c '.tx_stacks' "$T/tcp.json")"
# the pprof samples agree (types tx/bytes etc., labels peer and proto)
"$PS" report "$T/tcp.pb.gz" --json --type tx | jq -e --argjson b $((2 * B)) \
	'.meta | tostring | test("tx")' >/dev/null || fail "report cannot read the tx column"

# UDP: sendto/recvfrom, sendmsg/recvmsg, sendmmsg/recvmmsg in turn
N=60 S=50
PA=$(pick_port)
PB=$((PA + 1))
rec "$T/udp.pb.gz" "$PROGS/net_udp" "$T/go" "$PA" "$PB" $N $S
net_json "$T/udp.pb.gz" >"$T/udp.json"
jq -e --argjson b $((N * S)) --argjson n $N --arg a "127.0.0.1:$PA" --arg bb "127.0.0.1:$PB" '
	(.peers[] | select(.proto == "udp" and .peer == $bb) | .tx_bytes == $b and .tx_msgs == $n and .rx_bytes == $b and .rx_msgs == $n) and
	(.peers[] | select(.proto == "udp" and .peer == $a) | .tx_bytes == $b and .tx_msgs == $n and .rx_bytes == $b and .rx_msgs == $n) and
	([.peers[] | select(.proto == "udp")] | length == 2)' "$T/udp.json" >/dev/null ||
	fail "UDP counts are not exact: $(jq -c '.peers' "$T/udp.json")"
jq -e '[.tx_stacks[].stack | test("dht_exchange")] | any' "$T/udp.json" >/dev/null ||
	fail "UDP sending stack does not name dht_exchange: $(jq -c '.tx_stacks' "$T/udp.json")"
exit 0
