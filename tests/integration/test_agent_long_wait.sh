#!/usr/bin/env bash
# agent: a wait that spans window boundaries keeps its stacks.  The agent
# empties the off-CPU stack map at every window, but a block is counted in
# the window where it ends, with the stacks taken when it began: those must
# survive the resets in between.  Known answer: sched_sleep -a alternates
# 2.5 s naps in nanosleep() (sleep_nap) and poll() (sleep_poll) under 1 s
# windows; every such wait must come with its own syscall's kernel frames
# (before the fix, each came with none, or with a stack that later took
# its bucket).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/paths-lib.sh"
. "$(dirname "$0")/agent-lib.sh"
need_root

bg "$PROGS/sched_sleep" -d 40 -b 1 -s 2500 -a
pid=$!
agent_run "$T/agent.err" -p "$pid" -c offcpu --window 1s --dir "$T/w"
# 16 windows: at least five waits end in them, each begun 2-3 windows before
wait_windows 16 60
agent_stop

for f in $(windows); do
	"$PS" flame --folded --type offcpu "$T/w/$f" 2>>"$T/flame.err" ||
		fail "flame of window $f failed: $(tail -2 "$T/flame.err")"
done >"$T/all.folded"
# the long waits: one folded line each, in the window where it ended
awk '$NF >= 2000000000' "$T/all.folded" >"$T/long.folded"
note "long waits: $(wc -l <"$T/long.folded")"
sed 's/^/  /' "$T/long.folded" | cut -c1-240
python3 - "$T/long.folded" <<'P' || fail "a long wait lost its kernel stack across window resets"
import sys
waits = {"sleep_nap": "do_nanosleep_[k]", "sleep_poll": "do_sys_poll_[k]"}
seen = {w: 0 for w in waits}
for line in open(sys.argv[1]):
    frames = line.rsplit(" ", 1)[0].split(";")
    for fn, kframe in waits.items():
        if fn in frames:
            seen[fn] += 1
            assert kframe in frames, "%s without %s: %s" % (fn, kframe, line[:300])
            other = [k for f, k in waits.items() if f != fn][0]
            assert other not in frames, "%s with the other wait's %s" % (fn, other)
for fn, n in seen.items():
    assert n >= 2, "only %d long %s waits in the windows" % (n, fn)
print("long waits with their kernel stacks:", seen)
P
exit 0
