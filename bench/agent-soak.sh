#!/usr/bin/env bash
# agent-soak.sh: the agent's endurance (issue 16), not in CI and not in
# `make bench`: an hour by default.  Runs peerscope agent on node 0 of a
# 4-node test network at its default load, with the flight recorder on
# (--trigger SIGUSR1, sent every SOAK_USR1 seconds, so incidents and their
# burst children are part of the run), and samples the agent every 10 s:
#
#   - resident memory: growth from the end of the first sixth of the run
#     (ten minutes of an hour) to the end, per hour (goal: < 1 MB/h);
#   - open file descriptors and BPF maps / programs it holds (goal: flat);
#   - windows: the index has one line per window, each window starts
#     where the one before ended, and the windows cover the run (no window
#     lost);
#   - then kill -9: of the soak agent, and of agents with 500 ms windows
#     at moments that land in writes; after a restart on the same DIR,
#     every index line names a window file, every window file loads, no
#     temporary file is left.
#
# SOAK_SECONDS (default 3600) shortens it; SOAK_WINDOW (default 10s) is the
# window; SOAK_USR1 (default 120) the seconds between SIGUSR1s.  Run as
# root from the repository after make: bench/agent-soak.sh
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
PS=$BUILD/peerscope
SECS=${SOAK_SECONDS:-3600}
WINDOW=${SOAK_WINDOW:-10s}
USR1=${SOAK_USR1:-120}
T=$(mktemp -d /tmp/peerscope-soak.XXXXXX)
NET='' AGENT=''
cleanup() {
	[ -n "$AGENT" ] && kill -KILL "$AGENT" 2>/dev/null
	[ -n "$NET" ] && kill -TERM "$NET" 2>/dev/null && wait "$NET" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
die() { echo "agent-soak: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (BPF)"
[ -x "$PS" ] && [ -x "$BUILD/p2pnet" ] || die "build first: make"

"$BUILD/p2pnet" --nodes 4 --duration 0 --base-port 26000 --pids-file "$T/pids" \
	>"$T/net.out" 2>&1 &
NET=$!
for _ in $(seq 300); do [ -s "$T/pids" ] && break; sleep 0.1; done
[ -s "$T/pids" ] || die "p2pnet did not start: $(tail -2 "$T/net.out")"
node=$(head -1 "$T/pids")

# counts of what the agent holds: fds, and which of them are BPF maps / programs
sample() {
	local pid=$1 rss fds maps progs
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || return 1
	fds=0 maps=0 progs=0
	for f in /proc/"$pid"/fd/*; do
		l=$(readlink "$f" 2>/dev/null) || continue
		fds=$((fds + 1))
		case $l in *bpf-map*) maps=$((maps + 1)) ;; *bpf-prog*) progs=$((progs + 1)) ;; esac
	done
	echo "$(date +%s) $rss $fds $maps $progs"
}

"$PS" agent -p "$node" --dir "$T/w" --window "$WINDOW" --keep 0 --trigger SIGUSR1 \
	--cooldown 60s --burst 5s 2>"$T/agent.err" &
AGENT=$!
for _ in $(seq 300); do grep -q "1 process" "$T/agent.err" && break; sleep 0.1; done
grep -q "1 process" "$T/agent.err" || die "agent did not start: $(tail -2 "$T/agent.err")"
t0=$(date +%s)
echo "agent-soak: ${SECS}s, windows of $WINDOW, SIGUSR1 every ${USR1}s, in $T"
next_usr1=$((t0 + USR1))
while [ $(($(date +%s) - t0)) -lt "$SECS" ]; do
	kill -0 "$AGENT" 2>/dev/null || die "the agent died: $(tail -3 "$T/agent.err")"
	sample "$AGENT" >>"$T/samples"
	if [ "$(date +%s)" -ge "$next_usr1" ]; then
		kill -USR1 "$AGENT"
		next_usr1=$((next_usr1 + USR1))
	fi
	sleep 10
done
sample "$AGENT" >>"$T/samples"
kill -KILL "$AGENT"
wait "$AGENT" 2>/dev/null
AGENT=''
elapsed=$(($(date +%s) - t0))
soak_lines=$(wc -l <"$T/w/index.jsonl")

# kill -9 in the middle of writes: windows of 500 ms, killed at varied moments
for i in 1 2 3 4 5; do
	"$PS" agent -p "$node" --dir "$T/w" --window 500ms --keep 0 2>>"$T/kill.err" &
	a=$!
	for _ in $(seq 100); do [ "$(grep -c "1 process" "$T/kill.err")" -ge "$i" ] && break; sleep 0.05; done
	sleep "1.$((i * 19))"
	kill -KILL "$a"
	wait "$a" 2>/dev/null
done
"$PS" agent -p "$node" --dir "$T/w" --window 500ms --keep 0 2>>"$T/kill.err" &
a=$!
sleep 2
kill -TERM "$a"
wait "$a" || die "the agent after the kills exited $?: $(tail -2 "$T/kill.err")"

python3 - "$T" "$SECS" "$elapsed" "$PS" "$soak_lines" <<'P'
import glob, json, os, subprocess, sys
from datetime import datetime, timezone
T, secs, elapsed, ps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
nsoak = int(sys.argv[5])
S = [list(map(int, l.split())) for l in open(f"{T}/samples")]
t0 = S[0][0]
warm = [s for s in S if s[0] - t0 >= secs / 6] or S[-1:]
a, b = warm[0], S[-1]
hours = max(b[0] - a[0], 1) / 3600
growth = (b[1] - a[1]) / 1024 / hours
print(f"rss: {S[0][1]/1024:.1f} MB at start, {a[1]/1024:.1f} MB after the first sixth, "
      f"{b[1]/1024:.1f} MB at the end, max {max(s[1] for s in S)/1024:.1f} MB: "
      f"{growth:+.2f} MB/h after warm-up (goal < 1 MB/h)")
for k, name in ((2, "fds"), (3, "bpf maps"), (4, "bpf progs")):
    v = [s[k] for s in warm]
    print(f"{name}: {S[0][k]} at start, {min(v)}-{max(v)} after the first sixth, {b[k]} at the end")

def start_ns(name):
    d = datetime.strptime(name[:19], "%Y%m%dT%H%M%S.%f").replace(tzinfo=timezone.utc)
    return d.timestamp()
lines = [json.loads(l) for l in open(f"{T}/w/index.jsonl")]
files = sorted(os.path.basename(f) for f in glob.glob(f"{T}/w/2*.pb.gz"))
named = [l["file"] for l in lines if l["file"]]
soak = lines[:nsoak]
missing = [f for f in named if f not in files]
unindexed = [f for f in files if f not in named]
gaps = 0
for p, n in zip(soak, soak[1:]):
    if p["file"] and n["file"] and abs(start_ns(n["file"]) - start_ns(p["file"]) - p["duration_s"]) > 0.05:
        gaps += 1
covered = sum(l["duration_s"] for l in soak)
print(f"windows: {len(soak)} in the soak ({gaps} gaps between consecutive windows, "
      f"{covered:.0f} s covered of {elapsed} s, the last one lost to kill -9); "
      f"{len(lines)} index lines, {len(files)} window files in all")
print(f"kill -9: {len(missing)} index lines naming no file, {len(unindexed)} windows without "
      f"a line (a kill between window and line), "
      f"{len(glob.glob(f'{T}/w/.window-*'))} temporary files left")
bad = 0
for f in files:
    if subprocess.run([ps, "report", f"{T}/w/{f}"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode:
        bad += 1
incs = sorted(os.listdir(f"{T}/w/incidents")) if os.path.isdir(f"{T}/w/incidents") else []
done = sum(1 for i in incs if '"state": "done"' in open(f"{T}/w/incidents/{i}/report.json").read())
print(f"{bad} of {len(files)} window files fail to load; {len(incs)} incidents, {done} with a burst done")
ok = growth < 1 and not missing and not bad and gaps == 0 and b[2] <= max(s[2] for s in warm[:3]) \
     and b[3] == warm[0][3]
print("agent-soak:", "ok" if ok else "FAIL")
sys.exit(0 if ok else 1)
P
