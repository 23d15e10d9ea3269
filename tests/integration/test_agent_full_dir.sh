#!/usr/bin/env bash
# peerscope agent with --dir on a full file system (an 8 KiB tmpfs: two pages): each
# window that cannot be written is one line on stderr, no partial window or
# temporary file is left, the agent keeps running, and /metrics keeps being
# served with every window's figures (its windows counter goes on growing).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.sh"
need_root
need_cmd curl
[ -x "$PS" ] || skip "no $PS (run make)"

mkdir -p "$T/full"
mount -t tmpfs -o size=8k tmpfs "$T/full" || skip "cannot mount a tmpfs"
at_exit 'umount "$T/full" 2>/dev/null'
MPORT=$(free_base 1) || exit 1
bg "$PROGS/hot" -d 60
hot=${BG_PIDS[-1]}
agent_run "$T/agent.err" -p "$hot" -c cpu -F 99 --dir "$T/full" --window 1s --metrics "127.0.0.1:$MPORT"
for _ in $(seq 100); do [ "$(grep -c "cannot write a window" "$T/agent.err")" -ge 2 ] && break; sleep 0.1; done
n=$(grep -c "cannot write a window" "$T/agent.err")
[ "$n" -ge 2 ] || fail "no 'cannot write a window' line after 10 s: $(tail -3 "$T/agent.err")"
kill -0 "$AGENT" 2>/dev/null || fail "the agent stopped on a full --dir: $(tail -2 "$T/agent.err")"
# one line per failed window, nothing else in between
grep "cannot write a window" "$T/agent.err" | awk 'length($0) > 300 {exit 1}' || fail "a failure line runs over 300 characters"
scrape "$MPORT" "$T/m1.txt"
w1=$(metric peerscope_agent_windows_total "" "$T/m1.txt")
# the counter goes on growing: two more windows (at most 5 s each on a
# loaded host; 1 s idle), not a fixed 2.5 s
wait_served "$MPORT" 2
scrape "$MPORT" "$T/m2.txt"
w2=$(metric peerscope_agent_windows_total "" "$T/m2.txt")
python3 -c "import sys; sys.exit(0 if $w2 > $w1 else 1)" || fail "the windows counter stopped at $w1 -> $w2 while the disk is full"
cpu=$(metric peerscope_path_cpu_seconds_total "" "$T/m2.txt")
python3 -c "import sys; sys.exit(0 if $cpu > 0 else 1)" || fail "no on-CPU seconds on /metrics while the disk is full"
ls -A "$T/full" | grep -q '^\.window-' && fail "a temporary window file is left on the full disk"
kill -TERM "$AGENT"
wait "$AGENT"
note "$n windows refused on a full disk, one line each; metrics served ($w1 -> $w2 windows)"
exit 0
