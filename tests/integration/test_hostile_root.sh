#!/usr/bin/env bash
# A target's files are read through its own root, never out of it: a
# process in a chroot whose binary's path, as peerscope sees it, is a
# symlink to a host file.  Two builds of one program, identical but for the
# hot function's name: the chroot runs chroot_spin; the host copy (the
# symlink's target) names it host_secret_spin.  Following the symlink out
# of the chroot would name the frames host_secret_spin.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PS" ] || skip "no $PS (run make)"
need_cmd gcc
need_cmd chroot

cat >"$T/spin.c" <<'C'
#include <unistd.h>
volatile unsigned long sink;
__attribute__((noinline)) void SPIN(void)
{
	for (unsigned long i = 0; i < 100000000UL; i++)
		sink += i;
}
int main(void)
{
	for (;;)
		SPIN();
}
C
build() { gcc -O1 -g -static -fno-omit-frame-pointer -DSPIN="$1" -o "$2" "$T/spin.c"; }
mkdir -p "$T/root" "$T/host"
build chroot_spin_____ "$T/root/spin" || skip "no static libc to build a chroot target"
build host_secret_spin "$T/host/spin"
# same length names: the same layout, so addresses mean the same in both
[ "$(nm "$T/root/spin" | awk '/chroot_spin_____/ { print $1 }')" = \
  "$(nm "$T/host/spin" | awk '/host_secret_spin/ { print $1 }')" ] ||
	skip "the two builds differ in layout"

# Seen from the host, the chroot's binary is $T/root/spin; peerscope opens
# that path inside the target's root, where the target put a symlink to
# the host copy (absolute: resolved from the host's root if followed).
mkdir -p "$T/root$T/root"
ln -s "$T/host/spin" "$T/root$T/root/spin"

chroot "$T/root" /spin &
BG_PIDS+=($!)
pid=$!
# until chroot has exec'd /spin (a fixed 0.3 s could end before that on a
# loaded host, and the test then skipped)
for _ in $(seq 50); do grep -qs "$T/root/spin" /proc/$pid/maps && break; sleep 0.1; done
kill -0 $pid 2>/dev/null || fail "the chroot target did not start"
grep -q "$T/root/spin" /proc/$pid/maps || skip "maps do not show the host path of a chroot's file"

"$PS" record -p $pid -d 2 -o "$T/rec.pb.gz" 2>"$T/err" || fail "record: $(tail -2 "$T/err")"
"$PS" report "$T/rec.pb.gz" --top 5 >"$T/report.txt" 2>&1 || fail "report: $(tail -2 "$T/report.txt")"
if grep -q host_secret_spin "$T/report.txt"; then
	fail "symbols came from the host file the chroot's symlink points at"
fi
grep -q chroot_spin_____ "$T/report.txt" || fail "the chroot's own binary was not read: $(grep -m3 '%' "$T/report.txt")"
exit 0
