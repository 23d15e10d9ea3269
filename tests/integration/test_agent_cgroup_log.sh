#!/usr/bin/env bash
# --cgroup: a process that joins a cgroup v2 directory we create is followed
# within a second, one that leaves is dropped, both in the log; --log FILE:
# after a logrotate-style rename and SIGHUP the agent writes to a new FILE.
# The agent reads the cgroup once a second; each change is waited for up
# to 5 s (a loaded host delays a poll, it does not skip it) and the time it
# took is printed.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PS" ] || skip "no $PS (run make)"
ROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$ROOT" ] || skip "no cgroup v2 hierarchy mounted"
CG=$ROOT/peerscope-test-$$
mkdir "$CG" 2>/dev/null || skip "cannot create a cgroup under /sys/fs/cgroup"
cleanup_cg() { for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do echo "$p" >"$ROOT/cgroup.procs"; done; rmdir "$CG"; }
at_exit cleanup_cg
sleep 60 & A=$!
BG_PIDS+=("$A")
echo "$A" >"$CG/cgroup.procs"
"$PS" agent --cgroup "$CG" -c cpu --dir "$T/w" --window 1s --log "$T/agent.log" &
AG=$!
BG_PIDS+=("$AG")
for _ in $(seq 100); do grep -q "process(es)" "$T/agent.log" 2>/dev/null && break; sleep 0.1; done
grep -q "1 process(es)" "$T/agent.log" || fail "agent did not start on the cgroup: $(tail -2 "$T/agent.log")"
# log_says PATTERN FILE: until FILE has a line matching PATTERN, at most 5 s
log_says() {
	local _
	for _ in $(seq 50); do grep -q "$1" "$2" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
sleep 60 & B=$!
BG_PIDS+=("$B")
t0=$(date +%s.%N)
echo "$B" >"$CG/cgroup.procs"
log_says "target $B joined cgroup $CG: added" "$T/agent.log" || fail "joining process not followed within 5 s: $(tail -2 "$T/agent.log")"
t1=$(date +%s.%N)
echo "$A" >"$ROOT/cgroup.procs"
log_says "target $A left cgroup $CG: dropped" "$T/agent.log" || fail "leaving process not dropped within 5 s: $(tail -2 "$T/agent.log")"
note "$(awk -v a="$t0" -v b="$t1" -v c="$(date +%s.%N)" 'BEGIN { printf "joined after %.1f s, left after %.1f s", b - a, c - b }')"
mv "$T/agent.log" "$T/agent.log.1"
kill -HUP "$AG"
log_says "SIGHUP: reopened the log" "$T/agent.log" || fail "no new log within 5 s of SIGHUP"
kill -TERM "$AG"
wait "$AG" || fail "agent exited non-zero"
grep -q "left cgroup" "$T/agent.log.1" || fail "the rotated log lost its lines"
exit 0
