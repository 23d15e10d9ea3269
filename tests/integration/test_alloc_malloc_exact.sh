#!/usr/bin/env bash
# --alloc=malloc, sample 1: a known pattern (1000 x malloc(64) + 500 x
# calloc(10, 100), all freed) is counted exactly, with nothing left in use.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alloc-lib.sh"
need_alloc

DUR=3 alloc_run pattern -- --alloc=malloc -c alloc
b=$(mem_func alloc_pattern alloc_bytes)
o=$(mem_func alloc_pattern alloc_objects)
u=$(mem_func alloc_pattern inuse_bytes)
uo=$(mem_func alloc_pattern inuse_objects)
note "alloc_pattern: $b bytes, $o objects, $u bytes in use"
[ "$b" = 564000 ] || fail "alloc_pattern allocated $b bytes, want 564000"
[ "$o" = 1500 ] || fail "alloc_pattern made $o allocations, want 1500"
[ "$u" = 0 ] && [ "$uo" = 0 ] || fail "alloc_pattern has $u bytes / $uo objects in use, want 0"
# the flame graph of allocations shows the same
"$PS" flame "$T/rec.pb.gz" --type alloc --folded -o "$T/alloc.folded" 2>/dev/null ||
	fail "flame --type alloc failed"
grep -q "alloc_pattern 564000$" "$T/alloc.folded" || fail "flame --type alloc: $(head -3 "$T/alloc.folded")"
exit 0
