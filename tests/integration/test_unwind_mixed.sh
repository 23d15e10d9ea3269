#!/usr/bin/env bash
# unwind: mixed stacks.  .eh_frame code calling into JIT code (anonymous
# executable memory, frame pointer kept: the unwinder falls back to frame
# pointers there) and back; the vDSO (its own .eh_frame); and a frameless
# leaf in frame-pointer code (-momit-leaf-frame-pointer), whose caller a
# frame-pointer walk loses and the table walk keeps.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd cc

count() { awk -v re="$2" '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s); if (s ~ re) c += n } END { print c + 0 }' "$1"; }
total() { awk '{ t += $NF } END { print t + 0 }' "$1"; }
record_folded() {	# PID NAME [record options]: $T/NAME.folded
	local pid=$1 name=$2
	shift 2
	"$PS" record -p "$pid" -d 2 -c cpu -o "$T/$name.pb.gz" "$@" 2>"$T/$name.err" ||
		fail "record $name failed: $(tail -n 2 "$T/$name.err")"
	"$PS" flame "$T/$name.pb.gz" --folded --no-kernel -t samples -o "$T/$name.folded" 2>/dev/null ||
		fail "flame $name failed"
	[ "$(total "$T/$name.folded")" -ge 15 ] || fail "$name: only $(total "$T/$name.folded") samples"
}
# share STACKS FOLDED: percent of samples in stacks matching REGEX
share() { awk -v a="$1" -v t="$2" 'BEGIN { printf "%.0f", t ? 100 * a / t : 0 }'; }

src=$ROOT/tests/progs/nofp_chain.c
cc -O2 -g -fomit-frame-pointer -pthread -o "$T/chain" "$src" || fail "cannot build nofp_chain"
cc -O2 -g -fno-omit-frame-pointer -momit-leaf-frame-pointer -pthread -o "$T/leaf" "$src" ||
	fail "cannot build the leaf-frame-pointer variant"

# JIT: main -> jit_trampoline (anonymous memory, named by /tmp/perf-PID.map) -> chain_b -> chain_hot
bg "$T/chain" jit
pid=$!
sleep 0.3
record_folded "$pid" jit
rm -f "/tmp/perf-$pid.map"
tot=$(total "$T/jit.folded")
n=$(count "$T/jit.folded" '^_start;.*;main;jit_trampoline;chain_b;chain_hot$')
note "JIT: $n of $tot samples in _start;...;main;jit_trampoline;chain_b;chain_hot"
assert_between "$(share "$n" "$tot")" 80 100 "share of samples with the whole JIT-crossing chain"
kill "$pid"

# vDSO: main -> chain_a -> chain_clock -> clock_gettime -> (vdso)
bg "$T/chain" vdso
pid=$!
sleep 0.3
record_folded "$pid" vdso
tot=$(total "$T/vdso.folded")
# chain_clock's own samples (its loop around the call) are rooted too: 3 to
# 13 of ~115 beside busy loops, which the old pattern, wanting a frame after
# chain_clock, left out
n=$(count "$T/vdso.folded" '^_start;.*;main;chain_a;chain_clock(;|$)')
v=$(count "$T/vdso.folded" '^_start;.*;main;chain_a;chain_clock;.*vdso')
note "vDSO: $n of $tot samples under main;chain_a;chain_clock, $v of them in the vDSO"
assert_between "$(share "$n" "$tot")" 90 100 "share of samples rooted through chain_clock"
[ "$v" -ge 1 ] || fail "no vDSO frame under chain_clock: $(head -n 3 "$T/vdso.folded")"
kill "$pid"

# frameless leaf in frame-pointer code: chain_b must sit under chain_hot
bg "$T/leaf" cpu 0
pid=$!
sleep 0.3
record_folded "$pid" leaf
record_folded "$pid" leaffp --unwind fp
tot=$(total "$T/leaf.folded")
n=$(count "$T/leaf.folded" ';main;chain_a;chain_b;chain_hot$')
fp_tot=$(total "$T/leaffp.folded")
fp_n=$(count "$T/leaffp.folded" ';chain_b;chain_hot$')
note "leaf: caller kept in $n of $tot samples (auto), $fp_n of $fp_tot (fp)"
assert_between "$(share "$n" "$tot")" 80 100 "share of chain_hot samples with their caller chain_b (auto)"
assert_between "$(share "$fp_n" "$fp_tot")" 0 20 "share with chain_b under --unwind fp (test is not vacuous)"
kill "$pid"
exit 0
