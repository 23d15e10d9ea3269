#!/usr/bin/env bash
# test-lock: none
# Recordings made by an earlier peerscope (tests/fixtures/v1: a dht-cpu,
# gossip-lock with --alloc, small-writes and alloc-churn with --alloc=malloc
# node of the test network) still load and give byte-identical report (text,
# md, json, --net), flame --folded, SVG and diff output.  The expected outputs
# were made from the same files before the record codec, the format layer and
# the analysis layer were reorganised; any change in what a user sees from an
# old file fails here.  A change meant to alter what users see regenerates
# them (tests/fixtures/outputs.sh) in a commit of its own that says why.
# No root needed.
. "$(dirname "$0")/lib.sh"
[ -x "$PS" ] || skip "no $PS (run make)"
FX=$ROOT/tests/fixtures/v1
"$ROOT/tests/fixtures/outputs.sh" "$PS" "$FX" "$T/out"
n=$(ls "$FX/expected" | wc -l)
[ "$n" -gt 50 ] || fail "only $n expected outputs in $FX/expected"
bad=0
for f in "$FX"/expected/*; do
	b=$(basename "$f")
	if ! cmp -s "$f" "$T/out/$b"; then
		echo "  differs: $b" >&2
		diff -u "$f" "$T/out/$b" 2>&1 | sed -n '1,12p' >&2
		bad=$((bad + 1))
	fi
done
[ $bad = 0 ] || fail "$bad of $n outputs differ from the pre-change ones"
note "$n outputs identical"
