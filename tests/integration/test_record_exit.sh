#!/usr/bin/env bash
# record: a target that exits mid-record still yields a profile (with -d,
# and without -d where record stops by itself); SIGINT stops and writes.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PPROF" ] || skip "needs Go pprof (make deps)"

samples() {
	"$PPROF" -top -sample_index=samples -symbolize=none "$1" 2>/dev/null |
		sed -n 's/.* of \([0-9]*\) total.*/\1/p'
}

# 1. -d far longer than the target lives: record stops at the exit, not
# at -d.  The target runs until it is killed 1.3 s after record says it is
# attached (not a fixed time from its start: a slow attach on a loaded host
# once left it only a few samples).  From the exit to record's end is
# draining + writing: under 1 s idle, 4 s seen under load; the bound, 10 s,
# is halfway to -d (19 s after the kill at the earliest).
bg "$PROGS/hot" -d 30
hot=$!
: >"$T/err"
"$PS" record -p "$hot" -d 20 --progress -o "$T/a.pb.gz" 2>"$T/err" &
rec=$!
BG_PIDS+=("$rec")
wait_attached "$rec" "$T/err"
sleep 1.3
kill -TERM "$hot"
start=$(date +%s.%N)
wait "$rec" || fail "record -d: $(cat "$T/err")"
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
assert_between "$secs" 0 10 "record -d 20 should stop when its only target exits (took $secs s after the exit)"
n=$(samples "$T/a.pb.gz")
note "exited target: $n samples, record ended $secs s after the exit"
# 1.3 s at 99 Hz: ~130 on an idle CPU; a loaded 2-core host (two busy
# loops) gives it a third of a CPU or more (40+), 20 is half of that
assert_between "${n:-0}" 20 200 "samples of a target recorded ~1.3 s"
"$PPROF" -top -sample_index=samples -symbolize=none "$T/a.pb.gz" 2>/dev/null | grep -q hot_a ||
	fail "hot_a not symbolized although the target exited"

# 2. no -d: stops when the target exits
# (the target is killed once record is attached: a target that ran a
# fixed second could exit before a slow attach, and record then failed).
# $T/err is emptied first: the shell truncates it only once the background
# record has forked, and wait_attached once read part 1's "recording" line
# there, so the target was killed before record had even checked its pid.
bg "$PROGS/hot" -d 30
hot=$!
: >"$T/err"
"$PS" record -p "$hot" --progress -o "$T/b.pb.gz" 2>"$T/err" &
rec=$!
BG_PIDS+=("$rec")
wait_attached "$rec" "$T/err"
kill -TERM "$hot"
for _ in $(seq 100); do kill -0 "$rec" 2>/dev/null || break; sleep 0.1; done
kill -0 "$rec" 2>/dev/null && fail "record without -d did not stop within 10 s of the target's exit"
wait "$rec" || fail "record without -d failed after the target's exit: $(cat "$T/err")"
[ -s "$T/b.pb.gz" ] || fail "no profile written"

# 3. SIGINT writes what it has and exits 0
bg "$PROGS/hot" -d 30
hot=$!
sleep 0.2
: >"$T/err"
"$PS" record -p "$hot" --progress -o "$T/c.pb.gz" 2>"$T/err" &
rec=$!
wait_attached "$rec" "$T/err"
sleep 2
kill -INT $rec
wait $rec || fail "record after SIGINT exited $?: $(cat "$T/err")"
n=$(samples "$T/c.pb.gz")
assert_between "${n:-0}" 40 400 "samples after 2 s then SIGINT"
exit 0
