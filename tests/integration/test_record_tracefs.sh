#!/usr/bin/env bash
# record on a machine where tracefs is not mounted: it mounts it, says so in
# one note, and records.
. "$(dirname "$0")/lib.sh"
need_root
TR=/sys/kernel/tracing
mountpoint -q "$TR" || skip "tracefs is not mounted at $TR: nothing to take away"
mountpoint -q /sys/kernel/debug/tracing 2>/dev/null && skip "tracefs is also under debugfs"
umount "$TR" 2>/dev/null || skip "tracefs at $TR is busy (cannot unmount it for the test)"
# whatever happens, leave the machine as it was
at_exit 'mountpoint -q "$TR" || mount -t tracefs tracefs "$TR"'

bg "$PROGS/hot" -d 5
hot=$!
sleep 0.2
"$PS" record -p "$hot" -d 1 -o "$T/a.pb.gz" 2>"$T/err" || fail "record without tracefs: $(cat "$T/err")"
grep -q '^peerscope: note: tracefs was not mounted: mounted it at /sys/kernel/tracing' "$T/err" ||
	fail "no note about mounting tracefs: $(cat "$T/err")"
mountpoint -q "$TR" || fail "tracefs is not mounted after record"
[ -s "$T/a.pb.gz" ] || fail "no recording"
# mounted now: no second note
"$PS" record -p "$hot" -d 1 -o "$T/b.pb.gz" 2>"$T/err2" || fail "record: $(cat "$T/err2")"
grep -q "note: tracefs" "$T/err2" && fail "a note about tracefs although it was mounted: $(cat "$T/err2")"
exit 0
