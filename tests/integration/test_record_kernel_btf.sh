#!/usr/bin/env bash
# Which recordings make libbpf read the kernel's BTF: it parses all 5 MB of
# /sys/kernel/btf/vmlinux for every object with a CO-RE relocation or a
# tp_btf program, and those parses were a third of a short default
# recording's CPU.  The cpu object has neither (the unwinder reads the user
# registers through their ABI layout), so `-c cpu` reads none.  The objects
# that relocate (offcpu, sock) load their raw_tp programs against small BTF
# files that bpftool cuts out of the kernel's once per boot
# (collectors/core-btf.c), so a default recording reads none either once
# those exist; without bpftool, or when a cached file cannot be trusted,
# they read it as before.  bpftrace counts the record process's own opens
# of the file (bpftool runs as its child and is not counted).
. "$(dirname "$0")/lib.sh"
need_root
need_cmd bpftrace
need_cmd bpftool

# this test's own cache: cold at first, then warm
export PEERSCOPE_CACHE_DIR=$T/cache

bg "$PROGS/hot" -d 90
hot=$!
sleep 0.3

# opens RECORD-ARGS...: how many times `record` (bpftrace's child, -c)
# opened the kernel BTF; its stderr (-v) is in $T/bt.out
opens() {
	timeout 60 bpftrace -e 'tracepoint:syscalls:sys_enter_openat
		/pid == cpid && str(args->filename) == "/sys/kernel/btf/vmlinux"/
		{ @opens = count(); }' \
		-c "$PS record -v -p $hot -d 1 -o $T/r.pb.gz $*" >"$T/bt.out" 2>&1 ||
		fail "bpftrace -c 'record $*' failed: $(grep -av '^$' "$T/bt.out" | tail -2)"
	grep -q "wrote $T/r.pb.gz" "$T/bt.out" || fail "record $* wrote nothing: $(tail -2 "$T/bt.out")"
	awk '$1 == "@opens:" { n = $2 } END { print n + 0 }' "$T/bt.out"
}

# the first default recording of the boot makes the small files
opens >/dev/null
for obj in offcpu sock; do
	f=$(ls "$T/cache"/core-btf-$obj-* 2>/dev/null | head -1)
	[ -n "$f" ] || fail "no small BTF file for $obj after the first record: $(grep core-btf "$T/bt.out")"
	size=$(stat -c %s "$f")
	assert_between "$size" 100 65536 "bytes of $obj's small BTF file"
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f"), want 600"
done
grep -q "TCP state and retransmits from raw_tp" "$T/bt.out" ||
	fail "sock did not take its raw_tp programs: $(grep 'sock: syscalls' "$T/bt.out")"

n=$(opens -c cpu)
note "-c cpu: the kernel BTF read $n times"
[ "$n" = 0 ] || fail "-c cpu read the kernel BTF $n times, want 0"
"$PS" report "$T/r.pb.gz" | grep -q "hot_a" || fail "-c cpu's recording does not name hot_a"

n=$(opens)
note "default collectors, small BTF files cached: the kernel BTF read $n times"
[ "$n" = 0 ] || fail "the default collectors read the kernel BTF $n times with its small files cached, want 0"
"$PS" report "$T/r.pb.gz" | grep -q "hot_a" || fail "the default recording does not name hot_a"

# a cached file that does not parse is made again
f=$(ls "$T/cache"/core-btf-offcpu-*)
head -c 700 /dev/urandom >"$f"
chmod 600 "$f"
n=$(opens -c offcpu)
grep -q "core-btf: .* does not parse" "$T/bt.out" || fail "a garbled small BTF file went unnoticed: $(grep core-btf "$T/bt.out")"
bpftool btf dump file "$f" >/dev/null 2>&1 || fail "the garbled small BTF file was not made again"
[ "$n" = 0 ] || fail "-c offcpu read the kernel BTF $n times after making its small file again, want 0"

# one that others can write is not used: the kernel's BTF is
chmod 666 "$f"
n=$(opens -c offcpu)
[ "$n" -ge 1 ] || fail "-c offcpu used a small BTF file that others can write"
grep -q "core-btf: .* cannot be trusted" "$T/bt.out" || fail "record did not say why it left the small BTF file"
chmod 600 "$f"

# no bpftool: the objects load against the kernel's BTF, as they did before
rm -f "$T/cache"/core-btf-*
n=$(export PEERSCOPE_BPFTOOL=; opens)
note "default collectors without bpftool: the kernel BTF read $n times"
assert_between "$n" 1 2 "reads of the kernel BTF by the default collectors without bpftool"
grep -q "core-btf: no small BTF for offcpu" "$T/bt.out" || fail "record did not say why it had no small BTF"
grep -q "TCP state and retransmits from tp_btf" "$T/bt.out" ||
	fail "without a small BTF sock did not take its tp_btf programs: $(grep 'sock: syscalls' "$T/bt.out")"
"$PS" report "$T/r.pb.gz" | grep -q "hot_a" || fail "the recording without bpftool does not name hot_a"
ls "$T/cache"/core-btf-* >/dev/null 2>&1 && fail "a small BTF file was made without bpftool"
exit 0
