# shellcheck shell=bash
# Shared helpers for integration tests.  Source it first:
#   . "$(dirname "$0")/lib.sh"
# A test exits 0 when it passes, 77 when it must be skipped (say why on
# stderr), anything else when it fails (say what failed, one line).

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PS=$BUILD/peerscope
PROGS=$BUILD/progs
if [ -z "${PPROF:-}" ]; then
	if [ -x "$ROOT/.tools/pprof" ]; then PPROF=$ROOT/.tools/pprof; else PPROF=$(command -v pprof || echo "$ROOT/.tools/pprof"); fi
fi
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "/tmp/peerscope-$TEST_NAME.XXXXXX")
BG_PIDS=()
EXIT_HOOKS=()

# at_exit COMMAND: run COMMAND (eval) at exit, after the background
# processes are gone and before $T is removed (unmount, remove a cgroup or
# a namespace).  A test never replaces the EXIT trap: then a failing test
# left its processes running (a spinning target, an attached agent) into
# the tests after it.
at_exit() { EXIT_HOOKS+=("$1"); }

cleanup() {
	local p h
	for p in "${BG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${BG_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	for h in "${EXIT_HOOKS[@]}"; do
		eval "$h"
	done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL $TEST_NAME: $*" >&2; exit 1; }
skip() { echo "SKIP $TEST_NAME: $*" >&2; exit 77; }
# pp_ms PPROF-ARGS...: the value in ms of what pprof -top selects (e.g.
# -sample_index=wall -tagfocus=thread=x), from "accounting for" (with
# -focus, pprof's "total" stays the whole profile's).  -nodefraction=0: by
# default pprof leaves out nodes under 0.5 % of the total, so two sample
# types of the same samples could differ by a small leaf one of them
# dropped (test_offcpu_runq: wall 50 ms short of cpu + runq).
pp_ms() {
	local v
	v=$("$PPROF" -top -nodecount=100000 -nodefraction=0 -edgefraction=0 -unit=ms "$@" \
		2>/dev/null | sed -n 's/^Showing nodes accounting for \([0-9.]*\)\(ms\)\{0,1\},.*/\1/p')
	echo "${v:-0}"
}
note() { echo "  $TEST_NAME: $*" >&2; }

# folded_share FOLDED REGEX: percent of the value whose stack matches REGEX
folded_share() {
	awk -v re="$2" '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s); t += n; if (s ~ re) m += n }
		END { printf "%.1f", t ? 100 * m / t : 0 }' "$1"
}

need_root() { [ "$(id -u)" = 0 ] || skip "needs root (BPF)"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs $1"; }

# Start a command in the background; its pid goes in $! and is killed at exit.
bg() { "$@" & BG_PIDS+=($!); }

# assert_between VALUE LOW HIGH WHAT: numeric check (floats allowed).
assert_between() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }' ||
		fail "$4: $1 not in [$2, $3]"
}

# Nanoseconds the machine's CPUs (all of them) have spent in interrupts or
# stolen by the hypervisor: task-clock (time on a CPU) includes that time, a
# task's own CPU time does not.  /proc/stat counts USER_HZ ticks.
lost_ns() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.0f", ($7 + $8 + $9) * 1e9 / hz; exit }' /proc/stat
}
# lost_since START: lost_ns since START (an earlier lost_ns), plus one tick
# for the counters' granularity
lost_since() { echo $(( $(lost_ns) - $1 + 1000000000 / $(getconf CLK_TCK) )); }

# wait_attached PID FILE: until `record --progress` (pid PID, its stderr in
# FILE) says "recording N process(es)", i.e. every collector is attached;
# at most 30 s, and not past the record's exit.  Fails otherwise.
# Empty FILE before starting record: `cmd 2>FILE &` truncates it only after
# the fork, so a FILE left from an earlier record could answer at once.
wait_attached() {
	local _
	for _ in $(seq 300); do
		grep -qs "recording [0-9]* process" "$2" && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	grep -qs "recording [0-9]* process" "$2" || fail "record did not attach: $(tail -3 "$2")"
}

# A CPU-bound answer needs a CPU (docs/testing.md): from STARVED_PCT % of a
# node's runnable time spent waiting for one, by the kernel's account
# (schedstat), the verdict's rule calls a busy path "run-queue starvation"
# -- host contention -- and a test that expects "cpu" accepts that too.
STARVED_PCT=40

# runq_agrees TEXT WAIT_PCT: WAIT_PCT (the kernel's) is at least
# STARVED_PCT and TEXT says "run-queue starvation: N %" with N within 20
# points of it.  "as on every path" is not asked for: the rule adds it only
# when the other paths waited as long (a run beside two busy loops had dht
# starved alone, kernel 54 %, verdict 56 %).
runq_agrees() {
	local said d
	said=$(echo "$1" | sed -n 's/.*run-queue starvation: \([0-9]*\) %.*/\1/p')
	[ "$2" -ge "$STARVED_PCT" ] && [ -n "$said" ] || return 1
	d=$((said - $2))
	[ "${d#-}" -le 20 ]
}

# free_base SPAN [OFFSET]: a random port B such that B .. B+SPAN-1 (and,
# with OFFSET, B+OFFSET .. B+OFFSET+SPAN-1 too) are free now -- no TCP or
# UDP socket of any state, TIME-WAIT included, bound there -- and below the
# kernel's ephemeral range (net.ipv4.ip_local_port_range): a port inside
# that range can be taken at any moment as the local port of some process's
# outgoing connection, which is how a CI run once failed with "Address
# already in use".  Starts at 22000, above the fixed ports some tests use.
# Only the ports asked for are checked: a CI run failed when a 2000-port
# window was asked of a range the last minute's networks had left a few
# TIME-WAIT ports in every 2000 of.
free_base() {
	local span=${1:-1} off=${2:-0} lo=22000 hi b used _
	hi=$(( $(cut -f1 /proc/sys/net/ipv4/ip_local_port_range) - off - span ))
	[ "$hi" -gt "$lo" ] || hi=$((lo + 1))
	used=$(ss -Htuan 2>/dev/null | awk '{ n = split($5, a, ":"); print a[n] }')
	for _ in $(seq 200); do
		b=$(( lo + (RANDOM * 32768 + RANDOM) % (hi - lo) ))
		echo "$used" | awk -v b="$b" -v s="$span" -v o="$off" '
			($1 >= b && $1 < b + s) || (o && $1 >= b + o && $1 < b + o + s) { f = 1 }
			END { exit f }' && { echo "$b"; return 0; }
	done
	fail "no $span free ports (offset $off) between $lo and $((hi + off + span))"
}

# free_net_base [NODES]: a --base-port for a p2pnet network of NODES (64 by
# default): node i listens on udp BASE+i and tcp BASE+1000+i.
free_net_base() { free_base "${1:-64}" 1000; }

# Wait until FILE exists and is non-empty, at most SECONDS.
wait_file() {
	local f=$1 s=${2:-20} i=0
	while [ ! -s "$f" ] && [ $i -lt $((s * 10)) ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$f" ]
}
