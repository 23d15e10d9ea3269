#!/usr/bin/env bash
# Attaching spans opens no phantom operation.  span_burst runs ~3,000
# operations a second of a few microseconds each, napping 200 us between
# them: shorter than the gap between attaching a span's two probes.  When
# the start probe went in first, an operation that began and ended in that
# gap left its thread "inside the span" for the rest of the recording, and
# every nap counted as busy (~1 thread; 4 of 8 recordings).  Six recordings
# of one second: the path must stay about as idle as it is (< 0.1 threads).
. "$(dirname "$0")/lib.sh"
need_root
need_cmd python3
[ -x "$PROGS/span_burst" ] || skip "no $PROGS/span_burst"

printf 'span work usdt:span_burst:op_start:op_done:0:1\n' >"$T/burst.rules"
bg "$PROGS/span_burst" -d 60
pid=${BG_PIDS[-1]}
sleep 0.3
for i in 1 2 3 4 5 6; do
	"$PS" record -p "$pid" -d 1 --rules "$T/burst.rules" -c cpu,span,offcpu \
		-o "$T/r$i.pb.gz" 2>"$T/r$i.err" || fail "record $i failed: $(tail -3 "$T/r$i.err")"
	"$PS" report "$T/r$i.pb.gz" --json >"$T/r$i.json" 2>/dev/null || fail "report $i failed"
	python3 - "$T/r$i.json" "$i" <<'PY' || fail "recording $i: a span stayed open"
import json, sys
d = json.load(open(sys.argv[1]))
p = next(p for p in d["paths"]["paths"] if p["name"] == "work")
busy = p["wall_ns"]["busy"] / d["paths"]["duration_ns"]
ops = p["operations"]["count"]
print("  recording %s: %d operations, %.3f threads busy inside them" % (sys.argv[2], ops, busy),
      file=sys.stderr)
assert ops > 1000, ops
assert busy < 0.1, busy
PY
done
exit 0
