#!/usr/bin/env bash
# in-kernel unwinding in the event collectors: BPF run time per recorded
# event of the sock and offcpu collectors with --unwind fp
# (bpf_get_stackid) and --unwind auto (the .eh_frame unwinder), recorded in
# turn on node 1 of a 4-node test network with --inject small-writes
# (frame-pointer p2pnode, glibc without frame pointers).  Per event = all
# of the collector's program run time (timed by each program, PS_RUN) / the events it
# recorded, so the runs for the rest of the machine's syscalls and context
# switches are included.  Prints each round and the medians, and the
# frames per walk.  OLD_BUILD=dir adds a column for another build (e.g. one
# from before a change).  docs/unwinding.md has the numbers measured.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
ROUNDS=${ROUNDS:-5}
SECS=${SECS:-4}
OLD_BUILD=${OLD_BUILD:-}

[ "$(id -u)" = 0 ] || { echo "unwind events: skipped (needs root)"; exit 0; }
[ -x "$BUILD/p2pnet" ] && [ -x "$BUILD/peerscope" ] || { echo "unwind events: skipped (run make first)"; exit 0; }
T=$(mktemp -d /tmp/peerscope-bench-unwev.XXXXXX)
net=
cleanup() { [ -n "$net" ] && kill -INT "$net" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

"$BUILD/p2pnet" --nodes 4 --duration 0 --dht-rate 100 --gossip-rate 60 --inject small-writes \
	--on-node 1 --pids-file "$T/pids" --base-port $((24000 + (RANDOM % 100) * 20)) --seed 3 \
	>/dev/null 2>&1 &
net=$!
for _ in $(seq 150); do [ -s "$T/pids" ] && break; sleep 0.2; done
[ -s "$T/pids" ] || { echo "unwind events: the test network did not start"; exit 1; }
pid=$(sed -n 2p "$T/pids")

variants="fp auto"
[ -n "$OLD_BUILD" ] && variants="old $variants"
for r in $(seq "$ROUNDS"); do
	for v in $variants; do
		if [ "$v" = old ]; then ps=$OLD_BUILD/peerscope opt=; else ps=$BUILD/peerscope opt="--unwind $v"; fi
		# shellcheck disable=SC2086
		"$ps" record -v -p "$pid" -c sock,offcpu -d "$SECS" $opt -o "$T/rec.pb.gz" 2>"$T/rec.err" ||
			{ echo "unwind events: record ($v) failed: $(tail -n 1 "$T/rec.err")"; exit 1; }
		sed -n -E "s/.*debug: (sock|offcpu): ([0-9]+) events.* bpf ([0-9.]+) ms in ([0-9]+) runs.*/$v \1 \2 \3/p" \
			"$T/rec.err" >>"$T/res"
		sed -n -E "s/.*unwind: ([0-9]+) stacks walked.*frames: ([0-9]+) by table, ([0-9]+) by frame pointer.*/$v walks \1 \2 \3/p" \
			"$T/rec.err" >>"$T/res"
	done
done
awk -v vs="$variants" '
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n ? a[int((n + 1) / 2)] : 0
	}
	$2 == "walks" { if ($3) fr = fr " " ($4 + $5) / $3; next }
	$3 > 0 { k = $2 " " $1; v[k] = v[k] " " $4 * 1e6 / $3 }
	END {
		n = split(vs, var, " ")
		for (c = 1; c <= 2; c++) {
			coll = c == 1 ? "sock" : "offcpu"
			printf "   %-7s BPF ns per event:", coll
			for (i = 1; i <= n; i++) printf "  %s %.0f", var[i], median(v[coll " " var[i]])
			printf "   (rounds:"
			for (i = 1; i <= n; i++) printf " %s[%s ]", var[i], v[coll " " var[i]]
			printf ")\n"
		}
		printf "   frames per walk (auto): %.1f\n", median(fr)
	}' "$T/res"
