#!/usr/bin/env bash
# peerscope rules: list, show, check (good and bad files), exit codes.
. "$(dirname "$0")/lib.sh"
[ -x "$PS" ] || skip "no $PS (run make)"

"$PS" rules --list >"$T/list" || fail "rules --list failed"
for s in p2pnode rust-libp2p go-libp2p js-libp2p libtorrent toxcore default; do
	grep -q "^$s " "$T/list" || fail "rules --list lacks $s"
	"$PS" rules --show "$s" >"$T/$s.rules" || fail "rules --show $s failed"
	# what --show prints is a valid rules file
	"$PS" rules --check "$T/$s.rules" >/dev/null || fail "rules --show $s does not --check"
done
grep -q "usdt:p2pnode:dht_lookup_start:dht_lookup_done" "$T/p2pnode.rules" ||
	fail "p2pnode rules lack the dht span"

cat >"$T/good.rules" <<'R'
# my node
path relay
relay = circuit_relay|hop_
dht = kad|find_node
bootstrap outermost = bootstrap
span relay uprobe:relay_reserve
port dht = udp:4000-4100
idle = wait_for_work
R
out=$("$PS" rules --check "$T/good.rules") || fail "good rules rejected"
case $out in *"5 paths"*"1 span rules"*) ;; *) fail "rules --check said: $out" ;; esac

printf 'dht = kad\nspan dht kprobe:foo\n' >"$T/bad.rules"
"$PS" rules --check "$T/bad.rules" 2>"$T/err"
[ $? = 1 ] || fail "bad rules file not exit 1"
grep -q "line 2" "$T/err" || fail "bad rules error lacks the line: $(cat "$T/err")"
"$PS" rules --bogus 2>/dev/null
[ $? = 2 ] || fail "bad option not exit 2"
"$PS" rules --show nonexistent-set 2>/dev/null
[ $? = 1 ] || fail "unknown set not exit 1"
exit 0
