#!/usr/bin/env bash
# Known answers: TCP ping-pong and UDP ping-pong on loopback give exact byte
# and message counts per peer, per stack and per connection.  Twice: with the
# syscall hooks the collector picks (per-syscall tracepoints when tracefs is
# there) and with the sys_enter/sys_exit fallback forced
# (PEERSCOPE_SOCK_SYSCALLS=raw_tp); both must give the same exact counts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
need_sock

# tcp MODE: records the TCP ping-pong into $T/tcp-MODE.json and checks it.
tcp() {
	local m=$1 N=200 S=100 PORT B
	PORT=$(pick_port)
	rec "$T/tcp-$m.pb.gz" "$PROGS/net_echo" "$T/go" "$PORT" $N $S
	cp "$T/rec.err" "$T/rec-tcp-$m.err"
	net_json "$T/tcp-$m.pb.gz" >"$T/tcp-$m.json"
	B=$((N * S))
	# client side: peer is the listening port; server side: the listening port is local
	jq -e --argjson b $B --argjson n $N --arg peer "127.0.0.1:$PORT" --argjson port "$PORT" '
		([.peers[] | select(.peer == $peer)] | length == 1) and
		(.peers[] | select(.peer == $peer) | .tx_bytes == $b and .rx_bytes == $b and .tx_msgs == $n and .rx_msgs == $n) and
		(.peers[] | select(.lport == $port) | .tx_bytes == $b and .rx_bytes == $b and .tx_msgs == $n and .rx_msgs == $n) and
		(.paths[] | select(.proto == "tcp") | .tx_bytes == 2 * $b and .rx_bytes == 2 * $b)' "$T/tcp-$m.json" >/dev/null ||
		fail "$m: TCP counts are not exact: $(jq -c '.peers' "$T/tcp-$m.json")"
	# connection records: one per side, bytes exact, connect latency measured
	jq -e --argjson b $B '
		.tcp.connections == 2 and .tcp.failed == 0 and
		([.tcp.top[] | select(.tx_bytes == $b and .rx_bytes == $b and .state == "closed")] | length == 2) and
		([.tcp.top[] | select(.side == "connect" and .connect_ns > 0)] | length == 1) and
		([.tcp.top[] | select(.side == "accept")] | length == 1)' "$T/tcp-$m.json" >/dev/null ||
		fail "$m: TCP connection records are wrong: $(jq -c '.tcp' "$T/tcp-$m.json")"
	# the stacks that send and receive are named
	jq -e '[.tx_stacks[].function] | index("client_ping") != null and index("server_echo") != null' \
		"$T/tcp-$m.json" >/dev/null || fail "$m: sending stacks do not name client_ping and server_echo: $(jq -c '.tx_stacks' "$T/tcp-$m.json")"
	# the pprof samples agree (types tx/bytes etc., labels peer and proto)
	"$PS" report "$T/tcp-$m.pb.gz" --json --type tx | jq -e --argjson b $((2 * B)) \
		'.meta | tostring | test("tx")' >/dev/null || fail "report cannot read the tx column"
}

# udp MODE: sendto/recvfrom, sendmsg/recvmsg, sendmmsg/recvmmsg in turn
udp() {
	local m=$1 N=60 S=50 PA PB
	PA=$(pick_port)
	PB=$((PA + 1))
	rec "$T/udp-$m.pb.gz" "$PROGS/net_udp" "$T/go" "$PA" "$PB" $N $S
	cp "$T/rec.err" "$T/rec-udp-$m.err"
	net_json "$T/udp-$m.pb.gz" >"$T/udp-$m.json"
	jq -e --argjson b $((N * S)) --argjson n $N --arg a "127.0.0.1:$PA" --arg bb "127.0.0.1:$PB" '
		(.peers[] | select(.proto == "udp" and .peer == $bb) | .tx_bytes == $b and .tx_msgs == $n and .rx_bytes == $b and .rx_msgs == $n) and
		(.peers[] | select(.proto == "udp" and .peer == $a) | .tx_bytes == $b and .tx_msgs == $n and .rx_bytes == $b and .rx_msgs == $n) and
		([.peers[] | select(.proto == "udp")] | length == 2)' "$T/udp-$m.json" >/dev/null ||
		fail "$m: UDP counts are not exact: $(jq -c '.peers' "$T/udp-$m.json")"
	jq -e '[.tx_stacks[].stack | test("dht_exchange")] | any' "$T/udp-$m.json" >/dev/null ||
		fail "$m: UDP sending stack does not name dht_exchange: $(jq -c '.tx_stacks' "$T/udp-$m.json")"
}

# The counts of one mode without ports (they differ between runs).
counts() {
	jq -c '[.peers[] | {proto, path, tx_bytes, rx_bytes, tx_msgs, rx_msgs}] | sort' "$1"
	jq -c '[.tcp.top[] | {side, state, tx_bytes, rx_bytes, tx_msgs, rx_msgs}] | sort' "$1"
	jq -c '[.paths[]] | sort' "$1"
	jq -c '[.size_histograms[] | del(.pid)] | sort' "$1"
}

tcp auto
udp auto
if [ -e /sys/kernel/tracing/events/syscalls/sys_enter_sendto ]; then
	grep -q "syscalls from per-syscall tracepoints" "$T/rec-tcp-auto.err" ||
		fail "record -v does not say it uses the per-syscall tracepoints: $(grep 'sock:' "$T/rec-tcp-auto.err")"
fi

export PEERSCOPE_SOCK_SYSCALLS=raw_tp
tcp raw_tp
udp raw_tp
unset PEERSCOPE_SOCK_SYSCALLS
grep -q "syscalls from raw_tp/sys_enter" "$T/rec-tcp-raw_tp.err" ||
	fail "PEERSCOPE_SOCK_SYSCALLS=raw_tp: record -v does not say raw_tp: $(grep 'sock:' "$T/rec-tcp-raw_tp.err")"
for p in tcp udp; do
	[ "$(counts "$T/$p-auto.json")" = "$(counts "$T/$p-raw_tp.json")" ] || {
		# what tells a path apart: the sockets' ports and what placed each sample
		for m in auto raw_tp; do
			echo "$m peers: $(jq -c '[.peers[] | {proto, lport, peer, path}]' "$T/$p-$m.json")" >&2
			"$PS" rules --explain "$T/$p-$m.pb.gz" --type tx --top 5 2>&1 | sed "s/^/$m tx: /" >&2
			grep -E "rules|symbolized|exited" "$T/rec-$p-$m.err" | sed "s/^/$m record: /" >&2
		done
		fail "$p counts differ between the syscall hooks: $(counts "$T/$p-auto.json") vs raw_tp $(counts "$T/$p-raw_tp.json")"
	}
done

# a wrong value is a clear error
PEERSCOPE_SOCK_SYSCALLS=bogus "$PS" record -p $$ -c sock -d 0.1 -o "$T/x.pb.gz" >/dev/null 2>"$T/bogus.err" &&
	fail "PEERSCOPE_SOCK_SYSCALLS=bogus was accepted"
grep -q "PEERSCOPE_SOCK_SYSCALLS=bogus: unknown" "$T/bogus.err" ||
	fail "PEERSCOPE_SOCK_SYSCALLS=bogus: no clear error: $(cat "$T/bogus.err")"
exit 0
