#!/usr/bin/env bash
# record's BPF maps are sized to the work, not fixed: the cpu collector's
# count maps to the samples of a few 1 s flushes at -F on this machine's
# CPUs (collectors/cpu.c), its stack maps the same way with frame pointers
# only (--unwind fp) and to the few stacks the unwinder's store cannot
# take otherwise (256), the unwinder's table space to the target's tables
# with room for libraries loaded later.  Known answers: the sizes record
# -v prints follow those rules, kernel stacks are kept in the store, the
# kernel's own account of the maps (fdinfo, "BPF maps: ... MiB") is under
# half the 85 MiB the fixed sizes took, and a library the target loads
# while recorded still gets its table.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd python3

ncpu=$(awk -F- '{ print ($2 == "" ? $1 : $2) + 1 }' /sys/devices/system/cpu/possible)
# expect FREQ MAX: the entries of one set (8 flushes of samples, at least
# 2048, a power of two, at most MAX: 16384 stacks, 65536 counts)
expect() {
	awk -v f="$1" -v m="$2" -v c="$ncpu" 'BEGIN { n = 2048; while (n < m && n < 8 * f * c) n *= 2; print n }'
}

# sizes ERRFILE: "STACKS COUNTS" as record -v printed them
sizes() {
	sed -n 's/.*cpu: maps sized for .*: \([0-9]*\) stacks, \([0-9]*\) counts.*/\1 \2/p' "$1"
}

# a python that loads libbz2 (not loaded before) 2 s after it starts.  The
# interpreter itself, not a version manager's shim: pyenv's python3 is a
# script that execs the real one, and on a loaded machine record attached to
# the shell before that exec, sized the tables for bash (53 k rows) and then
# found libpython's rows did not fit
PY=$(python3 -c 'import sys; print(sys.executable)') || fail "python3 does not run"
bg "$PY" -c 'import time, ctypes
time.sleep(2)
ctypes.CDLL("libbz2.so.1.0")
time.sleep(30)'
py=$!
[ -e /usr/lib/x86_64-linux-gnu/libbz2.so.1.0 ] || skip "needs libbz2.so.1.0"
sleep 0.3

for freq in 99 999; do
	"$PS" record -v -F $freq -p "$py" -d 4 -o "$T/r$freq.pb.gz" 2>"$T/err$freq" ||
		fail "record -F $freq failed: $(tail -1 "$T/err$freq")"
	want="256 $(expect $freq 65536)"
	got=$(sizes "$T/err$freq")
	[ "$got" = "$want" ] ||
		fail "-F $freq on $ncpu CPUs: cpu stack and count maps of ${got:-?} entries, want $want"
	note "-F $freq: cpu stack and count maps of $got entries a set"
done
# a busy target whose threads sit in clock_gettime() half the time: its
# kernel stacks are kept in the store, none is lost
bg "$PROGS/hot" -d 10
hot=$!
sleep 0.3
"$PS" record -v -c cpu -p "$hot" -d 2 -o "$T/hot.pb.gz" 2>"$T/errhot" ||
	fail "record of hot failed: $(tail -1 "$T/errhot")"
kstored=$(sed -n 's/.*unwind: .* \([0-9]*\) kernel stacks stored.*/\1/p' "$T/errhot")
[ "${kstored:-0}" -gt 0 ] ||
	fail "no kernel stack went to the unwinder's store: $(grep 'unwind: .*walked' "$T/errhot")"
grep -q "wrote .*, 0 stack errors" "$T/errhot" || fail "stacks lost: $(grep wrote "$T/errhot")"
note "kernel stacks kept in the store: $kstored"
"$PS" record -v --unwind fp -F 99 -p "$py" -d 1 -o "$T/fp.pb.gz" 2>"$T/errfp" ||
	fail "record --unwind fp failed: $(tail -1 "$T/errfp")"
want="$(expect 99 16384) $(expect 99 65536)"
got=$(sizes "$T/errfp")
[ "$got" = "$want" ] || fail "--unwind fp: cpu stack and count maps of ${got:-?} entries, want $want"

read -r cap used < <(sed -n 's/.*unw_rows sized \([0-9]*\) rows .* for \([0-9]*\) rows.*/\1 \2/p' "$T/err99")
[ -n "${cap:-}" ] || fail "record -v did not say how unw_rows was sized: $(grep unwind "$T/err99" | tail -2)"
note "unw_rows: $cap rows for the $used the target had at start"
assert_between "$cap" "$((2 * used))" "$((2 * used + 16384 > 65536 ? 2 * used + 16384 : 65536))" \
	"unw_rows entries (twice the target's rows, in 16 k steps, at least 64 k)"
grep -q "unwind: .*libbz2.* rows from" "$T/err99" ||
	fail "the library loaded while recording got no table: $(grep -E 'unwind|full' "$T/err99" | tail -3)"
grep -q "table space full" "$T/err99" && fail "table space full: $(grep 'table space full' "$T/err99")"

mib=$(sed -n 's/.*BPF maps: [0-9]*, \([0-9.]*\) MiB.*/\1/p' "$T/err99")
[ -n "$mib" ] || fail "record -v printed no BPF map memory"
note "BPF maps of a default record: $mib MiB (85.4 MiB with the fixed sizes)"
assert_between "$mib" 1 48 "BPF map memory of a default record, MiB"
exit 0
