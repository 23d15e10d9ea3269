#!/usr/bin/env bash
# --alloc=malloc: a steady leak (30 x 10 x malloc(1000), never freed) is a
# suspected leak with its function and the exact bytes not freed, while the
# balanced churn() next to it is not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alloc-lib.sh"
need_alloc

DUR=4.5 alloc_run leak -- --alloc=malloc -c alloc
python3 - "$T/report.json" <<'PY' || fail "leak check failed (see above)"
import json, sys
m = json.load(open(sys.argv[1]))["memory"]
leaks = m["leaks"]
print("  leaks:", [(l["function"], l["inuse_bytes"], l["r2"], l["level"]) for l in leaks], file=sys.stderr)
l = [l for l in leaks if l["function"] == "leak_step"]
assert l, "leak_step is not a suspected leak"
assert l[0]["inuse_bytes"] == 300000, "leak_step: %d bytes in use, want 300000" % l[0]["inuse_bytes"]
assert l[0]["level"] in ("low", "medium", "high")
assert not [l for l in leaks if l["function"] == "churn"], "churn() flagged as a leak"
PY
u=$(mem_func churn inuse_bytes)
[ "$u" = 0 ] || fail "churn has $u bytes in use, want 0"
exit 0
