#!/usr/bin/env bash
# record -e: the hwc collector counts events per path.  Here (no PMU) the
# hardware event is refused in one line and record goes on; software
# events are read in BPF with bpf_perf_event_read_value at context
# switches and attributed to the thread's path.
#  1. a sleeping loop: its context switches (path other) ~ its sleeps;
#  2. -c hwc alone: a recording of counters and no samples is reported
#     (it was refused as "no sample types"), and flame says why it has
#     nothing to draw;
#  3. one node of the test network: the dht path gets its own counters.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd python3

msg="cycles: not supported on this machine (no hardware PMU in the kernel)"
pmu=0
[ -e /sys/bus/event_source/devices/cpu ] || [ -e /sys/bus/event_source/devices/cpu_core ] && pmu=1

# counters PATH EVENT: the path's value in the report JSON (0 if absent)
counters() {
	python3 - "$T/report.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d.get("counters", {}).get("paths", []):
    if p["path"] == sys.argv[2]:
        for e in p["events"]:
            if e["name"] == sys.argv[3]:
                print(e["value"]); sys.exit(0)
print(0)
PY
}

# 1 ms sleeps for 10 s; we record 2 s of it
bg "$PROGS/stat_sleep" -n 10000 -s 1000
pid=$!
sleep 0.2
# stat counts the same 2 s beside it, as a yardstick (windows differ by the
# start-up of each, a few ms: 10 % bound)
"$PS" stat -p "$pid" -d 2.3 -e context-switches --json -o "$T/stat.json" 2>/dev/null &
stat_pid=$!
"$PS" record -p "$pid" -d 2 -c cpu,hwc -e task-clock,context-switches,cycles \
	-o "$T/a.pb.gz" 2>"$T/err" || fail "record -e failed: $(cat "$T/err")"
wait "$stat_pid" || fail "stat -p beside record failed"
if [ $pmu = 0 ]; then
	grep -qF "$msg" "$T/err" || fail "no '$msg' line: $(cat "$T/err")"
	[ "$(grep -c "cycles:" "$T/err")" = 1 ] || fail "the cycles line is not said once: $(cat "$T/err")"
fi
"$PS" report "$T/a.pb.gz" --json >"$T/report.json" || fail "report failed"
cs=$(counters other context-switches)
tc=$(counters other task-clock)
note "2 s of 1 ms sleeps: context-switches $cs, task-clock $tc ns"
# 2 s / (1 ms + wake-up latency): 1000..2000 sleeps; a loose floor for a busy machine
assert_between "$cs" 800 2100 "context switches per path of a 1 ms sleep loop"
scs=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["events"][0]["value"])' "$T/stat.json")
# record's attach takes ~0.3 s more than stat's; stat ran 2.3 s for that
ratio=$(awk -v a="$cs" -v b="$scs" 'BEGIN { printf "%.3f", b ? a / b : 0 }')
note "stat -p beside it: $scs context switches in 2.3 s (ratio $ratio)"
assert_between "$ratio" 0.75 1.05 "record's per-path context switches / stat's"
assert_between "$tc" 1 1000000000 "task-clock per path"
if [ $pmu = 0 ]; then
	python3 - "$T/report.json" <<'PY' || fail "report lacks the unsupported cycles"
import json, sys
d = json.load(open(sys.argv[1]))
assert any(u["event"] == "cycles" for u in d["counters"]["unsupported"])
PY
fi

# without -e the collector is silent
"$PS" record -p "$pid" -d 0.5 -c cpu -o "$T/b.pb.gz" 2>"$T/err2" || fail "record without -e failed"
grep -qE "hwc( collector)?:" "$T/err2" && fail "hwc spoke without -e: $(cat "$T/err2")"

# 2. counters alone
"$PS" record -p "$pid" -d 1 -c hwc -e context-switches -o "$T/c.pb.gz" 2>"$T/err4" ||
	fail "record -c hwc alone failed: $(cat "$T/err4")"
grep -qE "wrote $T/c.pb.gz: [1-9][0-9]* events, " "$T/err4" ||
	fail "record -c hwc alone does not count events (it has no samples): $(cat "$T/err4")"
"$PS" report "$T/c.pb.gz" >"$T/c.txt" 2>"$T/c.err" ||
	fail "report of counters alone failed: $(cat "$T/c.err")"
grep -q "counters only" "$T/c.txt" || fail "report does not say it shows counters only: $(cat "$T/c.txt")"
"$PS" report "$T/c.pb.gz" --json >"$T/report.json" || fail "report --json of counters alone failed"
cs=$(counters other context-switches)
note "-c hwc alone, 1 s of 1 ms sleeps: context-switches $cs"
assert_between "$cs" 400 1100 "context switches of counters alone"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["meta"]["type"] is None' \
	"$T/report.json" || fail "report --json of counters alone: meta.type is not null"
"$PS" flame "$T/c.pb.gz" -o "$T/c.svg" 2>"$T/f.err" && fail "flame drew a recording with no samples"
grep -q "holds counters only" "$T/f.err" || fail "flame does not say why: $(cat "$T/f.err")"

# 3. the test network: counters for the dht path
[ -x "$BUILD/p2pnet" ] || { note "no $BUILD/p2pnet: path part skipped"; exit 0; }
base=$(free_net_base) || exit 1
bg "$BUILD/p2pnet" --nodes 4 --duration 0 --base-port "$base" --dht-rate 60 --gossip-rate 5 \
	--pids-file "$T/pids" >"$T/net.out" 2>&1
wait_file "$T/pids" 30 || fail "p2pnet did not start: $(tail -3 "$T/net.out")"
node=$(sed -n 2p "$T/pids")
"$PS" record -p "$node" -d 3 -e task-clock,context-switches -o "$T/n.pb.gz" 2>"$T/err3" ||
	fail "record of a node failed: $(tail -3 "$T/err3")"
"$PS" report "$T/n.pb.gz" --json >"$T/report.json" || fail "report of the node failed"
dht=$(counters dht task-clock)
dcs=$(counters dht context-switches)
note "node: dht path task-clock $dht ns, context-switches $dcs"
assert_between "$dht" 1 100000000000 "dht path task-clock"
exit 0
