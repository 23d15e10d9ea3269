#!/usr/bin/env bash
# Independent-decoder check of our pprof writer: the unit test test_pprof
# writes its rich test profile (PEERSCOPE_PPROF_OUT), and Go's pprof must
# read it and show the same functions, values, labels, inline frames,
# mappings (main binary first, kernel frames in [kernel.kallsyms]) and
# comments (peerscope: records).  Then Go's pprof re-encodes it (-proto) and
# our reader must read that back (packed/unpacked, Go's field order).
. "$(dirname "$0")/lib.sh"

[ -x "$PPROF" ] || skip "Go pprof not found (run tests/tools/build-pprof.sh or set PPROF)"
TESTBIN=$BUILD/tests/test_pprof
[ -x "$TESTBIN" ] || fail "$TESTBIN missing (make $TESTBIN)"

F=$T/rich.pb.gz
PEERSCOPE_PPROF_OUT=$F "$TESTBIN" >"$T/unit.log" 2>&1 || fail "test_pprof failed: $(tail -n 3 "$T/unit.log" | tr '\n' ' ')"
[ -s "$F" ] || fail "test_pprof did not write $F"

pp() { "$PPROF" -symbolize=none "$@" 2>"$T/pprof.err" || fail "pprof $*: $(head -n 2 "$T/pprof.err" | tr '\n' ' ')"; }

# expect FILE STRING...: each string must occur in FILE.
expect() {
	local f=$1 s
	shift
	for s in "$@"; do
		grep -qF -- "$s" "$f" || fail "'$s' not in $(basename "$f"): $(head -c 600 "$f" | tr '\n' '|')"
	done
}

pp -raw "$F" >"$T/raw.txt"
expect "$T/raw.txt" \
	'Comment: peerscope:meta hostname=node-1 version=0.1 command=record%20-F%2099%20-p%20100%20--%20sleep%3D1%25 exe=/work/build/p2pnode' \
	'Comment: peerscope:stats collector=cpu map_full=0 lost=12' \
	'Comment: peerscope:odd nl=a%0Ab%09c empty=' \
	'Comment: plain comment with spaces = and %' \
	'PeriodType: cpu nanoseconds' 'Period: 10101010' 'Duration: 5s' \
	'cpu/nanoseconds[dflt] samples/count offcpu/nanoseconds' \
	'30303030          3          0:' \
	'0          0 5000000000:' \
	'path:[dht] thread:[net worker]' 'bytes:[512 bytes] pid:[100]' 'tid:[-3]' \
	'hash_key hash.h:7' 'dht_handle dht.c:120' 'main node.c:42' \
	'tcp_sendmsg :0' 'schedule :0' '[lock wait] :0' \
	'1: 0x555555554000/0x555555600000/0x0 /work/build/p2pnode abc123' \
	'/usr/lib/x86_64-linux-gnu/libc.so.6 deadbeef01 [FN]' \
	'[kernel.kallsyms]'
# The time is written in UTC nanoseconds.
expect "$T/raw.txt" 'Time: 2023-11-14 22:13:20.123456789'
# Every kernel location is in the [kernel.kallsyms] mapping.
kmap=$(awk '/^Mappings/ { m = 1; next } m && /\[kernel.kallsyms\]/ { sub(":", "", $1); print $1 }' "$T/raw.txt")
[ -n "$kmap" ] || fail "no [kernel.kallsyms] mapping"
for addr in 0xffffffff81234567 0xffffffff81000010; do
	grep -qE "^ +[0-9]+: $addr M=$kmap( |$)" "$T/raw.txt" || fail "kernel location $addr not in mapping $kmap"
done

pp -top -sample_index=cpu "$F" >"$T/top.txt"
expect "$T/top.txt" 'Type: cpu' 'Total samples = 40.40ms' 'hash_key (inline)' 'dht_handle' '__memcpy_avx'
grep -E '40.40ms +100% +dht_handle' "$T/top.txt" >/dev/null || fail "dht_handle is not 100% cum: $(grep dht_handle "$T/top.txt")"

pp -top -sample_index=samples "$F" >"$T/top2.txt"
expect "$T/top2.txt" 'of 13 total'

pp -traces -sample_index=offcpu "$F" >"$T/traces.txt"
expect "$T/traces.txt" 'Type: offcpu' 'Total samples = 5s' 'schedule' '[lock wait]' 'path:  gossip'

# Go's own encoding of the same profile (its field order, packed only for
# runs longer than 2) must read back through our reader as the same profile.
pp -proto "$F" >"$T/go.pb.gz"
pp -top -sample_index=cpu "$T/go.pb.gz" >"$T/top3.txt"
expect "$T/top3.txt" 'Total samples = 40.40ms'
PEERSCOPE_PPROF_IN=$T/go.pb.gz "$TESTBIN" >"$T/unit2.log" 2>&1 ||
	fail "our reader on Go's re-encoding: $(grep -E 'ERROR|LINE|FAIL' "$T/unit2.log" | head -n 3 | tr '\n' ' ')"
grep -q 'OK \] test_go_reencoded' "$T/unit2.log" || fail "test_go_reencoded did not run"
exit 0
