#!/usr/bin/env bash
# offcpu: more busy threads than CPUs wait in the run queue: runq time > 0,
# and the spinners' wall time (cpu + runq) covers the recording.  The runq
# histogram record of every spinner is in the file.  wall is exactly cpu +
# offcpu + runq (collectors__finish fills it after every collector drained,
# the cpu samples' wall too).
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PPROF" ] || skip "needs Go pprof (make deps)"

n=$(( $(nproc) * 2 ))
bg "$PROGS/sched_runq" -d 10 -n "$n"
pid=$!
sleep 0.3
"$PS" record -p "$pid" -d 3 -o "$T/t.pb.gz" 2>"$T/err" || fail "record failed: $(cat "$T/err")"
F=$T/t.pb.gz
runq=$(pp_ms -sample_index=runq -tagfocus=thread=spinner,reason=runq "$F")
wall=$(pp_ms -sample_index=wall -tagfocus=thread=spinner "$F")
note "$n spinners on $(nproc) CPUs: runq ${runq} ms, wall ${wall} ms"
# at least half of each spinner's time is waiting with twice as many as CPUs
# (more when other work competes; 40 leaves room for sampling error)
assert_between "$(awk -v a="$runq" -v b="$wall" 'BEGIN { print b ? 100 * a / b : 0 }')" 40 100 \
	"runq share of the spinners' wall time (%)"
assert_between "$wall" $((n * 2500)) $((n * 3300)) "spinners' wall time (ms)"
cpu=$(pp_ms -sample_index=cpu -tagfocus=thread=spinner "$F")
off=$(pp_ms -sample_index=offcpu -tagfocus=thread=spinner "$F")
runq_all=$(pp_ms -sample_index=runq -tagfocus=thread=spinner "$F")
sum=$(awk -v a="$cpu" -v b="$off" -v c="$runq_all" 'BEGIN { print a + b + c }')
# pprof prints each total rounded: allow 0.2 % + 3 ms of rounding, nothing more
assert_between "$wall" "$(awk -v s="$sum" 'BEGIN { print s * 0.998 - 3 }')" \
	"$(awk -v s="$sum" 'BEGIN { print s * 1.002 + 3 }')" "spinners' wall (ms) against cpu ${cpu} + offcpu ${off} + runq ${runq_all}"
hists=$("$PPROF" -raw "$F" 2>/dev/null | grep -c 'peerscope:runqlat .*thread=spinner')
[ "$hists" -ge "$n" ] || fail "want $n runqlat records, got $hists"
exit 0
