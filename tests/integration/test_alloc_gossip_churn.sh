#!/usr/bin/env bash
# --inject alloc-churn: the gossip path's functions top the allocation
# profile of the node (--alloc=malloc, sampled 1 in 10).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

net_start --duration 12 --dht-rate 50 --gossip-rate 20 --inject alloc-churn --on-node 0
sleep 1
record_node 0 4 --alloc=malloc --alloc-sample 10
report_json --top 1000
python3 - "$T/report.json" <<'PY' || fail "gossip is not at the top of the allocation profile"
import json, re, sys
m = json.load(open(sys.argv[1]))["memory"]
p2p = [f for f in m["functions"] if re.match(r"(dht|gossip|bootstrap)_", f["name"])]
p2p.sort(key=lambda f: -f["alloc_bytes"])
print("  top:", [(f["name"], f["alloc_bytes"]) for f in p2p[:4]], file=sys.stderr)
assert p2p and p2p[0]["name"].startswith("gossip_"), p2p[:3]
PY
exit 0
