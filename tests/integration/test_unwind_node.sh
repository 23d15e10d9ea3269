#!/usr/bin/env bash
# unwind: the test P2P node built without frame pointers (build/p2pnode-nofp)
# under load: >= 95 % of its on-CPU samples reach the thread root with the
# default unwinder (frame pointers alone: almost none do).
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$BUILD/p2pnet" ] && [ -x "$BUILD/p2pnode-nofp" ] || skip "needs $BUILD/p2pnet and p2pnode-nofp (make node)"

root_share() {
	awk '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s); split(s, f, ";"); t += n
	       if (f[1] == "_start" || f[1] == "clone3" || f[1] == "start_thread") r += n }
	     END { printf "%.1f", t ? 100 * r / t : 0 }' "$1"
}
total() { awk '{ t += $NF } END { print t + 0 }' "$1"; }

bg "$BUILD/p2pnet" --nodes 4 --duration 0 --dht-rate 300 --gossip-rate 40 --inject dht-cpu \
	--node-bin "$BUILD/p2pnode-nofp" --pids-file "$T/pids" --base-port "$(free_net_base)" --seed 9 >"$T/net.out" 2>&1
wait_file "$T/pids" 30 || fail "the network did not start"
pids=$(paste -sd, "$T/pids")

for mode in auto fp; do
	"$PS" record -p "$pids" -d 3 -c cpu -F 199 --unwind "$mode" -o "$T/$mode.pb.gz" 2>"$T/$mode.err" ||
		fail "record --unwind $mode failed: $(tail -n 2 "$T/$mode.err")"
	"$PS" flame "$T/$mode.pb.gz" --folded --no-kernel -t samples -o "$T/$mode.folded" 2>/dev/null ||
		fail "flame $mode failed"
done
share=$(root_share "$T/auto.folded")
fp_share=$(root_share "$T/fp.folded")
note "p2pnode-nofp: $share % of $(total "$T/auto.folded") samples reach the root (auto), $fp_share % of $(total "$T/fp.folded") (fp)"
[ "$(total "$T/auto.folded")" -ge 30 ] || fail "only $(total "$T/auto.folded") samples"
assert_between "$share" 95 100 "share of p2pnode-nofp samples reaching the thread root"
grep -q 'clone3;start_thread;dht_worker_main;' "$T/auto.folded" || fail "no dht_worker_main stack"
exit 0
