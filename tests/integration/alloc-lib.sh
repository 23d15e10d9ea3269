# shellcheck shell=bash
# Helpers of the test_alloc_*.sh tests (source after lib.sh).

need_alloc() {
	need_root
	[ -x "$PS" ] || skip "no $PS (run make)"
	[ -x "$PROGS/alloc_known" ] || skip "no $PROGS/alloc_known (run make)"
	need_cmd python3
}

# alloc_run MODE-ARGS -- RECORD-OPTIONS: starts alloc_known, records it for
# $DUR seconds (default 4) with the options, signals it to start once
# record is attached; the recording is $T/rec.pb.gz.
alloc_run() {
	local args=() pid rec
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	"$PROGS/alloc_known" "${args[@]}" >"$T/prog.out" &
	pid=$!
	BG_PIDS+=("$pid")
	wait_file "$T/prog.out" 10 || fail "alloc_known did not start"
	"$PS" record -p "$pid" -d "${DUR:-4}" -o "$T/rec.pb.gz" --progress "$@" 2>"$T/record.err" &
	rec=$!
	for _ in $(seq 200); do
		grep -q "recording" "$T/record.err" && break
		sleep 0.1
	done
	grep -q "recording" "$T/record.err" || fail "record did not attach: $(tail -3 "$T/record.err")"
	kill -USR1 "$pid"
	wait "$rec" || fail "record failed: $(tail -3 "$T/record.err")"
	"$PS" report "$T/rec.pb.gz" --json --top 1000 >"$T/report.json" ||
		fail "report failed"
}

# mem_func NAME FIELD: a field of function NAME in the memory section (0 if absent)
mem_func() {
	python3 - "$T/report.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])).get("memory", {})
for f in d.get("functions", []):
    if f["name"] == sys.argv[2]:
        print(f[sys.argv[3]]); break
else:
    print(0)
PY
}

# two_loops: starts two alloc_known loops (malloc/free until killed), their
# pids in A and B; the tests where one of two targets exits
two_loops() {
	"$PROGS/alloc_known" loop >"$T/a.out" &
	A=$!
	BG_PIDS+=("$A")
	"$PROGS/alloc_known" loop >"$T/b.out" &
	B=$!
	BG_PIDS+=("$B")
}
