#!/usr/bin/env bash
# What the unwinding tests share: reading folded stacks (flame --folded).

# root_share FOLDED: percent of samples whose outermost frame is a thread root
root_share() {
	awk '{ n = $NF; $NF = ""; split($0, f, ";"); sub(/ +$/, "", f[1]); t += n
	       if (f[1] == "_start" || f[1] == "clone3" || f[1] == "start_thread") r += n }
	     END { printf "%.1f", t ? 100 * r / t : 0 }' "$1"
}
# count FOLDED REGEX: samples of the stacks matching REGEX (whole stack)
count() { awk -v re="$2" '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s); if (s ~ re) c += n } END { print c + 0 }' "$1"; }
# total FOLDED: all its samples
total() { awk '{ t += $NF } END { print t + 0 }' "$1"; }
