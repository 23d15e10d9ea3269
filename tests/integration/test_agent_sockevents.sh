#!/usr/bin/env bash
# Retransmit and connect-error metrics per path with known answers; the
# rules file places the port P in the path "refused" and nothing else:
# - net_refused to P: 5 blocking connects to a closed loopback port
#   (ECONNREFUSED from connect()) and 5 non-blocking ones (EINPROGRESS, then
#   refused: the connection fails inside the call, reported by SO_ERROR);
#   beside it net_refused to P+1 (no rule), 2 + 2: /metrics shows exactly 10
#   ECONNREFUSED connect errors on path="refused" and 4 on path="other",
#   each counted once.  No loss on loopback: no retransmit.
# - net_backlog on P in a network namespace of its own: a listener with
#   backlog 0 that accepts only after 2.5 s, so the second connect's SYN is
#   dropped and sent again (1 s, 3 s): peerscope_tcp_retransmits_total on
#   path="refused" equals the namespace's own TcpRetransSegs count (at least
#   1; nothing else runs there), and no other path has any.  Kernels that
#   pass tcp_retransmit_skb an err argument fire it for failed attempts too;
#   those are not retransmits and are not counted.  A connection closed at
#   exit can send its FIN again after the process has gone: counted too,
#   once every connection in the namespace has ended.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
. "$(dirname "$0")/agent-lib.sh"
need_sock
need_cmd curl

PORT=$(pick_port)
MPORT=$((PORT + 7))
printf 'port refused = tcp:%s\n' "$PORT" >"$T/rules"
rm -f "$T/go"
"$PROGS/net_refused" "$T/go" "$PORT" 5 5 30000 >"$T/prog.out" &
PROG=$!
"$PROGS/net_refused" "$T/go" "$((PORT + 1))" 2 2 30000 >"$T/prog2.out" &
PROG2=$!
BG_PIDS+=("$PROG" "$PROG2")
agent_run "$T/agent.err" -p "$PROG,$PROG2" -c sock --rules "$T/rules" --dir "$T/w" --window 1s \
	--metrics "127.0.0.1:$MPORT"
touch "$T/go"
for _ in $(seq 100); do grep -q done "$T/prog.out" && grep -q done "$T/prog2.out" && break; sleep 0.1; done
grep -q done "$T/prog.out" && grep -q done "$T/prog2.out" || fail "net_refused did not finish its connects"
# two windows later every event is in the counters
wait_served "$MPORT" 2
scrape "$MPORT" "$T/m.txt"
errs() { grep connect_errors "$T/m.txt" | tr '\n' ' '; }
got=$(metric peerscope_connect_errors_total 'path="refused",error="ECONNREFUSED"' "$T/m.txt")
[ "$got" = 10 ] || fail "connect errors on path refused: $got ECONNREFUSED, want 10: $(errs)"
other=$(metric peerscope_connect_errors_total 'path="other",error="ECONNREFUSED"' "$T/m.txt")
[ "$other" = 4 ] || fail "connect errors on path other: $other ECONNREFUSED, want 4: $(errs)"
all=$(metric peerscope_connect_errors_total "" "$T/m.txt")
[ "$all" = 14 ] || fail "connect errors: $all in all, want 14: $(errs)"
rtx=$(metric peerscope_tcp_retransmits_total "" "$T/m.txt")
grep -q '^peerscope_tcp_retransmits_total{path="refused"} 0$' "$T/m.txt" && [ "$rtx" = 0 ] ||
	fail "retransmits without any loss: $(grep retransmits "$T/m.txt" | tr '\n' ' ')"
note "connect errors: $got ECONNREFUSED on path refused of 10 attempts, $other on other of 4"
kill -TERM "$AGENT"
wait "$AGENT" || fail "agent exited non-zero on SIGTERM"
kill "$PROG" "$PROG2" 2>/dev/null

NS=psrtx$$
ip netns add "$NS" || fail "cannot create a network namespace"
at_exit 'ip netns del "$NS" 2>/dev/null'
ip -n "$NS" link set lo up
retrans_segs() {
	ip netns exec "$NS" awk '/^Tcp:/ { if (!n++) { for (i = 1; i <= NF; i++) h[i] = $i } else {
		for (i = 1; i <= NF; i++) if (h[i] == "RetransSegs") print $i } }' /proc/net/snmp
}
before=$(retrans_segs)
rm -f "$T/go2"
ip netns exec "$NS" "$PROGS/net_backlog" "$T/go2" "$PORT" 2500 >"$T/nb.out" 2>&1 &
NB=$!
# a second target that outlives net_backlog keeps the agent serving
sleep 60 &
KEEP=$!
BG_PIDS+=("$NB" "$KEEP")
agent_run "$T/agent2.err" -p "$NB,$KEEP" -c sock --rules "$T/rules" --dir "$T/w2" --window 1s \
	--metrics "127.0.0.1:$MPORT"
touch "$T/go2"
wait "$NB" || fail "net_backlog failed: $(tail -2 "$T/nb.out")"
# its closed connections live on in the kernel, and on a loaded host one of
# them sends its FIN again (LAST-ACK) after the process has gone: the
# kernel's count is read once no connection is left that can still send,
# and the agent's two windows later (the kernel's account covers the same
# time as the answer)
for _ in $(seq 100); do
	[ -z "$(ip netns exec "$NS" ss -Htan state all exclude time-wait exclude listening)" ] && break
	sleep 0.1
done
after=$(retrans_segs)
wait_served "$MPORT" 2
scrape "$MPORT" "$T/m2.txt"
got=$(metric peerscope_tcp_retransmits_total 'path="refused"' "$T/m2.txt")
all=$(metric peerscope_tcp_retransmits_total "" "$T/m2.txt")
want=$((after - before))
[ "$want" -ge 1 ] || fail "the namespace saw no retransmit: the test's premise is wrong"
[ "$got" = "$want" ] || fail "retransmits on path refused: $got on /metrics, the kernel counted $want"
[ "$all" = "$want" ] || fail "retransmits: $all on all paths, the kernel counted $want (all on port $PORT)"
note "retransmits on path refused: $got, kernel's TcpRetransSegs: $want"
kill -TERM "$AGENT"
wait "$AGENT" || fail "agent exited non-zero on SIGTERM"
exit 0
