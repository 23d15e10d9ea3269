#!/usr/bin/env bash
# A 10-node network works (lookups succeed, gossip reaches >= 99 % of nodes,
# everyone bootstraps), bad input is refused, and no node outlives p2pnet:
# not on a normal exit, on SIGTERM, when a node crashes, or when p2pnet is killed.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/node/testlib.sh"
need_p2pnet
PORT=$(free_net_base) || exit 1

"$P2PNET" --help >/dev/null || fail "p2pnet --help did not exit 0"
"$BUILD/p2pnode" --help >/dev/null || fail "p2pnode --help did not exit 0"
"$P2PNET" --nodes 0 2>/dev/null; [ $? -eq 2 ] || fail "p2pnet --nodes 0 did not exit 2"
"$P2PNET" --nodes 3 --inject nope 2>/dev/null; [ $? -eq 2 ] || fail "p2pnet --inject nope did not exit 2"
"$P2PNET" --nodes 3 --on-node 5 --inject dht-cpu 2>/dev/null; [ $? -eq 2 ] || fail "p2pnet --on-node 5 of 3 did not exit 2"
"$BUILD/p2pnode" --bind 8.8.8.8 </dev/null 2>/dev/null; [ $? -eq 2 ] || fail "p2pnode accepted a non-local --bind"
msg=$("$P2PNET" --nodes x 2>&1); case $msg in "p2pnet: --nodes: "*) ;; *) fail "bad error message: $msg" ;; esac

# 1. a clean 10-node run
run_net clean --nodes 10 --duration 4 --dht-rate 30 --gossip-rate 10 --base-port $PORT --pids-file "$T/pids"
[ "$(wc -l <"$T/pids")" -eq 10 ] || fail "pids file does not hold 10 pids"
assert_no_orphans "$T/pids" "after a normal exit"
lookups=$(jget clean "j['dht']['lookups']")
assert_gt "$lookups" 50 "DHT lookups issued"
assert_between "$(jget clean "j['dht']['success_ratio']")" 0.95 1 "DHT lookup success ratio"
assert_between "$(jget clean "j['gossip']['delivery_ratio']")" 0.99 1 "gossip delivery ratio"
assert_gt "$(jget clean "j['gossip']['published']")" 20 "gossip messages published"
[ "$(jget clean "sum(n['ready'] for n in j['per_node'])")" = 10 ] || fail "not every node bootstrapped"
[ "$(jget clean "len(j['per_node'])")" = 10 ] || fail "per_node does not list 10 nodes"
[ "$(jget clean "len(j['errors'])")" = 0 ] || fail "errors reported: $(jget clean "j['errors']")"
assert_gt "$(jget clean "min(n['dht']['rx_bytes'] for n in j['per_node'])")" 0 "DHT bytes received by every node"
assert_gt "$(jget clean "min(n['gossip']['rx_msgs'] for n in j['per_node'])")" 0 "gossip messages received by every node"
grep -q '^dht lookups' "$T/clean.out" || fail "no human summary on stdout"

# 2. --duration 0 runs until SIGTERM, then stops cleanly and still reports
"$P2PNET" --nodes 5 --duration 0 --dht-rate 10 --base-port $PORT --pids-file "$T/pids2" \
	--json "$T/term.json" >"$T/term.out" 2>&1 &
drv=$!
wait_file "$T/pids2" 20 || { kill -9 $drv; fail "no pids file within 20 s"; }
sleep 1
kill -TERM $drv
wait $drv
rc=$?
[ $rc -eq 0 ] || fail "p2pnet exited $rc on SIGTERM: $(tail -n 1 "$T/term.out")"
[ -s "$T/term.json" ] || fail "no JSON after SIGTERM"
assert_no_orphans "$T/pids2" "after SIGTERM"

# 3. a node crashing makes p2pnet fail, and take the rest down
"$P2PNET" --nodes 5 --duration 0 --base-port $PORT --pids-file "$T/pids3" >"$T/crash.out" 2>&1 &
drv=$!
wait_file "$T/pids3" 20 || { kill -9 $drv; fail "no pids file within 20 s"; }
kill -9 "$(sed -n 3p "$T/pids3")"
wait $drv
rc=$?
[ $rc -eq 1 ] || fail "p2pnet exited $rc, not 1, when node 2 was killed"
grep -q "p2pnet: node 2 (pid [0-9]*) killed by signal 9" "$T/crash.out" || fail "no message naming the dead node"
assert_no_orphans "$T/pids3" "after a node crash"

# 4. killing p2pnet outright: PR_SET_PDEATHSIG takes the nodes down with it
"$P2PNET" --nodes 5 --duration 0 --base-port $PORT --pids-file "$T/pids4" >/dev/null 2>&1 &
drv=$!
wait_file "$T/pids4" 20 || { kill -9 $drv; fail "no pids file within 20 s"; }
kill -9 $drv
wait $drv 2>/dev/null
wait_gone "$T/pids4" 5 || fail "nodes survived SIGKILL of p2pnet"
exit 0
