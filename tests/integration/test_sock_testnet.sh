#!/usr/bin/env bash
# On the test network: every node's traffic, split by port rules into DHT
# (UDP) and gossip (TCP), matches the node's own byte counters (p2pnet
# --json) within 1 %.  The nodes start held (--start-gate) and are recorded
# from before their bootstrap to their exit, so nothing they send goes
# unseen.  (Stopping the driver with SIGSTOP once the pids file appeared
# was a race: traffic starts with that file, and on a loaded machine the
# ~50 ms before the stop cost 1.1-1.4 % of every node's DHT bytes.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
need_sock
[ -x "$BUILD/p2pnet" ] || skip "no $BUILD/p2pnet (tests/node not built)"

BASE=$(free_net_base) || exit 1
"$BUILD/p2pnet" --nodes 4 --duration 6 --dht-rate 800 --gossip-rate 150 --base-port "$BASE" \
	--pids-file "$T/pids" --start-gate "$T/gate" --json "$T/net.json" >"$T/net.out" 2>&1 &
NET=$!
BG_PIDS+=("$NET")
for _ in $(seq 3000); do
	[ -s "$T/pids" ] && break
	kill -0 "$NET" 2>/dev/null || break
	sleep 0.01
done
[ -s "$T/pids" ] || fail "p2pnet did not start: $(tail -3 "$T/net.out")"
PIDS=$(paste -sd, "$T/pids")
"$PS" record -v -p "$PIDS" -c sock -o "$T/net.pb.gz" \
	--port "dht=udp:$BASE-$((BASE + 999)),gossip=tcp:$((BASE + 1000))-$((BASE + 1999))" \
	2>"$T/rec.err" &
REC=$!
for _ in $(seq 100); do
	grep -q "attached" "$T/rec.err" && break
	sleep 0.1
done
grep -q "attached" "$T/rec.err" || fail "record did not attach: $(tail -3 "$T/rec.err")"
touch "$T/gate"
wait "$REC" || fail "record failed: $(tail -3 "$T/rec.err")"
wait "$NET" || fail "p2pnet failed: $(tail -3 "$T/net.out")"
[ -s "$T/net.json" ] || fail "p2pnet wrote no JSON"
net_json "$T/net.pb.gz" >"$T/sock.json"

checked=0
for i in $(seq 0 3); do
	pid=$(jq -r ".per_node[$i].pid" "$T/net.json")
	for pair in dht:udp gossip:tcp; do
		path=${pair%:*} proto=${pair#*:}
		for dir in tx rx; do
			want=$(jq -r ".per_node[$i].$path.${dir}_bytes" "$T/net.json")
			got=$(jq -r --argjson pid "$pid" --arg path "$path" --arg proto "$proto" --arg k "${dir}_bytes" \
				'[.by_pid[] | select(.pid == $pid and .path == $path and .proto == $proto) | .[$k]] | add // 0' \
				"$T/sock.json")
			[ "$want" -gt 0 ] || continue
			awk -v g="$got" -v w="$want" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= 0.01 * w) }' ||
				fail "node $i $path $dir: peerscope $got bytes, the node counted $want (more than 1 % apart)"
			note "node $i $path $dir: peerscope $got, node $want"
			checked=$((checked + 1))
		done
	done
done
[ $checked -ge 8 ] || fail "only $checked counters compared (expected traffic on both paths)"
exit 0
