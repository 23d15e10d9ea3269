#!/usr/bin/env bash
# --alloc (kernel side): touching N fresh pages is N page faults in
# touch_pages(), and the mapping shows as address-space growth.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alloc-lib.sh"
need_alloc

N=2000
DUR=3 alloc_run touch $N -- --alloc -c alloc
f=$(mem_func touch_pages fault_pages)
note "touch_pages: $f page faults for $N pages"
assert_between "$f" $N $((N + 20)) "page faults in touch_pages"
python3 - "$T/report.json" $N <<'PY' || fail "no mmap growth recorded"
import json, sys
m = json.load(open(sys.argv[1]))["memory"]
assert m["mode"] == "kernel", m["mode"]
total = sum(p["alloc_bytes"] for p in m["paths"])
assert total >= int(sys.argv[2]) * 4096, total
PY
exit 0
