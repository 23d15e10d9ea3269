#!/usr/bin/env bash
# unwind: stacks continue through signal frames.  A program built -O2
# -fomit-frame-pointer spends most of its time in a SIGALRM handler
# (tests/progs/sig_handler.c); the handler's samples must go on past the
# kernel's signal frame (glibc's __restore_rt: the in-kernel unwinder reads
# the interrupted registers from the saved ucontext) into the interrupted
# function, main and _start, as perf --call-graph dwarf (the yardstick)
# shows them.  Before, they stopped at __restore_rt.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd cc
need_cmd perf
cc -O2 -g -fomit-frame-pointer -o "$T/sig" "$ROOT/tests/progs/sig_handler.c" ||
	fail "cannot build sig_handler"

# share FOLDED: "handler-samples through-samples": samples whose leaf is the
# handler's work, and those of them whose stack reaches _start through
# main;sig_interrupted;<signal frame>;on_alarm (the frame of __restore_rt is
# named __restore_rt by peerscope, libc.so.6+0x... by perf: any one frame)
share() {
	awk '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
	       gsub(/;[^;]*_\[k\]/, "", s)	# perf: kernel frames under the leaf
	       if (s !~ /;on_alarm;sig_handler_work$/) next
	       h += n
	       if (s ~ /^_start;.*;main;sig_interrupted;[^;]+;on_alarm;sig_handler_work$/) t += n }
	     END { print h + 0, t + 0 }' "$1"
}

bg "$T/sig" 30
pid=$!
sleep 0.5
# both at once (4 s, not 8): each samples the target's own CPU time, so
# neither takes samples from the other
perf record -q -e cpu-clock -F 199 --call-graph dwarf,16384 -p "$pid" -o "$T/perf.data" \
	-- sleep 4 >"$T/perf.log" 2>&1 &
perf_pid=$!
"$PS" record -p "$pid" -d 4 -c cpu -F 199 -o "$T/ps.pb.gz" 2>"$T/rec.err" ||
	fail "record failed: $(tail -n 2 "$T/rec.err")"
wait "$perf_pid" || fail "perf record failed: $(tail -n 2 "$T/perf.log")"
"$PS" flame "$T/ps.pb.gz" --folded --no-kernel -t samples -o "$T/ps.folded" 2>"$T/flame.err" ||
	fail "flame failed: $(cat "$T/flame.err")"
perf script -i "$T/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null |
	awk -f "$ROOT/tests/real/perf-folded.awk" >"$T/perf.folded"
kill "$pid"

read -r ph pt <<<"$(share "$T/ps.folded")"
read -r fh ft <<<"$(share "$T/perf.folded")"
note "peerscope: $pt of $ph handler samples reach _start through the signal frame; perf: $ft of $fh"
note "peerscope's handler stack: $(sort -t' ' -k2 -nr "$T/ps.folded" | grep -m1 ';on_alarm;sig_handler_work ')"
[ "$ph" -ge 20 ] || fail "only $ph peerscope samples in the handler"
[ "$fh" -ge 20 ] || fail "only $fh perf samples in the handler"
ps_pct=$((100 * pt / ph)) perf_pct=$((100 * ft / fh))
# the yardstick unwinds through (else the comparison means nothing) ...
assert_between "$perf_pct" 90 100 "perf: % of handler samples unwound into main"
# ... and so does peerscope (before: 0 %, every stack ended at __restore_rt)
assert_between "$ps_pct" 90 100 "peerscope: % of handler samples unwound into main"
exit 0
