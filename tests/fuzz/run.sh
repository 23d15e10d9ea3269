#!/usr/bin/env bash
# run.sh SECONDS [NAME...]: replay tests/fuzz/regress/NAME/*, then fuzz each
# harness ($FUZZ_BUILD/fuzz_NAME) for SECONDS from the checked-in seeds and
# a corpus of this machine's files; one line per harness with executions
# and coverage.  New crashes go to $FUZZ_BUILD/crashes/NAME/.  Exit 1 if
# any harness crashed (a crash, leak, undefined behaviour, an allocation
# over 2 GiB or an input taking over 10 s).  FUZZ_JOBS harnesses run at
# once (default: the number of CPUs).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FUZZ_BUILD=${FUZZ_BUILD:-$ROOT/build/fuzz}
PS=${PS:-$(dirname "$FUZZ_BUILD")/peerscope}
secs=${1:-60}
shift
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in "$FUZZ_BUILD"/fuzz_*; do names+=("$(basename "$f" | sed 's/^fuzz_//')"); done
fi
corpus=$FUZZ_BUILD/corpus
[ -d "$corpus/elf" ] || "$ROOT/tests/fuzz/corpus.sh" "$corpus" "$PS"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# one harness: its line on stdout, its executions in $FUZZ_BUILD/log/NAME.execs
fuzz_one() {
	local n=$1 bin crashes log regress seeds rc execs cov
	bin=$FUZZ_BUILD/fuzz_$n crashes=$FUZZ_BUILD/crashes/$n log=$FUZZ_BUILD/log/$n.log
	mkdir -p "$corpus/$n" "$crashes" "$(dirname "$log")"
	echo 0 >"$FUZZ_BUILD/log/$n.execs"
	regress=("$ROOT/tests/fuzz/regress/$n"/*)
	if [ -e "${regress[0]}" ] && ! "$bin" -rss_limit_mb=2048 "${regress[@]}" >"$log" 2>&1; then
		echo "fuzz $n: FAIL: a regression input crashes again ($log)"
		return 1
	fi
	seeds=()
	[ -d "$ROOT/tests/fuzz/seeds/$n" ] && seeds=("$ROOT/tests/fuzz/seeds/$n")
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
		-print_final_stats=1 -artifact_prefix="$crashes/" "$corpus/$n" "${seeds[@]}" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
	echo "${execs:-0}" >"$FUZZ_BUILD/log/$n.execs"
	if [ $rc -ne 0 ]; then
		echo "fuzz $n: FAIL after ${execs:-?} executions: $(grep -m1 -E 'ERROR|runtime error|Sanitizer' "$log") -- input kept in $crashes ($log)"
		return 1
	fi
	echo "fuzz $n: ok, ${execs:-0} executions in ${secs} s, ${cov:-cov: ?}, corpus $(ls "$corpus/$n" | wc -l)"
}

# FUZZ_JOBS harnesses at a time (default: one per CPU).  Each fuzzes for a
# wall-clock time on one core, so on an idle machine as many at once as
# there are CPUs make as many executions in all as one after another, in
# 1/FUZZ_JOBS of the time; lines are printed in the harnesses' order.
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
mkdir -p "$FUZZ_BUILD/log"
failed=0 total=0 i=0
pids=()
for n in "${names[@]}"; do
	fuzz_one "$n" >"$FUZZ_BUILD/log/$n.line" &
	pids[i]=$!
	i=$((i + 1))
	[ $i -lt "$jobs" ] || wait "${pids[i - jobs]}"
done
i=0
for n in "${names[@]}"; do
	wait "${pids[i]}"
	i=$((i + 1))
	cat "$FUZZ_BUILD/log/$n.line"
	grep -q "^fuzz $n: ok" "$FUZZ_BUILD/log/$n.line" || failed=$((failed + 1))
	total=$((total + $(cat "$FUZZ_BUILD/log/$n.execs")))
done
echo "fuzz: ${#names[@]} harnesses, $total executions, $failed failed"
[ $failed -eq 0 ]
