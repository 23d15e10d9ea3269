#!/usr/bin/env bash
# Build Go's pprof offline from Debian's golang-github-google-pprof-dev into
# .tools/pprof (the independent decoder our tests check pprof files with).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
out=$ROOT/.tools/pprof
[ -x "$out" ] && exit 0
command -v go >/dev/null || { echo "build-pprof: go not installed (make deps)" >&2; exit 1; }
mkdir -p "$ROOT/.tools"
# Go's own build cache (content-addressed, checked by go), so a clean clone
# links pprof in seconds instead of compiling it and its imports again; a
# throw-away one only when go has no cache directory
cache=$(go env GOCACHE 2>/dev/null) tmp=
case $cache in /*) ;; *) tmp=$(mktemp -d) cache=$tmp ;; esac
GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=$cache GOFLAGS= \
	go build -o "$out.tmp" github.com/google/pprof
mv "$out.tmp" "$out"
[ -z "$tmp" ] || rm -rf "$tmp"
echo "build-pprof: built $out"
