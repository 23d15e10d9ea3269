#!/usr/bin/env bash
# agent --comm with --alloc=malloc: a process that starts after the agent
# attached gets its allocator probed too.  Known answer: alloc_known's
# pattern is 1,000 malloc(64) and 500 calloc(10, 100) in alloc_pattern();
# instance A runs from the start, instance B starts once the agent runs,
# and each is told to do its pattern once: every window together holds
# 1,500 objects under alloc_pattern for each pid.  Without probes for the
# new process B had none.
# Instance C starts under strace, its dynamic loader's first openat held
# for 4 s: the agent's once-a-second scan finds it by name before its C
# library is mapped, as it once found B in a loaded run ("added: No such
# file or directory", and no probes).  Its allocator is found once mapped
# (the agent's log says both), and C's pattern counts 1,500 objects too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.sh"
. "$(dirname "$0")/alloc-lib.sh"
need_alloc
command -v strace >/dev/null || skip "no strace"

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

strace -f -qq -o /dev/null -e trace=openat -e inject=openat:delay_enter=4000000:when=1 \
	"$PROGS/alloc_known" pattern >"$T/c.out" &
BG_PIDS+=($!)
C=
for _ in $(seq 50); do
	C=$(pgrep -n -x alloc_known) && [ "$C" != "$A" ] && [ "$C" != "$B" ] && break
	C=
	sleep 0.05
done
[ -n "$C" ] || fail "alloc_known C (under strace) did not start"
BG_PIDS+=("$C")
for _ in $(seq 150); do
	grep -q "alloc: pid $C: allocator found" "$T/agent.err" && break
	sleep 0.1
done
grep -q "target $C .*added$" "$T/agent.err" ||
	fail "the agent did not pick up pid $C, or failed to: $(grep "target $C" "$T/agent.err")"
grep -q "alloc: pid $C: no allocator mapped yet" "$T/agent.err" ||
	fail "pid $C was picked up with its C library mapped already: the delay did not work"
grep -q "alloc: pid $C: allocator found" "$T/agent.err" ||
	fail "pid $C's allocator was never found: $(grep "pid $C" "$T/agent.err" | tail -2)"
wait_file "$T/c.out" 10 || fail "alloc_known C did not start"

kill -USR1 "$A" "$B" "$C"
for _ in $(seq 100); do
	grep -q done "$T/a.out" && grep -q done "$T/b.out" && grep -q done "$T/c.out" && break
	sleep 0.1
done
grep -q done "$T/a.out" && grep -q done "$T/b.out" && grep -q done "$T/c.out" ||
	fail "alloc_known did not finish its pattern"
n=$(wc -l <"$T/w/index.jsonl")
wait_windows $((n + 2)) 30
agent_stop

for f in $(windows); do
	"$PS" flame --folded --type alloc/objects --by pid "$T/w/$f" 2>>"$T/flame.err" ||
		fail "flame of window $f failed: $(tail -2 "$T/flame.err")"
done >"$T/all.folded"
objs() { awk -v p="[pid $1]" 'index($0, p ";") == 1 && /;alloc_pattern[; ]/ { n += $NF }
	END { print n + 0 }' "$T/all.folded"; }
a=$(objs "$A") b=$(objs "$B") c=$(objs "$C")
note "objects under alloc_pattern: pid $A (from the start) $a, pid $B (started later) $b, pid $C (its C library mapped late) $c"
[ "$a" = 1500 ] || fail "pid $A: $a objects under alloc_pattern, want 1500"
[ "$b" = 1500 ] || fail "pid $B, which started after the agent: $b objects under alloc_pattern, want 1500"
[ "$c" = 1500 ] || fail "pid $C, found before its C library was mapped: $c objects under alloc_pattern, want 1500"
exit 0
