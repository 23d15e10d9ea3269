#!/usr/bin/env bash
# sock collector overhead: a loopback TCP ping-pong (tests/progs/net_echo,
# N rounds of 64-byte write+read each way) timed without and with
# `peerscope record -c sock`, interleaved in one run; prints the slowdown
# ratio and the messages per second that were counted, with the loss
# (expected - counted, which must be 0).  The BPF programs see every
# syscall of the machine (sys_enter/sys_exit), so the cost also lands on
# other processes: the cost per program run is printed too.
# UNWIND=fp|auto|dwarf (default auto) is passed to record --unwind: with
# auto the user stack of each traced syscall is walked by the in-kernel
# .eh_frame unwinder (docs/unwinding.md), with fp by bpf_get_stackid().
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=$BUILD/peerscope
ECHO=$BUILD/progs/net_echo
N=${N:-50000}
RUNS=${RUNS:-3}
UNWIND=${UNWIND:-auto}

[ "$(id -u)" = 0 ] || { echo "sock overhead: skipped (needs root)"; exit 0; }
if [ ! -x "$ECHO" ] || [ ! -x "$PS" ]; then echo "sock overhead: skipped (run make first)"; exit 0; fi
command -v jq >/dev/null || { echo "sock overhead: skipped (needs jq)"; exit 0; }
T=$(mktemp -d /tmp/peerscope-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
port=$((40000 + RANDOM % 5000))

ns_of() { awk '/^pingpong/ { print $5 }' "$1"; }

base_run() {
	touch "$T/go"
	"$ECHO" "$T/go" "$port" "$N" 64 >"$T/base.out" || return 1
	port=$((port + 1))
	ns_of "$T/base.out"
}

# rec_run: prints "NS COUNTED_MSGS BPF_NS BPF_RUNS"
rec_run() {
	local pid rpid
	rm -f "$T/go"
	"$ECHO" "$T/go" "$port" "$N" 64 >"$T/rec.out" &
	pid=$!
	"$PS" record -v -p "$pid" -c sock --unwind "$UNWIND" -o "$T/rec.pb.gz" 2>"$T/rec.err" &
	rpid=$!
	for _ in $(seq 100); do grep -q attached "$T/rec.err" && break; sleep 0.1; done
	touch "$T/go"
	wait "$pid"
	wait "$rpid" || return 1
	port=$((port + 1))
	local msgs bpf
	msgs=$("$PS" report "$T/rec.pb.gz" --net --json | jq '[.net.paths[] | .tx_msgs + .rx_msgs] | add')
	bpf=$(sed -n 's/.*sock: .* bpf \([0-9.]*\) ms in \([0-9]*\) runs.*/\1 \2/p' "$T/rec.err")
	echo "$(ns_of "$T/rec.out") $msgs ${bpf:-0 0}"
}

ratios=()
for r in $(seq "$RUNS"); do
	b=$(base_run) || { echo "sock overhead: baseline run failed"; exit 1; }
	read -r w msgs bpf_ms bpf_runs <<<"$(rec_run)" || { echo "sock overhead: recorded run failed"; exit 1; }
	[ -n "${w:-}" ] || { echo "sock overhead: recorded run failed: $(tail -2 "$T/rec.err")"; exit 1; }
	expected=$((4 * N))	# client and server, tx and rx, N each
	ratio=$(awk -v a="$w" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
	ratios+=("$ratio")
	awk -v b="$b" -v w="$w" -v m="$msgs" -v e="$expected" -v r="$ratio" -v bms="$bpf_ms" -v bn="$bpf_runs" -v run="$r" 'BEGIN {
		printf "   run %d: ping-pong %.0f rounds/s alone, %.0f with sock: slowdown x%s; counted %d of %d messages (loss %d) = %.0f msgs/s; bpf %.0f ns/run\n",
			run, '"$N"' / (b / 1e9), '"$N"' / (w / 1e9), r, m, e, e - m, m / (w / 1e9), bn ? bms * 1e6 / bn : 0 }'
done
printf '%s\n' "${ratios[@]}" | sort -n | awk -v u="$UNWIND" '{ v[NR] = $1 } END { printf "   sock collector slowdown of loopback ping-pong (median of %d, --unwind %s): x%s\n", NR, u, v[int((NR + 1) / 2)] }'
