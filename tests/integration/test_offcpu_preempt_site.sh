#!/usr/bin/env bash
# offcpu: a thread preempted as a system call returns (a wakeup the call
# made asked for the CPU) stands where the call does, so its stacks are
# taken again from that call site instead of walked (bpf/offcpu.bpf.c,
# docs/offcpu.md "Cost").  Known answer: sched_pingpong's two threads on
# one CPU; every write() wakes the other thread, which takes the CPU as the
# write returns.  Before, each of those preemptions walked both stacks
# (27 % of the events had no site); now almost none has no site, and the
# run-queue time of those preemptions still carries the right stacks:
# each thread's own write() under its own caller, the kernel's exit path
# on top.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd taskset
[ -x "$PROGS/sched_pingpong" ] || skip "no $PROGS/sched_pingpong (run make)"

bg taskset -c 0 "$PROGS/sched_pingpong" -d 30
pid=$!
sleep 0.5
"$PS" record -v -p "$pid" -d 2 -c offcpu -o "$T/t.pb.gz" 2>"$T/err" ||
	fail "record failed: $(tail -n 2 "$T/err")"
memo=$(grep -o 'offcpu: stacks reused at [0-9]* waits and wakes, walked at [0-9]* ([0-9]* with no site' "$T/err") ||
	fail "record -v did not say how offcpu stacks were reused: $(grep offcpu "$T/err")"
read -r reused walked nosite < <(echo "$memo" | sed 's/.*reused at \([0-9]*\) .*walked at \([0-9]*\) (\([0-9]*\) with.*/\1 \2 \3/')
nosite_pct=$(awk -v r="$reused" -v w="$walked" -v n="$nosite" 'BEGIN { printf "%.2f", r + w ? 100 * n / (r + w) : 100 }')
note "$memo: $nosite_pct % of the stacks taken had no site"
assert_between "$reused" 10000 100000000 "stacks reused (the ping-pong makes ~100 k events/s)"
# other work on the machine also preempts the threads in user mode, by the
# tick: rare next to the ~100 k preemptions/s at write()'s return
assert_between "$nosite_pct" 0 2 "share of stacks walked with no site (%)"

"$PS" flame "$T/t.pb.gz" --folded -t runq -o "$T/runq.folded" 2>"$T/flame.err" ||
	fail "flame -t runq failed: $(cat "$T/flame.err")"
exit_path='entry_SYSCALL_64_after_hwframe_\[k\];do_syscall_64_\[k\];exit_to_user_mode'
ping=$(folded_share "$T/runq.folded" ";main;write;${exit_path}")
pong=$(folded_share "$T/runq.folded" ";pong;write;${exit_path}")
any_exit=$(folded_share "$T/runq.folded" "exit_to_user_mode_loop")
right_exit=$(folded_share "$T/runq.folded" ";(main|pong);(read|write);${exit_path}")
note "run-queue time preempted at write()'s return: ping $ping %, pong $pong %; at any syscall exit $any_exit %, of it under the thread's own read or write $right_exit %"
assert_between "$ping" 15 100 "ping's write() return: share of the run-queue time (%)"
assert_between "$pong" 15 100 "pong's write() return: share of the run-queue time (%)"
# every preemption at a syscall's exit carries its call's stacks, none another's
assert_between "$(awk -v a="$right_exit" -v b="$any_exit" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }')" \
	99 100 "share of the syscall-exit run-queue time under the thread's own read or write (%)"
exit 0
