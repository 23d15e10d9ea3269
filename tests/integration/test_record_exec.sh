#!/usr/bin/env bash
# A target that execs another binary while recorded (rough spins 3 s in
# before_exec, then becomes hot, 70 % hot_a / 30 % hot_b, for 2 s and
# exits).  The pid stays the same, so both images are recorded; each must
# be named from its own binary, and a note says the exec happened.  The new
# image exits before record's -d 20 is up, so nothing read at the end can
# name its frames: record must read its maps while it runs (this failed
# under load when the exit raced record's end: no note, hot's frames
# <unknown>).
. "$(dirname "$0")/rough-lib.sh"

bg "$PROGS/rough" exec 3 "$PROGS/hot" -d 2 -a 70
pid=$!
start=$(date +%s)
"$PS" record -p $pid -d 20 -o "$T/exec.pb.gz" 2>"$T/err" || fail "record failed: $(tail -2 "$T/err")"
[ $(( $(date +%s) - start )) -lt 18 ] || fail "record did not stop when the exec'd image exited"
grep -q "^peerscope: wrote" "$T/err" || fail "no profile written: $(tail -2 "$T/err")"
line=$(grep "pid $pid exec'd .*/hot while recording" "$T/err") || fail "no note on the exec: $(cat "$T/err")"
note "$line"
f=$T/exec.pb.gz
before=$(cum_pct "$f" before_exec) a=$(cum_pct "$f" hot_a) b=$(cum_pct "$f" hot_b)
note "$(total "$f") samples: before_exec $before %, hot_a $a %, hot_b $b %"
# attach takes 0.2-1 s of the 3 s before the exec (measured 51-57 % for
# before_exec); a slow attach on a loaded host leaves less, never nothing
assert_between "$before" 2 75 "before_exec's share (the first image)"
assert_between "$(awk -v a="$a" -v b="$b" 'BEGIN { print a + b }')" 25 98 "hot's share (the second image)"
assert_between "$(awk -v a="$a" -v b="$b" 'BEGIN { print 100 * a / (a + b) }')" 55 85 "hot_a's part of hot"
exit 0
