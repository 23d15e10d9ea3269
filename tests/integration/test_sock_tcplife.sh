#!/usr/bin/env bash
# Agreement with libbpf-tools tcplife (sock:inet_sock_set_state, like us) on
# the same connections: bytes (tcplife counts kB of bytes_acked/received,
# which include SYN and FIN) and lifetime (ESTABLISHED -> CLOSE, both).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
need_sock
TCPLIFE=/usr/sbin/tcplife
[ -x $TCPLIFE ] || skip "no $TCPLIFE (apt install libbpf-tools)"
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || skip "tracefs cannot be mounted (tcplife needs it)"
fi

PORT=$(pick_port)
stdbuf -oL $TCPLIFE -w >"$T/tcplife.out" 2>"$T/tcplife.err" &
TL=$!
BG_PIDS+=("$TL")
for _ in $(seq 50); do
	[ -s "$T/tcplife.out" ] && break
	sleep 0.1
done
[ -s "$T/tcplife.out" ] || skip "tcplife does not start here: $(head -2 "$T/tcplife.err")"
N=300 S=4096
rec "$T/life.pb.gz" "$PROGS/net_echo" "$T/go" "$PORT" $N $S
# tcplife prints a connection when it closes, from a buffer it polls: wait
# for both sides' lines (at most 5 s), not a fixed half second
for _ in $(seq 50); do
	[ "$(grep -c " $PORT " "$T/tcplife.out")" -ge 2 ] && break
	sleep 0.1
done
kill -INT "$TL"
wait "$TL" 2>/dev/null
grep -q " $PORT " "$T/tcplife.out" || skip "tcplife saw no connection on port $PORT: $(tail -2 "$T/tcplife.out")"
net_json "$T/life.pb.gz" >"$T/life.json"
# tcplife -w: PID COMM LADDR LPORT RADDR RPORT TX_KB RX_KB MS; one line per side
lines=0
while read -r _ _ _ lport _ rport txkb rxkb ms; do
	[ "$lport" = "$PORT" ] || [ "$rport" = "$PORT" ] || continue
	lines=$((lines + 1))
	jq -e --argjson lp "$lport" --argjson tx "$txkb" --argjson rx "$rxkb" --argjson ms "$ms" '
		[.tcp.top[] | select(.lport == $lp and
			((.tx_bytes / 1024 | floor) - $tx | fabs) <= 1 and
			((.rx_bytes / 1024 | floor) - $rx | fabs) <= 1 and
			((.lifetime_ns / 1e6) - $ms | fabs) <= ([0.05 * $ms, 0.5] | max))] | length == 1' \
		"$T/life.json" >/dev/null ||
		fail "tcplife says lport $lport tx ${txkb}kB rx ${rxkb}kB ${ms}ms, we say $(jq -c --argjson lp "$lport" '.tcp.top[] | select(.lport == $lp)' "$T/life.json")"
	note "lport $lport: tcplife tx ${txkb} kB rx ${rxkb} kB ${ms} ms, peerscope $(jq -r --argjson lp "$lport" '.tcp.top[] | select(.lport == $lp) | "\(.tx_bytes) B / \(.rx_bytes) B / \(.lifetime_ns / 1e6) ms"' "$T/life.json")"
done < <(grep -v "^PID" "$T/tcplife.out")
[ $lines -eq 2 ] || fail "expected 2 tcplife lines for port $PORT, got $lines"
exit 0
