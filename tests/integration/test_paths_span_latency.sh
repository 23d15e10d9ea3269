#!/usr/bin/env bash
# Span latencies agree with the network driver's own lookup latencies:
# p50 and p95 within 10 %.  The recording covers the whole traffic (it
# starts when the pids file appears, as traffic does, and ends when node 0
# exits); an emulated 2 ms delay makes latencies stable enough to compare.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

net_start --duration 5 --dht-rate 150 --gossip-rate 5 --latency 2
record_node 0 30 -c cpu,span
wait "${BG_PIDS[0]}" 2>/dev/null
[ -s "$T/net.json" ] || fail "p2pnet wrote no JSON: $(tail -3 "$T/net.out")"
report_json
python3 - "$T/net.json" "$T/report.json" <<'PY' || fail "span latency disagrees with p2pnet"
import json, sys
net = json.load(open(sys.argv[1]))["dht"]["latency_ms"]
rep = json.load(open(sys.argv[2]))
dht = next(p for p in rep["paths"]["paths"] if p["name"] == "dht")
lat, ops = dht["latency_ns"], dht["operations"]["count"]
ok = True
print(f"  ops: p2pnet {net['count']} peerscope {ops}", file=sys.stderr)
for q in ("p50", "p95"):
    ours, theirs = lat[q] / 1e6, net[q]
    err = abs(ours - theirs) / theirs
    print(f"  {q}: p2pnet {theirs:.3f} ms, peerscope {ours:.3f} ms ({err:.1%})", file=sys.stderr)
    ok &= err <= 0.10
ok &= ops >= 0.9 * net["count"]
sys.exit(0 if ok else 1)
PY
exit 0
