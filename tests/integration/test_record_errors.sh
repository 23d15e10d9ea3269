#!/usr/bin/env bash
# record: error cases give one line "peerscope: ..." and the right exit
# code: unknown pid, unwritable output, bad usage, not root.
. "$(dirname "$0")/lib.sh"
need_root

# expect CODE PATTERN CMD...: exit code, one stderr line matching PATTERN
expect() {
	local code=$1 pat=$2 rc lines
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	lines=$(wc -l <"$T/err")
	[ "$rc" = "$code" ] || fail "$*: exit $rc, want $code: $(cat "$T/err")"
	[ "$lines" = 1 ] || fail "$*: $lines lines on stderr, want 1: $(cat "$T/err")"
	grep -Eq "^peerscope: .*$pat" "$T/err" || fail "$*: message '$(cat "$T/err")' lacks /$pat/"
}

# a pid that is surely free: past pid_max
nopid=$(( $(cat /proc/sys/kernel/pid_max) - 1 ))
while [ -e /proc/$nopid ]; do nopid=$((nopid - 1)); done

bg "$PROGS/hot" -d 30
hot=$!
sleep 0.2

expect 1 "no such process: $nopid" "$PS" record -p "$nopid" -d 1 -o "$T/x.pb.gz"
expect 1 "no such process: $nopid" "$PS" record -p "$hot,$nopid" -d 1 -o "$T/x.pb.gz"
expect 1 "cannot write $T/nodir/x.pb.gz" "$PS" record -p "$hot" -d 1 -o "$T/nodir/x.pb.gz"
mkdir "$T/adir"
expect 1 "cannot write $T/adir" "$PS" record -p "$hot" -d 1 -o "$T/adir"
# the second -o is checked before recording too
expect 1 "cannot write $T/nodir/y.pb.gz" "$PS" record -p "$hot" -d 1 -o "$T/x.pb.gz" -o "$T/nodir/y.pb.gz"
[ ! -e "$T/x.pb.gz" ] || fail "a failed record left $T/x.pb.gz behind"
expect 2 "no target" "$PS" record -d 1
expect 2 "bad pid list" "$PS" record -p 12x
expect 2 "bad frequency" "$PS" record -p "$hot" -F 0
expect 2 "bad frequency 'nan'" "$PS" record -p "$hot" -F nan
expect 2 "bad duration 'inf'" "$PS" record -p "$hot" -d inf
expect 2 "-o given 3 times" "$PS" record -p "$hot" -o a -o b -o c
expect 2 "unknown collector 'nope'" "$PS" record -p "$hot" -c nope
"$PS" record --help | grep -q "^usage: peerscope record" || fail "record --help"

# not root: one line naming the missing capabilities
need_cmd setpriv
cp "$PS" "$T/peerscope"
chmod 755 "$T" "$T/peerscope"
cd "$T" || fail "cd $T"
expect 1 "not root and missing CAP_BPF and CAP_PERFMON" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$T/peerscope" record -p "$hot" -d 1 -o /tmp/x.pb.gz
exit 0
