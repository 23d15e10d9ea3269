#!/usr/bin/env bash
# peerscope agent --metrics: bytes and messages per path and direction, and
# --metrics-peers K, on the test network with abusive-peer on node 1 (it
# sends ten times the DHT requests of the others to node 0, the profiled
# node).  Known answers:
# - peerscope_path_messages_total{path="dht",direction="rx"} is not 0 (it
#   was before the sock collector was reset per window);
# - with --metrics-peers 1 node 1's DHT address is exported by name, with
#   more rx messages than any other series, "other" included (10x the
#   requests of each of the two other nodes); a peer is exported once it is
#   a window's costliest and kept from then on (counters never go back), so
#   no more named series than windows.  At 99 Hz a 2 s window has only 1-6
#   cpu samples while serving peers, too few to rank peers by CPU, so the
#   agent ranks them by messages (docs/metrics.md) and node 1 is exported
#   from the first window on: when the ranking was by those few samples it
#   exported whichever peer a stray sample fell on, and node 1 could miss
#   all four windows;
# - without --metrics-peers no metric has a peer label.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
. "$(dirname "$0")/agent-lib.sh"
need_net
need_cmd curl

MPORT=$((30000 + RANDOM % 5000))
net_start --duration 40 --dht-rate 200 --gossip-rate 5 --inject abusive-peer --on-node 1
sleep 1
agent_start 0 --window 2s -F 99 --metrics "127.0.0.1:$MPORT" --metrics-peers 1
wait_windows 4 30
scrape "$MPORT" "$T/m.txt"
port1=$((BASE + 1))
named=$(grep -o '^peerscope_peer_messages_total{peer="[^"]*"' "$T/m.txt" | sed 's/.*peer="//; s/"$//' | sort -u)
nwin=$(wc -l <"$T/w/index.jsonl")
[ "$(echo "$named" | grep -vc '^other$')" -le "$nwin" ] ||
	fail "--metrics-peers 1 exported $(echo "$named" | tr '\n' ' ') in $nwin windows"
echo "$named" | grep -qx "127.0.0.1:$port1" || fail "node 1 (127.0.0.1:$port1) not exported: $(echo "$named" | tr '\n' ' ')"
rx1=$(metric peerscope_peer_messages_total "peer=\"127.0.0.1:$port1\",direction=\"rx\"" "$T/m.txt")
for p in $named; do
	[ "$p" = "127.0.0.1:$port1" ] && continue
	rx=$(metric peerscope_peer_messages_total "peer=\"$p\",direction=\"rx\"" "$T/m.txt")
	python3 -c "import sys; sys.exit(0 if $rx1 > $rx else 1)" ||
		fail "node 1 sent $rx1 messages, peer $p $rx: want node 1's above every other series"
done
dht_rx=$(metric peerscope_path_messages_total 'path="dht",direction="rx"' "$T/m.txt")
python3 -c "import sys; sys.exit(0 if $dht_rx > 0 else 1)" || fail "no dht rx messages on /metrics"
agent_stop

# no --metrics-peers: no peer label (after two windows with peers in them)
before=$(wc -l <"$T/w/index.jsonl")
agent_start 2 --window 1s --metrics "127.0.0.1:$((MPORT + 1))"
wait_windows $((before + 2)) 20
grep -q '^peerscope_path_messages_total{path="dht",direction="rx"} [1-9]' <(curl -sf "http://127.0.0.1:$((MPORT + 1))/metrics") ||
	fail "node 2's windows saw no dht message: the check below would prove nothing"
scrape "$((MPORT + 1))" "$T/m2.txt"
grep -q 'peer="' "$T/m2.txt" && fail "a peer label without --metrics-peers: $(grep -m1 'peer="' "$T/m2.txt")"
agent_stop
note "node 1 (127.0.0.1:$port1): $rx1 rx messages; $(echo $named | wc -w) series in $nwin windows; dht rx $dht_rx"
exit 0
