# shellcheck shell=bash
# Shared helpers of the real-node suite (tests/real, docs/real-nodes.md).
# Source it first:  . "$(dirname "$0")/lib.sh"
#
# Every network of the suite runs in a network namespace of its own that has
# only a loopback interface (ns_start / ns_run): whatever the programs try
# (DNS, their public bootstrap routers, UPnP, multicast discovery) cannot
# leave the machine.  Each program is recorded by build/peerscope and, over
# the same seconds, by a yardstick (the runtime's own profiler, else perf);
# both are classified by the same path rules and compared (assert_share).
#
# A script exits 0 when every assertion that counts passed, 77 when it had
# to skip (a package could not be installed, no root), 1 otherwise.
# REAL_SHORT=1 (make check) runs shorter and counts only the assertions
# marked "short" (those that hold today); the others are still measured and
# printed as "known".  REAL_SECS sets the recording length.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=$BUILD/peerscope
REAL=$ROOT/tests/real
NPM_DIR=$BUILD/real/npm
REAL_SHORT=${REAL_SHORT:-0}
NAME=$(basename "$0" .sh)
T=$(mktemp -d "/tmp/peerscope-$NAME.XXXXXX")
RESULTS=${REAL_RESULTS:-$T/results.txt}
BG_PIDS=()
NS_PID=
nfail=0 nknown=0 npass=0

real_cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${BG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -z "$NS_PID" ] || { kill -KILL "$NS_PID" 2>/dev/null; wait "$NS_PID" 2>/dev/null; }
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T"
}
trap real_cleanup EXIT

fail() { echo "FAIL $NAME: $*" >&2; exit 1; }
skip() { echo "SKIP $NAME: $*" >&2; exit 77; }
say() { echo "  $NAME: $*" >&2; }

need_root() { [ "$(id -u)" = 0 ] || skip "needs root (BPF, network namespace)"; }

# need_deb PKG CMD: install Debian package PKG unless CMD is on PATH (or,
# for a /path, exists); skip when it cannot be installed (no root, no mirror).
have() { case $1 in /*) [ -e "$1" ] ;; *) command -v "$1" >/dev/null 2>&1 ;; esac; }
need_deb() {
	have "$2" && return 0
	say "installing Debian package $1"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" \
		>"$T/apt.log" 2>&1 ||
	{ DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" \
		>"$T/apt.log" 2>&1; } ||
		skip "cannot install Debian package $1 ($(tail -n 1 "$T/apt.log"))"
	have "$2" || skip "package $1 gave no $2"
}

# need_npm PKG...: npm packages into $NPM_DIR (never global); skip when npm
# or the registry is unavailable.
need_npm() {
	command -v node >/dev/null 2>&1 || need_deb nodejs node
	command -v npm >/dev/null 2>&1 || need_deb npm npm
	local p missing=()
	for p in "$@"; do [ -d "$NPM_DIR/node_modules/$p" ] || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	mkdir -p "$NPM_DIR"
	[ -f "$NPM_DIR/package.json" ] || echo '{"name":"peerscope-real","private":true}' >"$NPM_DIR/package.json"
	say "installing npm packages ${missing[*]} into $NPM_DIR"
	(cd "$NPM_DIR" && timeout 300 npm install --no-audit --no-fund --loglevel=error "${missing[@]}") \
		>"$T/npm.log" 2>&1 || skip "cannot install npm packages ${missing[*]} ($(tail -n 1 "$T/npm.log"))"
}

# ns_start: a network namespace with only loopback, held by a sleeping
# process; ns_run CMD... runs a command inside it (in the background with &).
ns_start() {
	command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "needs unshare and nsenter (util-linux)"
	unshare --net sleep 100000 &
	NS_PID=$!
	sleep 0.2
	nsenter -t "$NS_PID" -n ip link set lo up || fail "cannot bring up loopback in the namespace"
}
ns_run() { nsenter -t "$NS_PID" -n "$@"; }
# ns_addr N: put 10.77.0.N on the namespace's lo.  Some DHTs (Transmission's)
# drop 127.0.0.0/8 peers as martians; these addresses are just as local.
ns_addr() { ns_run ip addr add "10.77.0.$1/32" dev lo 2>/dev/null || true; }

# ns_check: what the namespace can reach (only lo) and what is bound in it;
# kept in the log so a reader can verify the network stayed on loopback.
ns_check() {
	local ifs
	ifs=$(ns_run ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')
	[ "$ifs" = "lo " ] || fail "namespace has interfaces besides lo: $ifs"
	ns_run ss -tunapH >"$T/ss.txt" 2>/dev/null
	# local and peer addresses: loopback, 10.77/16 (on lo, see ns_addr) or wildcards
	awk 'function ok(a) { return a ~ /^(127\.|10\.77\.|\[::1\]|\*|0\.0\.0\.0|\[::\]|\[::ffff:(127|10\.77)\.)/ }
	     !ok($5) || !ok($6) { bad = 1; print "  non-loopback socket:", $0 > "/dev/stderr" } END { exit bad }' "$T/ss.txt" ||
		fail "a socket is bound outside loopback"
	say "namespace: only lo; $(wc -l <"$T/ss.txt") sockets, all on loopback"
}

wait_file() {
	local f=$1 s=${2:-20} i=0
	while [ ! -s "$f" ] && [ $i -lt $((s * 10)) ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$f" ]
}
wait_port() { # wait_port PORT [SECONDS]: a TCP or UDP socket bound to PORT in the namespace
	local i=0
	while ! ns_run ss -tulnH | awk '{print $5}' | grep -q ":$1\$" && [ $i -lt $((${2:-20} * 10)) ]; do
		sleep 0.1; i=$((i + 1))
	done
	ns_run ss -tulnH | awk '{print $5}' | grep -q ":$1\$"
}

# ns_bg CMD...: start CMD in the namespace in the background; its pid (the
# program's own: nsenter execs it) goes in $! and is killed at exit.
ns_bg() { nsenter -t "$NS_PID" -n "$@" & BG_PIDS+=($!); }

mono_ns() { python3 -c 'import time; print(time.monotonic_ns())'; }
# cpu_ticks PID: user + system clock ticks of the process (all its threads)
# and of its main thread, from /proc ("0 0" once it has gone)
cpu_ticks() {
	local a b
	a=$(awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null) || a=0
	b=$(awk '{ print $14 + $15 }' "/proc/$1/task/$1/stat" 2>/dev/null) || b=0
	echo "${a:-0} ${b:-0}"
}

# perf_truth: perf script's output on stdin -> $T/truth.folded, less the
# samples taken inside BPF programs run from tracepoints (tp/: through
# trace_call_bpf; raw_tp/tp_btf: bpf_trace_runN): those are peerscope's own
# socket and off-CPU programs, running in the target's context while both
# record it.  perf sees them; peerscope cannot (the
# kernel skips a perf_event BPF program, peerscope's sampler, while another
# BPF program runs on that CPU), so they are the recording's cost to the
# target, not the target's work.  Their share is printed.
perf_truth() {
	awk -f "$REAL/perf-folded.awk" >"$T/perf-all.folded"
	grep -vE ';(trace_call_bpf|perf_call_bpf_enter|perf_call_bpf_exit|bpf_trace_run[0-9]+)_\[k\]' "$T/perf-all.folded" >"$T/truth.folded"
	say "perf: $(awk 'FNR == NR { a += $NF; next } { b += $NF } END { printf "%.1f %% of %d samples", a ? 100 * (a - b) / a : 0, a }' \
		"$T/perf-all.folded" "$T/truth.folded") were inside peerscope's tracepoint BPF programs (left out)"
}

# record_pair PID SECS RULES YARDSTICK: record PID with peerscope into
# $T/ps.pb.gz and, over the same seconds, with the yardstick into $T/truth.*:
#   perf          perf record -g (DWARF unwinding: Debian builds omit frame
#                 pointers), folded into $T/truth.folded
#   perf-jit      the same for a Node.js target started by js_node_bg, its
#                 main thread only, unwound through V8's JIT code by the
#                 jitdump's unwinding info ($T/jit)
#   pprof:URL     Go's own profiler (URL/debug/pprof/profile, in the
#                 namespace) -> $T/truth.pb.gz
#   none          nothing (the caller has its own, e.g. V8's --cpu-prof, and
#                 uses $T/window: monotonic ns at start and end)
record_pair() {
	local pid=$1 secs=$2 rules=$3 yard=$4 ypid='' tpid=''
	mono_ns >"$T/window"
	# the target's CPU over the recording's seconds, read beside it (the
	# node may exit soon after the window)
	{ cpu_ticks "$pid"; sleep "$secs"; cpu_ticks "$pid"; } >"$T/ticks" &
	tpid=$!
	case $yard in
	perf)
		command -v perf >/dev/null || need_deb linux-perf perf
		perf record -q -e cpu-clock -F "${REAL_FREQ:-199}" --call-graph dwarf,16384 -p "$pid" \
			-o "$T/perf.data" -- sleep "$secs" >"$T/perf.log" 2>&1 &
		ypid=$! ;;
	perf-jit)
		# a Node.js target started by js_node_bg: its JIT code is in
		# jit-PID.dump with unwinding info, so perf's DWARF unwinder walks
		# through JavaScript frames once perf inject --jit has made an ELF
		# file of each; -k mono is the clock jitdump records are stamped in
		command -v perf >/dev/null || need_deb linux-perf perf
		perf record -q -k mono -e cpu-clock -F "${REAL_FREQ:-199}" --call-graph dwarf,${REAL_PERF_STACK:-32768} -t "$pid" \
			-o "$T/perf.data" -- sleep "$secs" >"$T/perf.log" 2>&1 &
		ypid=$! ;;
	pprof:*)
		# PPROF_QUERY: another handler or rate (memberlist-node's /cpuprofile)
		ns_run curl -s -o "$T/truth.pb.gz" \
			"${yard#pprof:}${PPROF_QUERY:-/debug/pprof/profile?}seconds=$secs" &
		ypid=$! ;;
	esac
	# REAL_RECORD_OPTS: more record options when investigating (-v, -c LIST)
	# shellcheck disable=SC2086
	"$PS" record -p "$pid" -d "$secs" -F "${REAL_FREQ:-199}" --rules "$rules" ${REAL_RECORD_OPTS:-} \
		-o "$T/ps.pb.gz" 2>"$T/record.log" ||
		{ cat "$T/record.log" >&2; fail "peerscope record failed"; }
	mono_ns >>"$T/window"
	wait "$tpid"
	if [ -n "$ypid" ]; then
		wait "$ypid" || fail "yardstick $yard failed (exit $?: $(tail -n 2 "$T/perf.log" 2>/dev/null))"
	fi
	if [ "$yard" = perf ]; then
		perf script -i "$T/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null | perf_truth
	elif [ "$yard" = perf-jit ]; then
		# the main thread only: the one V8 profiles too (js_compare)
		( cd "$T/jit" && perf inject --jit -i "$T/perf.data" -o "$T/perf.jit.data" ) >>"$T/perf.log" 2>&1 ||
			fail "perf inject --jit failed ($(tail -n 1 "$T/perf.log"))"
		# --no-inline: no addr2line per frame (77 s instead of 1.5 s here),
		# and peerscope does not expand inlined frames either
		perf script --no-inline -i "$T/perf.jit.data" --tid "$pid" -F comm,tid,ip,sym,dso 2>/dev/null | perf_truth
	fi
	say "recorded pid $pid for ${secs}s ($(grep -o 'wrote .*' "$T/record.log"))"
	# what the kernel charged the target meanwhile, and the host's load: to
	# read the sample counts and a verdict's CPUs against
	say "target CPU over the window: $(awk -v hz="$(getconf CLK_TCK)" 'NR == 1 { a = $1; b = $2 }
		NR == 2 && $1 == 0 { print "unknown (the target exited first)" }
		NR == 2 && $1 > 0 { printf "%.2f s, main thread %.2f s", ($1 - a) / hz, ($2 - b) / hz }' "$T/ticks"); load $(cut -d" " -f1-3 /proc/loadavg)"
}

# shares FILE RULES: "path share" lines, each path's share of on-CPU time of
# the recording (or yardstick profile) FILE under RULES (peerscope's own
# classifier, so both sides are attributed by the same rules).
shares() {
	"$PS" report "$1" --rules "$2" --json 2>/dev/null | python3 "$REAL/shares.py"
}
share_of() { awk -v p="$2" '$1 == p { print $2; f = 1 } END { if (!f) print 0 }' "$1"; }

# assert_share WHAT PATH PS TRUTH TOL_PP MODE: |PS - TRUTH| <= TOL_PP
# percentage points.  MODE "short" counts in make check; "full" only in
# make check-real (assertions that do not hold today: printed as "known");
# "info" is printed and never counted (a yardstick that cannot see the
# evidence peerscope used, e.g. perf's symbol-only stacks of a stripped
# binary against the socket tag).
check() { # check WHAT MODE CONDITION-EXIT-STATUS DETAIL
	local what=$1 mode=$2 ok=$3 detail=$4 status
	if [ "$mode" = info ]; then status=info	# measured, printed, never counted
	elif [ "$ok" = 0 ]; then status=pass; npass=$((npass + 1))
	elif [ "$REAL_SHORT" = 1 ] && [ "$mode" != short ]; then status=known; nknown=$((nknown + 1))
	else status=FAIL; nfail=$((nfail + 1)); fi
	printf '%-22s %-6s %-5s %s: %s\n' "$NAME" "$status" "$mode" "$what" "$detail" | tee -a "$RESULTS" >&2
}
assert_share() {
	local what=$1 path=$2 ps=$3 truth=$4 tol=$5 mode=$6 ok
	awk -v a="$ps" -v b="$truth" -v t="$tol" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d * 100 <= t) }'
	ok=$?
	check "$what" "$mode" $ok "$(awk -v a="$ps" -v b="$truth" -v p="$path" -v t="$tol" \
		'BEGIN { printf "%s share of on-CPU: peerscope %.1f %%, yardstick %.1f %% (diff %+.1f pp, tolerance %s pp)", p, a * 100, b * 100, (a - b) * 100, t }')"
}
# verdict_of FILE PATH: the verdict kind and text of PATH in FILE's report
verdict_of() {
	"$PS" report "$1" --json 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
for p in r.get("paths", {}).get("paths", []):
	if p["name"] == sys.argv[1]:
		print(p["verdict"]["kind"], "|", p["verdict"]["text"]); break
else:
	print("absent | no such path")' "$2"
}
# stacks_whole FILE: no report line loses its stack (a part with a share but
# no frames, or a stack printed as only "...")
stacks_whole() {
	"$PS" report "$1" 2>/dev/null | awk '
		/^ +[0-9]+ %  / { n = $0; sub(/^ +[0-9]+ %  /, "", n); if (n == "" || n ~ /^\.\.\.$/ || n ~ /^< /) { bad++; print "  lost stack: " $0 > "/dev/stderr" } }
		END { exit bad > 0 }'
}

# assert_rooted MODE WHAT PATTERN [MIN_PCT]: of the on-CPU samples with a
# frame matching PATTERN (an extended regex; e.g. a native addon's
# functions), at least MIN_PCT (default 90) % have a whole user stack, from
# a thread root (_start, clone, clone3, start_thread; Go's runtime.goexit,
# runtime.mstart, runtime.rt0_go) to the leaf.  Before the unwinder took an
# lld-linked addon's text segment for its bias, 1 % of sodium-native's did;
# before it followed Go's systemstack to the goroutine, 93 % of Syncthing's.
assert_rooted() {
	local out
	out=$("$PS" flame "$T/ps.pb.gz" --folded --type cpu -o - 2>/dev/null | awk -v re="$3" -v min="${4:-90}" '
		$0 ~ re { v = $NF; n += v; k++
			  if ($1 ~ /^(_start|clone3?|start_thread|runtime\.(goexit|mstart|rt0_go))(;|$)/) r += v }
		END { printf "%.1f %% of their samples (%d stacks)", n ? 100 * r / n : 0, k; exit !(n && r * 100 >= n * min) }')
	check "whole stacks" "$1" $? "$2: $out reach a thread root (want >= ${4:-90} %)"
}

# assert_stack_errors MODE: each collector lost a stack in at most 0.05 %
# of its events (Syncthing's off-CPU kernel stacks collided in the stack
# map at 0.30 % before the retries of bpf/offcpu.bpf.c; 0.001 % after)
assert_stack_errors() {
	local out
	out=$("$PS" report "$T/ps.pb.gz" --json 2>/dev/null | python3 -c '
import json, sys
bad = 0
for s in json.load(sys.stdin)["meta"]["stats"]:
	e, n = s["stack_errors"], s["events"]
	print("%s %d of %d (%.3f %%)" % (s["collector"], e, n, 100.0 * e / max(n, 1)), end="; ")
	bad += e * 2000 > n
sys.exit(bad > 0)')
	check "stack errors" "$1" $? "per collector: ${out%; }"
}

real_finish() {
	printf '%s: %d passed, %d failed, %d known failures (check-real only)\n' "$NAME" "$npass" "$nfail" "$nknown" >&2
	[ "$nfail" -eq 0 ]
}

# compare_files PS TRUTH WHAT RULES MODE PATH...: each PATH's share of
# on-CPU time in PS against TRUTH, both classified by RULES, within 5 pp.
compare_files() {
	local ps=$1 truth=$2 what=$3 rules=$4 mode=$5 p a b
	shift 5
	shares "$ps" "$rules" >"$T/ps.shares"
	shares "$truth" "$rules" >"$T/truth.shares"
	for p in "$@"; do
		a=$(share_of "$T/ps.shares" "$p") b=$(share_of "$T/truth.shares" "$p")
		assert_share "$what" "$p" "$a" "$b" 5 "$mode"
	done
}
# compare_shares RULES MODE PATH...: the recording against the yardstick
# of record_pair ($T/truth.folded from perf, else Go's $T/truth.pb.gz)
compare_shares() {
	local truth=$T/truth.folded
	[ -s "$truth" ] || truth=$T/truth.pb.gz
	compare_files "$T/ps.pb.gz" "$truth" shares "$@"
}
# assert_verdict WHAT PATH MODE KIND...: PATH's verdict is one of KIND
# (a leading ! means: none of them).
assert_verdict() {
	local what=$1 path=$2 mode=$3 v k neg=0 hit=1
	shift 3
	[ "${1:-}" = "!" ] && { neg=1; shift; }
	v=$(verdict_of "$T/ps.pb.gz" "$path")
	# a path without samples invented nothing: "none"
	[ "${v%% |*}" = absent ] && v="none | $path: no samples"
	for k in "$@"; do [ "${v%% |*}" = "$k" ] && hit=0; done
	[ $neg = 1 ] && hit=$((1 - hit))
	check "$what" "$mode" $hit "$path verdict: ${v#* | }"
}

# js_node_bg ARGS...: the recorded Node.js node (node ARGS...) in the
# namespace, with what peerscope and both yardsticks need: the perf map
# (--perf-basic-prof: peerscope's JIT names), V8's own profile in $T/prof,
# and a jitdump with unwinding info in $T/jit (for record_pair perf-jit).
js_node_bg() {
	mkdir -p "$T/prof" "$T/jit"
	(cd "$T/jit" && exec nsenter -t "$NS_PID" -n node --perf-basic-prof --perf-prof --perf-prof-unwinding-info \
		--logfile="$T/v8.log" --no-logfile-per-isolate --cpu-prof --cpu-prof-dir="$T/prof" "$@") &
	BG_PIDS+=($!)
}

# thread_folded TID TYPE...: the recording's folded stacks of thread TID,
# of each sample type in turn, without the "[tid N];" root
thread_folded() {
	local tid=$1 t
	shift
	for t in "$@"; do
		"$PS" flame "$T/ps.pb.gz" --folded --type "$t" --by tid -o - 2>/dev/null
	done | sed -n "s/^\[tid $tid\];//p"
}

# js_truth PROFDIR TID: V8's --cpu-prof profile (the one file in PROFDIR),
# cut to the recording's window, into $T/v8.folded; and peerscope's
# samples of the same thread (TID: the main thread, the only one V8
# profiles) into $T/ps-main.folded, compared by js_compare.
js_truth() {
	local prof
	prof=$(ls "$1"/*.cpuprofile 2>/dev/null | head -n 1)
	[ -n "$prof" ] || fail "node wrote no --cpu-prof profile in $1"
	node "$REAL/cpuprof-folded.js" "$prof" $(cat "$T/window") >"$T/v8.folded" 2>"$T/v8.stat" ||
		fail "cannot read V8's profile ($(tail -n 1 "$T/v8.stat"))"
	cat "$T/v8.stat" >&2
	# V8's ticks sample the thread while it runs or waits for a CPU (a
	# tick that finds it preempted is taken where it stood, inside sendto()
	# after waking the receiver), so peerscope's side is on-CPU plus run
	# queue -- except the run queue after a wake-up from the event loop's
	# wait, which V8 still counts as (idle): on bittorrent-dht on-CPU alone
	# was +8.4 pp in dht, this is +1.1 pp (docs/real-nodes.md)
	thread_folded "$2" cpu runq |
		grep -vE ';(epoll_p?wait|__futex_abstimed_wait_common)(;[^;]*_\[k\])*;\[runq\] [0-9]+$' \
		>"$T/ps-main.folded"
}

# assert_guess PID SET MODE: peerscope rules --guess picks SET for PID; its
# per-path symbol counts (or its warning that none match) go in the log.
assert_guess() {
	local out got
	out=$("$PS" rules --guess "$1" 2>&1)
	got=$(echo "$out" | grep -v "^peerscope: " | head -n 1); got=${got%%:*}
	echo "$out" | sed 's/^/    guess: /' >&2
	[ "$got" = "$2" ]
	check "rules --guess" "$3" $? "guessed $got (want $2)$(echo "$out" | grep -q 'matches none' && echo '; warns: no symbol matches')"
}

assert_stacks() { # assert_stacks MODE
	stacks_whole "$T/ps.pb.gz"
	check "stacks" "$1" $? "every report line keeps its stack"
}

# mdht_idle_then_flood PID RULES HOST:PORT BIND [MODE]: a Mainline DHT node
# recorded idle (full suite: no path may get a bottleneck verdict), then
# flooded with queries from BIND and recorded against perf; dht and other
# shares compared, as a short-form assertion unless MODE is "full".
mdht_idle_then_flood() {
	local pid=$1 rules=$2 flood
	if [ "$REAL_SHORT" != 1 ]; then
		record_pair "$pid" 5 "$rules" none
		assert_verdict "idle node" dht full idle none
		assert_verdict "idle node" other full idle none
	fi
	ns_run node "$REAL/mdht-flood.js" "$3" 3000 $((SECS + 3)) 100000 "$4" >"$T/flood.json" &
	flood=$!
	sleep 1
	record_pair "$pid" "$SECS" "$rules" perf
	wait $flood
	say "flood counters: $(cat "$T/flood.json")"
	compare_shares "$rules" "${5:-short}" dht other
}

# js_compare PID RULES WHAT [KIND...]: a Node.js node's main thread against
# perf's (record_pair perf-jit) and, printed only, V8's own profile (in
# $T/prof); then its dht verdict under load WHAT: one of KIND (default
# cpu).  Full suite only.
js_compare() {
	local what=$3 v8 cpu
	js_truth "$T/prof" "$1"
	# the ground truth of on-CPU time: perf's samples of the main thread,
	# unwound through V8's own JIT code by its jitdump (record_pair perf-jit)
	thread_folded "$1" cpu >"$T/ps-main-cpu.folded"
	compare_files "$T/ps-main-cpu.folded" "$T/truth.folded" "main-thread shares (perf, V8 jitdump)" "$2" full dht other
	# V8's own profile, printed beside it: it files libuv's poll phase
	# outside JavaScript as (idle), and on a busy 2-CPU host its sampler
	# thread ticks mostly when a CPU is free, so its not-idle ticks cover
	# only part of the thread's CPU time (docs/real-nodes.md)
	# "cpuprof-folded: interval I us, KEPT samples kept, BUSY not idle, ..."
	v8=$(awk '/samples kept/ { printf "%.1f", $5 ? 100 * $8 / $5 : 0 }' "$T/v8.stat")
	cpu=$(awk -v hz="$(getconf CLK_TCK)" -v s="$SECS" 'NR == 1 { b = $2 } NR == 2 { printf "%.1f", 100 * ($2 - b) / hz / s }' "$T/ticks")
	say "V8's profile: not idle in $v8 % of its ticks; the kernel: main thread on-CPU $cpu % of the window"
	compare_files "$T/ps-main.folded" "$T/v8.folded" "main-thread shares (V8 --cpu-prof)" "$2" info dht other
	shift 3
	[ $# -gt 0 ] || set -- cpu
	assert_verdict "$what" dht full "$@"
	assert_stacks full
}
