#!/usr/bin/env bash
# agent -e: the hwc collector's counters, per path and per window.  Known
# answer: stat_sleep sleeps 1 ms at a time, so each 1 s window holds up to
# ~1,000 of its context switches (fewer on a loaded host, where a wake-up
# is late) -- each window's own, not the total since the agent started,
# which would grow window after window.  -c hwc alone says to add -e.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.sh"
need_root
need_cmd python3

"$PS" agent -p 1 -c hwc --dir "$T/none" 2>"$T/noe.err" && fail "agent -c hwc without -e ran"
grep -q "add -e EVENTS" "$T/noe.err" || fail "agent -c hwc without -e: $(cat "$T/noe.err")"

bg "$PROGS/stat_sleep" -n 30000 -s 1000
pid=$!
agent_run "$T/agent.err" -p "$pid" -e context-switches --window 1s --dir "$T/w"
wait_windows 5 30
agent_stop

n=0
for f in $(windows); do
	"$PS" report "$T/w/$f" --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for p in d.get("counters", {}).get("paths", []):
    for e in p["events"]:
        if e["name"] == "context-switches":
            print(p["path"], e["value"])' >"$T/cs.$n"
	n=$((n + 1))
done
# the first and the last window are partial (attach, SIGTERM)
vals=$(for i in $(seq 1 $((n - 2))); do awk '$1 == "other" { print $2 }' "$T/cs.$i"; done | tr '\n' ' ')
note "context switches per 1 s window: $vals"
[ -n "$vals" ] || fail "no full window with counters"
for v in $vals; do
	assert_between "$v" 300 1100 "context switches of 1 ms sleeps in a 1 s window"
done
exit 0
