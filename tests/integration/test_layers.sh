#!/usr/bin/env bash
# test-lock: none
# The layer rule (docs/design.md) is enforced by the build: a file may include
# only the layers below it.  For every layer, a probe file placed in that
# layer includes one header of every layer: the include must build exactly
# when the table below allows it.  The table is written out here on purpose,
# apart from the Makefile's, so loosening the Makefile fails this test.
# Also: the real tree compiles with the per-layer flags, no include climbs
# out with "../" (the one way around the include trees), and libbpf is used
# by collectors and commands only.
# Needs no root; builds nothing but probes (make layer-probe, BUILD=tmp).
. "$(dirname "$0")/lib.sh"
need_cmd make
need_cmd "${CC:-gcc}"
cd "$ROOT" || fail "cannot cd to $ROOT"

LAYERS="core format collectors analysis reports commands"
TARGETS="core format collectors analysis reports bpf"
declare -A SEES=(
	[core]="core bpf"
	[format]="core format"
	[collectors]="core format collectors bpf"
	[analysis]="core format analysis"
	[reports]="core format analysis reports"
	[commands]="core format collectors analysis reports"
)
# where a source file of each layer lives
declare -A AT=(
	[core]=userspace/core [format]=userspace/format [collectors]=collectors
	[analysis]=reports/analysis [reports]=reports [commands]=userspace
)

allowed() { case " ${SEES[$1]} " in *" $2 "*) return 0 ;; esac; return 1; }

# probe LAYER INCLUDE [make args...]: 0 when a file of LAYER including INCLUDE builds
probe() {
	local layer=$1 inc=$2; shift 2
	# <linux/types.h> first, as every includer of the BPF ABI does
	printf '#include <linux/types.h>\n#include "%s"\nint layer_probe;\n' "$inc" >"$T/probe.c"
	make -s --no-print-directory layer-probe BUILD="$T/$PBUILD" \
		AS="${AT[$layer]}/layer_probe.c" PROBE="$T/probe.c" "$@" >"$T/probe.log" 2>&1
}

# --- 1. the whole matrix, against stand-in layer directories -------------
# One header per layer, in a scratch copy of the layout, so layers that do
# not exist yet (or hold no header) are checked all the same.
PBUILD=stand-in
overrides=()
for l in $TARGETS; do
	mkdir -p "$T/src/$l"
	printf '#define PROBE_%s 1\n' "$l" >"$T/src/$l/probe.h"
	overrides+=("LAYER_DIR_$l=$T/src/$l")
done
checked=0
for from in $LAYERS; do
	for to in $TARGETS; do
		if probe "$from" "$to/probe.h" "${overrides[@]}"; then
			allowed "$from" "$to" ||
				fail "$from may not include $to, but the build allowed it"
		elif allowed "$from" "$to"; then
			fail "$from may include $to, but the build refused: $(head -n 2 "$T/probe.log")"
		else
			grep -q 'No such file' "$T/probe.log" ||
				fail "$from -> $to failed, not for want of the header: $(head -n 2 "$T/probe.log")"
		fi
		checked=$((checked + 1))
	done
done
note "$checked include pairs behave as the layer table says"

# --- 2. the same with real headers of the tree ----------------------------
PBUILD=real
probe commands collectors/collector.h || fail "commands cannot include collectors/collector.h"
probe core collectors/collector.h && fail "core includes collectors/collector.h (core/target.h's old mistake)"
probe reports bpf/span.h && fail "a renderer includes the BPF ABI bpf/span.h"
probe collectors bpf/span.h || fail "collectors cannot include bpf/span.h"
probe reports core/profile.h || fail "reports cannot include core/profile.h"
probe core reports/output.h && fail "core includes reports/output.h"
if [ -f userspace/format/pprof.h ]; then
	probe collectors format/pprof.h || fail "collectors cannot include format/pprof.h"
	probe core format/pprof.h && fail "core includes format/pprof.h"
fi
probe core core/target.h || fail "core/target.h does not build on its own: $(head -n 2 "$T/probe.log")"

# --- 3. the real build uses the per-layer flags, nothing wider ------------
src=$(ls reports/*.c | head -n 1)
[ -n "$src" ] || fail "no renderer source in reports/"
line=$(make -n -B --no-print-directory BUILD="$T/build" "$T/build/obj/${src%.c}.o" 2>/dev/null |
	grep -- "-c $src") || fail "no compile line for $src in make -n"
case " $line " in
*" -I$T/build/inc/reports "*) ;;
*) fail "$src is not compiled with its layer's include tree: $line" ;;
esac
for wide in -Iuserspace -Iuserspace/core -Icollectors -Ireports -Ibpf; do
	case " $line " in *" $wide "*) fail "$src still gets $wide: $line" ;; esac
done

# --- 4. no include climbs out of its directory ---------------------------
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^">]*\.\./' \
	userspace collectors reports bpf 2>/dev/null | head -n 3)
[ -z "$bad" ] || fail "include with ../ bypasses the layer rule: $bad"
# one include style: every project header by its layer ("core/units.h", not
# "units.h", which only the same directory would find); the commands' own
# builtin.h, generated skeletons and the BPF programs' vmlinux.h excepted
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"/]*"' \
	userspace collectors reports bpf 2>/dev/null |
	grep -vE '"(builtin\.h|vmlinux\.h|[a-z_-]*\.skel\.h)"' | head -n 3)
[ -z "$bad" ] || fail "include without its layer (write \"<layer>/name.h\"): $bad"
# libbpf's headers (<bpf/libbpf.h>) sit on the system path, where no include
# tree can hide them: only collectors and the commands may use libbpf.
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<bpf/' \
	userspace/core userspace/format reports 2>/dev/null | head -n 3)
[ -z "$bad" ] || fail "libbpf used below or beside the collectors: $bad"
exit 0
