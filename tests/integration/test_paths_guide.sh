#!/usr/bin/env bash
# docs/guide.md: every ```sh block runs, in order, in one shell, against the
# test network, with peerscope and p2pnet on PATH (the guide promises it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
need_net
GUIDE=$ROOT/docs/guide.md
[ -r "$GUIDE" ] || fail "no $GUIDE"

# the blocks, each checked separately so a failure names its block
awk '/^```sh$/ { on = 1; n++; print "echo \"=== block " n "\" >&2"; next }
     /^```/ { on = 0; next }
     on' "$GUIDE" |
	sed "s/--base-port 24000/--base-port $(pick_base)/" >"$T/guide.sh"
nblocks=$(grep -c '^=== block\|^echo "=== block' "$T/guide.sh")
[ "$nblocks" -ge 8 ] || fail "only $nblocks sh blocks in the guide"

cd "$T" || fail "no $T"
PATH=$BUILD:$PATH bash -e "$T/guide.sh" >"$T/guide.out" 2>"$T/guide.err"
rc=$?
[ $rc = 0 ] || fail "guide block failed ($(grep '^=== block' "$T/guide.err" | tail -1)): $(tail -3 "$T/guide.err")"
for f in node.pb.gz all.pb.gz report.md report.json dht.svg my.rules; do
	[ -s "$T/$f" ] || fail "the guide's commands did not produce $f"
done
grep -q "verdict" "$T/guide.out" || fail "the guide's report shows no verdict"
exit 0
