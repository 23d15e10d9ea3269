#!/usr/bin/env bash
# Build Go's pprof offline from Debian's golang-github-google-pprof-dev into
# .tools/pprof (the independent decoder our tests check pprof files with).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
out=$ROOT/.tools/pprof
[ -x "$out" ] && exit 0
command -v go >/dev/null || { echo "build-pprof: go not installed (make deps)" >&2; exit 1; }
mkdir -p "$ROOT/.tools"
cache=$(mktemp -d)
GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=$cache GOFLAGS= \
	go build -o "$out.tmp" github.com/google/pprof
mv "$out.tmp" "$out"
rm -rf "$cache"
echo "build-pprof: built $out"
