#!/usr/bin/env bash
# alloc overhead: how much the alloc collector slows its target, in each
# mode, next to bpftrace doing the same uprobe (malloc, user stack counts).
#
# 1. An allocation-heavy loop (alloc_known loop: malloc(32)+free pairs, as
#    fast as it can) prints its rate every second.  Each tracer is attached
#    for a few seconds in the middle of a run; slowdown = rate before attach
#    / rate while attached, so both figures come from the same run.
# 2. The test network (skipped without p2pnet): node 0's CPU time (user +
#    system from /proc/PID/stat, which includes the BPF programs and probe
#    traps it triggers) over a window with the tracer on, against windows
#    with nothing attached taken just before it, at a fixed gossip/DHT load.
#    The default mode (--alloc) must cost < 10 %.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=$BUILD/peerscope
W=${W:-3}	# seconds per measurement window
LIBC=$(ldd "$BUILD/progs/alloc_known" 2>/dev/null | awk '/libc.so/ { print $3 }')

[ "$(id -u)" = 0 ] || { echo "alloc overhead: skipped (needs root)"; exit 0; }
[ -x "$BUILD/progs/alloc_known" ] || { echo "alloc overhead: skipped (no $BUILD/progs/alloc_known)"; exit 0; }
T=$(mktemp -d /tmp/peerscope-bench-alloc.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

# tracer LABEL PID SECONDS: runs one tracer on PID for SECONDS
tracer() {
	case $1 in
	kernel) "$PS" record -p "$2" -d "$3" -c alloc --alloc -o "$T/k.pb.gz" 2>/dev/null ;;
	malloc) "$PS" record -p "$2" -d "$3" -c alloc --alloc=malloc -o "$T/m.pb.gz" 2>/dev/null ;;
	sample100) "$PS" record -p "$2" -d "$3" -c alloc --alloc=malloc --alloc-sample 100 -o "$T/s.pb.gz" 2>/dev/null ;;
	duty10) "$PS" record -p "$2" -d "$3" -c alloc --alloc=malloc --alloc-duty 0.1 -o "$T/d.pb.gz" 2>/dev/null ;;
	bpftrace) timeout -s INT "$3" bpftrace -e "uprobe:$LIBC:malloc /pid == $2/ { @[ustack] = count(); }" >/dev/null 2>&1 ;;
	esac
}

echo "allocation-heavy loop (malloc+free pairs/s; slowdown = rate before / rate while attached):"
for mode in kernel malloc sample100 duty10 bpftrace; do
	if [ $mode = bpftrace ] && ! command -v bpftrace >/dev/null; then
		echo "  bpftrace: skipped (not installed)"; continue
	fi
	"$BUILD/progs/alloc_known" loop $((W + 5)) >"$T/loop.out" &
	lp=$!
	pids+=("$lp")
	sleep 2.1
	# attach takes up to ~1 s (probe calibration): start early, read the last full seconds
	tracer $mode $lp $((W + 2)) &
	wait $lp
	wait
	# seconds 1-2: before attach; the last W-1 complete seconds while attached
	awk -v m=$mode -v n="$(wc -l <"$T/loop.out")" -v w=$W '
		{ v[NR] = $1 }
		END {
			base = (v[1] + v[2]) / 2
			for (i = 5; i <= 4 + w - 1 && i <= n; i++) { s += v[i]; k++ }
			if (!k || !s) { printf "  %-10s no data\n", m; exit }
			t = s / k
			printf "  %-10s %12.0f -> %12.0f /s   slowdown x%.1f\n", m, base, t, base / t
		}' "$T/loop.out"
done

# Estimated cost, as the malloc-mode recording states it (calibrated probes)
python3 - "$T/m.pb.gz" <<'PY' 2>/dev/null
import gzip, re, sys
d = gzip.open(sys.argv[1]).read()
m = re.search(rb"peerscope:alloc [^\x00-\x1f]*", d)
if m:
    f = dict(kv.split("=", 1) for kv in m.group(0).decode(errors="replace").split()[1:] if "=" in kv)
    print("  malloc mode's own estimate: %s calls, %s ns per allocation call, %s ns per free, "
          "est. %.0f %% of one CPU" % (f.get("calls"), f.get("alloc_call_ns"), f.get("free_call_ns"),
                                      100 * float(f.get("est_slowdown", 0))))
PY

[ -x "$BUILD/p2pnet" ] || { echo "test network: skipped (no $BUILD/p2pnet)"; exit 0; }
base=$((21000 + (RANDOM % 200) * 40))
"$BUILD/p2pnet" --nodes 4 --base-port $base --duration 600 --dht-rate 300 \
	--gossip-rate 200 --pids-file "$T/pids" >"$T/net.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$T/pids" ] && break; sleep 0.1; done
node=$(head -1 "$T/pids")  # the network outlives the benchmark; cleanup stops it
[ -n "$node" ] || { echo "test network: p2pnet did not start"; exit 1; }
sleep 2

# CPU time of every thread of PID, ns (schedstat: finer than the 10 ms ticks of stat)
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d", s }'; }
# window PID SECONDS: node CPU ns over the window
window() { local a b; a=$(cpu_ns "$1"); sleep "$2"; b=$(cpu_ns "$1"); echo $((b - a)); }

echo "test network, node 0 CPU time (${W}s windows; untraced window just before each):"
for mode in kernel malloc sample100 bpftrace; do
	[ $mode = bpftrace ] && ! command -v bpftrace >/dev/null && continue
	b0=$(window "$node" "$W")
	tracer $mode "$node" $((W + 2)) &
	tp=$!
	sleep 1.5
	t0=$(window "$node" "$W")
	wait $tp
	awk -v m=$mode -v b="$b0" -v t="$t0" 'BEGIN {
		if (b <= 0) { printf "  %-10s no CPU used by the node?\n", m; exit }
		printf "  %-10s %7.1f -> %7.1f ms CPU   slowdown %+.1f %%\n", m, b / 1e6, t / 1e6, 100 * (t - b) / b }'
done
