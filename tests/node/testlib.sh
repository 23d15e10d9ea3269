# shellcheck shell=bash
# Helpers for tests/integration/test_p2pnet_*.sh; source after lib.sh.
# Each script uses its own --base-port so that scripts never share ports.

P2PNET=$BUILD/p2pnet

need_p2pnet() {
	[ -x "$P2PNET" ] && [ -x "$BUILD/p2pnode" ] || skip "no $P2PNET (build it: make node)"
	need_cmd python3
}

# run_net NAME ARGS...: p2pnet ARGS --json $T/NAME.json; fail if it fails.
run_net() {
	local name=$1 rc
	shift
	"$P2PNET" "$@" --json "$T/$name.json" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	[ $rc -eq 0 ] || fail "p2pnet $* exited $rc: $(tail -n 1 "$T/$name.err")"
}

# jget NAME EXPR: evaluate a python expression over $T/NAME.json (as j).
jget() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$T/$1.json" "$2"
}

assert_gt() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }' || fail "$3: $1 is not above $2"
}

# No process from the pids file may still be a p2pnode (pids can be reused).
assert_no_orphans() {
	local pid left=""
	for pid in $(cat "$1"); do
		if [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = p2pnode ]; then
			left="$left $pid"
		fi
	done
	[ -z "$left" ] || fail "$2: p2pnode processes left behind:$left"
}

# wait_gone PIDFILE SECONDS: until no node of the file is alive.
wait_gone() {
	local i=0
	while [ $i -lt $(($2 * 10)) ]; do
		local alive=0 pid
		for pid in $(cat "$1"); do
			[ "$(cat /proc/"$pid"/comm 2>/dev/null)" = p2pnode ] && alive=1
		done
		[ $alive -eq 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
