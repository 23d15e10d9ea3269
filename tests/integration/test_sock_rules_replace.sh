#!/usr/bin/env bash
# The Network section places socket records again with report --rules, with
# known answers.  Recorded with rules that put port P in the path "old":
# - net_echo on P: 200 lock-step round trips of 100 bytes, so the client and
#   the server each send 20,000 bytes (40,000 on P in all);
# - net_refused to P+1: 5 blocking and 5 non-blocking refused connects.
# Plain report: the TCP traffic, both connections and the 10 failed connects
# are on "old", as recorded.  report --rules NEW (port P and P+1 in "new",
# nothing in "old"): all of it is on "new" and nothing is left on "old" --
# the client side by the peer's port, the server side by its own.  A rules
# file without a port line puts it all in "other".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
need_sock

PORT=$(pick_port)
printf 'port old = tcp:%s-%s\n' "$PORT" "$((PORT + 1))" >"$T/old.rules"
printf 'port new = tcp:%s-%s\n' "$PORT" "$((PORT + 1))" >"$T/new.rules"
printf 'dht = ^dht_\n' >"$T/none.rules"
REC_OPTS="--rules $T/old.rules"
rec "$T/echo.pb.gz" "$PROGS/net_echo" "$T/go" "$PORT" 200 100
rec "$T/refused.pb.gz" "$PROGS/net_refused" "$T/go" "$((PORT + 1))" 5 5 200

# tcp_on FILE PATH [report options]: "tx conns" of the echo's traffic on PATH
tcp_on() {
	local f=$1 path=$2
	shift 2
	"$PS" report "$f" --net --json --top 0 "$@" | jq -r --arg p "$path" '
		([.net.paths[] | select(.path == $p and .proto == "tcp") | .tx_bytes] | add // 0 | tostring) + " " +
		([.net.tcp.top[] | select(.path == $p)] | length | tostring)'
}

# refused_on FILE PATH [report options]: failed connects on PATH
refused_on() {
	local f=$1 path=$2
	shift 2
	"$PS" report "$f" --net --json --top 0 "$@" | jq -r --arg p "$path" '
		[.net.events[] | select(.path == $p and .event == "connect_error") | .count] | add // 0'
}

got=$(tcp_on "$T/echo.pb.gz" old)
[ "$got" = "40000 2" ] || fail "as recorded: tcp on old is '$got', want '40000 2' (bytes, connections)"
got=$(refused_on "$T/refused.pb.gz" old)
[ "$got" = 10 ] || fail "as recorded: $got failed connects on old, want 10"

got=$(tcp_on "$T/echo.pb.gz" new --rules "$T/new.rules")
[ "$got" = "40000 2" ] || fail "--rules new: tcp on new is '$got', want '40000 2'"
got=$(tcp_on "$T/echo.pb.gz" old --rules "$T/new.rules")
[ "$got" = "0 0" ] || fail "--rules new: tcp left on old is '$got', want '0 0'"
got=$(refused_on "$T/refused.pb.gz" new --rules "$T/new.rules")
[ "$got" = 10 ] || fail "--rules new: $got failed connects on new, want 10"
got=$(refused_on "$T/refused.pb.gz" old --rules "$T/new.rules")
[ "$got" = 0 ] || fail "--rules new: $got failed connects left on old, want 0"

got=$(tcp_on "$T/echo.pb.gz" other --rules "$T/none.rules")
[ "$got" = "40000 2" ] || fail "rules without port lines: tcp on other is '$got', want '40000 2'"
got=$(refused_on "$T/refused.pb.gz" other --rules "$T/none.rules")
[ "$got" = 10 ] || fail "rules without port lines: $got failed connects on other, want 10"
note "40,000 bytes, 2 connections and 10 failed connects follow --rules: old -> new -> other"
