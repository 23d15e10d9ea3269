#!/usr/bin/env bash
# make demo: start an 8-node test network with a DHT and gossip workload,
# record one node with peerscope for ~10 s, and write the flame graph, the
# pprof file and the report into demo-out/.  Leaves no process behind.
# DEMO_NODES (8), DEMO_DHT_RATE (200 lookups/s), DEMO_SECONDS (10), DEMO_OUT
# and DEMO_BASE_PORT change it (tests/integration/test_demo.sh runs it small).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=${DEMO_OUT:-$ROOT/demo-out}
SECS=${DEMO_SECONDS:-10}
NODES=${DEMO_NODES:-8} DHT_RATE=${DEMO_DHT_RATE:-200}
# A known bottleneck on the recorded node, so the report has something to
# find: DEMO_INJECT=none records a clean network (see docs/testnet.md).
INJECT=${DEMO_INJECT-dht-cpu}
[ "$INJECT" = none ] && INJECT=

die() { echo "demo: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root to load BPF programs (run: sudo make demo)"
[ -x "$BUILD/p2pnet" ] && [ -x "$BUILD/peerscope" ] || die "build missing (run: make)"

mkdir -p "$OUT"
rm -f "$OUT"/*
net_pid=
cleanup() {
	[ -n "$net_pid" ] && kill -TERM "$net_pid" 2>/dev/null && wait "$net_pid" 2>/dev/null
}
trap cleanup EXIT INT TERM

inject=()
[ -n "$INJECT" ] && inject=(--inject "$INJECT" --on-node 1)
echo "demo: starting a $NODES-node P2P network (DHT over UDP, gossip over TCP)${INJECT:+ with --inject $INJECT on node 1}"
"$BUILD/p2pnet" --nodes "$NODES" --duration $((SECS + 8)) --dht-rate "$DHT_RATE" --gossip-rate 20 \
	${DEMO_BASE_PORT:+--base-port "$DEMO_BASE_PORT"} "${inject[@]}" --pids-file "$OUT/pids" --json "$OUT/p2pnet.json" >"$OUT/p2pnet.txt" 2>&1 &
net_pid=$!
for _ in $(seq 100); do [ -s "$OUT/pids" ] && break; sleep 0.1; done
[ -s "$OUT/pids" ] || die "the network did not start (see $OUT/p2pnet.txt)"
pid=$(sed -n 2p "$OUT/pids")
echo "demo: recording node 1 (pid $pid) for ${SECS}s"
"$BUILD/peerscope" record -p "$pid" -d "$SECS" -o "$OUT/node1.pb.gz" || die "record failed"
"$BUILD/peerscope" flame "$OUT/node1.pb.gz" -o "$OUT/cpu.svg" --title "node 1: on-CPU" || die "flame failed"
"$BUILD/peerscope" flame "$OUT/node1.pb.gz" --type wall -o "$OUT/wall.svg" --title "node 1: wall clock" 2>/dev/null
"$BUILD/peerscope" report "$OUT/node1.pb.gz" >"$OUT/report.txt" || true
"$BUILD/peerscope" report --format md "$OUT/node1.pb.gz" >"$OUT/report.md" || true
"$BUILD/peerscope" report --format json "$OUT/node1.pb.gz" >"$OUT/report.json" || true
wait "$net_pid"; net_pid=
echo
# The summary: each path's verdict, then the hottest functions.
echo "Verdicts (the bottleneck of each path):"
sed -n '/^  verdict/,/^$/p' "$OUT/report.txt" |
	sed -e '/^$/d' -e 's/^  verdict *\(.*\)/  - \1/' -e 's/^ \{15\}/    /'
echo
sed -n '/^Top functions/,/^$/p' "$OUT/report.txt" | sed -n '1,9p'
[ -n "$INJECT" ] && echo "demo: node 1 ran with --inject $INJECT; the report above should name it (docs/testnet.md)."
echo "demo: done. Look at:"
echo "  $OUT/report.txt   the bottleneck report (also report.md, report.json)"
echo "  $OUT/cpu.svg      on-CPU flame graph (open in a browser: click to zoom, Ctrl-F/search)"
echo "  $OUT/wall.svg     wall-clock flame graph (on-CPU + off-CPU by reason)"
echo "  $OUT/node1.pb.gz  the recording (go tool pprof -http=: $OUT/node1.pb.gz)"
echo "  $OUT/p2pnet.json  the network's own numbers (lookup and gossip latency)"
