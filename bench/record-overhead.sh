#!/usr/bin/env bash
# record overhead: peerscope record vs perf record -F 99 -g on the same busy
# target, side by side in one run.  peerscope's cost = its process CPU (user
# + system, from /usr/bin/time) + the run time of its BPF programs
# (bpf_enable_stats, printed by -v); perf's = its process CPU.  The kernel
# work of taking each sample is charged to the target in both cases.
# First with the cpu collector only (what perf does), then with every
# default collector.  Also: time to probe features and to attach.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=$BUILD/peerscope
SECS=${SECS:-10}
FREQ=${FREQ:-99}

[ "$(id -u)" = 0 ] || { echo "record overhead: skipped (needs root)"; exit 0; }
command -v perf >/dev/null || { echo "record overhead: skipped (needs perf)"; exit 0; }
[ -x /usr/bin/time ] || { echo "record overhead: skipped (needs /usr/bin/time)"; exit 0; }
T=$(mktemp -d /tmp/peerscope-bench.XXXXXX)
hot=
cleanup() { [ -n "$hot" ] && kill "$hot" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

"$BUILD/progs/hot" -d $((2 * SECS + 10)) &
hot=$!
sleep 0.5

# one_run LABEL [record options...]: both tools at once on the same target
one_run() {
	local label=$1 ps_rc
	shift
	/usr/bin/time -f "%U %S" -o "$T/perf.time" \
		perf record -q -e cpu-clock -F "$FREQ" -g -p "$hot" -o "$T/perf.data" -- sleep "$SECS" \
		>/dev/null 2>&1 &
	local perf_job=$!
	/usr/bin/time -f "%U %S" -o "$T/ps.time" \
		"$PS" record -v -p "$hot" -F "$FREQ" -d "$SECS" -o "$T/ps.pb.gz" "$@" 2>"$T/ps.err"
	ps_rc=$?
	wait $perf_job
	if [ $ps_rc != 0 ]; then
		echo "record overhead ($label): peerscope record failed: $(grep -v debug "$T/ps.err" | tail -1)"
		return 1
	fi
	local ps_cpu perf_cpu bpf_ms attach_ms probe_ms samples
	ps_cpu=$(awk '{ print $1 + $2 }' "$T/ps.time")
	perf_cpu=$(awk '{ print $1 + $2 }' "$T/perf.time")
	# "debug: cpu: N events, ..., bpf X ms in N runs", one line per collector
	bpf_ms=$(sed -n 's/.*debug: [a-z]*: .* bpf \([0-9.]*\) ms in .*/\1/p' "$T/ps.err" |
		awk '{ s += $1 } END { print s + 0 }')
	attach_ms=$(sed -n 's/.*attached .* in \([0-9.]*\) ms.*/\1/p' "$T/ps.err")
	probe_ms=$(sed -n 's/.*features probed in \([0-9.]*\) ms.*/\1/p' "$T/ps.err")
	samples=$(sed -n 's/.*wrote .*: \([0-9]*\) samples.*/\1/p' "$T/ps.err")
	awk -v l="$label" -v u="$ps_cpu" -v b="$bpf_ms" -v p="$perf_cpu" -v s="$SECS" -v n="$samples" 'BEGIN {
		ps = u + b / 1000
		printf "record overhead (%s): peerscope %.3f s CPU (process %.3f + BPF %.3f) vs perf %.3f s CPU per %d s, %s samples -> ratio %.2f\n",
			l, ps, u, b / 1000, p, s, n, (p > 0 ? ps / p : 0)
	}'
	echo "record attach ($label): peerscope ${probe_ms:-?} ms to probe kernel features + ${attach_ms:-?} ms to open, load and attach ($(nproc) CPUs)"
}

rc=0
one_run "cpu only" -c cpu || rc=1
one_run "all default collectors" || rc=1
exit $rc
