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
W_DUTY=${W_DUTY:-12}	# duty10: several whole duty periods (2 s or more each)
LIBC=$(ldd "$BUILD/progs/alloc_known" 2>/dev/null | awk '/libc.so/ { print $3 }')

[ "$(id -u)" = 0 ] || { echo "alloc overhead: skipped (needs root)"; exit 0; }
[ -x "$BUILD/progs/alloc_known" ] || { echo "alloc overhead: skipped (no $BUILD/progs/alloc_known)"; exit 0; }
T=$(mktemp -d /tmp/peerscope-bench-alloc.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

# duty_line LOOP_OUT RECORDING SECONDS: the --alloc-duty 0.1 line.  A
# one-second window can fall between on-phases (it read x1.0 while the
# probes, when on, slowed the loop x1,900), so: the on-phase rate is the
# recording's own count of calls over the time its probes were attached,
# the average over whole periods follows from that and the share of time
# on, and the loop's mean over every complete second recorded checks it.
duty_line() {
	python3 - "$@" <<'PY'
import gzip, re, sys
rates = [float(l) for l in open(sys.argv[1]) if l.strip().isdigit()]
secs = int(sys.argv[3])
d = gzip.open(sys.argv[2]).read()
def rec(name):
    m = re.search(rb"peerscope:" + name + rb" [^\x00-\x1f]*", d)
    return dict(kv.split("=", 1) for kv in m.group(0).decode(errors="replace").split()[1:] if "=" in kv) if m else {}
a, meta = rec(b"alloc"), rec(b"meta")
base = sum(rates[:2]) / 2 if len(rates) >= 2 else 0
on_s = float(a.get("attached_ns", 0)) / 1e9
dur = float(meta.get("duration_s", 0))
calls = float(a.get("calls", 0))
if not (base and on_s and dur and calls):
    print("  duty10     no data"); sys.exit()
on_rate = calls / on_s
f = on_s / dur
s_on = base / on_rate
s_avg = 1 / (f / s_on + (1 - f))
# complete seconds inside the recording: attach starts ~2.1-3 s in
window = rates[4:2 + secs]
meas = base / (sum(window) / len(window)) if window and sum(window) else 0
print("  duty10     %12.0f -> %12.0f /s on-phase   slowdown x%.1f while on; on %.1f of %.1f s (%.0f %%, %s toggles):"
      " average over whole periods x%.2f (loop's mean over %d s: x%.2f)"
      % (base, on_rate, s_on, on_s, dur, 100 * f, a.get("toggles", "?"), s_avg, len(window), meas))
PY
}

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
	# duty10 is on 10 % of a period of 2 s or more: record whole periods
	w=$W
	[ $mode = duty10 ] && w=$W_DUTY
	"$BUILD/progs/alloc_known" loop $((w + 5)) >"$T/loop.out" &
	lp=$!
	pids+=("$lp")
	sleep 2.1
	# attach takes up to ~1 s (probe calibration): start early, read the last full seconds
	tracer $mode $lp $((w + 2)) &
	wait $lp
	wait
	if [ $mode = duty10 ]; then
		duty_line "$T/loop.out" "$T/d.pb.gz" "$w"
		continue
	fi
	# seconds 1-2: before attach; the last W-1 complete seconds while attached
	awk -v m=$mode -v n="$(wc -l <"$T/loop.out")" -v w=$w '
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
