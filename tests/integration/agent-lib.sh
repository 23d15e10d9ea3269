# shellcheck shell=bash
# Helpers of the test_agent_*.sh tests (source after lib.sh and paths-lib.sh).

# agent_run LOG [agent options...]: peerscope agent in the background
# ($AGENT is its pid, its stderr LOG); waits until it says it runs.
agent_run() {
	local log=$1
	shift
	: >"$log"
	"$PS" agent "$@" 2>"$log" &
	AGENT=$!
	BG_PIDS+=("$AGENT")
	for _ in $(seq 300); do
		grep -q "agent: .* [0-9]* process" "$log" && return 0
		kill -0 "$AGENT" 2>/dev/null || break
		sleep 0.1
	done
	fail "agent did not start: $(tail -3 "$log")"
}

# agent_start I [agent options...]: agent_run on node I into $T/w, its log
# $T/agent.err.
agent_start() {
	local i=$1
	shift
	agent_run "$T/agent.err" -p "$(node_pid "$i")" --dir "$T/w" "$@"
}

# windows: the window files of $T/w, oldest first.
windows() { find "$T/w" -maxdepth 1 -name '2*.pb.gz' -printf '%f\n' | sort; }

# wait_windows N SECONDS: until the index has N lines.
wait_windows() {
	local n=$1 s=$2
	for _ in $(seq $((s * 10))); do
		[ -f "$T/w/index.jsonl" ] && [ "$(wc -l <"$T/w/index.jsonl")" -ge "$n" ] && return 0
		sleep 0.1
	done
	fail "fewer than $n windows after ${s}s: $(tail -3 "$T/agent.err")"
}

# agent_stop: SIGTERM; the agent must exit 0.
agent_stop() {
	kill -TERM "$AGENT"
	wait "$AGENT" || fail "agent exited $? on SIGTERM: $(tail -3 "$T/agent.err")"
}

# metric NAME LABELS FILE: the sum of the samples of NAME whose labels hold
# every "k=\"v\"" of LABELS (a comma list; "" for all), 0 when none.
metric() {
	python3 - "$1" "$2" "$3" <<'P'
import re, sys
name, want, path = sys.argv[1], [w for w in sys.argv[2].split(",") if w], sys.argv[3]
total = 0.0
for line in open(path):
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line.strip())
    if m and m.group(1) == name and all(w in (m.group(3) or "") for w in want):
        total += float(m.group(4))
print("%g" % total)
P
}

# scrape PORT FILE: GET /metrics into FILE.
scrape() { curl -sf "http://127.0.0.1:$1/metrics" >"$2" || fail "GET /metrics on $1 failed"; }

# windows_served PORT: the agent's windows counter on /metrics (0 before
# the first scrape answers)
windows_served() {
	curl -sf "http://127.0.0.1:$1/metrics" 2>/dev/null |
		awk '$1 == "peerscope_agent_windows_total" { n = $2 } END { print n + 0 }'
}

# wait_served PORT K: until the agent on PORT has written K more windows
# than now (at most 5 s a window: a loaded host delays them), so that every
# event before the call is in its counters -- instead of sleeping "two
# windows" of wall clock.
wait_served() {
	local port=$1 k=$2 from _
	from=$(windows_served "$port")
	for _ in $(seq $((k * 50))); do
		[ "$(windows_served "$port")" -ge $((from + k)) ] && return 0
		sleep 0.1
	done
	fail "the agent on port $port wrote fewer than $k windows in $((k * 5)) s: $(tail -2 "$T/agent.err" 2>/dev/null)"
}
