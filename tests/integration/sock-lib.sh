# shellcheck shell=bash
# Helpers of the test_sock_*.sh tests (source after lib.sh): run a test
# program from tests/progs/net_*.c that waits for $T/go, record it with the
# sock collector until it exits, and read records and report JSON back.

need_sock() {
	need_root
	[ -x "$PS" ] || skip "no $PS (run make)"
	need_cmd jq
}

# A port of our own: other tests may use loopback ports too.
pick_port() { free_base 20; }

# rec OUT PROG ARGS...: PROG must wait for the file $T/go before its traffic.
# Records it (sock collector, $REC_OPTS added) until it exits.
rec() {
	local out=$1 pid rpid
	shift
	# the redirection below happens in the background child: a rec.err of
	# an earlier call saying "attached" must not be read meanwhile
	rm -f "$T/go" "$T/rec.err"
	"$@" >"$T/prog.out" &
	pid=$!
	BG_PIDS+=("$pid")
	# until the program runs with its libc mapped: attached in between
	# (the exec done, the dynamic loader not yet), record loaded no unwind
	# table for libc, and the stacks through write() came by frame pointers
	# only, without their callers (client_ping, server_echo) -- once in a
	# clean-clone run
	for _ in $(seq 200); do
		[ "$(readlink /proc/"$pid"/exe 2>/dev/null)" = "$(readlink -f "$1")" ] &&
			grep -q "/libc" /proc/"$pid"/maps 2>/dev/null && break
		sleep 0.01
	done
	# shellcheck disable=SC2086
	"$PS" record -v -p "$pid" -c sock -o "$out" ${REC_OPTS:-} 2>"$T/rec.err" &
	rpid=$!
	for _ in $(seq 100); do
		grep -q "attached" "$T/rec.err" && break
		sleep 0.1
	done
	grep -q "attached" "$T/rec.err" || fail "record did not attach: $(tail -2 "$T/rec.err")"
	touch "$T/go"
	wait "$pid" || fail "$1 failed"
	wait "$rpid" || fail "record failed: $(tail -3 "$T/rec.err")"
}

# net_json FILE -> the net section of the report as JSON on stdout.
net_json() {
	"$PS" report "$1" --net --json --top 0 | jq -e '.net' || fail "report --net --json of $1 has no net section"
}
