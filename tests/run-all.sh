#!/usr/bin/env bash
# make check: unit tests, then integration tests, then one closing line.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
cd "$ROOT" || exit 1
units=$(ls "$build"/tests/test_* 2>/dev/null)
echo "== unit tests"
unit_out=$(tests/run-unit.sh "$build" $units | tee /dev/stderr | tail -n 1)
echo "== integration tests"
int_out=$(BUILD=$build tests/run-integration.sh | tee /dev/stderr | tail -n 1)
up=$(echo "$unit_out" | sed -n 's/.* \([0-9]*\) passed.*/\1/p'); uf=$(echo "$unit_out" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
ip=$(echo "$int_out" | sed -n 's/.* \([0-9]*\) passed.*/\1/p'); if=$(echo "$int_out" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
is=$(echo "$int_out" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
p=$(( ${up:-0} + ${ip:-0} )); f=$(( ${uf:-1} + ${if:-1} ))
echo "check: $p passed, $f failed, ${is:-0} skipped"
[ $f -eq 0 ]
