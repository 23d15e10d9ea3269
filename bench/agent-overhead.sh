#!/usr/bin/env bash
# agent overhead: peerscope agent at its defaults (19 Hz; cpu, span,
# offcpu) vs perf record -F 19 -g on the same test-network node, side by
# side for SECS (both at once, so the machine's noise hits both).  The
# agent's cost = its process CPU (/usr/bin/time) + its BPF programs' run
# time (index.jsonl); perf's = its process CPU.  Printed as CPU seconds per
# hour, share of one CPU, and the ratio.  Goals (issue 16): agent <= 0.5 %
# of one CPU and below perf.  WINDOW (default 30s) shortens the window so a
# short run still drains a few.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=$BUILD/peerscope
SECS=${SECS:-100}
WINDOW=${WINDOW:-30s}

[ "$(id -u)" = 0 ] || { echo "agent overhead: skipped (needs root)"; exit 0; }
command -v perf >/dev/null || { echo "agent overhead: skipped (needs perf)"; exit 0; }
[ -x "$BUILD/p2pnet" ] || { echo "agent overhead: skipped (no $BUILD/p2pnet)"; exit 0; }
T=$(mktemp -d /tmp/peerscope-bench.XXXXXX)
net=
cleanup() { [ -n "$net" ] && kill "$net" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

"$BUILD/p2pnet" --nodes 4 --base-port $((40000 + RANDOM % 2000 * 10)) --pids-file "$T/pids" \
	--duration $((SECS + 30)) >"$T/net.out" 2>&1 &
net=$!
for _ in $(seq 300); do [ -s "$T/pids" ] && break; sleep 0.1; done
pid=$(head -1 "$T/pids")
[ -n "$pid" ] || { echo "agent overhead: p2pnet did not start"; exit 1; }
sleep 2

/usr/bin/time -f "%U %S %M" -o "$T/perf.time" \
	perf record -q -e cpu-clock -F 19 -g -p "$pid" -o "$T/perf.data" -- sleep "$SECS" \
	>/dev/null 2>&1 &
perf_job=$!
/usr/bin/time -f "%U %S %M" -o "$T/agent.time" \
	"$PS" agent -p "$pid" --dir "$T/w" --window "$WINDOW" 2>"$T/agent.err" &
agent_job=$!
# perf's CPU once a second (wall clock, ticks), to compare steady states
# over the same wall time as the agent's full windows
sleep 0.5
perf_pid=$(pgrep -P "$perf_job" -x perf)
end=$(($(date +%s) + SECS))
while [ "$(date +%s)" -lt "$end" ]; do
	[ -n "$perf_pid" ] && awk -v t="$(date +%s.%N)" '{ print t, $14 + $15 }' \
		"/proc/$perf_pid/stat" >>"$T/perf.ticks" 2>/dev/null
	sleep 1
done
kill -TERM "$(pgrep -P "$agent_job" -x peerscope)" 2>/dev/null
wait "$agent_job" "$perf_job"

read -r au asy arss <"$T/agent.time"
read -r pu psy prss <"$T/perf.time"
bpf=$(python3 -c 'import json,sys
print(sum(json.loads(l)["agent"]["bpf_run_s"] for l in open(sys.argv[1])))' "$T/w/index.jsonl")
windows=$(wc -l <"$T/w/index.jsonl")
# steady state: the full windows after the first (which carries the
# start-up), and perf over the same wall time (its ticks, interpolated)
steady=$(python3 - "$T/w/index.jsonl" "$T/perf.ticks" "$(getconf CLK_TCK)" <<'PY'
import calendar, json, sys, time
w = [json.loads(l) for l in open(sys.argv[1])][1:-1]
d = sum(x["duration_s"] for x in w)
if not d:
    print("no full window after the first")
    sys.exit()
c = sum(x["agent"]["cpu_s"] + x["agent"]["bpf_run_s"] for x in w)
line = "agent %.1f s/h = %.3f %% of a CPU over %d full windows (%.0f s)" % (
    c / d * 3600, c / d * 100, len(w), d)
def start(x):  # the file's name: the window's start, to the millisecond
    n = x["file"].split(".pb")[0]
    return calendar.timegm(time.strptime(n[:15], "%Y%m%dT%H%M%S")) + float(n[15:19])
t0, t1 = start(w[0]), start(w[-1]) + w[-1]["duration_s"]
try:
    ticks = [tuple(map(float, l.split())) for l in open(sys.argv[2])]
except OSError:
    ticks = []
def at(t):
    for (ta, ca), (tb, cb) in zip(ticks, ticks[1:]):
        if ta <= t <= tb:
            return ca + (cb - ca) * (t - ta) / (tb - ta) if tb > ta else ca
    return None
a, b = at(t0), at(t1)
if a is None or b is None:
    print(line + "; perf's ticks do not cover them")
else:
    p = (b - a) / float(sys.argv[3])
    print(line + "; perf -F 19 -g %.1f s/h over the same time; ratio %.2fx perf (goal <= 1x: %s)"
          % (p / (t1 - t0) * 3600, (c / d) / (p / (t1 - t0)) if p > 0 else 0,
             "ok" if c / d <= p / (t1 - t0) else "OVER"))
PY
)
awk -v au="$au" -v asy="$asy" -v bpf="$bpf" -v pu="$pu" -v ps="$psy" -v s="$SECS" \
	-v arss="$arss" -v prss="$prss" -v w="$windows" 'BEGIN {
	a = au + asy + bpf; p = pu + ps
	printf "agent overhead (%ds, %d windows): agent %.3f s CPU (user %.3f sys %.3f bpf %.3f) = %.1f s/h = %.3f %% of a CPU; perf -F 19 -g %.3f s = %.1f s/h; ratio %.2fx perf (goal <= 1x, <= 0.5 %%: %s); peak RSS agent %d MB, perf %d MB\n",
		s, w, a, au, asy, bpf, a / s * 3600, a / s * 100, p, p / s * 3600, (p > 0 ? a / p : 0),
		(a / s * 100 <= 0.5 && a <= p) ? "ok" : "OVER", arss / 1024, prss / 1024
}'
echo "agent overhead steady state (agent user + sys + bpf): $steady"

