#!/usr/bin/env bash
# --inject cpu-starve: pinned hogs on every CPU, the node's own threads at a
# lower priority (docs/testnet.md); every path of the node waits in the run
# queue, and the hogs -- the cause -- are named as such.
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
	note "$path: $(verdict $path text)"
	case $kind in runq | idle | absent) ;; *) fail "$path: '$kind' under cpu-starve: $(verdict $path text)" ;; esac
done
# the hogs run on the "other" path: CPU-bound, not starved
expect_verdict other cpu inject_cpu_hog
exit 0
