# peerscope report --json on stdin -> "path share" lines: each path's share
# of the recording's on-CPU time (user + kernel), largest first.
import json
import sys

rep = json.load(sys.stdin)
paths = rep.get("paths") or {}
cpu = {p["name"]: p["wall_ns"]["cpu_user"] + p["wall_ns"]["cpu_kernel"]
       for p in paths.get("paths", [])}
total = sum(cpu.values())
for name, ns in sorted(cpu.items(), key=lambda kv: -kv[1]):
    print(name, "%.4f" % (ns / total if total else 0), ns)
