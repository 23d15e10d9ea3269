#!/usr/bin/env bash
# make bench: run every bench/*.sh (except this one and the hour-long
# agent-soak.sh, which runs on its own: docs/agent.md) and print their lines.
# Each benchmark measures peerscope side by side with a yardstick in the
# same run and prints ratios; absolute timings on this noisy VM mean little.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-build}
rc=0
for b in "$ROOT"/bench/*.sh; do
	case $(basename "$b") in
	run.sh) continue ;;
	agent-soak.sh) echo "== agent-soak: not in make bench (an hour): bench/agent-soak.sh"; continue ;;
	esac
	echo "== $(basename "$b" .sh)"
	bash "$b" || { echo "   (failed: exit $?)"; rc=1; }
done
exit $rc
