#!/usr/bin/env bash
# hashicorp/memberlist (Go; SWIM membership and gossip, the library under
# Serf and Consul), from Debian's source package, built offline with a small
# driver (memberlist-node.go): ten members in one process broadcast 100
# messages/s; the recorded member (its own process) joins them and
# broadcasts 1000/s.  The yardstick is Go's own pprof at 1 kHz (/cpuprofile).
. "$(dirname "$0")/lib.sh"
need_root
need_deb golang-go go
need_deb golang-github-hashicorp-memberlist-dev /usr/share/gocode/src/github.com/hashicorp/memberlist
SECS=${REAL_SECS:-10}
bin=$BUILD/real/memberlist-node
if [ ! -x "$bin" ] || [ "$REAL/memberlist-node.go" -nt "$bin" ]; then
	mkdir -p "$T/src" "$(dirname "$bin")"
	cp "$REAL/memberlist-node.go" "$T/src/main.go"
	# Go's own build cache (content-addressed, checked by go): a clean
	# clone then builds in seconds, not the ~25 s of building memberlist
	# and its imports from nothing; a private one only without a home
	cache=${GOCACHE:-$(go env GOCACHE 2>/dev/null)}
	case $cache in /*) ;; *) cache=$T/gocache ;; esac
	(cd "$T/src" && GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=$cache GOFLAGS= \
		go build -o "$bin" main.go) >"$T/build.log" 2>&1 ||
		skip "cannot build memberlist-node ($(tail -n 1 "$T/build.log"))"
fi
ns_start
ns_bg "$bin" -members 10 -port 7946 -rate 100 -secs $((SECS + 14)) >"$T/swarm.json" 2>"$T/swarm.log"
swarm=$!
wait_port 7955 || fail "memberlist swarm did not start ($(tail -n 1 "$T/swarm.log"))"
ns_bg "$bin" -members 1 -port 8000 -join 127.0.0.1:7946 -rate "${REAL_RATE:-1000}" -secs $((SECS + 8)) \
	-pprof 127.0.0.1:6061 >"$T/node.json" 2>"$T/node.log"
pid=$!
wait_port 6061 || fail "the recorded member did not start"
sleep 3
ns_check
RULES=${REAL_RULES:-memberlist}
assert_guess "$pid" memberlist short
# Both sides at about 1 kHz (Go's default 100 Hz gives 60 samples here: a
# share moves by 6 pp from sampling alone, more than the tolerance)
REAL_FREQ=${REAL_FREQ:-999} PPROF_QUERY="/cpuprofile?hz=1000&" \
	record_pair "$pid" "$SECS" "$RULES" pprof:http://127.0.0.1:6061
wait "$pid" 2>/dev/null
# done with the swarm once the member is (its padding is for a slow start)
kill -TERM $swarm 2>/dev/null
wait $swarm
say "member counters: $(cat "$T/node.json"); swarm: $(cat "$T/swarm.json")"
compare_shares "$RULES" full gossip other
# an idle Go runtime (sysmon, idle Ms, the netpoller) is not lock wait
assert_verdict "broadcast load" other full ! lock
assert_verdict "broadcast load" gossip full ! lock
assert_stacks full
real_finish
