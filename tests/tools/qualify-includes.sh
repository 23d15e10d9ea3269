#!/usr/bin/env bash
# Rewrite `#include "name.h"` into the layer-qualified form the Makefile's
# per-layer include trees need ("core/profile.h", "format/pprof.h",
# "analysis/paths.h", "bpf/span.h"; docs/design.md).  Idempotent; run it from
# anywhere after moving headers between layers, or on a branch that predates
# the layer rule.  Prints the files it changed.
set -eu
cd "$(dirname "$0")/../.."

# header directory -> layer name (most specific first)
layer_of() {
	case $1 in
	userspace/core/*) echo core ;;
	userspace/format/*) echo format ;;
	reports/analysis/*) echo analysis ;;
	reports/*) echo reports ;;
	collectors/*) echo collectors ;;
	bpf/*) echo bpf ;;
	esac
}

script=$(mktemp)
trap 'rm -f "$script"' EXIT
declare -A qual=() seen=()
for h in userspace/core/*.h userspace/format/*.h collectors/*.h \
	 reports/analysis/*.h reports/*.h bpf/*.h; do
	[ -f "$h" ] || continue
	base=${h##*/}
	q="$(layer_of "$h")/$base"
	seen[$base]=$(( ${seen[$base]:-0} + 1 ))
	qual[$base]=$q
done
for base in "${!qual[@]}"; do
	if [ "${seen[$base]}" -gt 1 ]; then
		# two layers have a header of this name: only a person can tell
		# which one a bare "base" meant; qualified ones are left alone
		echo "qualify-includes: $base is in ${seen[$base]} layers: not rewritten" >&2
		continue
	fi
	# "base.h" or any other qualification of it ("reports/base.h" after it
	# moved to format/): the name is unique, so only one is right
	printf 's|^\\([ \\t]*#[ \\t]*include[ \\t]*"\\)\\([^"]*/\\)\\{0,1\\}%s"|\\1%s"|\n' \
		"${base//./\\.}" "${qual[$base]}" >>"$script"
done

dirs=()
for d in userspace collectors reports bpf tests/unit tests/fuzz bench; do
	[ -d "$d" ] && dirs+=("$d")
done
find "${dirs[@]}" -name '*.[ch]' | sort | while read -r f; do
	sed -f "$script" "$f" >"$f.qi.tmp"
	if cmp -s "$f" "$f.qi.tmp"; then rm -f "$f.qi.tmp"; else mv "$f.qi.tmp" "$f"; echo "$f"; fi
done
