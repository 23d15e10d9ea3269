#!/usr/bin/env bash
# peerscope agent killed with SIGKILL at arbitrary moments (windows of
# 500 ms, so some kills land in a write): every window file in DIR is a
# whole recording that loads, every index line names a window that was
# written, and the next start removes the unfinished temporary files.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PS" ] || skip "no $PS (run make)"
need_cmd python3

bg "$PROGS/hot" -d 60
hot=${BG_PIDS[-1]}
sleep 0.3
for i in 1 2 3 4; do
	"$PS" agent -p "$hot" --dir "$T/w" --window 500ms 2>>"$T/agent.err" &
	a=$!
	# attach takes a moment; then kill at a different point of a window each time
	for _ in $(seq 100); do grep -c "1 process" "$T/agent.err" | grep -q "^$i\$" && break; sleep 0.05; done
	sleep "1.$((i * 23))"
	kill -KILL "$a"
	wait "$a" 2>/dev/null
done
n=0
for f in "$T"/w/2*.pb.gz; do
	"$PS" report "$f" >/dev/null 2>"$T/report.err" || fail "window $(basename "$f") does not load after kill -9: $(tail -1 "$T/report.err")"
	n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "only $n windows written in 4 runs"
python3 - "$T/w" <<'P' || fail "index.jsonl is inconsistent with the windows"
import json, os, sys
d = sys.argv[1]
for l in open(os.path.join(d, "index.jsonl")):
    w = json.loads(l)          # every line whole
    assert os.path.exists(os.path.join(d, w["file"])), w["file"]
P
# a fifth start cleans what a kill left (if a kill landed in a write)
touch "$T/w/.window-stale"
timeout -s INT 2 "$PS" agent -p "$hot" --dir "$T/w" --window 1s 2>"$T/last.err"
[ -e "$T/w/.window-stale" ] && fail "an unfinished temporary window was not removed"
grep -q "removed [0-9]* unfinished window" "$T/last.err" || fail "removing unfinished windows not said"
exit 0
