#!/usr/bin/env bash
# Connect latency, accept-queue wait and errors with known answers:
# - net_backlog: listener with backlog 0 that accepts only after 600 ms.  The
#   first connect completes at once and waits ~600 ms in the accept queue; the
#   second's SYN is dropped (accept queue full) and retransmitted after ~1 s:
#   connect latency >= 0.9 s with a retransmit.
# - net_refused: 5 connects to a closed port (ECONNREFUSED, 5 failed
#   connections) and 50 EAGAIN reads on an empty non-blocking UDP socket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
need_sock

PORT=$(pick_port)
rec "$T/lat.pb.gz" "$PROGS/net_backlog" "$T/go" "$PORT" 600
net_json "$T/lat.pb.gz" >"$T/lat.json"
jq -e '.tcp.connect_ns.max >= 900000000 and .tcp.connect_ns.max < 3500000000' "$T/lat.json" >/dev/null ||
	fail "connect latency of the SYN-dropped connect not ~1 s: $(jq -c '.tcp.connect_ns' "$T/lat.json")"
jq -e '[.tcp.top[] | select(.side == "connect" and .connect_ns >= 900000000 and .retrans >= 1)] | length == 1' \
	"$T/lat.json" >/dev/null || fail "no connection with ~1 s connect and a retransmit: $(jq -c '.tcp.top' "$T/lat.json")"
jq -e '.tcp.accept_wait_ns.max >= 500000000 and .tcp.accept_wait_ns.max < 1500000000' "$T/lat.json" >/dev/null ||
	fail "accept-queue wait not ~600 ms: $(jq -c '.tcp.accept_wait_ns' "$T/lat.json")"
"$PS" report "$T/lat.pb.gz" --net | grep -q "connect latency" || fail "text report has no connect latency line"

rec "$T/err.pb.gz" "$PROGS/net_refused" "$T/go" "$PORT" 5
net_json "$T/err.pb.gz" >"$T/err.json"
jq -e '.errors[] | select(.call == "connect" and .error == "ECONNREFUSED") | .count == 5' "$T/err.json" >/dev/null ||
	fail "ECONNREFUSED not counted 5 times: $(jq -c '.errors' "$T/err.json")"
jq -e '.tcp.failed == 5' "$T/err.json" >/dev/null || fail "failed connections not 5: $(jq -c '.tcp' "$T/err.json")"
jq -e '.errors[] | select(.error == "EAGAIN" and .proto == "udp") | .count == 50' "$T/err.json" >/dev/null ||
	fail "EAGAIN not counted 50 times: $(jq -c '.errors' "$T/err.json")"
exit 0
