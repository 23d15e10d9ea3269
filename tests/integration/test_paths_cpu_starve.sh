#!/usr/bin/env bash
# --inject cpu-starve: pinned hogs on every CPU, the node's own threads at a
# lower priority (docs/testnet.md); every path of the node waits in the run
# queue, and the hogs -- the cause -- are named as such.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

# The rates set the margin.  A starved thread that mostly sleeps still gets a
# CPU within about one of the hogs' slices once woken, whatever its nice
# value (the scheduler credits the time it slept): ~0.3-0.8 ms a wake-up.
# So a path's run-queue load (threads waiting on average) is about its
# wake-ups/s times that, and a runq verdict needs >= 0.05 of it (0.10 on
# one path alone).  At the old 100 lookups/s and 30 gossip/s, dht and
# gossip waited 0.04-0.11: on the threshold, and below it whenever other
# jobs loaded the host ("0.05 threads busy, run queue 84 %": neither
# starved nor idle, so "none").  At 400/s and 150/s, over seven runs with
# and without two busy loops (and a fuzzer) besides: dht 0.19-0.35, gossip
# 0.20-0.41 threads waiting -- 3.8x the threshold or more, 1.9x the
# one-path one.
net_start --duration 12 --dht-rate 400 --gossip-rate 150 --inject cpu-starve --on-node 0
record_node 0 5
need_type cpu "on-CPU samples come from the cpu collector"
need_type runq "run-queue time comes from the offcpu/scheduler collector"
report_json
expect_verdict dht runq
case $(verdict dht text) in *"every path"*) ;; *) fail "dht: starvation not said to be on every path" ;; esac
for path in gossip bootstrap; do
	kind=$(verdict $path kind)
	note "$path: $(verdict $path text)"
	case $kind in runq | idle | absent) ;; *) fail "$path: '$kind' under cpu-starve: $(verdict $path text)" ;; esac
done
# the hogs run on the "other" path: CPU-bound, not starved
expect_verdict other cpu inject_cpu_hog
exit 0
