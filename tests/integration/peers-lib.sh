# shellcheck shell=bash
# Helpers of the test_peers_*.sh tests on the test network (source after
# lib.sh): a 4-node network with node 0 recorded, and the p2pnode rules with
# the node's peer probes (docs/peers.md).

# peer_rules FILE: the built-in p2pnode set plus its two peer probes
peer_rules() {
	"$PS" rules --show p2pnode >"$1" || fail "rules --show p2pnode failed"
	printf 'peer dht usdt:p2pnode:dht_serving:0:1\npeer gossip usdt:p2pnode:gossip_serving:0:1\n' >>"$1"
}

# run_net NAME [p2pnet args]: 4 nodes, 1,500 DHT operations/s, GOSSIP_RATE
# (default 20) publishes/s; node 0 recorded for 6 s with cpu, offcpu, sock
# (and span with SPAN=,span), --port for the network's ports and REC_ARGS
# -> $T/NAME.{pb.gz,json,rec,out}
run_net() {
	local name=$1 base net
	shift
	base=$((20000 + (RANDOM % 300) * 50))
	rm -f "$T/pids"
	"$BUILD/p2pnet" --nodes 4 --duration 10 --dht-rate 1500 --gossip-rate "${GOSSIP_RATE:-20}" \
		--base-port "$base" --pids-file "$T/pids" --json "$T/$name.json" "$@" >"$T/$name.out" 2>&1 &
	net=$!
	BG_PIDS+=("$net")
	wait_file "$T/pids" 30 || fail "$name: p2pnet did not start: $(tail -3 "$T/$name.out")"
	# shellcheck disable=SC2086
	"$PS" record -p "$(head -1 "$T/pids")" -F 999 -c "cpu,offcpu,sock${SPAN:-}" -d 6 -o "$T/$name.pb.gz" \
		--port "dht=udp:$base-$((base + 999)),gossip=tcp:$((base + 1000))-$((base + 1999))" \
		${REC_ARGS:-} 2>"$T/$name.rec" || fail "$name: record failed: $(tail -3 "$T/$name.rec")"
	wait "$net" || fail "$name: p2pnet failed: $(tail -3 "$T/$name.out")"
}
