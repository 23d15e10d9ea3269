#!/usr/bin/env bash
# Retransmit and connect-error metrics with known answers:
# - net_refused: 5 blocking connects to a closed loopback port (ECONNREFUSED
#   from connect()) and 5 non-blocking ones (EINPROGRESS, then refused: the
#   connection fails inside the call, reported by SO_ERROR): /metrics shows
#   exactly 10 ECONNREFUSED connect errors, each counted once.
#   No loss on loopback: no retransmit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
. "$(dirname "$0")/agent-lib.sh"
need_sock
need_cmd curl

PORT=$(pick_port)
MPORT=$((PORT + 7))
rm -f "$T/go"
"$PROGS/net_refused" "$T/go" "$PORT" 5 5 30000 >"$T/prog.out" &
PROG=$!
BG_PIDS+=("$PROG")
"$PS" agent -p "$PROG" -c sock --dir "$T/w" --window 1s --metrics "127.0.0.1:$MPORT" 2>"$T/agent.err" &
AGENT=$!
BG_PIDS+=("$AGENT")
for _ in $(seq 300); do
	grep -q "agent: .* [0-9]* process" "$T/agent.err" && break
	sleep 0.1
done
grep -q "agent: .* [0-9]* process" "$T/agent.err" || fail "agent did not start: $(tail -3 "$T/agent.err")"
touch "$T/go"
for _ in $(seq 100); do grep -q done "$T/prog.out" && break; sleep 0.1; done
grep -q done "$T/prog.out" || fail "net_refused did not finish its connects"
# two windows later every event is in the counters
sleep 2.5
scrape "$MPORT" "$T/m.txt"
got=$(metric peerscope_connect_errors_total 'error="ECONNREFUSED"' "$T/m.txt")
[ "$got" = 10 ] || fail "connect errors: $got ECONNREFUSED, want 10: $(grep connect_errors "$T/m.txt")"
all=$(metric peerscope_connect_errors_total "" "$T/m.txt")
[ "$all" = 10 ] || fail "connect errors: $all in all, want 10: $(grep connect_errors "$T/m.txt")"
grep -q '^peerscope_tcp_retransmits_total 0$' "$T/m.txt" || fail "retransmits without any loss: $(grep retransmits "$T/m.txt")"
note "connect errors: $got ECONNREFUSED of 10 attempts"
kill -TERM "$AGENT"
wait "$AGENT" || fail "agent exited non-zero on SIGTERM"
kill "$PROG" 2>/dev/null

exit 0
