#!/usr/bin/env bash
# stat without a hardware PMU: one clear line per hardware event, software
# events still counted, exit 0; --strict makes it exit 1; only hardware
# events: exit 1.  Skipped on machines whose kernel drives a PMU.
. "$(dirname "$0")/lib.sh"
[ -e /sys/bus/event_source/devices/cpu ] || [ -e /sys/bus/event_source/devices/cpu_core ] &&
	skip "this machine has a hardware PMU"
need_cmd python3
msg="cycles: not supported on this machine (no hardware PMU in the kernel)"

"$PS" stat -e task-clock,cycles,page-faults --json -o "$T/a.json" -- true 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "want exit 0 with a software event counted, got $rc: $(cat "$T/err")"
grep -qF "$msg" "$T/err" || fail "no '$msg' line: $(cat "$T/err")"
[ "$(grep -c "cycles" "$T/err")" = 1 ] || fail "the cycles line is not said exactly once: $(cat "$T/err")"
python3 - "$T/a.json" <<'PY' || fail "JSON: $(cat "$T/a.json")"
import json, sys
d = json.load(open(sys.argv[1]))
ev = {e["name"]: e for e in d["events"]}
assert d["schema"] == "peerscope.stat/1"
assert ev["cycles"]["supported"] is False and "no hardware PMU" in ev["cycles"]["why"]
assert ev["task-clock"]["supported"] and ev["task-clock"]["value"] > 0
assert ev["page-faults"]["value"] > 0
assert d["metrics"]["ipc"] is None
PY

# the defaults: software four counted, the six hardware ones said in one line
"$PS" stat -o "$T/b.txt" -- true 2>"$T/err2" || fail "stat with the default events failed"
[ "$(grep -c 'not supported on this machine' "$T/err2")" = 1 ] || fail "default events: $(cat "$T/err2")"
grep -q '^peerscope: cycles, instructions, branches, branch-misses, cache-references, cache-misses: not supported on this machine (no hardware PMU in the kernel)$' "$T/err2" ||
	fail "default events: $(cat "$T/err2")"
grep -q "<not supported>.*cycles" "$T/b.txt" || fail "text output lacks '<not supported> cycles'"
grep -q "task-clock" "$T/b.txt" || fail "text output lacks task-clock"

"$PS" stat -e task-clock,cycles --strict -o "$T/c.txt" -- true 2>"$T/err3"
rc=$?
[ $rc = 1 ] || fail "--strict: want exit 1, got $rc"
grep -qF "$msg" "$T/err3" || fail "--strict: no '$msg' line"

"$PS" stat -e cycles,instructions -o "$T/d.txt" -- true 2>/dev/null
rc=$?
[ $rc = 1 ] || fail "hardware events only: want exit 1, got $rc"

# --list still lists what libpfm4 offers (the perf PMU's names at least)
"$PS" stat --list task-clock | grep -q "task-clock" || fail "--list task-clock shows nothing"
exit 0
