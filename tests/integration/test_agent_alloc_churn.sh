#!/usr/bin/env bash
# agent, alloc collector: the keys of threads that have gone are forgotten.
# An alloc key is per thread (and per peer served), so on a node whose
# threads come and go the keys would fill "counts" (32,768 of them) for good
# in a long run, and every key after that would be lost (map_full).  Known
# answer: alloc_known makes 40,000 threads, 4,000 a second, each doing one
# malloc(64) + free in thread_alloc(); with 1 s windows the agent forgets a
# key once it holds nothing live and counted nothing for a whole window, so
# only the last few windows' threads are in the map: no map_full, and the
# windows count all 40,000 allocations.  Without it 7,246 of them were lost
# to the full map (map_full 14,492: each malloc and free).  The bases are
# taken as the drain reads each key, not at the reset after the window is
# written: taken at the reset, 1,216 allocations made in between were lost.
# /metrics counts the bytes (peerscope_path_alloc_bytes_total).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.sh"
. "$(dirname "$0")/alloc-lib.sh"
need_alloc

# -c alloc alone says which option turns it on; a bad mode is a usage error
"$PS" agent -p 1 -c alloc --dir "$T/none" 2>"$T/bad.err" && fail "agent -c alloc without --alloc ran"
grep -q "add --alloc" "$T/bad.err" || fail "agent -c alloc without --alloc: $(cat "$T/bad.err")"
"$PS" agent -p 1 --alloc=sometimes --dir "$T/none" 2>"$T/bad.err"
[ $? = 2 ] && grep -q "bad --alloc 'sometimes'" "$T/bad.err" ||
	fail "agent --alloc=sometimes: $(cat "$T/bad.err")"

N=${N:-40000}
"$PROGS/alloc_known" threads $N 4000 >"$T/prog.out" &
pid=$!
BG_PIDS+=("$pid")
wait_file "$T/prog.out" 10 || fail "alloc_known did not start"
MPORT=$(free_base 1)
agent_run "$T/agent.err" -v -p "$pid" --alloc=malloc -c alloc --window 1s --dir "$T/w" \
	--metrics "127.0.0.1:$MPORT"
kill -USR1 "$pid"
for _ in $(seq 1200); do
	grep -q done "$T/prog.out" && break
	sleep 0.1
done
grep -q done "$T/prog.out" || fail "alloc_known did not finish its threads: $(cat "$T/prog.out")"
# two more windows: the last threads' allocations are in one
wait_served "$MPORT" 2
scrape "$MPORT" "$T/m.txt"
agent_stop

full=$(python3 -c '
import json, sys
print(sum(json.loads(l)["drops"]["map_full"] for l in open(sys.argv[1])))' "$T/w/index.jsonl")
for f in $(windows); do
	"$PS" flame --folded --type alloc/objects "$T/w/$f" 2>>"$T/flame.err" ||
		fail "flame of window $f failed: $(tail -2 "$T/flame.err")"
done >"$T/all.folded"
objs=$(awk '/;thread_alloc[; ]/ { n += $NF } END { print n + 0 }' "$T/all.folded")
forgot=$(grep -c "idle keys forgotten" "$T/agent.err")
note "$objs of $N allocations counted, map_full $full, $forgot windows forgot idle keys"
grep "idle keys forgotten" "$T/agent.err" | tail -2 | sed 's/^/  /'
[ "$full" = 0 ] || fail "$full keys lost to a full map"
[ "$objs" = $N ] || fail "$objs allocations in thread_alloc counted, want $N"
[ "$forgot" -ge 1 ] || fail "no window forgot a key"
# and Prometheus sees them: 64 bytes a thread, and the main thread's own
bytes=$(metric peerscope_path_alloc_bytes_total "" "$T/m.txt")
note "peerscope_path_alloc_bytes_total: $bytes"
assert_between "$bytes" $((N * 64)) $((N * 64 * 4)) "bytes allocated, by /metrics"
exit 0
