#!/usr/bin/env bash
# test-lock: none
# peerscope diff on folded stacks with a planted change (no root needed):
# ranking, noise, volume-only changes, --fail-above exit codes, outputs.
. "$(dirname "$0")/lib.sh"
[ -x "$PS" ] || skip "no $PS (run make)"
need_cmd python3

# ten leaves of 1000 samples under their own caller; planted_slow scaled by $1, all by $2
gen() {
	awk -v planted="$1" -v scale="$2" 'BEGIN {
		split("parse_msg encode_frame hash_block route_walk planted_slow serialize checksum queue_push timer_tick log_line", f, " ")
		for (i = 1; i <= 10; i++) {
			v = 1000 * scale
			if (f[i] == "planted_slow") v = int(v * planted)
			printf "main;worker;caller_%d;%s %d\n", i, f[i], v
		}
	}'
}
gen 1 1 >"$T/base.folded"
gen 1.3 1 >"$T/grew.folded"
gen 1 2 >"$T/double.folded"
gen 1 1 >"$T/same.folded"

# planted 30 % growth: ranked first by self, exit 4
"$PS" diff "$T/base.folded" "$T/grew.folded" --fail-above 10% --json >"$T/grew.json"
rc=$?
[ $rc = 4 ] || fail "planted growth: exit $rc, want 4"
python3 - "$T/grew.json" <<'PY' || fail "planted growth: JSON check failed"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "peerscope.diff/1"
g = d["functions"]["grew"]
assert g and g[0]["name"] == "planted_slow", g
assert g[0]["self"]["z"] >= 3 and g[0]["self"]["significant"]
assert abs(g[0]["self"]["base"] - 0.1) < 1e-6
assert d["regressed"] and any("planted_slow" in f["what"] for f in d["failures"])
# its caller is context, not the top of the list
assert all(f["name"] != "caller_5" for f in g)
PY

# identical, and every count x2: no regression, exit 0
for other in same double; do
	"$PS" diff "$T/base.folded" "$T/$other.folded" --fail-above 10% >"$T/$other.txt"
	rc=$?
	[ $rc = 0 ] || fail "$other: exit $rc, want 0: $(grep -A3 Result "$T/$other.txt")"
	grep -q "No function changed beyond the noise" "$T/$other.txt" || fail "$other: changes listed"
done

# without --fail-above a regression is reported but exits 0
"$PS" diff "$T/base.folded" "$T/grew.folded" >"$T/grew.txt" || fail "no --fail-above: exit $?"
awk '/Functions that grew/ { getline; getline; getline; print $2; exit }' "$T/grew.txt" |
	grep -qx planted_slow || fail "text: planted_slow not first: $(head -20 "$T/grew.txt")"

# Markdown, folded three columns, SVG and its negated twin
"$PS" diff "$T/base.folded" "$T/grew.folded" --format md | grep -q '^| 1 | `planted_slow` |' ||
	fail "md: planted_slow not first"
"$PS" diff "$T/base.folded" "$T/grew.folded" --folded >"$T/diff.folded" || fail "--folded failed"
grep -qx 'main;worker;caller_5;planted_slow 1000 1300' "$T/diff.folded" ||
	fail "--folded: want 'stack base new': $(head -3 "$T/diff.folded")"
[ "$(wc -l <"$T/diff.folded")" = 10 ] || fail "--folded: want 10 lines"
"$PS" diff "$T/base.folded" "$T/grew.folded" --svg "$T/d.svg" >/dev/null || fail "--svg failed"
"$PS" diff "$T/base.folded" "$T/grew.folded" --svg "$T/n.svg" --negate >/dev/null ||
	fail "--svg --negate failed"
python3 - "$T/d.svg" "$T/n.svg" <<'PY' || fail "SVG check failed"
import sys, xml.dom.minidom
for f, widths in ((sys.argv[1], "widths: new"), (sys.argv[2], "widths: base")):
    text = open(f).read()
    xml.dom.minidom.parseString(text)
    assert widths in text, f
    assert 'fill="#ff0000"' in text, f          # the planted growth, reddest
    assert "red: grew, blue: shrank" in text, f
PY

# usage and file errors
"$PS" diff "$T/base.folded" 2>/dev/null; [ $? = 2 ] || fail "one file: want exit 2"
"$PS" diff "$T/base.folded" "$T/grew.folded" --fail-above x 2>/dev/null; [ $? = 2 ] ||
	fail "bad --fail-above: want exit 2"
"$PS" diff "$T/base.folded" "$T/grew.folded" --type offcpu 2>/dev/null; [ $? = 2 ] ||
	fail "unknown type: want exit 2"
"$PS" diff "$T/base.folded" "$T/nope.folded" 2>"$T/err"; [ $? = 1 ] || fail "missing file: want exit 1"
grep -q '^peerscope: diff: cannot read' "$T/err" || fail "missing file: message: $(cat "$T/err")"
exit 0
