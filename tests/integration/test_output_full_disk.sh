#!/usr/bin/env bash
# A full disk (a 64 KiB tmpfs, filled) under -o: record and flame fail
# with one line on stderr and exit 1, and leave nothing behind: no file
# under the final name, no temporary file.  record's line says how many
# samples are lost; with a second -o the recording is written there
# instead (still exit 1: the first -o failed) and nothing is lost.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PS" ] || skip "no $PS (run make)"
mkdir -p "$T/small"
mount -t tmpfs -o size=64k tmpfs "$T/small" || skip "cannot mount a tmpfs"
at_exit 'umount "$T/small" 2>/dev/null'
dd if=/dev/zero of="$T/small/fill" bs=4k 2>/dev/null	# until ENOSPC

# fails WHAT CMD...: CMD exits 1 with a one-line error naming the disk
fails() {
	local what=$1 rc
	shift
	"$@" >/dev/null 2>"$T/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$what on a full disk: exit $rc, want 1 ($(tail -1 "$T/err"))"
	grep -q "No space left on device" "$T/err" || fail "$what: error does not say the disk is full: $(cat "$T/err")"
	[ "$(grep -c '^peerscope: .*No space' "$T/err")" = 1 ] || fail "$what: not one line: $(cat "$T/err")"
	note "$what: $(grep 'No space' "$T/err")"
}

fails "flame -o" "$PS" flame "$ROOT/tests/fixtures/v1/dhtcpu.pb.gz" -o "$T/small/flame.svg"
bg "$PROGS/hot" -d 30
hot=$!
fails "record -o" "$PS" record -p $hot -d 1 -o "$T/small/rec.pb.gz"
grep -q "No space left on device: [1-9][0-9]* samples of [0-9.]* s are lost" "$T/err" ||
	fail "record's error does not say what is lost: $(cat "$T/err")"
fails "record -o FULL -o OK" "$PS" record -p $hot -d 1 -o "$T/small/rec.pb.gz" -o "$T/kept.pb.gz"
grep -q "the recording went to the second -o, $T/kept.pb.gz" "$T/err" ||
	fail "record does not say where the recording went: $(cat "$T/err")"
n=$(grep "^peerscope: wrote $T/kept.pb.gz: " "$T/err" | sed 's/.*: \([0-9]*\) samples.*/\1/')
[ "${n:-0}" -gt 0 ] || fail "no samples written to the second -o: $(cat "$T/err")"
"$PS" report "$T/kept.pb.gz" 2>&1 | grep -q hot_a || fail "the second -o's recording does not name hot_a"
note "second -o: $n samples kept"
left=$(ls -A "$T/small" | grep -vx fill)
[ -z "$left" ] || fail "left on the full disk: $left"
exit 0
