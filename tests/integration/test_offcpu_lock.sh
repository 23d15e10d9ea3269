#!/usr/bin/env bash
# offcpu: two threads contending on a mutex block on a futex (reason lock),
# and the waker edge names the holder: mutex_holder_work releases the lock,
# so it is in the waker's stack (the frames after the "-" frame).
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PPROF" ] || skip "needs Go pprof (make deps)"

bg "$PROGS/sched_mutex" -d 10 -h 2 -g 0.2
pid=$!
sleep 0.3
"$PS" record -p "$pid" -d 3 -o "$T/t.pb.gz" 2>"$T/err" || fail "record failed: $(cat "$T/err")"
F=$T/t.pb.gz
off=$(pp_ms -sample_index=offcpu -tagfocus=thread=locker "$F")
lock=$(pp_ms -sample_index=offcpu -tagfocus=thread=locker,reason=lock "$F")
woken=$(pp_ms -sample_index=offcpu -tagfocus=reason=lock,waker=locker "$F")
holder=$(pp_ms -sample_index=offcpu -tagfocus=reason=lock,waker=locker -focus='^mutex_holder_work$' "$F")
note "lockers: off-CPU ${off} ms, lock ${lock} ms, woken by the other locker ${woken} ms, with mutex_holder_work in the waker stack ${holder} ms"
assert_between "$lock" 100 100000 "lock wait of the lockers (ms)"
assert_between "$(awk -v a="$lock" -v b="$off" 'BEGIN { print b ? 100 * a / b : 0 }')" 90 100.01 \
	"lock share of the lockers' off-CPU time (%)"
assert_between "$(awk -v a="$holder" -v b="$lock" 'BEGIN { print b ? 100 * a / b : 0 }')" 80 100.01 \
	"share of the lock wait whose waker stack holds mutex_holder_work (%)"
# the waker's frames come after the "-" separator, leaf first
"$PPROF" -traces -sample_index=offcpu -tagfocus=reason=lock,waker=locker "$F" 2>/dev/null |
	awk '/^-+\+/ { sep = 0; next } $NF == "-" { sep = 1; next } sep && $NF == "mutex_holder_work" { ok = 1 } END { exit !ok }' ||
	fail "mutex_holder_work is not after the '-' frame of a lock sample"
exit 0
