#!/usr/bin/env bash
# unwind: tables kept in the run cache give the same stacks as tables
# parsed.  nofp_chain built -O2 -fomit-frame-pointer, its worker thread's
# stack reaching clone3 only through libc's .eh_frame (28k rows: kept).
# On a private cache: the first record parses libc and keeps its tables
# (mode 600); the second reads them ("cached", the same row count) and
# >= 95 % of its samples still reach the thread root, the worker's chain
# frame by frame; a kept file cut short is parsed again and replaced; the
# binary built moments ago is never kept (its times could still repeat).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/unwind-lib.sh"
need_root
need_cmd cc
export PEERSCOPE_CACHE_DIR=$T/cache

cc -O2 -g -fomit-frame-pointer -pthread -o "$T/chain" "$ROOT/tests/progs/nofp_chain.c" ||
	fail "cannot build nofp_chain"
bg "$T/chain" cpu 1
pid=$!
sleep 0.3

# rec NAME: a 2 s record of the chain, its -v log in $T/NAME.err, stacks checked
rec() {
	local share tot thr
	"$PS" record -v -p "$pid" -d 2 -c cpu -o "$T/$1.pb.gz" 2>"$T/$1.err" ||
		fail "record $1 failed: $(tail -n 2 "$T/$1.err")"
	"$PS" flame "$T/$1.pb.gz" --folded --no-kernel -t samples -o "$T/$1.folded" 2>/dev/null ||
		fail "flame $1 failed"
	share=$(root_share "$T/$1.folded") tot=$(total "$T/$1.folded")
	thr=$(count "$T/$1.folded" '^clone3;start_thread;chain_worker;chain_a;chain_b;chain_hot$')
	note "$1: $share % of $tot samples reach the root, worker chain $thr"
	[ "$tot" -ge 20 ] || fail "$1: only $tot samples"
	assert_between "$share" 95 100 "$1: share of samples reaching the thread root"
	assert_between "$thr" $((tot / 5)) "$tot" "$1: samples of clone3;start_thread;chain_worker;chain_a;chain_b;chain_hot"
}
libc_line() { grep -E "unwind: [^ ]*/libc\.so\.6: [0-9]+ rows from" "$T/$1.err"; }
rows_of() { libc_line "$1" | sed -E 's/.*: ([0-9]+) rows from.*/\1/'; }

rec parsed
libc_line parsed | grep -q ", cached" && fail "first record: libc's tables read from an empty cache"
kept=$(ls "$T/cache"/unwind-1-* 2>/dev/null | wc -l)
[ "$kept" -ge 1 ] || fail "first record kept no tables in $T/cache: $(ls "$T/cache")"
for f in "$T/cache"/unwind-1-*; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f"), want 600"
done
ino=$(stat -c %i "$T/chain")
ls "$T/cache" | grep -q -- "-$(printf %x "$ino")-" && fail "the chain binary, built moments ago, was kept"

rec cached
libc_line cached | grep -q ", cached" || fail "second record: libc's tables not read from the cache: $(libc_line cached)"
[ "$(rows_of cached)" = "$(rows_of parsed)" ] ||
	fail "libc: $(rows_of cached) rows from the cache, $(rows_of parsed) parsed"

# cut short: not used, parsed again and kept whole
declare -A size
for f in "$T/cache"/unwind-1-*; do
	size[$f]=$(stat -c %s "$f")
	truncate -s $((size[$f] - 16)) "$f"
done
rec garbled
libc_line garbled | grep -q ", cached" && fail "a cut-short cache file was used: $(libc_line garbled)"
for f in "${!size[@]}"; do
	[ "$(stat -c %s "$f")" = "${size[$f]}" ] ||
		fail "$f was not written again whole ($(stat -c %s "$f") bytes, want ${size[$f]})"
done
kill "$pid"
note "libc: $(rows_of parsed) rows parsed, then read from the cache; a cut-short file is parsed again"
exit 0
