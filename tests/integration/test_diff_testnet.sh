#!/usr/bin/env bash
# peerscope diff on the test network: a clean node against the same node
# with --inject dht-cpu ranks dht_distance_slow first and fails
# --fail-above 10 %; two clean recordings of one node do not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

# two networks at once (clean, dht-cpu on node 0): one startup, recordings
# side by side.  They run until the test ends (--duration 0; cleanup stops
# them): on a loaded host three recordings once outlasted 20 s of traffic.
start() {
	bg "$BUILD/p2pnet" --nodes 4 --base-port "$(pick_base)" --duration 0 --dht-rate 300 \
		--gossip-rate 5 --pids-file "$T/$1.pids" "${@:2}" >"$T/$1.net" 2>&1
}
start clean
start slow --inject dht-cpu --on-node 0
wait_file "$T/clean.pids" 30 || fail "p2pnet (clean) did not start: $(tail -3 "$T/clean.net")"
wait_file "$T/slow.pids" 30 || fail "p2pnet (dht-cpu) did not start: $(tail -3 "$T/slow.net")"

rec() {
	"$PS" record -F 997 -p "$(head -1 "$T/$1.pids")" -d 4 -o "$T/$2.pb.gz" 2>"$T/$2.err" ||
		fail "record $2 failed: $(tail -3 "$T/$2.err")"
}
rec clean clean1 &
p1=$!
rec slow slow
wait $p1 || exit 1
rec clean clean2

# clean -> dht-cpu: dht_distance_slow first, exit 4
"$PS" diff "$T/clean1.pb.gz" "$T/slow.pb.gz" --fail-above 10% --json >"$T/slow.json"
rc=$?
"$PS" diff "$T/clean1.pb.gz" "$T/slow.pb.gz" >"$T/slow.txt" 2>&1
[ $rc = 4 ] || fail "clean -> dht-cpu: exit $rc, want 4: $(sed -n '1,20p' "$T/slow.txt")"
python3 - "$T/slow.json" <<'PY' || fail "clean -> dht-cpu: $(sed -n '1,25p' "$T/slow.txt")"
import json, sys
d = json.load(open(sys.argv[1]))
g = d["functions"]["grew"]
assert g and g[0]["name"] == "dht_distance_slow", [f["name"] for f in g]
dht = [p for p in d["paths"] if p["name"] == "dht"]
assert dht, "no dht path"
lat = dht[0]["latency"]
if lat:   # span histograms recorded: the dht operations got slower
    assert lat["p50_ns"][1] > lat["p50_ns"][0], lat
    print("  dht p50 %d -> %d us, p95 %d -> %d us (z %.1f)" % (
        lat["p50_ns"][0] / 1000, lat["p50_ns"][1] / 1000,
        lat["p95_ns"][0] / 1000, lat["p95_ns"][1] / 1000, lat["z95"]), file=sys.stderr)
assert dht[0]["changed"]["function"]["name"] == "dht_distance_slow", dht[0]["changed"]
print("  failures: " + "; ".join(f["what"] for f in d["failures"]), file=sys.stderr)
PY
grep -q 'latency p50' "$T/slow.txt" || note "no span histograms: latency not compared"

# clean -> clean: nothing beyond the noise, exit 0
"$PS" diff "$T/clean1.pb.gz" "$T/clean2.pb.gz" --fail-above 10% >"$T/clean.txt"
rc=$?
[ $rc = 0 ] || fail "clean -> clean: exit $rc, want 0: $(sed -n '/^Result/,$p' "$T/clean.txt")"

# the differential flame graph of the pair
"$PS" diff "$T/clean1.pb.gz" "$T/slow.pb.gz" --svg "$T/diff.svg" >/dev/null
[ $? = 0 ] || fail "--svg failed"
grep -q dht_distance_slow "$T/diff.svg" || fail "diff.svg lacks dht_distance_slow"
exit 0
