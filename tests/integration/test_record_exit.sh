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
# at -d (attach + the target's last ~1.3 s + writing: 1.5-2 s idle, 4 s
# seen under load, so the bound is halfway to -d, not near the exit)
bg "$PROGS/hot" -d 1.5
hot=$!
sleep 0.2
start=$(date +%s.%N)
"$PS" record -p "$hot" -d 20 -o "$T/a.pb.gz" 2>"$T/err" || fail "record -d: $(cat "$T/err")"
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
assert_between "$secs" 0.5 10 "record -d 20 should stop when its only target exits (took $secs s)"
n=$(samples "$T/a.pb.gz")
note "exited target: $n samples, record took $secs s"
# ~130 on an idle CPU; fewer when the machine is busy
assert_between "${n:-0}" 20 200 "samples of a target that ran ~1.3 s"
"$PPROF" -top -sample_index=samples -symbolize=none "$T/a.pb.gz" 2>/dev/null | grep -q hot_a ||
	fail "hot_a not symbolized although the target exited"

# 2. no -d: stops when the target exits
bg "$PROGS/hot" -d 1
hot=$!
sleep 0.2
timeout 10 "$PS" record -p "$hot" -o "$T/b.pb.gz" 2>"$T/err" ||
	fail "record without -d did not stop on target exit: $(cat "$T/err")"
[ -s "$T/b.pb.gz" ] || fail "no profile written"

# 3. SIGINT writes what it has and exits 0
bg "$PROGS/hot" -d 30
hot=$!
sleep 0.2
"$PS" record -p "$hot" -o "$T/c.pb.gz" 2>"$T/err" &
rec=$!
sleep 2
kill -INT $rec
wait $rec || fail "record after SIGINT exited $?: $(cat "$T/err")"
n=$(samples "$T/c.pb.gz")
assert_between "${n:-0}" 40 400 "samples after 2 s then SIGINT"
exit 0
