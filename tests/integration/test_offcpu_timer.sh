#!/usr/bin/env bash
# offcpu: a thread that spins 50 ms and sleeps 50 ms in nanosleep is off-CPU
# half of its timeline, reason timer, woken by the timer interrupt.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PPROF" ] || skip "needs Go pprof (make deps)"

bg "$PROGS/sched_sleep" -d 10 -b 50 -s 50
pid=$!
sleep 0.3
"$PS" record -p "$pid" -d 3 -o "$T/t.pb.gz" 2>"$T/err" || fail "record failed: $(cat "$T/err")"
F=$T/t.pb.gz
off=$(pp_ms -sample_index=offcpu -tagfocus=thread=sleeper "$F")
timer=$(pp_ms -sample_index=offcpu -tagfocus=thread=sleeper,reason=timer "$F")
wall=$(pp_ms -sample_index=wall -tagfocus=thread=sleeper "$F")
# the wait for a CPU after each wakeup lengthens the cycle, not the sleep:
# the known answer is sleep / (spin + sleep) of the rest of the timeline
late=$(pp_ms -sample_index=runq -tagfocus=thread=sleeper -focus=nanosleep "$F")
share=$(awk -v o="$timer" -v w="$wall" -v l="$late" 'BEGIN { printf "%.1f", (w - l > 0) ? 100 * o / (w - l) : 0 }')
note "sleeper: off-CPU ${off} ms, timer ${timer} ms, wall ${wall} ms, wakeup delay ${late} ms: ${share} % timer"
assert_between "$wall" 2500 3300 "sleeper's wall time (ms) over a 3 s recording"
assert_between "$share" 45 55 "timer share of the sleeper's timeline (%)"
assert_between "$(awk -v a="$timer" -v b="$off" 'BEGIN { print b ? 100 * a / b : 0 }')" 95 100.01 \
	"timer share of the sleeper's off-CPU time (%)"
irq=$(pp_ms -sample_index=offcpu -tagfocus=thread=sleeper,waker=[irq] "$F")
assert_between "$(awk -v a="$irq" -v b="$timer" 'BEGIN { print b ? 100 * a / b : 0 }')" 90 100.01 \
	"share of the timer waits woken by an interrupt (%)"
# the interrupt's own stack is there (hrtimer_wakeup under the '-'): the
# waker's stack at an interrupt is reused per wakee (docs/offcpu.md), and a
# reused one must still be the timer's
hr=$(pp_ms -sample_index=offcpu -tagfocus=thread=sleeper,waker=[irq] -focus=hrtimer_wakeup "$F")
assert_between "$(awk -v a="$hr" -v b="$irq" 'BEGIN { print b ? 100 * a / b : 0 }')" 90 100.01 \
	"share of the interrupt-woken waits whose waker stack holds hrtimer_wakeup (%)"
exit 0
