#!/usr/bin/env bash
# offcpu on the test network (skips without build/p2pnet):
#  - gossip-lock on node 1: the off-CPU time of its gossip workers at work
#    is dominated by lock, and the mutex waits (__lll_lock_wait) grow well
#    over a clean run, woken by other gossip threads.  Idle workers waiting
#    on their condition variable are futex waits too, so they are left out.
#  - cpu-starve on node 1: its run-queue delay rises over clean.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/node/testlib.sh"
need_root
need_p2pnet
[ -x "$PPROF" ] || skip "needs Go pprof (make deps)"
ARGS="--nodes 4 --duration 0 --dht-rate 5 --gossip-rate 200 --base-port $(free_net_base)"

# record NAME [p2pnet args...]: record node 1 of a fresh network for 3 s
record() {
	local name=$1 net
	shift
	rm -f "$T/pids"
	"$P2PNET" $ARGS --pids-file "$T/pids" "$@" >"$T/$name.net" 2>&1 &
	net=$!
	wait_file "$T/pids" 20 || { kill $net; fail "$name: the network did not start"; }
	"$PS" record -p "$(sed -n 2p "$T/pids")" -d 3 -o "$T/$name.pb.gz" 2>"$T/$name.err" ||
		{ kill $net; fail "$name: record failed: $(tail -n 1 "$T/$name.err")"; }
	kill -INT $net
	wait $net
	wait_gone "$T/pids" 10 || fail "$name: nodes left behind"
}

record clean
record lock --inject gossip-lock --on-node 1
record starve --inject cpu-starve --on-node 1

F=$T/lock.pb.gz
# the gossip workers' off-CPU time at work, by reason (percent): their idle
# waits for a frame (workq_pop's condition variable, a futex too) left out,
# as are the mesh thread's heartbeat sleeps
"$PPROF" -tags -sample_index=offcpu -tagfocus='thread=^gossip-[0-9]+$' -ignore='^workq_pop$' "$F" \
	2>/dev/null | awk '/^ *reason:/ { on = 1; next } /^ *[a-z_]+: Total/ { on = 0 }
		on && match($0, /\( *[0-9.]+%\)/) {
			p = substr($0, RSTART + 1, RLENGTH - 3); gsub(/ /, "", p); print $NF, p }' >"$T/reasons"
share() { awk -v r="$1" '$1 == r { v = $2 } END { print v + 0 }' "$T/reasons"; }
lock=$(share lock)
mutex=$(pp_ms -sample_index=offcpu -focus='^__lll_lock_wait$' -tagfocus=reason=lock "$F")
clean_mutex=$(pp_ms -sample_index=offcpu -focus='^__lll_lock_wait$' -tagfocus=reason=lock "$T/clean.pb.gz")
by_gossip=$(pp_ms -sample_index=offcpu -focus='^__lll_lock_wait$' -tagfocus=reason=lock -tagfocus=waker=gossip "$F")
note "gossip-lock: gossip workers' off-CPU at work by reason (%): $(tr '\n' ' ' <"$T/reasons"); mutex waits ${mutex} ms (clean ${clean_mutex} ms), ${by_gossip} ms of them woken by a gossip thread"
# At 200 messages/s the lock is saturated: while one worker holds it (0.3 ms
# busy, 1.7 ms asleep: timer), the other two wait on it.
assert_between "$lock" 60 100.01 "gossip-lock: lock share of the gossip workers' off-CPU time at work (%)"
for r in net timer io fault runq other; do
	assert_gt "$lock" "$(awk -v v="$(share $r)" 'BEGIN { print 1.5 * v }')" \
		"gossip-lock: lock share vs 1.5 x $r share (%)"
done
assert_gt "$mutex" "$(awk -v c="$clean_mutex" 'BEGIN { print 2 * c + 50 }')" \
	"gossip-lock: mutex wait (ms) vs twice clean + 50"
assert_between "$(awk -v a="$by_gossip" -v b="$mutex" 'BEGIN { print b ? 100 * a / b : 0 }')" 80 100.01 \
	"gossip-lock: share of the mutex wait woken by a gossip thread (%)"

rq_clean=$(pp_ms -sample_index=runq "$T/clean.pb.gz")
rq_starve=$(pp_ms -sample_index=runq "$T/starve.pb.gz")
rq_others=$(pp_ms -sample_index=runq -tagignore=thread=cpu-hog "$T/starve.pb.gz")
note "cpu-starve: node run-queue delay ${rq_starve} ms (${rq_others} ms outside the hogs) vs clean ${rq_clean} ms"
# the node's threads, hogs included, wait for CPUs; threads that mostly
# sleep get a woken task's head start from the scheduler, so how much more
# they wait depends on the machine's other load: only reported
assert_gt "$rq_starve" "$(awk -v c="$rq_clean" 'BEGIN { print 1.5 * c + 50 }')" \
	"cpu-starve: run-queue delay (ms) vs 1.5 x clean + 50"
exit 0
