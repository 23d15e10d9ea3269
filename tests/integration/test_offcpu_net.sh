#!/usr/bin/env bash
# offcpu: a thread blocked in recv on a loopback UDP socket waits for the
# network (reason net); the loopback delivery runs in the sender's context,
# so the waker is the sender thread.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PPROF" ] || skip "needs Go pprof (make deps)"

bg "$PROGS/sched_recv" -d 10 -p 10
pid=$!
sleep 0.3
"$PS" record -p "$pid" -d 3 -o "$T/t.pb.gz" 2>"$T/err" || fail "record failed: $(cat "$T/err")"
F=$T/t.pb.gz
off=$(pp_ms -sample_index=offcpu -tagfocus=thread=receiver "$F")
net=$(pp_ms -sample_index=offcpu -tagfocus=thread=receiver,reason=net "$F")
sender=$(pp_ms -sample_index=offcpu -tagfocus=thread=receiver,waker=sender "$F")
wall=$(pp_ms -sample_index=wall -tagfocus=thread=receiver "$F")
runq=$(pp_ms -sample_index=runq -tagfocus=thread=receiver "$F")
note "receiver: off-CPU ${off} ms, net ${net} ms, woken by sender ${sender} ms; wall ${wall} ms, ${runq} ms of it waiting for a CPU"
assert_between "$wall" 2500 3300 "receiver's wall time (ms) over a 3 s recording"
# it handles a datagram in microseconds and waits for the next: off-CPU
# nearly all of the time it is not waiting for a CPU.  After each wake-up it
# may wait for one (run queue, not off-CPU) -- ~0 % idle, up to a fifth of
# the time with busy loops beside it -- so the known answer leaves the run
# queue out, as test_offcpu_timer's does
assert_between "$(awk -v o="$off" -v w="$wall" -v r="$runq" 'BEGIN { print (w - r > 0) ? 100 * o / (w - r) : 0 }')" \
	90 100.01 "receiver's off-CPU share of its timeline outside the run queue (%)"
assert_between "$(awk -v a="$net" -v b="$off" 'BEGIN { print b ? 100 * a / b : 0 }')" 95 100.01 \
	"net share of the receiver's off-CPU time (%)"
assert_between "$(awk -v a="$sender" -v b="$net" 'BEGIN { print b ? 100 * a / b : 0 }')" 80 100.01 \
	"share of the net wait woken by the sender (%)"
exit 0
