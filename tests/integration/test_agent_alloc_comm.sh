#!/usr/bin/env bash
# agent --comm with --alloc=malloc: a process that starts after the agent
# attached gets its allocator probed too.  Known answer: alloc_known's
# pattern is 1,000 malloc(64) and 500 calloc(10, 100) in alloc_pattern();
# instance A runs from the start, instance B starts once the agent runs,
# and each is told to do its pattern once: every window together holds
# 1,500 objects under alloc_pattern for each pid.  Without probes for the
# new process B had none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.sh"
. "$(dirname "$0")/alloc-lib.sh"
need_alloc

"$PROGS/alloc_known" pattern >"$T/a.out" &
A=$!
BG_PIDS+=("$A")
wait_file "$T/a.out" 10 || fail "alloc_known A did not start"
agent_run "$T/agent.err" -v --comm alloc_known --alloc=malloc -c alloc --window 1s --dir "$T/w"
"$PROGS/alloc_known" pattern >"$T/b.out" &
B=$!
BG_PIDS+=("$B")
for _ in $(seq 100); do
	grep -q "target $B .*added" "$T/agent.err" && break
	sleep 0.1
done
line=$(grep "target $B .*added" "$T/agent.err")
[ -n "$line" ] || fail "the agent did not pick up pid $B: $(tail -3 "$T/agent.err")"
case $line in *"added: "*) fail "adding pid $B failed: $line" ;; esac
kill -USR1 "$A" "$B"
for _ in $(seq 100); do
	grep -q done "$T/a.out" && grep -q done "$T/b.out" && break
	sleep 0.1
done
grep -q done "$T/a.out" && grep -q done "$T/b.out" || fail "alloc_known did not finish its pattern"
n=$(wc -l <"$T/w/index.jsonl")
wait_windows $((n + 2)) 30
agent_stop

for f in $(windows); do
	"$PS" flame --folded --type alloc/objects --by pid "$T/w/$f" 2>>"$T/flame.err" ||
		fail "flame of window $f failed: $(tail -2 "$T/flame.err")"
done >"$T/all.folded"
objs() { awk -v p="[pid $1]" 'index($0, p ";") == 1 && /;alloc_pattern[; ]/ { n += $NF }
	END { print n + 0 }' "$T/all.folded"; }
a=$(objs "$A") b=$(objs "$B")
note "objects under alloc_pattern: pid $A (from the start) $a, pid $B (started later) $b"
[ "$a" = 1500 ] || fail "pid $A: $a objects under alloc_pattern, want 1500"
[ "$b" = 1500 ] || fail "pid $B, which started after the agent: $b objects under alloc_pattern, want 1500"
exit 0
