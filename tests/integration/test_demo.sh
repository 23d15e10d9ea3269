#!/usr/bin/env bash
# make demo's script, shortened: it writes the recording, the flame graphs and
# the report, names the injected bottleneck, and leaves no process behind.
# Shortened to 4 s, on the network of test_paths_dht_cpu (4 nodes, 300
# lookups/s: the dht-cpu verdict that holds with busy loops beside it).
# The demo's 8 nodes at 200/s take about a CPU of this 2-core machine: with
# a busy loop beside them every thread of node 1 waited for a CPU longer
# than it ran, and the verdict was, by its rule (docs/guide.md), "run-queue
# starvation ... as on every path"; 4 nodes at 200/s gave node 1's dht
# 0.10 CPUs, on the CPU-bound threshold.
. "$(dirname "$0")/lib.sh"
need_root

base=$(free_base 2000) || exit 1
DEMO_OUT=$T/out DEMO_SECONDS=4 DEMO_NODES=4 DEMO_DHT_RATE=300 DEMO_BASE_PORT=$base BUILD=$BUILD \
	"$ROOT/tests/demo.sh" >"$T/demo.out" 2>&1 || fail "demo failed: $(tail -3 "$T/demo.out")"
for f in node1.pb.gz cpu.svg wall.svg report.txt report.md report.json p2pnet.json; do
	[ -s "$T/out/$f" ] || fail "demo did not write $f"
done
grep -q '^Verdicts' "$T/demo.out" || fail "demo printed no verdicts"
grep -q 'dht: CPU-bound' "$T/demo.out" || fail "demo's dht verdict does not say CPU-bound: $(grep -A2 Verdicts "$T/demo.out" | tr '\n' ' ')"
grep -q 'dht_distance_slow' "$T/demo.out" || fail "demo's summary does not name dht_distance_slow"
"$PS" report "$T/out/node1.pb.gz" >/dev/null || fail "the demo's recording does not load"
# nothing left running from this demo's network: the nodes get SIGTERM as
# the demo ends and are gone well within 5 s even on a loaded host (a fixed
# 0.5 s wait could see one still exiting)
for _ in $(seq 50); do
	left=$(pgrep -f -- "--base-port $base|$T/out" || true)
	[ -z "$left" ] && break
	sleep 0.1
done
[ -z "$left" ] || fail "processes left behind 5 s after the demo: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)" | head -3)"
note "demo: $(grep -c . "$T/out/report.txt") report lines; $(grep -o 'dht: CPU-bound[^(]*' "$T/demo.out" | head -1)"
exit 0
