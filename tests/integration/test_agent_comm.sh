#!/usr/bin/env bash
# peerscope agent --comm NAME: every process of that name is followed, one
# that starts later is picked up within a second, one that exits is
# dropped, both said in the log; the windows count the targets and hold
# CPU samples of the process that started later.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PS" ] || skip "no $PS (run make)"
need_cmd python3

NAME=pscommhot
cp "$PROGS/hot" "$T/$NAME"
bg "$T/$NAME" -d 30
first=${BG_PIDS[-1]}
sleep 0.3
"$PS" agent --comm "$NAME" --dir "$T/w" --window 1s 2>"$T/agent.err" &
AGENT=$!
BG_PIDS+=("$AGENT")
for _ in $(seq 300); do grep -q "1 process" "$T/agent.err" && break; sleep 0.1; done
grep -q "1 process" "$T/agent.err" || fail "agent did not start: $(tail -3 "$T/agent.err")"

bg "$T/$NAME" -d 30
second=${BG_PIDS[-1]}
for _ in $(seq 30); do grep -q "target $second ($NAME) started: added" "$T/agent.err" && break; sleep 0.1; done
grep -q "target $second ($NAME) started: added" "$T/agent.err" ||
	fail "a process started later was not picked up within 3 s: $(tail -3 "$T/agent.err")"
# index_lines: windows written so far
index_lines() { cat "$T/w/index.jsonl" 2>/dev/null | wc -l; }
# a window written with both targets (waited for, at most 10 s, instead of
# a fixed 2.5 s)
for _ in $(seq 100); do grep -q '"targets":2' "$T/w/index.jsonl" 2>/dev/null && break; sleep 0.1; done
grep -q '"targets":2' "$T/w/index.jsonl" || fail "no window with both targets: $(tail -3 "$T/agent.err")"
kill "$first"
for _ in $(seq 30); do grep -q "target $first exited: dropped" "$T/agent.err" && break; sleep 0.1; done
grep -q "target $first exited: dropped" "$T/agent.err" || fail "exited process not dropped"
# two more windows: the second of them began after the drop, so it is a
# whole window of the later process alone (at most 5 s each)
n=$(index_lines)
for _ in $(seq 100); do [ "$(index_lines)" -ge $((n + 2)) ] && break; sleep 0.1; done
[ "$(index_lines)" -ge $((n + 2)) ] || fail "fewer than 2 windows in 10 s after the drop"
kill -TERM "$AGENT"
wait "$AGENT" || fail "agent exited $? on SIGTERM"
python3 - "$T/w/index.jsonl" <<'P' || fail "index does not follow the targets"
import json, sys
t = [json.loads(l)["agent"]["targets"] for l in open(sys.argv[1])]
assert max(t) == 2 and t[-1] == 1, t
P
# the last full window: only the process that started later was alive, so
# its CPU samples are those of the process picked up after attach
win=$(python3 -c 'import json,sys
print([json.loads(l)["file"] for l in open(sys.argv[1])][-2])' "$T/w/index.jsonl")
"$PS" flame "$T/w/$win" --folded -o "$T/w.folded" 2>/dev/null || fail "flame of window $win failed"
[ -s "$T/w.folded" ] || fail "window $win has no CPU samples of the later $NAME"
exit 0
