#!/usr/bin/env bash
# Run the cmocka unit test binaries given as arguments (after the build
# directory), then "N passed, N failed" over all of their test cases.
set -u
build=$1; shift
pass=0 failn=0 bins_failed=()
for t in "$@"; do
	log=$(mktemp)
	"$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed before its summary
	pass=$((pass + p)); failn=$((failn + f))
	if [ $rc -ne 0 ]; then
		bins_failed+=("$(basename "$t")")
		echo "  FAIL  $(basename "$t") (exit $rc)"; sed 's/^/        | /' "$log" | tail -n 40
	else
		printf '  ok    %-40s %3d cases\n' "$(basename "$t")" "$p"
	fi
	rm -f "$log"
done
echo "unit: $pass passed, $failn failed"
[ $failn -eq 0 ]
