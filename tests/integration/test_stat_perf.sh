#!/usr/bin/env bash
# stat agrees with perf stat on the same program.  Deterministic counts
# (page-faults, context-switches) within 2 %; task-clock, per second of the
# program's own CPU time in each run, within 15 % (a VM's steal and
# interrupt time land in task-clock, in different amounts per run).
. "$(dirname "$0")/lib.sh"
need_cmd perf
need_cmd python3

value() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[2]))
print(next(e["value"] for e in d["events"] if e["name"] == sys.argv[1]))' "$1" "$2"
}
# perf_value EVENT FILE: from perf stat -x, output
perf_value() { awk -F, -v e="$1" '$3 == e { print $1 }' "$2"; }

check() {	# check WHAT OURS THEIRS TOLERANCE
	local d
	d=$(awk -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.4f", b ? d / b : 1 }')
	note "$1: peerscope $2, perf $3 (difference $(awk -v d="$d" 'BEGIN { printf "%.2f", 100 * d }') %)"
	assert_between "$d" 0 "$4" "$1: relative difference to perf stat"
}

cmd=("$PROGS/stat_pages" -n 3000)
"$PS" stat -e page-faults,minor-faults --json -o "$T/a.json" -- "${cmd[@]}" || fail "stat failed"
perf stat -x, -e page-faults,minor-faults -o "$T/perf.a" -- "${cmd[@]}" || fail "perf stat failed"
check page-faults "$(value page-faults "$T/a.json")" "$(perf_value page-faults "$T/perf.a")" 0.02
check minor-faults "$(value minor-faults "$T/a.json")" "$(perf_value minor-faults "$T/perf.a")" 0.02

cmd=("$PROGS/stat_sleep" -n 300 -s 200)
"$PS" stat -e context-switches --json -o "$T/b.json" -- "${cmd[@]}" || fail "stat failed"
perf stat -x, -e context-switches -o "$T/perf.b" -- "${cmd[@]}" || fail "perf stat failed"
check context-switches "$(value context-switches "$T/b.json")" "$(perf_value context-switches "$T/perf.b")" 0.02

# task-clock is a time: how much of the 0.5 s the program got depends on
# the machine's load, which differs between the two runs.  Each run's
# task-clock is taken per second of the CPU time the program measured
# itself in that run (stat_busy prints cpu_ns=), so the two tools are
# compared on the same footing however busy the machine is.
cmd=("$PROGS/stat_busy" -d 0.5)
"$PS" stat -e task-clock --json -o "$T/c.json" -- "${cmd[@]}" >"$T/c.out" || fail "stat failed"
perf stat -x, -e task-clock -o "$T/perf.c" -- "${cmd[@]}" >"$T/perf.c.out" || fail "perf stat failed"
# perf prints task-clock in msec
theirs=$(awk -F, '$3 == "task-clock" { printf "%.0f", $1 * 1e6 }' "$T/perf.c")
ours=$(value task-clock "$T/c.json")
self_ours=$(sed -n 's/^cpu_ns=//p' "$T/c.out") self_theirs=$(sed -n 's/^cpu_ns=//p' "$T/perf.c.out")
[ -n "$self_ours" ] && [ -n "$self_theirs" ] || fail "stat_busy printed no cpu_ns"
note "task-clock: peerscope $ours ns over the program's own $self_ours ns, perf $theirs ns over $self_theirs ns"
check "task-clock per CPU second" "$(awk -v a="$ours" -v b="$self_ours" 'BEGIN { printf "%.4f", a / b }')" \
	"$(awk -v a="$theirs" -v b="$self_theirs" 'BEGIN { printf "%.4f", a / b }')" 0.15
exit 0
