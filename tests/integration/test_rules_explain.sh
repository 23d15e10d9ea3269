#!/usr/bin/env bash
# peerscope rules --explain FILE: which rule put each of the top stacks in
# its path.  Known answers on the recordings of tests/fixtures/v1: dhtcpu's
# heaviest stack is the injected dht_distance_slow, placed in dht by the
# symbol rule matching that frame; summed over every stack, the CPU explain
# gives each path equals `flame --path P`'s and is at least the busy on-CPU
# time of report's Paths section (which leaves out on-CPU time spent
# entering or leaving a wait for work) -- all read the labels written once
# at load; the evidence shares add up to
# the whole; --rules changes the answer as it changes report's; bad input is
# one line and a non-zero exit.  No root needed.
. "$(dirname "$0")/lib.sh"
[ -x "$PS" ] || skip "no $PS (run make)"
command -v python3 >/dev/null || skip "needs python3"
FX=$ROOT/tests/fixtures/v1

"$PS" rules --explain "$FX/dhtcpu.pb.gz" --top 3 >"$T/dht.txt" 2>&1 || fail "rules --explain failed: $(tail -2 "$T/dht.txt")"
head -1 "$T/dht.txt" | grep -q "rules: p2pnode; cpu" || fail "header: $(head -1 "$T/dht.txt")"
grep -E '^ *[0-9.]+% +dht +symbol +frame dht_distance_slow ' "$T/dht.txt" | head -1 | grep -q . ||
	fail "dht_distance_slow's symbol match not explained: $(cat "$T/dht.txt")"
[ "$(grep -cE '^ *[0-9.]+%' "$T/dht.txt")" = 3 ] || fail "--top 3 printed $(grep -cE '^ *[0-9.]+%' "$T/dht.txt") rows"

for f in "$FX"/*.pb.gz; do
	n=$(basename "$f" .pb.gz)
	"$PS" rules --explain "$f" --top 100000 --json >"$T/$n.ex.json" 2>"$T/err" || fail "explain $n: $(cat "$T/err")"
	"$PS" report --json "$f" >"$T/$n.rep.json" 2>/dev/null || fail "report $n failed"
	python3 - "$T/$n.ex.json" "$T/$n.rep.json" "$n" <<'PY' || fail "explain disagrees with report on $n"
import json, sys
ex, rep, n = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
by = {}
for s in ex["stacks"]:
    by[s["path"]] = by.get(s["path"], 0) + s["value"]
assert sum(by.values()) == ex["total"], (sum(by.values()), ex["total"])
assert abs(sum(ex["evidence"].values()) - 1) < 0.001, ex["evidence"]
for p in rep["paths"]["paths"]:
    w = p.get("wall_ns") or {}
    cpu = w.get("cpu_user", 0) + w.get("cpu_kernel", 0)
    assert by.get(p["name"], 0) >= cpu, (n, p["name"], by.get(p["name"]), cpu)
PY
	while read -r path v; do
		fl=$("$PS" flame --folded --type cpu --path "$path" "$f" | awk '{s += $NF} END {printf "%.0f", s}')
		[ "$fl" = "$v" ] || fail "$n: explain gives $path $v ns of cpu, flame --path $fl"
	done < <(python3 -c 'import json,sys
by = {}
for s in json.load(open(sys.argv[1]))["stacks"]: by[s["path"]] = by.get(s["path"], 0) + s["value"]
for k, v in by.items(): print(k, v)' "$T/$n.ex.json")
done

# other rules, other answer: the default set has no spans
"$PS" rules --explain "$FX/dhtcpu.pb.gz" --rules default --json >"$T/def.json" || fail "--rules default failed"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["rules"]=="default" and d["evidence"]["span"] < 0.34, d["evidence"]' "$T/def.json" ||
	fail "--rules default not used"

# bad input: one line, non-zero exit
"$PS" rules --explain "$T/nope.pb.gz" >/dev/null 2>"$T/e1"; rc=$?
[ $rc = 1 ] && [ "$(wc -l <"$T/e1")" = 1 ] || fail "missing file: exit $rc, $(cat "$T/e1")"
"$PS" rules --explain "$FX/dhtcpu.pb.gz" --top 0 >/dev/null 2>"$T/e2"; rc=$?
[ $rc = 2 ] || fail "--top 0: exit $rc"
"$PS" rules --explain "$FX/dhtcpu.pb.gz" -t nosuch >/dev/null 2>"$T/e3"; rc=$?
[ $rc = 2 ] && grep -q "no sample type 'nosuch'" "$T/e3" || fail "-t nosuch: exit $rc, $(cat "$T/e3")"
"$PS" rules --explain "$FX/dhtcpu.pb.gz" --rules "$T/none.rules" >/dev/null 2>"$T/e4"; rc=$?
[ $rc = 1 ] && [ "$(wc -l <"$T/e4")" = 1 ] || fail "missing rules file: exit $rc, $(cat "$T/e4")"
exit 0
