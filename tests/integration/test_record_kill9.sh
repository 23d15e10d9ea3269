#!/usr/bin/env bash
# kill -9 of record at any moment -- while loading, while attaching, while
# recording, while stopping and writing -- leaves no BPF program, map or
# link of peerscope in the kernel: nothing is pinned, every attachment is a
# file descriptor of the process.  Counted with bpftool: objects newer
# than the test (id above the highest before it) whose names are
# peerscope's (learnt from a normal run) must be gone within 5 s.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd bpftool
need_cmd python3
[ -x "$PS" ] || skip "no $PS (run make)"

# ids KIND: "id name" of every KIND (prog, map, link; a link by its program's name)
ids() {
	bpftool prog list -j >"$T/progs.json" 2>/dev/null
	bpftool "$1" list -j 2>/dev/null | python3 -c '
import json, sys
progs = {p["id"]: p.get("name", "") for p in json.load(open(sys.argv[1])) or []}
for o in json.load(sys.stdin) or []:
    print(o["id"], o.get("name") or progs.get(o.get("prog_id"), "?") or "?")' "$T/progs.json"
}
max_id() { ids "$1" | awk 'BEGIN { m = 0 } $1 > m { m = $1 } END { print m }'; }

sleep 600 &
BG_PIDS+=($!)
target=$!
declare -A base
for k in prog map link; do base[$k]=$(max_id $k); done

# peerscope's own names: what a normal run has loaded once it records
# (-d 30, stopped by SIGINT once the objects are listed: a -d 3 could end
# before the listing on a loaded host)
"$PS" record -p $target -d 30 -o "$T/ok.pb.gz" --progress 2>"$T/ok.err" &
rec=$!
for _ in $(seq 200); do grep -q "recording [0-9]* process" "$T/ok.err" && break; sleep 0.05; done
grep -q "recording [0-9]* process" "$T/ok.err" || fail "record did not start: $(tail -2 "$T/ok.err")"
for k in prog map; do
	ids $k | awk -v b="${base[$k]}" '$1 > b { print $2 }' >>"$T/names"
done
for k in prog map link; do ids $k | awk -v b="${base[$k]}" '$1 > b { print $1 }' >"$T/$k.seen"; done
# the names are known once it records: stop it (SIGINT writes and exits 0)
kill -INT $rec
wait $rec || fail "record failed: $(tail -2 "$T/ok.err")"
sort -u -o "$T/names" "$T/names"
[ "$(wc -l <"$T/prog.seen")" -gt 0 ] || skip "record loaded no BPF program"
note "peerscope objects while recording: $(wc -l <"$T/prog.seen") programs, $(wc -l <"$T/map.seen") maps, $(wc -l <"$T/link.seen") links"

# leftovers: peerscope-named programs, maps and links newer than the test
leftovers() {
	local k
	for k in prog map link; do
		ids $k | awk -v b="${base[$k]}" '$1 > b { print $2 }' | grep -Fxf "$T/names" | sed "s/^/$k /"
	done
}

# kill9 WHAT WHEN: start record, act per WHEN, kill -9, check nothing is left
kill9() {
	local what=$1 when=$2 rec left
	: >"$T/rec.err"
	"$PS" record -p $target -d 30 -o "$T/rec.pb.gz" --progress 2>"$T/rec.err" &
	rec=$!
	case $when in
	recording)
		for _ in $(seq 200); do grep -q "recording [0-9]* process" "$T/rec.err" && break; sleep 0.05; done
		sleep 0.5
		# the check does see peerscope's objects while they exist
		[ -n "$(leftovers)" ] || fail "no peerscope object seen while recording" ;;
	stopping)
		for _ in $(seq 200); do grep -q "recording [0-9]* process" "$T/rec.err" && break; sleep 0.05; done
		kill -INT $rec
		sleep 0.01 ;;
	*)	sleep "$when" ;;
	esac
	kill -9 $rec 2>/dev/null
	wait $rec 2>/dev/null
	for _ in $(seq 50); do
		left=$(leftovers)
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] || fail "kill -9 $what left in the kernel: $(echo $left | head -c 300)"
	note "kill -9 $what: nothing left"
}

kill9 "at start" 0.02
kill9 "while loading" 0.1
kill9 "while loading/attaching" 0.25
kill9 "while attaching" 0.4
kill9 "while recording" recording
kill9 "while stopping and writing" stopping
exit 0
