#!/usr/bin/env bash
# target overhead: the CPU that recording adds to the node being recorded.
# A 4-node test network (build/p2pnet on loopback) at a high DHT rate; node
# 1 is the target.  Its own CPU time (the sum of its threads' on-CPU
# nanoseconds, /proc/PID/task/*/schedstat) is read over WIN-second windows,
# in this order: unprofiled, `peerscope record` (default collectors),
# unprofiled, `perf record -F 99 -g`, unprofiled.  The BPF programs that
# run in the node's own syscalls and context switches, and the kernel's
# sampling work, are charged to the node, so the difference from the mean
# of the unprofiled windows is what each profiler costs it.  The network's
# UDP datagrams per second (all nodes, /proc/net/snmp) say how busy it is.
# Goal (issue 19): peerscope adds at most 1 % of one core, side by side
# with perf's figure.  PS_BASE=path/to/an/older/peerscope adds a window for
# that build (after peerscope's, before perf's): a before/after in one run.
# When libbpf-tools' offcputime is installed it gets a window too: one
# off-CPU collector's worth of the work (a stack per context switch), the
# yardstick for what any scheduler tracer costs this node.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=${PS:-$BUILD/peerscope}
RECORD_ARGS=${RECORD_ARGS:-}
WIN=${WIN:-10}
DHT_RATE=${DHT_RATE:-800}

[ "$(id -u)" = 0 ] || { echo "target overhead: skipped (needs root)"; exit 0; }
[ -x "$BUILD/p2pnet" ] || { echo "target overhead: skipped (no $BUILD/p2pnet: make node)"; exit 0; }
command -v perf >/dev/null || { echo "target overhead: skipped (needs perf)"; exit 0; }
T=$(mktemp -d /tmp/peerscope-bench.XXXXXX)
net=
cleanup() {
	[ -n "$net" ] && kill -INT "$net" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

"$BUILD/p2pnet" --nodes 4 --duration 0 --dht-rate "$DHT_RATE" --gossip-rate 20 \
	--base-port 23400 --pids-file "$T/pids" >"$T/net.out" 2>&1 &
net=$!
for _ in $(seq 100); do [ -s "$T/pids" ] && break; sleep 0.2; done
node=$(sed -n 2p "$T/pids" 2>/dev/null)
[ -n "$node" ] || { echo "target overhead: the test network did not start: $(tail -1 "$T/net.out")"; exit 1; }
sleep 2	# past bootstrap

# on-CPU nanoseconds of every thread of the node so far
cpu_ns() { cat /proc/"$node"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'; }
udp_in() { awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $2 }' /proc/net/snmp; }

# window CMD...: percent of one core the node used while CMD ran
window() {
	local a b
	a=$(cpu_ns)
	"$@" >/dev/null 2>"$T/win.err" && cp "$T/win.err" "$T/last.err" || { echo "target overhead: $1 failed: $(tail -1 "$T/win.err")" >&2; return 1; }
	b=$(cpu_ns)
	awk -v a="$a" -v b="$b" -v w="$WIN" 'BEGIN { printf "%.3f", (b - a) / (w * 1e7) }'
}

u0=$(udp_in)
b1=$(window sleep "$WIN") || exit 1
u1=$(udp_in)
ps=$(window "$PS" record -v -p "$node" -d "$WIN" -o "$T/r.pb.gz" $RECORD_ARGS) || exit 1
# "debug: sock: N events, ... bpf X ms in R runs": every run, the node's and others'
bpf=$(sed -n 's/.*debug: \([a-z]*\): \([0-9]*\) events, .* bpf \([0-9.]*\) ms in \([0-9]*\) runs.*/\1 \2 \3 \4/p' \
	"$T/last.err" | awk -v w="$WIN" '{ printf "%s%s %.2f %% (%d events, %.0f ns/run)", sep, $1, $3 / (w * 10), $2, $4 ? $3 * 1e6 / $4 : 0; sep = ", " }')
b2=$(window sleep "$WIN") || exit 1
if [ -n "${PS_BASE:-}" ]; then
	old=$(window "$PS_BASE" record -p "$node" -d "$WIN" -o "$T/old.pb.gz" $RECORD_ARGS) || exit 1
	b2b=$(window sleep "$WIN") || exit 1
	b2=$(awk -v a="$b2" -v b="$b2b" 'BEGIN { printf "%.3f", (a + b) / 2 }')
fi
pf=$(window perf record -q -e cpu-clock -F 99 -g -p "$node" -o "$T/perf.data" -- sleep "$WIN") || exit 1
b3=$(window sleep "$WIN") || exit 1
oc=
if command -v offcputime >/dev/null; then
	oc=$(window offcputime -p "$node" "$WIN") || exit 1
	b4=$(window sleep "$WIN") || exit 1
	b3=$(awk -v a="$b3" -v b="$b4" 'BEGIN { printf "%.3f", (a + b) / 2 }')
fi

awk -v b1="$b1" -v b2="$b2" -v b3="$b3" -v ps="$ps" -v pf="$pf" -v w="$WIN" \
	-v dg="$(( (u1 - u0) / WIN ))" -v bpfl="${bpf:-?}" -v old="${old:-}" -v oc="$oc" 'BEGIN {
	base = (b1 + b2 + b3) / 3
	dps = ps - base; dpf = pf - base
	printf "target overhead: node 1 of 4 at %.2f %% of a core unprofiled (%.2f/%.2f/%.2f; %d UDP datagrams/s on the network), %d s windows\n",
		base, b1, b2, b3, dg, w
	printf "   peerscope record (default collectors): %.2f %% (+%.2f %% of a core; goal <= 1 %%: %s)\n",
		ps, dps, (dps <= 1 ? "ok" : "OVER")
	printf "   BPF run time, %% of a core (machine-wide, not only the node): %s\n", bpfl
	if (old != "")
		printf "   PS_BASE record (same arguments):       %.2f %% (+%.2f %% of a core)\n", old, old - base
	printf "   perf record -F 99 -g:                  %.2f %% (+%.2f %% of a core); peerscope/perf added: %s\n",
		pf, dpf, (dpf > 0.05 ? sprintf("%.2f", dps / dpf) : "n/a (perf added ~0)")
	if (oc != "")
		printf "   libbpf-tools offcputime (off-CPU only): %.2f %% (+%.2f %% of a core)\n", oc, oc - base
}'
