# shellcheck shell=bash
# Helpers of the test_peers_*.sh tests on the test network (source after
# lib.sh): a 4-node network with node 0 recorded, and the p2pnode rules with
# the node's peer probes (docs/peers.md).

# peer_rules FILE: the built-in p2pnode set plus its two peer probes
peer_rules() {
	"$PS" rules --show p2pnode >"$1" || fail "rules --show p2pnode failed"
	printf 'peer dht usdt:p2pnode:dht_serving:0:1\npeer gossip usdt:p2pnode:gossip_serving:0:1\n' >>"$1"
}

# within5 GOT WANT WHAT: GOT within 5 percentage points of WANT
within5() { assert_between "$1" "$(awk -v w="$2" 'BEGIN { print w - 5 }')" "$(awk -v w="$2" 'BEGIN { print w + 5 }')" "$3"; }

# run_net NAME [p2pnet args]: 4 nodes, 1,500 DHT operations/s for 6 s,
# GOSSIP_RATE (default 20) publishes/s; node 0 recorded at 4999 Hz with cpu,
# offcpu, sock (and span with SPAN=,span), --port for the network's ports
# and REC_ARGS -> $T/NAME.{pb.gz,json,rec,out}.  4999 Hz, not 999: a share
# of the dht CPU is a binomial estimate, and at 999 Hz the ~500 tagged dht
# samples of a run leave it a standard error of 2 points (0.9 at 4999 Hz)
# against the 5 the tests allow; test_peers_testnet also leaves out the
# samples in socket calls, about a third.  (At 2999 Hz one run in about a
# dozen beside two busy loops missed by 5.05 points.)  The nodes
# are held at --start-gate until the recording is attached, and the
# recording ends when node 0 exits, after p2pnet took its stats: the
# recording and node 0's own per-sender counts (p2pnet --json) cover the
# same time.  (Before, the counts covered the 10 s run and the recording
# 6 s of it.)
run_net() {
	local name=$1 base net rec
	shift
	base=$(free_net_base) || exit 1
	rm -f "$T/pids" "$T/gate"
	"$BUILD/p2pnet" --nodes 4 --duration 6 --dht-rate 1500 --gossip-rate "${GOSSIP_RATE:-20}" \
		--base-port "$base" --pids-file "$T/pids" --start-gate "$T/gate" --json "$T/$name.json" \
		"$@" >"$T/$name.out" 2>&1 &
	net=$!
	BG_PIDS+=("$net")
	wait_file "$T/pids" 30 || fail "$name: p2pnet did not start: $(tail -3 "$T/$name.out")"
	# shellcheck disable=SC2086
	"$PS" record -p "$(head -1 "$T/pids")" -F 4999 -c "cpu,offcpu,sock${SPAN:-}" -d 60 --progress \
		-o "$T/$name.pb.gz" --port "dht=udp:$base-$((base + 999)),gossip=tcp:$((base + 1000))-$((base + 1999))" \
		${REC_ARGS:-} 2>"$T/$name.rec" &
	rec=$!
	BG_PIDS+=("$rec")
	wait_attached "$rec" "$T/$name.rec"
	touch "$T/gate"
	wait "$rec" || fail "$name: record failed: $(tail -3 "$T/$name.rec")"
	wait "$net" || fail "$name: p2pnet failed: $(tail -3 "$T/$name.out")"
}
