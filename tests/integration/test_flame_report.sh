#!/usr/bin/env bash
# peerscope report: text fits 100 columns, Markdown has the table, JSON
# parses and its numbers agree with the input (self / total per function).
. "$(dirname "$0")/lib.sh"
need_cmd python3
[ -x "$PS" ] || fail "no $PS (run make first)"

python3 "$ROOT/tests/flame/gen_folded.py" small > "$T/in.folded" || fail "generator failed"
"$PS" flame "$T/in.folded" --pprof-out "$T/in.pb.gz" -o "$T/ignored.svg" || fail "pprof-out failed"

"$PS" report "$T/in.pb.gz" > "$T/report.txt" || fail "report failed"
grep -q '^Top functions by self (samples)' "$T/report.txt" || fail "no top section: $(cat "$T/report.txt")"
awk 'length($0) > 100 { bad = 1 } END { exit bad }' "$T/report.txt" || fail "text wider than 100 columns"
grep -Eq '^ +45 +45\.0 % +45 +45\.0 %  hash$' "$T/report.txt" || fail "hash row wrong: $(cat "$T/report.txt")"
grep -q 'tcp_sendmsg \[k\]' "$T/report.txt" || fail "kernel function not marked [k]"

"$PS" report "$T/in.pb.gz" --format md > "$T/report.md" || fail "report --format md failed"
grep -q '^| Self | Self % | Total | Total % | Function |' "$T/report.md" || fail "no Markdown table"

"$PS" report "$T/in.pb.gz" --json --top 0 > "$T/report.json" || fail "report --json failed"
python3 - "$T/report.json" "$T/in.folded" <<'P' || fail "JSON report wrong"
import collections, json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "peerscope.report/1"
assert r["meta"]["types"][0]["total"] == 100, r["meta"]
# recompute self and total from the folded input
self_, total = collections.Counter(), collections.Counter()
for line in open(sys.argv[2]):
    stack, n = line.rsplit(" ", 1)
    frames = stack.split(";")
    self_[frames[-1]] += int(n)
    for f in set(frames):
        total[f] += int(n)
got = {(f["name"] + ("_[k]" if f["kernel"] else "")): f for f in r["top"]["functions"]}
assert set(got) == set(total), (set(got), set(total))
for k in total:
    assert got[k]["total"] == total[k], (k, got[k], total[k])
    assert got[k]["self"] == self_[k], (k, got[k], self_[k])
    assert abs(got[k]["total_share"] - total[k] / 100) < 1e-6
selfs = [f["self"] for f in r["top"]["functions"]]
assert selfs == sorted(selfs, reverse=True)
P
# --sort total, --top, --type on a folded file directly
"$PS" report "$T/in.folded" --json --sort total --top 2 | python3 -c '
import json, sys
r = json.load(sys.stdin)
fs = r["top"]["functions"]
assert [f["name"] for f in fs] == ["main", "loop"], fs
assert r["top"]["nr_functions"] == 11, r["top"]["nr_functions"]' || fail "--sort total --top 2 wrong"

"$PS" report "$T/in.pb.gz" --format xml >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad format: want exit 2"
"$PS" report "$T/in.pb.gz" --top x >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --top: want exit 2"
"$PS" report "$T/in.pb.gz" --type nope >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --type: want exit 2"
head -c 50 "$T/in.pb.gz" > "$T/bad.pb.gz"
"$PS" report "$T/bad.pb.gz" >/dev/null 2>&1; [ $? -eq 1 ] || fail "corrupt file: want exit 1"
"$PS" report --help | grep -q -- '--format' || fail "--help lacks --format"
exit 0
