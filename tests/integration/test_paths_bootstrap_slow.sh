#!/usr/bin/env bash
# --inject bootstrap-slow on the seed: a joiner's bootstrap path waits on
# the network (recv in conn_dial under bootstrap_dial_seed).
#
# A node bootstraps as it starts, before p2pnet used to name its pid:
# --start-gate holds every node before its bootstrap until the recording
# of the joiner is attached (docs/testnet.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net

net_start_gated --duration 2 --inject bootstrap-slow --on-node 0
# the joiner has not bootstrapped yet: no bootstrap thread
! grep -qx bootstrap /proc/"$(node_pid 1)"/task/*/comm 2>/dev/null ||
	fail "node 1 bootstraps before the gate opens"
record_gated 1 60 --rules p2pnode
net_wait
report_json

# exactly one bootstrap, timed as long as p2pnet saw it take
ops=$(python3 -c "import json; d=json.load(open('$T/report.json'))
print(next((p['operations'] or {}).get('count', 0) for p in d['paths']['paths'] if p['name']=='bootstrap'))" 2>/dev/null)
[ "${ops:-0}" = 1 ] || fail "bootstrap operations timed: '${ops:-0}', want 1 (span missed the start?)"
p50=$(python3 -c "import json; d=json.load(open('$T/report.json'))
print(next(p['latency_ns']['p50'] for p in d['paths']['paths'] if p['name']=='bootstrap'))")
theirs=$(python3 -c "import json; print(round(json.load(open('$T/net.json'))['per_node'][1]['bootstrap_ms'] * 1e6))")
note "bootstrap of node 1: p2pnet $theirs ns, span $p50 ns"
# 250 ms late, less the histogram's bucket error (docs/rules.md: < 6.25 %)
assert_between "$p50" 234000000 5000000000 "bootstrap p50 (ns) with a 250 ms late seed"
assert_between "$p50" "$((theirs * 15 / 16))" "$((theirs * 17 / 16))" "bootstrap p50 (ns) vs p2pnet's $theirs"
need_type offcpu "network waits come from the offcpu collector"
# (the culprit is often just `recv`: a libc leaf without a frame pointer hides its caller)
expect_verdict bootstrap net
case $(verdict bootstrap text) in *"network wait"*) ;; *) fail "bootstrap: verdict does not say network wait" ;; esac
exit 0
