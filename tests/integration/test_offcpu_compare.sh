#!/usr/bin/env bash
# offcpu agrees with libbpf-tools on the same workload and window:
#  - offcputime -p PID N sums switch-out -> switch-in per stack, i.e. our
#    offcpu + runq columns for the same process (both skip spans that began
#    before attach); totals per second of window within +-10 %;
#  - runqlat -p PID N 1 counts run-queue waits (wakeup or preemption ->
#    on CPU); our runqlat records count the same events; per second +-10 %
#    for the sleep/wakeup workload (see the note on preemption below).
# sched_recv (a datagram every 2 ms) is steady whatever the machine does;
# sched_mutex's contention varies with load, so it gets +-15 %.
# Both tools run at the same time as `peerscope record`, over windows of
# the same length that overlap by all but the attach delay: 6 s windows, so
# that the ~0.5 s offset is a small part of them (3 s ones once put
# sched_mutex at 0.849 on a host whose load changed in between).
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PPROF" ] || skip "needs Go pprof (make deps)"
[ -x /usr/sbin/offcputime ] && [ -x /usr/sbin/runqlat ] || skip "needs libbpf-tools (make deps)"
D=6
# has_link PID: the process holds a BPF link, i.e. its programs are attached
has_link() { ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'anon_inode:bpf_link'; }

for prog in "sched_recv -p 2" "sched_mutex -h 1 -g 0.5"; do
	name=${prog%% *}
	bg "$PROGS/${prog%% *}" -d 40 ${prog#* }
	pid=$!
	sleep 0.3
	/usr/sbin/offcputime -p "$pid" "$D" >"$T/$name.oct" 2>"$T/$name.oct.err" &
	oct=$!
	/usr/sbin/runqlat -p "$pid" "$D" 1 >"$T/$name.rql" 2>&1 &
	rql=$!
	# both attached (a bpf_link among their fds), not a fixed second: they
	# load in ~0.5 s idle, longer on a loaded host
	for _ in $(seq 200); do has_link "$oct" && has_link "$rql" && break; sleep 0.05; done
	has_link "$oct" && has_link "$rql" || fail "offcputime or runqlat did not attach within 10 s"
	"$PS" record -c offcpu -p "$pid" -d "$D" -o "$T/$name.pb.gz" 2>"$T/err" || fail "record failed: $(cat "$T/err")"
	wait "$oct" "$rql"
	F=$T/$name.pb.gz
	dur=$("$PPROF" -raw "$F" 2>/dev/null | sed -n 's/.*peerscope:meta .*duration_s=\([0-9.]*\).*/\1/p')
	ours=$(awk -v a="$(pp_ms -sample_index=offcpu "$F")" -v b="$(pp_ms -sample_index=runq "$F")" \
		-v d="$dur" 'BEGIN { printf "%.1f", (a + b) / d }')
	theirs=$(awk -v d="$D" 'prev ~ /^ *- / && $1 ~ /^[0-9]+$/ { s += $1 } { prev = $0 }
		END { printf "%.1f", s / 1000 / d }' "$T/$name.oct")
	ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.3f", b ? a / b : 0 }')
	note "$name: off-CPU + runq ${ours} ms/s, offcputime ${theirs} ms/s: ratio $ratio"
	# a contended mutex's off-CPU rate follows the machine's load, and the
	# two windows are offset by the attach time: a wider band there
	if [ "$name" = sched_recv ]; then lo=0.9 hi=1.1; else lo=0.85 hi=1.15; fi
	assert_between "$ratio" $lo $hi "$name: off-CPU total against offcputime"

	n_ours=$("$PPROF" -raw "$F" 2>/dev/null | sed -n 's/.*peerscope:runqlat .* count=\([0-9]*\).*/\1/p' |
		awk -v d="$dur" '{ s += $1 } END { printf "%.1f", s / d }')
	n_theirs=$(awk -v d="$D" '$2 == "->" && $4 == ":" { s += $5 } END { printf "%.1f", s / d }' "$T/$name.rql")
	ratio=$(awk -v a="$n_ours" -v b="$n_theirs" 'BEGIN { printf "%.3f", b ? a / b : 0 }')
	note "$name: run-queue waits ${n_ours}/s, runqlat ${n_theirs}/s: ratio $ratio"
	# runqlat counts a preemption only when the task state is TASK_RUNNING,
	# we also count preemptions in the middle of going to sleep (preempt
	# flag), which a contended futex has many of: compare where both agree
	[ "$name" = sched_recv ] &&
		assert_between "$ratio" 0.9 1.1 "$name: run-queue wait count against runqlat"
	kill "$pid" 2>/dev/null
done
exit 0
