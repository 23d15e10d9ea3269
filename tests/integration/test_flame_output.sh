#!/usr/bin/env bash
# test-lock: none
# peerscope flame: folded and SVG output from a pprof file and from folded
# input; errors and exit codes.  The pprof file is made from folded stacks
# with the developer option --pprof-out (no recording or root needed).
. "$(dirname "$0")/lib.sh"
need_cmd python3
[ -x "$PS" ] || fail "no $PS (run make first)"

python3 "$ROOT/tests/flame/gen_folded.py" small > "$T/in.folded" || fail "generator failed"
"$PS" flame "$T/in.folded" --pprof-out "$T/in.pb.gz" -o "$T/ignored.svg" ||
	fail "flame --pprof-out failed"
[ "$(head -c 2 "$T/in.pb.gz" | od -An -tx1 | tr -d ' ')" = 1f8b ] || fail "pprof not gzip"

# Folded from pprof: root first, merged, sorted, _[k] kept.
"$PS" flame "$T/in.pb.gz" --folded > "$T/out.folded" || fail "flame --folded failed"
cat > "$T/want.folded" <<'W'
main;idle;epoll_wait_[k] 5
main;loop 5
main;loop;dht_lookup;hash 35
main;loop;dht_lookup;send_[k];tcp_sendmsg_[k] 20
main;loop;gossip;encode 20
main;loop;gossip;hash 10
main;loop;gossip;std::map<K, V&>::find("x") 5
W
diff -u "$T/want.folded" "$T/out.folded" >&2 || fail "folded output differs"
# -o works for folded too, and the folded file reads back to itself
"$PS" flame "$T/out.folded" --folded -o "$T/again.folded" || fail "flame folded -> folded failed"
cmp -s "$T/out.folded" "$T/again.folded" || fail "folded -> folded not idempotent"

# SVG: well-formed XML, every frame a <g> with a title, names escaped.
"$PS" flame "$T/in.pb.gz" -o "$T/flame.svg" --title 'a <b> & "c"' || fail "flame SVG failed"
python3 - "$T/flame.svg" <<'P' || fail "SVG is not what it should be"
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
gs = [g for g in d.getElementsByTagName("g") if g.getAttribute("class") == "f"]
assert len(gs) == 13, len(gs)
titles = [g.getElementsByTagName("title")[0].firstChild.data for g in gs]
assert 'std::map<K, V&>::find("x") (5 samples, 5.00%)' in titles, titles
assert "all (100 samples, 100.00%)" in titles, titles
t = [e for e in d.getElementsByTagName("text") if e.getAttribute("id") == "title"][0]
assert t.firstChild.data == 'a <b> & "c"', t.firstChild.data
assert d.getElementsByTagName("script"), "no script"
P
# Inverted: root at the top.
"$PS" flame "$T/in.folded" --inverted -o "$T/icicle.svg" || fail "flame --inverted failed"
python3 - "$T/icicle.svg" <<'P' || fail "icicle layout wrong"
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
ys = {}
for g in d.getElementsByTagName("g"):
    if g.getAttribute("class") == "f":
        ys[int(g.getAttribute("data-d"))] = float(g.getElementsByTagName("rect")[0].getAttribute("y"))
assert ys[0] < ys[1] < ys[4], ys
P
# Same input, same bytes.
"$PS" flame "$T/in.pb.gz" -o "$T/flame2.svg" --title 'a <b> & "c"' || fail "second run failed"
cmp -s "$T/flame.svg" "$T/flame2.svg" || fail "SVG output not deterministic"
# stdin
"$PS" flame - --folded < "$T/in.pb.gz" | cmp -s - "$T/want.folded" || fail "stdin input differs"

# Folded input one line per sample, with a comment and a decimal count: merged.
printf '# perf script | stackcollapse\na;b 1\na;b 2\na;c 1.6\n\na;b 3\n' > "$T/dup.folded"
[ "$("$PS" flame "$T/dup.folded" --folded)" = "$(printf 'a;b 6\na;c 2')" ] ||
	fail "duplicate folded lines not merged: $("$PS" flame "$T/dup.folded" --folded)"

# Errors: usage 2, unreadable/corrupt 1, and no partial output file.
"$PS" flame >/dev/null 2>&1; [ $? -eq 2 ] || fail "no FILE: want exit 2"
"$PS" flame "$T/in.pb.gz" --bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad option: want exit 2"
"$PS" flame "$T/in.pb.gz" --type offcpu -o "$T/x.svg" 2>"$T/err"; [ $? -eq 2 ] ||
	fail "unknown type: want exit 2"
grep -q "no sample type 'offcpu'.*it has: samples" "$T/err" || fail "unknown type message: $(cat "$T/err")"
"$PS" flame "$T/nonexistent" 2>"$T/err"; [ $? -eq 1 ] || fail "missing file: want exit 1"
grep -q '^peerscope: flame: cannot read .*No such file' "$T/err" || fail "message: $(cat "$T/err")"
head -c 100 "$T/in.pb.gz" > "$T/trunc.pb.gz"
"$PS" flame "$T/trunc.pb.gz" -o "$T/trunc.svg" 2>"$T/err"; [ $? -eq 1 ] || fail "corrupt file: want exit 1"
[ ! -e "$T/trunc.svg" ] || fail "corrupt input left an output file"
[ "$(wc -l < "$T/err")" -eq 1 ] || fail "error is not one line: $(cat "$T/err")"
"$PS" flame "$T/in.pb.gz" -o /nonexistent-dir/x.svg 2>"$T/err"; [ $? -eq 1 ] || fail "unwritable: want exit 1"
"$PS" flame --help | grep -q -- '--inverted' || fail "--help lacks --inverted"
exit 0
