#!/usr/bin/env bash
# scheduler events: two threads ping-pong a byte through pipes as fast as
# they can (tests/progs/sched_pingpong) while `peerscope record -c offcpu`
# watches them.  Prints, side by side in one run: round trips/s without and
# with recording (the slowdown), scheduler events/s the collector handled
# (switch-outs + switch-ins + wakeups of the targets), the drops it counted
# (must be 0: everything is aggregated in the kernel, nothing can be lost
# short of a full map), and the BPF run time per program run
# (each program times itself, PS_RUN: run time / runs, every sched event on the
# machine, traced or not).  libbpf-tools' offcputime on the same workload
# is the yardstick for the slowdown.  UNWIND=fp|auto|dwarf (default auto)
# is passed to record --unwind (user stacks by the in-kernel .eh_frame
# unwinder or by bpf_get_stackid(); docs/unwinding.md).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=$BUILD/peerscope
PP=$BUILD/progs/sched_pingpong
SECS=${SECS:-5}
UNWIND=${UNWIND:-auto}

[ "$(id -u)" = 0 ] || { echo "sched events: skipped (needs root)"; exit 0; }
[ -x "$PP" ] || { echo "sched events: skipped (build $PP first: make)"; exit 0; }
T=$(mktemp -d /tmp/peerscope-bench.XXXXXX)
trap 'wait 2>/dev/null; rm -rf "$T"' EXIT

rate() { sed -n 's/^\([0-9]*\) round trips.*/\1/p' "$1"; }

"$PP" -d "$SECS" >"$T/base"
base=$(rate "$T/base")

"$PP" -d $((SECS + 2)) >"$T/ps.out" &
pp=$!
sleep 0.5
"$PS" record -v -c offcpu --unwind "$UNWIND" -p "$pp" -d "$SECS" -o "$T/ps.pb.gz" 2>"$T/ps.err"
wait $pp
with=$(rate "$T/ps.out")
line=$(grep 'debug: offcpu:' "$T/ps.err")
events=$(echo "$line" | sed -n 's/.*offcpu: \([0-9]*\) events.*/\1/p')
lost=$(echo "$line" | sed -n 's/.* \([0-9]*\) lost.*/\1/p')
full=$(echo "$line" | sed -n 's/.* \([0-9]*\) map full.*/\1/p')
bpf_ms=$(echo "$line" | sed -n 's/.*bpf \([0-9.]*\) ms in \([0-9]*\) runs.*/\1/p')
runs=$(echo "$line" | sed -n 's/.*bpf \([0-9.]*\) ms in \([0-9]*\) runs.*/\2/p')
dur=$(sed -n 's/.*duration_s=\([0-9.]*\).*/\1/p' <(zcat "$T/ps.pb.gz" | strings) | head -1)
dur=${dur:-$SECS}

oct_rate=
if [ -x /usr/sbin/offcputime ]; then
	"$PP" -d $((SECS + 2)) >"$T/oct.out" &
	pp=$!
	sleep 0.5
	/usr/sbin/offcputime -p "$pp" "$SECS" >/dev/null 2>&1
	wait $pp
	oct_rate=$(rate "$T/oct.out")
fi

awk -v b="$base" -v w="$with" -v o="${oct_rate:-0}" -v e="${events:-0}" -v d="$dur" \
    -v ms="${bpf_ms:-0}" -v r="${runs:-0}" -v l="${lost:-?}" -v f="${full:-?}" 'BEGIN {
	printf "   round trips/s: %d alone, %d recorded (x%.2f)", b, w, b ? w / b : 0
	if (o) printf ", %d under offcputime (x%.2f)", o, o / b
	printf "\n   sched events handled: %.0f/s (%d in %.1f s), lost %s, map full %s\n", e / d, e, d, l, f
	if (r) printf "   bpf run time: %.0f ns per run (%d runs, %.1f ms)\n", ms * 1e6 / r, r, ms
}'
