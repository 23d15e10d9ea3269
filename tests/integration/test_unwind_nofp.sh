#!/usr/bin/env bash
# unwind: complete stacks for code built without frame pointers.  C and C++
# programs built -O2 -fomit-frame-pointer: with the in-kernel .eh_frame
# unwinder (--unwind auto, the default) >= 95 % of samples reach the
# thread's root (_start or clone3) and the planted chains appear frame by
# frame, in order; with --unwind fp (the yardstick) they do not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/unwind-lib.sh"
need_root
need_cmd cc
[ -f "$ROOT/tests/progs/nofp_chain.c" ] || fail "tests/progs/nofp_chain.c missing"

record_folded() {	# PID NAME [record options]: $T/NAME.folded
	local pid=$1 name=$2
	shift 2
	"$PS" record -p "$pid" -d 3 -c cpu -o "$T/$name.pb.gz" "$@" 2>"$T/$name.err" ||
		fail "record $name failed: $(tail -n 2 "$T/$name.err")"
	"$PS" flame "$T/$name.pb.gz" --folded --no-kernel -t samples -o "$T/$name.folded" 2>"$T/$name.ferr" ||
		fail "flame $name failed: $(cat "$T/$name.ferr")"
	[ "$(total "$T/$name.folded")" -ge 20 ] || fail "$name: only $(total "$T/$name.folded") samples"
}

cc -O2 -g -fomit-frame-pointer -pthread -o "$T/chain" "$ROOT/tests/progs/nofp_chain.c" ||
	fail "cannot build nofp_chain"

# --- C: main thread and one worker ---
bg "$T/chain" cpu 1
pid=$!
sleep 0.3
record_folded "$pid" c
share=$(root_share "$T/c.folded")
tot=$(total "$T/c.folded")
main_chain=$(count "$T/c.folded" '^_start;.*;main;chain_a;chain_b;chain_hot$')
thr_chain=$(count "$T/c.folded" '^clone3;start_thread;chain_worker;chain_a;chain_b;chain_hot$')
note "C: $share % of $tot samples reach the root; main chain $main_chain, worker chain $thr_chain"
assert_between "$share" 95 100 "C -fomit-frame-pointer: share of samples reaching the thread root"
# nearly all time is in chain_hot, half per thread (loose: a busy 2-CPU box)
assert_between "$main_chain" $((tot / 5)) "$tot" "samples of _start;...;main;chain_a;chain_b;chain_hot"
assert_between "$thr_chain" $((tot / 5)) "$tot" "samples of clone3;start_thread;chain_worker;chain_a;chain_b;chain_hot"

# the yardstick: frame pointers alone lose the callers
record_folded "$pid" cfp --unwind fp
fp_share=$(root_share "$T/cfp.folded")
note "C with --unwind fp: $fp_share % reach the root"
assert_between "$fp_share" 0 50 "frame-pointer unwinding of -fomit-frame-pointer code (test is not vacuous)"
kill "$pid"

# --- C++: std::thread workers through libstdc++, a virtual call ---
if command -v g++ >/dev/null 2>&1; then
	g++ -O2 -g -fomit-frame-pointer -pthread -o "$T/cxx" "$ROOT/tests/progs/nofp_cxx.cc" ||
		fail "cannot build nofp_cxx.cc"
	bg "$T/cxx" 1
	pid=$!
	sleep 0.3
	record_folded "$pid" cxx
	share=$(root_share "$T/cxx.folded")
	tot=$(total "$T/cxx.folded")
	main_chain=$(count "$T/cxx.folded" '^_start;.*;main;cxx_worker\(Shape const\*, unsigned long\);Square::area\(unsigned long\) const;cxx_hot\(unsigned long\)$')
	thr_chain=$(count "$T/cxx.folded" '^clone3;start_thread;[^;]*;cxx_worker\(Shape const\*, unsigned long\);Square::area\(unsigned long\) const;cxx_hot\(unsigned long\)$')
	note "C++: $share % of $tot samples reach the root; main chain $main_chain, thread chain $thr_chain"
	assert_between "$share" 95 100 "C++ -fomit-frame-pointer: share of samples reaching the thread root"
	assert_between "$main_chain" $((tot / 5)) "$tot" "samples of _start;...;main;cxx_worker;Square::area;cxx_hot"
	assert_between "$thr_chain" $((tot / 5)) "$tot" "samples of clone3;start_thread;<libstdc++>;cxx_worker;Square::area;cxx_hot"
	kill "$pid"
else
	note "no g++: C++ part skipped"
fi
exit 0
