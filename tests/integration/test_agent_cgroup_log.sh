#!/usr/bin/env bash
# --cgroup: a process that joins a cgroup v2 directory we create is followed
# within a second, one that leaves is dropped, both in the log; --log FILE:
# after a logrotate-style rename and SIGHUP the agent writes to a new FILE.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PS" ] || skip "no $PS (run make)"
ROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$ROOT" ] || skip "no cgroup v2 hierarchy mounted"
CG=$ROOT/peerscope-test-$$
mkdir "$CG" 2>/dev/null || skip "cannot create a cgroup under /sys/fs/cgroup"
cleanup_cg() { for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do echo "$p" >"$ROOT/cgroup.procs"; done; rmdir "$CG"; }
trap 'cleanup_cg' EXIT
sleep 60 & A=$!
BG_PIDS+=("$A")
echo "$A" >"$CG/cgroup.procs"
"$PS" agent --cgroup "$CG" -c cpu --dir "$T/w" --window 1s --log "$T/agent.log" &
AG=$!
BG_PIDS+=("$AG")
for _ in $(seq 100); do grep -q "process(es)" "$T/agent.log" 2>/dev/null && break; sleep 0.1; done
grep -q "1 process(es)" "$T/agent.log" || fail "agent did not start on the cgroup: $(tail -2 "$T/agent.log")"
sleep 60 & B=$!
BG_PIDS+=("$B")
echo "$B" >"$CG/cgroup.procs"
sleep 1.5
grep -q "target $B joined cgroup $CG: added" "$T/agent.log" || fail "joining process not followed: $(tail -2 "$T/agent.log")"
echo "$A" >"$ROOT/cgroup.procs"
sleep 1.5
grep -q "target $A left cgroup $CG: dropped" "$T/agent.log" || fail "leaving process not dropped: $(tail -2 "$T/agent.log")"
mv "$T/agent.log" "$T/agent.log.1"
kill -HUP "$AG"
sleep 0.5
grep -q "SIGHUP: reopened the log" "$T/agent.log" || fail "no new log after SIGHUP"
kill -TERM "$AG"
wait "$AG" || fail "agent exited non-zero"
grep -q "left cgroup" "$T/agent.log.1" || fail "the rotated log lost its lines"
exit 0
