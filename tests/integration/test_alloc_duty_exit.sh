#!/usr/bin/env bash
# record --alloc=malloc --alloc-duty with two targets, one of which exits:
# the duty cycle goes on for the other.  Before, the first "on" after the
# exit failed to attach the gone process's probes, took every probe off
# again, and did so every period: no probe was on for the rest of the
# recording (the agent's --comm targets come and go all the time).  Known
# answer: A loops on malloc/free until 1.5 s after record has attached
# (counted from the attach: a loaded host once took longer than that to
# get there, and A was gone before its allocator was looked for), B until
# the test ends; 8 s at duty 0.5 (1 s periods, longer when detaching is
# slow) kept the probes on 27-30 % of the time on a loaded host, the old
# code 6 % (it can reach no more than the second or so that A lives while
# recorded, 1/8): at least 15 % passes.  And no failed attach is said.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alloc-lib.sh"
need_alloc

two_loops
"$PS" record -p "$A,$B" -d 8 -c alloc --alloc=malloc --alloc-duty 0.5 -o "$T/rec.pb.gz" \
	--progress 2>"$T/record.err" &
rec=$!
wait_attached "$rec" "$T/record.err"
sleep 1.5
kill "$A"
wait "$A" 2>/dev/null
wait "$rec" || fail "record failed: $(tail -3 "$T/record.err")"
on=$(python3 - "$T/rec.pb.gz" <<'PY'
import gzip, re, sys
d = gzip.open(sys.argv[1]).read()
def rec(name):
    m = re.search(rb"peerscope:" + name + rb" [^\x00-\x1f]*", d)
    return dict(kv.split("=", 1) for kv in m.group(0).decode(errors="replace").split()[1:] if "=" in kv) if m else {}
a, meta = rec(b"alloc"), rec(b"meta")
dur = float(meta.get("duration_s", 0))
print("%.3f" % (float(a.get("attached_ns", 0)) / 1e9 / dur if dur else 0))
PY
)
note "probes on $on of the recording (duty 0.5; A exited after 1.5 s)"
assert_between "$on" 0.15 0.75 "share of the recording the probes were on"
grep -q "attaching a uprobe" "$T/record.err" && fail "a failed attach was said: $(grep -m1 "attaching a uprobe" "$T/record.err")"
exit 0
