#!/usr/bin/env bash
# A thread's CPU while it serves a socket takes the path of that socket's
# traffic (path_by socket), with known answers.  net_udp_paths in its
# event-loop form: one thread waits in poll(), receives a datagram in
# loop_recv, handles it in handle_msg (BURN_US of CPU), answers from
# dht_send_reply; then, after a poll() that finds nothing, runs tick_work
# (2 * BURN_US).  No rule matches handle_msg or tick_work.
# - rules `dht = ^dht_`: the sends make both sockets dht, so every
#   handle_msg sample is dht by its socket ("serving socket udp:PORT"), and
#   no tick_work sample is: the poll() before it ended the serving.
# - rules `dht = ^nomatch_`: no traffic is placed, so no socket has a path:
#   handle_msg stays in other.
# - the Paths section: dht's CPU holds handle_msg's, other's tick_work's
#   (equal CPU by construction), within sampling noise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
need_sock

COUNT=150 SIZE=64 BURN_US=3000
PORT=$(pick_port)
printf 'dht = ^dht_\n' >"$T/dht.rules"
printf 'dht = ^nomatch_\n' >"$T/none.rules"
REC_OPTS="-c sock,cpu -F 999 --rules $T/dht.rules"
rec "$T/serve.pb.gz" "$PROGS/net_udp_paths" "$T/go" "$PORT" $COUNT $SIZE $BURN_US

# placed RULES FUNC: "path/evidence=value ..." of the cpu samples whose stack has FUNC
placed() {
	"$PS" rules --explain "$T/serve.pb.gz" --rules "$1" -t cpu --top 100000 --json |
		jq -r --arg f "$2" '[.stacks[] | select(.stack | split(" < ") | index($f)) |
			{k: "\(.path)/\(.evidence)", v: .value}] | group_by(.k) |
			map("\(.[0].k)=\(map(.v) | add)") | join(" ")'
}
# matched RULES FUNC: the distinct "matched" details of FUNC's samples
matched() {
	"$PS" rules --explain "$T/serve.pb.gz" --rules "$1" -t cpu --top 100000 --json |
		jq -r --arg f "$2" '[.stacks[] | select(.stack | split(" < ") | index($f)) | .matched] |
			unique | join(",")'
}

got=$(placed "$T/dht.rules" handle_msg)
case $got in dht/socket=[0-9]*) ;; *) fail "dht rules: handle_msg placed '$got', want all dht/socket" ;; esac
[ "${got#*=}" -gt 0 ] || fail "dht rules: no handle_msg samples"
# a row of stacks that print alike names the socket of its first sample:
# one of the two, and which one depends on the samples' order
got=$(matched "$T/dht.rules" handle_msg)
echo "$got" | tr ',' '\n' | grep -qvxE "serving socket udp:($PORT|$((PORT + 1)))" &&
	fail "dht rules: handle_msg matched '$got', want 'serving socket udp:$PORT' or udp:$((PORT + 1))"
[ -n "$got" ] || fail "dht rules: handle_msg's rows say no socket"
got=$(placed "$T/dht.rules" tick_work)
case $got in other/none=[0-9]*) ;; *) fail "dht rules: tick_work placed '$got', want all other/none" ;; esac
got=$(placed "$T/none.rules" handle_msg)
case $got in other/none=[0-9]*) ;; *) fail "rules matching nothing: handle_msg placed '$got', want all other/none" ;; esac

# the Paths section: dht's CPU against other's, equal work by construction
"$PS" report "$T/serve.pb.gz" --rules "$T/dht.rules" --json --top 0 |
	python3 "$ROOT/tests/real/shares.py" >"$T/shares"
dht=$(awk '$1 == "dht" { print $2 }' "$T/shares")
awk -v d="${dht:-0}" 'BEGIN { exit !(d >= 0.40 && d <= 0.60) }' ||
	fail "dht's share of on-CPU is ${dht:-0}, want 0.40-0.60 (handle_msg's half): $(tr '\n' ' ' <"$T/shares")"
note "handle_msg's CPU is dht by the socket it serves (dht share $dht); tick_work after a poll stays other"
