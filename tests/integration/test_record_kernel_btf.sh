#!/usr/bin/env bash
# Which collectors make libbpf read the kernel's BTF: it parses all 5 MB of
# /sys/kernel/btf/vmlinux for every object with a CO-RE relocation or a
# tp_btf program, and three such parses were a third of a short default
# recording's CPU.  The cpu collector's object has neither (the unwinder
# reads the user registers through their ABI layout), so `-c cpu` reads
# none; offcpu and sock attach tp_btf programs and read it once each.
# bpftrace counts the record process's opens of the file.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd bpftrace

bg "$PROGS/hot" -d 60
hot=$!
sleep 0.3

# opens RECORD-ARGS...: how many times `record` (bpftrace's child, -c)
# opened the kernel BTF
opens() {
	timeout 60 bpftrace -e 'tracepoint:syscalls:sys_enter_openat
		/pid == cpid && str(args->filename) == "/sys/kernel/btf/vmlinux"/
		{ @opens = count(); }' \
		-c "$PS record -p $hot -d 1 -o $T/r.pb.gz $*" >"$T/bt.out" 2>&1 ||
		fail "bpftrace -c 'record $*' failed: $(grep -av '^$' "$T/bt.out" | tail -2)"
	grep -q "wrote $T/r.pb.gz" "$T/bt.out" || fail "record $* wrote nothing: $(tail -2 "$T/bt.out")"
	awk '$1 == "@opens:" { n = $2 } END { print n + 0 }' "$T/bt.out"
}

n=$(opens -c cpu)
note "-c cpu: the kernel BTF read $n times"
[ "$n" = 0 ] || fail "-c cpu read the kernel BTF $n times, want 0"
"$PS" report "$T/r.pb.gz" | grep -q "hot_a" || fail "-c cpu's recording does not name hot_a"
n=$(opens)
note "default collectors: the kernel BTF read $n times"
assert_between "$n" 1 2 "reads of the kernel BTF by the default collectors"
exit 0
