# shellcheck shell=bash
# Helpers of the test_paths_*.sh tests (source after lib.sh): run the test
# network with one injection, record one node, and read the verdicts of the
# JSON report (schema: docs/report-paths.md).

need_net() {
	need_root
	[ -x "$PS" ] || skip "no $PS (run make)"
	[ -x "$BUILD/p2pnet" ] || skip "no $BUILD/p2pnet (tests/node not built)"
	need_cmd python3
}

# A port base of our own: tests of other areas may run a network too.
pick_base() { free_net_base; }

# net_start [p2pnet options...]: a 4-node network in the background; waits
# until its pids file exists.  $NET_PIDS holds node pids, node 0 first;
# $NET_BG is p2pnet's pid.
net_start() {
	NET_PIDS=$T/pids
	BASE=$(pick_base)
	bg "$BUILD/p2pnet" --nodes 4 --base-port "$BASE" --pids-file "$NET_PIDS" \
		--json "$T/net.json" "$@" >"$T/net.out" 2>&1
	NET_BG=${BG_PIDS[-1]}
	wait_file "$NET_PIDS" 30 || fail "p2pnet did not start: $(tail -3 "$T/net.out")"
}

node_pid() { sed -n "$(($1 + 1))p" "$NET_PIDS"; }

# net_start_gated [p2pnet options...]: net_start with --start-gate: the
# nodes start held, before any bootstrap, until record_gated opens the gate.
net_start_gated() { net_start --start-gate "$T/gate" "$@"; }

# record_gated I SECONDS [record options...] -> $T/rec.pb.gz: attach to
# node I, then open the gate, so the recording holds the node's bootstrap
# and every operation of the run; returns when the recording ends (after
# SECONDS, or when the node exits).
record_gated() {
	local i=$1 d=$2 rec
	shift 2
	: >"$T/record.err"
	"$PS" record -p "$(node_pid "$i")" -d "$d" --progress -o "$T/rec.pb.gz" "$@" \
		2>"$T/record.err" &
	rec=$!
	BG_PIDS+=("$rec")
	wait_attached "$rec" "$T/record.err"
	touch "$T/gate"
	wait "$rec" || fail "record failed: $(tail -3 "$T/record.err")"
}

# net_wait: until p2pnet has exited and written its JSON ($T/net.json).
net_wait() {
	wait "$NET_BG" 2>/dev/null
	[ -s "$T/net.json" ] || fail "p2pnet wrote no JSON: $(tail -3 "$T/net.out")"
}

# record_node I SECONDS [record options...] -> $T/rec.pb.gz
record_node() {
	local i=$1 d=$2
	shift 2
	"$PS" record -p "$(node_pid "$i")" -d "$d" -o "$T/rec.pb.gz" "$@" 2>"$T/record.err" ||
		fail "record failed: $(tail -3 "$T/record.err")"
}

# report_json [report options...] -> $T/report.json
report_json() {
	"$PS" report "$T/rec.pb.gz" --json "$@" >"$T/report.json"
	local rc=$?
	python3 -m json.tool "$T/report.json" >/dev/null || fail "report JSON does not parse"
	return $rc
}

# verdict PATH FIELD: kind, culprit, text, tail of the path's verdict
verdict() {
	python3 - "$T/report.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d.get("paths", {}).get("paths", []):
    if p["name"] == sys.argv[2]:
        v = p["verdict"][sys.argv[3]]
        print(str(v).lower() if isinstance(v, bool) else v)
        break
else:
    print("absent")
PY
}

# expect_verdict PATH KIND [CULPRIT-SUBSTRING]
expect_verdict() {
	local kind culprit text
	kind=$(verdict "$1" kind)
	culprit=$(verdict "$1" culprit)
	text=$(verdict "$1" text)
	note "$text"
	[ "$kind" = "$2" ] || fail "$1: verdict '$kind', want '$2': $text"
	if [ -n "${3:-}" ]; then
		case $culprit in *"$3"*) ;; *) fail "$1: culprit '$culprit', want $3: $text" ;; esac
	fi
}


# need_type TYPE WHY: skip unless the recording holds sample type TYPE.
need_type() {
	"$PS" report "$T/rec.pb.gz" --type "$1" >/dev/null 2>&1 ||
		skip "the recording has no '$1' samples: $2 (not built yet?)"
}

# sched_ns PID: "CPU-ns run-queue-ns" summed over the process's threads, the
# kernel's own account (/proc/PID/task/*/schedstat: on-CPU, waiting to run)
sched_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ c += $1; r += $2 } END { printf "%.0f %.0f\n", c, r }'
}

# runq_pct BEFORE AFTER: the run-queue share of runnable time between two
# sched_ns snapshots, in percent; -1 when it is not known: a sum that went
# down lost a thread's counts (the thread, or the whole process -- "0 0" --
# exited between the two), and nothing ran at all
runq_pct() {
	echo "$1 $2" | awk '{ c = $3 - $1; r = $4 - $2
		printf "%.0f", (c < 0 || r < 0 || c + r <= 0) ? -1 : 100 * r / (c + r) }'
}
