#!/usr/bin/env bash
# unwinding without frame pointers: peerscope's in-kernel .eh_frame unwinder
# (--unwind auto) vs `perf record --call-graph dwarf` (8 KiB stack copies
# unwound afterwards), and peerscope --unwind fp for reference, in one run on
# the same target: the test network running build/p2pnode-nofp (else the
# nofp_chain test program).  Printed: median user stack depth, share of
# samples reaching the thread root (_start/clone3/start_thread outermost),
# bytes recorded per sample (output file / samples), the profiler's own CPU
# (process user+sys, + BPF run time for peerscope) and the time to produce a
# report from the recording (peerscope report vs perf report + perf script).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=$BUILD/peerscope
SECS=${SECS:-5}
FREQ=${FREQ:-99}

[ "$(id -u)" = 0 ] || { echo "unwind: skipped (needs root)"; exit 0; }
command -v perf >/dev/null || { echo "unwind: skipped (needs perf)"; exit 0; }
[ -x /usr/bin/time ] || { echo "unwind: skipped (needs /usr/bin/time)"; exit 0; }
T=$(mktemp -d /tmp/peerscope-bench-unwind.XXXXXX)
bgpid=
cleanup() { [ -n "$bgpid" ] && kill "$bgpid" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

if [ -x "$BUILD/p2pnet" ] && [ -x "$BUILD/p2pnode-nofp" ]; then
	target="4 p2pnode-nofp nodes (dht-cpu injected)"
	"$BUILD/p2pnet" --nodes 4 --duration 0 --dht-rate 300 --gossip-rate 40 --inject dht-cpu \
		--node-bin "$BUILD/p2pnode-nofp" --pids-file "$T/pids" --base-port 4680 --seed 3 \
		>/dev/null 2>&1 &
	bgpid=$!
	for _ in $(seq 150); do [ -s "$T/pids" ] && break; sleep 0.2; done
	[ -s "$T/pids" ] || { echo "unwind: the test network did not start"; exit 1; }
	pids=$(paste -sd, "$T/pids")
else
	target="nofp_chain (C, -O2 -fomit-frame-pointer)"
	cc -O2 -g -fomit-frame-pointer -pthread -o "$T/chain" "$ROOT/tests/progs/nofp_chain.c" || exit 1
	"$T/chain" cpu 1 &
	bgpid=$!
	pids=$bgpid
	sleep 0.3
fi

# folded stats: "median_depth root_share samples" of user stacks
folded_stats() {
	awk '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s); k = split(s, f, ";"); t += n
	       if (f[1] == "_start" || f[1] == "clone3" || f[1] == "start_thread") r += n
	       d[k] += n }
	     END { half = t / 2; c = 0; med = 0
	           for (i = 0; i <= 200; i++) { c += d[i]; if (c >= half && !med) med = i }
	           printf "%d %.1f %d\n", med, t ? 100 * r / t : 0, t }' "$1"
}

ps_run() {	# MODE: peerscope record, then its report
	local mode=$1
	/usr/bin/time -f "%U %S" -o "$T/ps-$mode.time" "$PS" record -v -p "$pids" -F "$FREQ" -d "$SECS" \
		-c cpu --unwind "$mode" -o "$T/ps-$mode.pb.gz" 2>"$T/ps-$mode.err" ||
		{ echo "unwind: peerscope record failed: $(grep -v debug "$T/ps-$mode.err" | tail -1)"; exit 1; }
	/usr/bin/time -f "%e" -o "$T/ps-$mode.rtime" "$PS" report "$T/ps-$mode.pb.gz" >/dev/null 2>&1
	"$PS" flame "$T/ps-$mode.pb.gz" --folded --no-kernel -t samples -o "$T/ps-$mode.folded" 2>/dev/null
	read -r depth root samples < <(folded_stats "$T/ps-$mode.folded")
	bytes=$(stat -c %s "$T/ps-$mode.pb.gz")
	bpf_ms=$(sed -n 's/.*debug: cpu: .* bpf \([0-9.]*\) ms in .*/\1/p' "$T/ps-$mode.err" | head -1)
	cpu=$(awk -v b="${bpf_ms:-0}" '{ printf "%.3f", $1 + $2 + b / 1000 }' "$T/ps-$mode.time")
	rtime=$(cat "$T/ps-$mode.rtime")
	echo "$depth $root $samples $bytes $cpu $rtime ${bpf_ms:-0}"
}

read -r a_depth a_root a_n a_bytes a_cpu a_rt a_bpf < <(ps_run auto)
read -r f_depth f_root f_n f_bytes f_cpu f_rt f_bpf < <(ps_run fp)

/usr/bin/time -f "%U %S" -o "$T/perf.time" perf record -q -e cpu-clock -F "$FREQ" --call-graph dwarf \
	-p "$pids" -o "$T/perf.data" -- sleep "$SECS" >/dev/null 2>&1
/usr/bin/time -f "%e" -o "$T/perf.rtime" perf report -i "$T/perf.data" --stdio >/dev/null 2>&1
/usr/bin/time -f "%e" -o "$T/perf.stime" perf script -i "$T/perf.data" -F ip,sym --no-inline >"$T/perf.script" 2>/dev/null
# perf script: one frame a line (leaf first), samples separated by blank lines; user frames only
awk 'function flush() { if (n) { print n, last; } n = 0; last = "" }
     /^$/ { flush(); next }
     { if ($1 ~ /^ffffffff/) next; n++; last = $2; sub(/@.*/, "", last) }
     END { flush() }' "$T/perf.script" |
	awk '{ t++; d[$1]++; if ($2 == "_start" || $2 == "clone3" || $2 == "start_thread") r++ }
	     END { half = t / 2; c = 0; med = 0
	           for (i = 0; i <= 200; i++) { c += d[i]; if (c >= half && !med) med = i }
	           printf "%d %.1f %d\n", med, t ? 100 * r / t : 0, t }' >"$T/perf.stats"
read -r p_depth p_root p_n <"$T/perf.stats"
p_bytes=$(stat -c %s "$T/perf.data")
p_cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$T/perf.time")
p_rt=$(awk -v a="$(cat "$T/perf.rtime")" -v b="$(cat "$T/perf.stime")" 'BEGIN { printf "%.2f", a + b }')

echo "unwind: target $target, $SECS s at $FREQ Hz per tool"
printf "  %-28s %8s %10s %9s %12s %12s %10s\n" "" "samples" "median" "root %" "bytes/sample" "own CPU s" "report s"
printf "  %-28s %8s %10s %9s %12s %12s %10s\n" "peerscope --unwind auto" "$a_n" "$a_depth" "$a_root" \
	"$((a_n ? a_bytes / a_n : 0))" "$a_cpu" "$a_rt"
printf "  %-28s %8s %10s %9s %12s %12s %10s\n" "peerscope --unwind fp" "$f_n" "$f_depth" "$f_root" \
	"$((f_n ? f_bytes / f_n : 0))" "$f_cpu" "$f_rt"
printf "  %-28s %8s %10s %9s %12s %12s %10s\n" "perf --call-graph dwarf" "$p_n" "$p_depth" "$p_root" \
	"$((p_n ? p_bytes / p_n : 0))" "$p_cpu" "$p_rt"
awk -v a="$a_bpf" -v an="$a_n" -v f="$f_bpf" -v fn="$f_n" 'BEGIN {
	printf "unwind BPF time per sample: %.1f us with tables (auto), %.1f us frame pointers (fp)\n",
		an ? 1000 * a / an : 0, fn ? 1000 * f / fn : 0 }'
awk -v ab="$a_bytes" -v an="$a_n" -v pb="$p_bytes" -v pn="$p_n" -v ac="$a_cpu" -v pc="$p_cpu" \
    -v ar="$a_rt" -v pr="$p_rt" 'BEGIN {
	b = 0; c = 0; r = 0
	if (an > 0 && pn > 0 && pb > 0) b = (ab / an) / (pb / pn)
	if (pc > 0) c = ac / pc
	if (pr > 0) r = ar / pr
	printf "unwind ratios (peerscope auto / perf dwarf): bytes per sample %.4f, own CPU %.2f, report time %.2f\n", b, c, r
}'
