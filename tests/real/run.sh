#!/usr/bin/env bash
# Run the real-node suite (tests/real/real_*.sh, or those named): one line
# per assertion, then one line per program and a closing total.  REAL_SHORT=1
# is the short form make check runs (tests/integration/test_real_nodes.sh).
# Exit 0 when nothing failed (skips are not failures), 1 otherwise.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
progs=("$@")
[ ${#progs[@]} -gt 0 ] || progs=("$ROOT"/tests/real/real_*.sh)
export REAL_RESULTS
REAL_RESULTS=$(mktemp)
pass=0 failn=0 skipn=0
for t in "${progs[@]}"; do
	[ -f "$t" ] || t=$ROOT/tests/real/${t%.sh}.sh
	name=$(basename "$t" .sh)
	log=$(mktemp)
	start=$(date +%s)
	timeout --kill-after=10 "${REAL_TIMEOUT:-240}" bash "$t" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	grep -E '^real_[a-z0-9_]+ +(pass|FAIL|known|info) ' "$log"
	case $rc in
	0)  pass=$((pass + 1)); printf '  ok    %-24s %3ss\n' "$name" "$secs" ;;
	77) skipn=$((skipn + 1)); printf '  skip  %-24s %s\n' "$name" "$(tail -n 1 "$log")" ;;
	*)  failn=$((failn + 1)); printf '  FAIL  %-24s %3ss (exit %d)\n' "$name" "$secs" "$rc"
	    grep -vE '^real_[a-z0-9_]+ +(pass|FAIL|known|info) ' "$log" | sed 's/^/        | /' | tail -n 15 ;;
	esac
	rm -f "$log"
done
rm -f "$REAL_RESULTS"
echo "real nodes: $pass passed, $failn failed, $skipn skipped"
[ $failn -eq 0 ]
