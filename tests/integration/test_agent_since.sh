#!/usr/bin/env bash
# report, flame and rules --explain read an agent directory as one
# recording: its windows merged, or with --since only those that started in
# the last DURATION.  Known answers: flame --folded of DIR totals the sum of
# every window's totals; a window renamed to a start years ago is in DIR's
# total and left out by --since 1h; --since on a plain file, a directory
# with no window, and a --since that keeps none are each one line and exit
# non-zero.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PS" ] || skip "no $PS (run make)"

bg "$PROGS/hot" -d 60
hot=${BG_PIDS[-1]}
sleep 0.3
"$PS" agent -p "$hot" -c cpu -F 99 --dir "$T/w" --window 1s 2>"$T/agent.err" &
AGENT=$!
BG_PIDS+=("$AGENT")
for _ in $(seq 100); do [ "$(ls "$T"/w/2*.pb.gz 2>/dev/null | wc -l)" -ge 3 ] && break; sleep 0.1; done
kill -TERM "$AGENT"
wait "$AGENT" || fail "agent exited non-zero: $(tail -2 "$T/agent.err")"
n=$(ls "$T"/w/2*.pb.gz | wc -l)
[ "$n" -ge 3 ] || fail "only $n windows written"

total() { awk '{s += $NF} END {printf "%.0f", s}'; }
sum=0
for f in "$T"/w/2*.pb.gz; do
	v=$("$PS" flame --folded --type cpu "$f" | total)
	sum=$((sum + v))
done
[ "$sum" -gt 0 ] || fail "the windows hold no cpu time"
all=$("$PS" flame --folded --type cpu "$T/w" 2>"$T/flame.err" | total)
[ "$all" = "$sum" ] || fail "flame DIR totals $all, the windows $sum: $(cat "$T/flame.err")"

# a window from years ago: in the whole directory, not in the last hour
first=$(ls "$T"/w/2*.pb.gz | head -1)
old=$("$PS" flame --folded --type cpu "$first" | total)
cp "$first" "$T/w/20200101T000000.000Z.pb.gz"
all=$("$PS" flame --folded --type cpu "$T/w" | total)
[ "$all" = $((sum + old)) ] || fail "flame DIR with the old window totals $all, want $((sum + old))"
recent=$("$PS" flame --folded --type cpu --since 1h "$T/w" | total)
[ "$recent" = "$sum" ] || fail "flame --since 1h totals $recent, want $sum (the old window left out)"
"$PS" report --since 1h --format json "$T/w" >"$T/r.json" 2>"$T/r.err" || fail "report --since 1h DIR failed: $(cat "$T/r.err")"
grep -q '"schema"' "$T/r.json" || fail "report --since gave no JSON report"
"$PS" rules --explain "$T/w" >/dev/null 2>"$T/x.err" || fail "rules --explain DIR failed: $(cat "$T/x.err")"

# bad input: one line each, non-zero exit
"$PS" report --since 1h "$first" >/dev/null 2>"$T/e1"; rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$T/e1")" = 1 ] || fail "--since on a file: exit $rc, $(cat "$T/e1")"
mkdir "$T/empty"
"$PS" report "$T/empty" >/dev/null 2>"$T/e2"; rc=$?
[ $rc = 1 ] && grep -q "holds no agent window" "$T/e2" || fail "empty directory: exit $rc, $(cat "$T/e2")"
# only the old window left
for f in "$T"/w/2*.pb.gz; do
	case $f in *20200101T*) ;; *) rm "$f" ;; esac
done
"$PS" report --since 1h "$T/w" >/dev/null 2>"$T/e3"; rc=$?
[ $rc = 1 ] && grep -q "no window of .* started in the last 3600 s" "$T/e3" || fail "--since keeping none: exit $rc, $(cat "$T/e3")"
"$PS" report --since 5x "$T/w" >/dev/null 2>"$T/e4"; rc=$?
[ $rc = 2 ] || fail "--since 5x: exit $rc"
note "$n windows, $sum ns of cpu merged"
exit 0
