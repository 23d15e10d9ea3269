#!/usr/bin/env bash
# A full disk (a 64 KiB tmpfs, filled) under -o: record and flame fail
# with one line on stderr and exit 1, and leave nothing behind: no file
# under the final name, no temporary file.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PS" ] || skip "no $PS (run make)"
mkdir -p "$T/small"
mount -t tmpfs -o size=64k tmpfs "$T/small" || skip "cannot mount a tmpfs"
trap 'umount "$T/small" 2>/dev/null; cleanup' EXIT
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
sleep 30 &
BG_PIDS+=($!)
fails "record -o" "$PS" record -p $! -d 1 -o "$T/small/rec.pb.gz"
left=$(ls -A "$T/small" | grep -vx fill)
[ -z "$left" ] || fail "left on the full disk: $left"
exit 0
