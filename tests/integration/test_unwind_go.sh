#!/usr/bin/env bash
# unwind: Go.  Go keeps frame pointers on amd64 and has no .eh_frame, so
# the default (--unwind auto) walks frame pointers natively; a stripped
# binary (-ldflags=-s) is named from .gopclntab.  Goroutine stacks end at
# runtime.goexit, >= 95 % of user frames are named.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd go

mkdir -p "$T/src"
cat >"$T/src/main.go" <<'GO'
package main

var sink uint64

//go:noinline
func goHot(n uint64) uint64 {
	var s uint64
	for i := uint64(0); i < n; i++ {
		s += (i * i) ^ (s >> 3)
	}
	return s
}

//go:noinline
func goLoop(n uint64) {
	for {
		sink += goHot(n) + 1
	}
}

func main() {
	go goLoop(300000)
	goLoop(200000)
}
GO
printf 'module gohot\n\ngo 1.19\n' >"$T/src/go.mod"
(cd "$T/src" && GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod GOTOOLCHAIN=local \
	go build -ldflags=-s -o "$T/gohot" .) >"$T/build.log" 2>&1 || skip "go build failed: $(tail -n 1 "$T/build.log")"

bg "$T/gohot"
pid=$!
sleep 0.5
"$PS" record -p "$pid" -d 3 -c cpu -o "$T/go.pb.gz" 2>"$T/err" || fail "record failed: $(tail -n 2 "$T/err")"
"$PS" flame "$T/go.pb.gz" --folded --no-kernel -t samples -o "$T/go.folded" 2>/dev/null || fail "flame failed"
kill "$pid"

read -r tot goexit named frames < <(awk '
	{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s); k = split(s, f, ";"); t += n
	  if (f[1] == "runtime.goexit" && f[k] == "main.goHot") g += n
	  for (i = 1; i <= k; i++) { fr += n; if (f[i] !~ /^(\[|0x)/ && f[i] !~ /\+0x[0-9a-f]+$/) nm += n } }
	END { print t + 0, g + 0, nm + 0, fr + 0 }' "$T/go.folded")
note "$goexit of $tot samples are runtime.goexit;...;main.goHot; $named of $frames user frames named"
[ "$tot" -ge 20 ] || fail "only $tot samples"
assert_between "$(awk -v a="$goexit" -v t="$tot" 'BEGIN { print 100 * a / t }')" 80 100 \
	"share of samples in goroutine stacks rooted at runtime.goexit ending in main.goHot"
assert_between "$(awk -v a="$named" -v t="$frames" 'BEGIN { print 100 * a / t }')" 95 100 \
	"share of user frames named in a stripped Go binary"
exit 0
