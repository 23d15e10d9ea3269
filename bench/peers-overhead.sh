#!/usr/bin/env bash
# Cost of the serving-peer tag (docs/peers.md): node 0 of the test network
# (4 nodes, 1,500 DHT operations/s, 20 gossip publishes/s) recorded with
# cpu, offcpu and sock, alternately with the tag and with --no-peers, on the
# same running network, three ways: the p2pnode rules as they are (tag and
# reply tracking, its "txn dht" line), the same rules without the txn line
# (tag only), and --no-peers.  Prints the BPF time per handled event of each
# collector (record -v: "bpf X ms in R runs", "N events") and the ratios to
# --no-peers; the goal (tag only) is under 1.10.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=$BUILD/peerscope
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-5}

[ "$(id -u)" = 0 ] || { echo "peers overhead: skipped (needs root)"; exit 0; }
if [ ! -x "$BUILD/p2pnet" ] || [ ! -x "$PS" ]; then echo "peers overhead: skipped (run make first)"; exit 0; fi
T=$(mktemp -d /tmp/peerscope-bench.XXXXXX)
net=
trap '[ -n "$net" ] && kill -INT "$net" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
base=$((31000 + (RANDOM % 100) * 20))
"$BUILD/p2pnet" --nodes 4 --duration 0 --dht-rate 1500 --gossip-rate 20 --base-port "$base" \
	--pids-file "$T/pids" >"$T/net.out" 2>&1 &
net=$!
for _ in $(seq 150); do [ -s "$T/pids" ] && break; sleep 0.2; done
[ -s "$T/pids" ] || { echo "peers overhead: p2pnet did not start"; exit 1; }
pid=$(head -1 "$T/pids")
"$PS" rules --show p2pnode >"$T/all.rules" || { echo "peers overhead: rules --show failed"; exit 1; }
grep -v '^txn ' "$T/all.rules" >"$T/notxn.rules"

# one recording; appends "MODE COLLECTOR EVENTS BPF_MS" lines to $T/runs
rec() {
	local mode=$1
	shift
	"$PS" record -v -p "$pid" -F 999 -c cpu,offcpu,sock -d "$SECS" -o "$T/r.pb.gz" \
		--port "dht=udp:$base-$((base + 999)),gossip=tcp:$((base + 1000))-$((base + 1999))" \
		"$@" 2>"$T/rec.err" || { echo "peers overhead: record failed: $(tail -2 "$T/rec.err")"; exit 1; }
	sed -n 's/.*debug: \([a-z]*\): \([0-9]*\) events, .* bpf \([0-9.]*\) ms in [0-9]* runs.*/\1 \2 \3/p' \
		"$T/rec.err" | while read -r c n ms; do echo "$mode $c $n $ms"; done >>"$T/runs"
}

for _ in $(seq "$ROUNDS"); do
	rec txn --rules "$T/all.rules"
	rec tag --rules "$T/notxn.rules"
	rec notag --rules "$T/notxn.rules" --no-peers
done
awk '{ ev[$1 " " $2] += $3; ms[$1 " " $2] += $4; tev[$1] += $3; tms[$1] += $4 }
function per(m, c) { return ev[m " " c] ? ms[m " " c] * 1e6 / ev[m " " c] : 0 }
END {
	n = split("cpu offcpu sock", cs, " ")
	for (i = 1; i <= n; i++) {
		c = cs[i]; a = per("tag", c); x = per("txn", c); b = per("notag", c)
		printf "   %-6s BPF time per event: %6.0f ns tagged, %6.0f with reply tracking, %6.0f --no-peers: x%.2f, x%.2f\n", c, a, x, b, b ? a / b : 0, b ? x / b : 0
	}
	a = tms["tag"] * 1e6 / tev["tag"]; x = tms["txn"] * 1e6 / tev["txn"]; b = tms["notag"] * 1e6 / tev["notag"]
	printf "   peer tagging, BPF time per event over cpu+offcpu+sock (%d rounds of %d s each way): %.0f vs %.0f ns: x%.2f (goal < x1.10); with reply tracking (txn dht) %.0f ns: x%.2f\n", '"$ROUNDS"', '"$SECS"', a, b, a / b, x, x / b
}' "$T/runs"
