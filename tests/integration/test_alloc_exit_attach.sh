#!/usr/bin/env bash
# record --alloc=malloc with two targets, one of which exits while record
# attaches, after it was checked at the start and before its allocator is
# looked for: record goes on with the other (its allocations counted), says
# the exit in its usual note, and exits 0.  Before, it failed: "alloc: no
# allocator found: cannot read /proc/PID/maps" (a repeat-check run caught it
# when a loaded host made record slower than a target's life).  The moment
# is made exact, not raced: a bpftrace uprobe on alloc__discover() stops
# record (SIGSTOP from the probe, before the function runs); the test then
# kills A, lets it be reaped, and lets record go on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alloc-lib.sh"
need_alloc
need_cmd bpftrace

two_loops

# bpftrace runs record as its child (-c, started once the probe is on) and
# stops only that child: another peerscope on the machine is left alone
# (-c splits its command at spaces, without a shell's quoting: a script)
echo "exec '$PS' record -p $A,$B -d 3 -c alloc --alloc=malloc -o '$T/rec.pb.gz' 2>'$T/record.err'" \
	>"$T/rec.sh"
bpftrace --unsafe -e 'uprobe:'"$PS"':alloc__discover /pid == cpid && @stopped == 0/ {
		@stopped = 1; signal("SIGSTOP"); }' -c "/bin/sh $T/rec.sh" >"$T/bt.out" 2>&1 &
bt=$!
rec=
# bpftrace ends with its child; on a failure both go at once (bpftrace can
# take seconds over a SIGTERM, and a stopped record waits for ever)
at_exit 'kill -9 $bt $rec 2>/dev/null'
stopped=
for _ in $(seq 300); do
	[ -n "$rec" ] || rec=$(pgrep -P "$bt" -x peerscope | head -1)
	[ -n "$rec" ] && [ "$(awk '{ print $3 }' /proc/$rec/stat 2>/dev/null)" = T ] && { stopped=1; break; }
	kill -0 "$bt" 2>/dev/null || break
	sleep 0.05
done
[ -n "$stopped" ] || fail "record was not stopped at alloc__discover: $(tail -2 "$T/record.err"; tail -2 "$T/bt.out")"
kill -9 "$A"
wait "$A" 2>/dev/null
kill -CONT "$rec"
wait "$bt"
grep -q "^peerscope: wrote $T/rec.pb.gz" "$T/record.err" ||
	fail "record did not write its recording: $(grep -v debug "$T/record.err" | tail -2)"
grep -q "no allocator found" "$T/record.err" && fail "record gave up on the gone target: $(grep -m1 "no allocator" "$T/record.err")"
line=$(grep "^peerscope: note: pid $A exited while record was attaching" "$T/record.err") ||
	fail "no note for A: $(grep -v 'debug\|libbpf' "$T/record.err")"
note "$line"
n=$(python3 - "$T/rec.pb.gz" <<'PY'
import gzip, re, sys
d = gzip.open(sys.argv[1]).read()
# the alloc record: calls counted by the malloc probes (only B's were on)
m = re.search(rb"peerscope:alloc [^\x00-\x1f]*", d)
kv = dict(x.split("=", 1) for x in m.group(0).decode(errors="replace").split()[1:] if "=" in x) if m else {}
print(kv.get("calls", 0))
PY
)
note "malloc calls counted for B: $n"
assert_between "$n" 1 1000000000 "allocations counted for the target that stayed"
exit 0
