#!/usr/bin/env bash
# --inject cpu-starve: one hog per CPU; every path of the node waits in the run queue.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

net_start --duration 12 --dht-rate 100 --gossip-rate 30 --inject cpu-starve --on-node 0
record_node 0 5
need_type cpu "on-CPU samples come from the cpu collector"
need_type runq "run-queue time comes from the offcpu/scheduler collector"
report_json
expect_verdict dht runq
case $(verdict dht text) in *"every path"*) ;; *) fail "dht: starvation not said to be on every path" ;; esac
for path in gossip bootstrap; do
	kind=$(verdict $path kind)
	case $kind in runq | idle | absent) ;; *) fail "$path: '$kind' under cpu-starve: $(verdict $path text)" ;; esac
done
exit 0
