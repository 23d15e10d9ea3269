#!/usr/bin/env bash
# corpus.sh OUT PS: seed corpora made from this machine's real files into
# OUT/NAME/ (one directory per harness), with PS the peerscope binary (for
# the built-in rules).  Missing tools or files only mean fewer seeds.
set -u
out=$1 ps=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
lib=/usr/lib/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
mkdir -p "$out"
for d in elf unwind_elf cfi gopclntab perfmap kallsyms kallsyms_cache maps rules specs demangle pprof folded records; do
	mkdir -p "$out/$d"
done

# ELF images: small system libraries, a Go binary, our own test node, and
# an object with .debug_frame instead of .eh_frame.
elfs=()
for f in "$lib/libz.so.1" "$lib/libelf.so.1" "$lib/libcmocka.so.0" "$ROOT/build/p2pnode"; do
	[ -r "$f" ] && elfs+=("$(readlink -f "$f")")
done
gotool=$(go env GOTOOLDIR 2>/dev/null)
gobin=
for g in "$gotool/pack" "$gotool/buildid"; do
	[ -r "$g" ] && { gobin=$g; elfs+=("$g"); break; }
done
if printf 'int f(int x) { return x * 3; }\nint g(int x) { return f(x) + 1; }\n' |
	cc -g -O0 -fno-asynchronous-unwind-tables -x c -c -o "$out/debug_frame.o" - 2>/dev/null; then
	elfs+=("$out/debug_frame.o")
fi
for f in "${elfs[@]}"; do
	cp "$f" "$out/elf/$(basename "$f")"
	cp "$f" "$out/unwind_elf/$(basename "$f")"
done

# section SECTION FILE: its address (hex, no 0x) or nothing
section_addr() {
	readelf -SW "$2" 2>/dev/null | awk -v s="$1" '{ for (i = 1; i < NF; i++) if ($i == s) { print $(i + 2); exit } }'
}
# le64 HEX: 8 bytes, little-endian
le64() { printf '%016x' "0x$1" | sed 's/../& /g' | awk '{ for (i = 8; i >= 1; i--) printf "\\x%s", $i }'; }

# CFI: flag byte (1 = .debug_frame), section address, section
for f in "${elfs[@]}"; do
	for s in .eh_frame .debug_frame; do
		a=$(section_addr "$s" "$f")
		[ -n "$a" ] || continue
		objcopy --dump-section "$s=$out/sec.bin" "$f" "$out/dump.o" 2>/dev/null || continue
		[ -s "$out/sec.bin" ] || continue
		flag='\x00'; [ "$s" = .debug_frame ] && flag='\x01'
		{ printf "$flag"; printf "$(le64 "$a")"; head -c 262144 "$out/sec.bin"; } >"$out/cfi/$(basename "$f")$s"
	done
done

# .gopclntab of the Go binary, after its .text address
if [ -n "$gobin" ]; then
	t=$(section_addr .text "$gobin")
	if [ -n "$t" ] && objcopy --dump-section ".gopclntab=$out/sec.bin" "$gobin" "$out/dump.o" 2>/dev/null; then
		{ printf "$(le64 "$t")"; cat "$out/sec.bin"; } >"$out/gopclntab/$(basename "$gobin")"
	fi
fi
rm -f "$out/sec.bin" "$out/dump.o"

# perf map: a library's symbols written the way a JIT writes them
nm -D -S --defined-only "$lib/libz.so.1" 2>/dev/null | awk 'NF == 4 { print $1, $2, $4 }' | head -300 >"$out/perfmap/libz"
# kallsyms and modules, as the kernel shows them (addresses are zero without root)
head -3000 /proc/kallsyms >"$out/kallsyms/head"
grep '\[' /proc/kallsyms | head -500 >"$out/kallsyms/modules-syms"
cp /proc/modules "$out/kallsyms/modules" 2>/dev/null
# maps of real processes
cat /proc/self/maps >"$out/maps/self"
cat /proc/1/maps >"$out/maps/init" 2>/dev/null
# the built-in rule sets
for r in $("$ps" rules --list 2>/dev/null | awk '{ print $1 }'); do
	"$ps" rules --show "$r" >"$out/rules/$r" 2>/dev/null
done
# mangled C++ names
nm -D --defined-only "$lib/libstdc++.so.6" 2>/dev/null | awk '$3 ~ /^_Z/ { print $3 }' |
	awk 'NR % 97 == 1' | head -40 | while read -r n; do printf '%s' "$n" >"$out/demangle/$n"; done
# recordings (pprof: mode byte 0 = as is, 1 = gzipped by the harness) and folded stacks
for f in "$ROOT"/tests/fixtures/v1/*.pb.gz; do
	n=$(basename "$f" .pb.gz)
	{ printf '\x00'; cat "$f"; } >"$out/pprof/$n.gz"
	{ printf '\x01'; gzip -dc "$f"; } >"$out/pprof/$n.plain"
done
# the records of the recordings, one comment a line
for f in "$ROOT"/tests/fixtures/v1/*.pb.gz; do
	gzip -dc "$f" | tr -c '[:print:]' '\n' | grep -o 'peerscope:.*' | head -400 \
		>"$out/records/$(basename "$f" .pb.gz)"
done
for f in "$ROOT"/tests/fixtures/v1/expected/*.folded; do
	head -200 "$f" >"$out/folded/$(basename "$f")"
done
exit 0
