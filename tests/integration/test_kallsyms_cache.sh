#!/usr/bin/env bash
# The per-boot kallsyms cache ($PEERSCOPE_CACHE_DIR/kallsyms): the first
# record of a boot reads /proc/kallsyms and keeps the table (mode 0600); the
# next one reads it back, and still names the BPF programs of the moment --
# the off-CPU stacks of a sleeper end at __schedule in both, the tracing
# frames (bpf_prog_*, bpf_trace_run*, __bpf_trace_*) cut off as without the
# cache.  A damaged file is not used: /proc/kallsyms is read and the file
# written again.
. "$(dirname "$0")/lib.sh"
need_root

export PEERSCOPE_CACHE_DIR=$T/cache
bg "$PROGS/sched_sleep" -d 30 -b 5 -s 5
pid=$!
sleep 0.3

# record NAME: a 1 s recording of the sleeper with -v; its off-CPU stacks in $T/NAME.folded
record() {
	"$PS" record -v -p "$pid" -d 1 -o "$T/$1.pb.gz" 2>"$T/$1.err" ||
		fail "record ($1) failed: $(grep -v debug "$T/$1.err" | tail -n 3)"
	"$PS" flame "$T/$1.pb.gz" --folded --type offcpu -o "$T/$1.folded" ||
		fail "flame ($1) failed"
	[ -s "$T/$1.folded" ] || fail "$1: no off-CPU stacks of the sleeper"
}

# check NAME: every off-CPU stack of the sleeper's nap ends in the scheduler, no tracing frame
check() {
	local bad naps
	bad=$(grep -cE 'bpf_prog_|bpf_trace_run|__bpf_trace_|__traceiter_' "$T/$1.folded")
	[ "$bad" = 0 ] || fail "$1: $bad off-CPU stacks keep tracing frames: $(grep -m1 -oE '[^;]*(bpf_prog_|bpf_trace_run|__bpf_trace_)[^;]*' "$T/$1.folded")"
	naps=$(grep -E 'sleep_nap' "$T/$1.folded" | grep -cE ';__schedule_\[k\];\[timer\] [0-9]+$')
	[ "$naps" -ge 1 ] || fail "$1: no nap of the sleeper ends at __schedule: $(grep -m1 sleep_nap "$T/$1.folded" | tr ';' '\n' | tail -n 3 | tr '\n' ' ')"
	note "$1: $(wc -l <"$T/$1.folded") off-CPU stacks, $naps naps ending at __schedule, no tracing frame"
}

record cold
grep -q 'kallsyms: .* read from /proc/kallsyms, kept in' "$T/cold.err" ||
	fail "cold: the table was not kept: $(grep kallsyms "$T/cold.err")"
[ "$(stat -c %a "$T/cache/kallsyms")" = 600 ] || fail "the cache file is mode $(stat -c %a "$T/cache/kallsyms"), want 600"
check cold

record warm
grep -q 'kallsyms: [0-9]* symbols from .*/kallsyms, [1-9][0-9]* of BPF programs from bpf()' "$T/warm.err" ||
	fail "warm: not read from the cache with the BPF programs: $(grep kallsyms "$T/warm.err")"
check warm

# cut short, as by a crash while writing it
truncate -s -100 "$T/cache/kallsyms"
record damaged
grep -q 'not used (Invalid argument): reading /proc/kallsyms' "$T/damaged.err" ||
	fail "damaged: $(grep kallsyms "$T/damaged.err")"
grep -q 'kept in' "$T/damaged.err" || fail "damaged: the table was not written again"
check damaged
exit 0
