#!/usr/bin/env bash
# Span latencies agree with the network driver's own: node 0's lookups as
# peerscope timed them (count, p50, p95) against the lookups p2pnet says
# node 0 ran (its per_node entry; p2pnet sends each lookup to a random
# node).  --start-gate holds the network until the recording is attached
# and the recording lasts until node 0 exits, so it covers every lookup; an
# emulated 2 ms delay makes latencies stable enough to compare.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

net_start_gated --duration 5 --dht-rate 150 --gossip-rate 5 --latency 2
record_gated 0 60 -c cpu,span
net_wait
report_json
python3 - "$T/net.json" "$T/report.json" <<'PY' || fail "span latency disagrees with p2pnet"
import json, sys
j = json.load(open(sys.argv[1]))
mine = j["per_node"][0]["lookups"]
net = mine["latency_ms"]
rep = json.load(open(sys.argv[2]))
dht = next(p for p in rep["paths"]["paths"] if p["name"] == "dht")
lat, ops = dht["latency_ns"], dht["operations"]["count"]
answered = mine["count"] - mine["unanswered"]
ok = True
print(f"  node 0 lookups: p2pnet {answered} answered of {mine['count']} "
      f"(network {j['dht']['lookups']}), peerscope {ops}", file=sys.stderr)
# like with like: every answered lookup of node 0 is one span, no more
ok &= abs(ops - answered) <= max(2, 0.02 * answered)
ok &= answered >= 0.15 * j["dht"]["lookups"]     # one node of 4 (0.25), not nothing
for q in ("p50", "p95"):
    ours, theirs = lat[q] / 1e6, net[q]
    err = abs(ours - theirs) / theirs
    print(f"  {q}: p2pnet {theirs:.3f} ms, peerscope {ours:.3f} ms ({err:.1%})", file=sys.stderr)
    ok &= err <= 0.10
sys.exit(0 if ok else 1)
PY
exit 0
