#!/usr/bin/env bash
# Output files (-o of record, flame, diff, stat) are written to a fresh
# file of peerscope's own and renamed into place: a symlink pre-created at
# the output path is replaced, never followed (its target keeps its
# content); a file there (even a hard link to another) is replaced, never
# truncated; the new file has the user's umask; nothing is left behind.
. "$(dirname "$0")/lib.sh"
[ -x "$PS" ] || skip "no $PS (run make)"
FIX=$ROOT/tests/fixtures/v1

# plant NAME: $T/NAME a symlink to $T/NAME.victim, which holds "precious"
plant() {
	echo precious >"$T/$1.victim"
	ln -s "$T/$1.victim" "$T/$1"
}
# check NAME WHAT: the victim is untouched, NAME is now a regular non-empty file
check() {
	[ "$(cat "$T/$1.victim")" = precious ] || fail "$2 wrote through the symlink at $1"
	[ -f "$T/$1" ] && [ ! -L "$T/$1" ] && [ -s "$T/$1" ] || fail "$2: $1 is not the new output"
}

plant flame.svg
"$PS" flame "$FIX/dhtcpu.pb.gz" -o "$T/flame.svg" 2>"$T/err" || fail "flame: $(cat "$T/err")"
check flame.svg "flame -o"
grep -q '<svg' "$T/flame.svg" || fail "flame -o: not an SVG"

plant diff.txt
"$PS" diff "$FIX/dhtcpu.pb.gz" "$FIX/gossiplock.pb.gz" -o "$T/diff.txt" 2>"$T/err"
[ $? -le 4 ] || fail "diff: $(cat "$T/err")"
check diff.txt "diff -o"

# a hard link to another file at the output path: replaced, not truncated
echo precious >"$T/linked.victim"
ln "$T/linked.victim" "$T/linked.svg"
"$PS" flame "$FIX/dhtcpu.pb.gz" -o "$T/linked.svg" 2>"$T/err" || fail "flame: $(cat "$T/err")"
[ "$(cat "$T/linked.victim")" = precious ] || fail "flame -o truncated a file it did not create"

# the user's umask decides the mode
(umask 077 && "$PS" flame "$FIX/dhtcpu.pb.gz" -o "$T/private.svg") 2>"$T/err" || fail "flame: $(cat "$T/err")"
[ "$(stat -c %a "$T/private.svg")" = 600 ] || fail "umask 077 gave mode $(stat -c %a "$T/private.svg")"
(umask 022 && "$PS" flame "$FIX/dhtcpu.pb.gz" -o "$T/public.svg") 2>"$T/err" || fail "flame: $(cat "$T/err")"
[ "$(stat -c %a "$T/public.svg")" = 644 ] || fail "umask 022 gave mode $(stat -c %a "$T/public.svg")"

if [ "$(id -u)" = 0 ]; then
	sleep 30 &
	BG_PIDS+=($!)
	plant rec.pb.gz
	"$PS" record -p $! -d 1 -o "$T/rec.pb.gz" 2>"$T/err" || fail "record: $(tail -2 "$T/err")"
	check rec.pb.gz "record -o"
	"$PS" report "$T/rec.pb.gz" >/dev/null 2>&1 || fail "record -o: the output does not read back"
	plant stat.txt
	"$PS" stat -e task-clock -o "$T/stat.txt" -- true 2>"$T/err" || fail "stat: $(cat "$T/err")"
	check stat.txt "stat -o"
else
	note "not root: record and stat not tried"
fi

leftover=$(find "$T" -name '*.tmp' | head -3)
[ -z "$leftover" ] || fail "temporary files left: $leftover"
exit 0
